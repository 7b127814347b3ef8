import { type TextFormat } from '../formats/html-segments';

/** A source and target language, both ISO 639-1. */
export interface LanguagePair {
  source: string;
  target: string;
}

export function pairKey(source: string, target: string): string {
  return `${source}-${target}`;
}

export interface TranslateRequest {
  text: string;
  source: string;
  target: string;
  /** Finals go before interims wherever an engine queues work. */
  priority: 'final' | 'interim';
  /** `html`: markup is kept and only the prose is translated. Plain text when absent. */
  format?: TextFormat;
}

export interface EngineStatus {
  ready: boolean;
  /** Per pair ("en-es"): what the engine knows about it, e.g. 'ready', 'starting', 'idle', 'down'. */
  pairs: Record<string, string>;
  detail?: string;
}

/**
 * What every translation engine offers. Engines take ISO 639-1 codes and map them to their own
 * codes internally (see languages/language-table.ts).
 */
export interface TranslationEngine {
  readonly name: string;
  /**
   * True when translate() keeps HTML markup itself; for other engines the translation service
   * translates the prose between the tags piece by piece.
   */
  readonly handlesHtml?: boolean;
  /** Discovers pairs, checks files; must not throw for a missing optional resource. */
  init(): Promise<void>;
  supports(source: string, target: string): boolean;
  pairs(): LanguagePair[];
  translate(request: TranslateRequest): Promise<string>;
  status(): EngineStatus;
  close(): Promise<void>;
}

/** A translation failed in a way that retrying the same request will not fix. */
export class TranslationInputError extends Error {}

/** The engine or its model cannot serve the pair right now (missing model files, server down). */
export class EngineUnavailableError extends Error {}
