import {
  type ErrorResult,
  type FinalResult,
  type ResultMessage,
  type TranslationResult,
} from '../../contracts/result-messages';
import {
  type ErrorFrame,
  type FinalFrame,
  type ServerFrame,
  type TranslationFrame,
} from '../../contracts/stream-frames';

/**
 * What the sequencer asks its runner to do:
 * - `final`: deliver a final (or the error that replaces it): it takes the next seq;
 * - `translation`: deliver a translation of the final with seq `seq`;
 * - `settle`: record that utterance `index` is done without telling the client (no speech);
 * - `send`: an ephemeral frame (interim, warning, non-utterance error), never replayed.
 */
export type DeliveryAction =
  | { kind: 'final'; index: number; dedupe: string; frame: Omit<FinalFrame, 'id' | 'seq'> }
  | { kind: 'final'; index: number; dedupe: string; frame: Omit<ErrorFrame, 'id' | 'seq'> }
  | { kind: 'translation'; index: number; dedupe: string; frame: Omit<TranslationFrame, 'id'> }
  | { kind: 'settle'; index: number; dedupe: string }
  | { kind: 'send'; frame: ServerFrame };

type Outcome = FinalResult | ErrorResult;

/** Delivered finals remembered for their late translations. */
const REMEMBERED_FINALS = 500;

export const finalDedupe = (index: number): string => `u:${index}`;
export const translationDedupe = (index: number, language: string): string =>
  `t:${index}:${language}`;

/**
 * Orders one session's results for its client, without I/O: finals in utterance order even when
 * workers finish out of order, translations after their final, interims only for the newest
 * utterance not yet final. The runner persists each action before the client sees it.
 */
export class DeliverySequencer {
  /** Utterances whose final was enqueued and not yet delivered, ascending. */
  private expected: number[] = [];
  private readonly outcomes = new Map<number, Outcome>();
  private readonly waitingTranslations = new Map<number, TranslationResult[]>();
  /** index -> seq of delivered finals with text (translations may still come for them). */
  private readonly deliveredSeq = new Map<number, number>();
  /** Released finals with text (their translations are delivered). */
  private readonly withText = new Set<number>();
  private interimIndex = 0;
  private interimRevision = -1;
  private interimText = '';
  /** LocalAgreement-2 parts of the interim, when the worker sent them. */
  private interimParts: { committed: string; tentative: string } | undefined;
  private interimTranslation = '';
  private interimLanguage = '';
  /** When the first utterance is known to be waiting behind a missing one (ms), else undefined. */
  private blockedSince: number | undefined;

  constructor(
    private readonly sessionId: string,
    /** Index of the last utterance already settled (delivered, silent or failed). */
    private lastIndex = 0,
    private readonly now: () => number = Date.now,
  ) {}

  get settledIndex(): number {
    return this.lastIndex;
  }

  get pendingCount(): number {
    return this.expected.length;
  }

  /**
   * True when an utterance before `index` is unknown here (neither expected nor done): its final
   * may have been enqueued by another gateway (a connection that just dropped), so the runner
   * should reload the expected finals before letting `index` through.
   */
  hasGapBefore(index: number): boolean {
    for (let j = this.lastIndex + 1; j < index; j++) {
      if (!this.expected.includes(j) && !this.outcomes.has(j)) return true;
    }
    return false;
  }

  /** Restores what a previous connection delivered (on resume). */
  rememberDelivered(index: number, seq: number): void {
    this.withText.add(index);
    this.deliveredSeq.set(index, seq);
    this.trimRemembered();
  }

  /** The gateway enqueued the final of utterance `index`: later finals wait for it. */
  expect(index: number): void {
    if (index <= this.lastIndex || this.expected.includes(index)) return;
    this.expected.push(index);
    this.expected.sort((a, b) => a - b);
  }

  seqOf(index: number): number | undefined {
    return this.deliveredSeq.get(index);
  }

  /** Called after the runner delivered a final: its seq is needed for its translations. */
  delivered(index: number, seq: number): void {
    this.deliveredSeq.set(index, seq);
    this.trimRemembered();
  }

  /** Maps one result-stream message to actions, in the order the runner must run them. */
  accept(message: ResultMessage, ephemeral = true): DeliveryAction[] {
    switch (message.type) {
      case 'final':
        return this.acceptOutcome(message.index, message);
      case 'error':
        if (message.index !== undefined && message.utteranceId !== undefined) {
          return this.acceptOutcome(message.index, message);
        }
        return ephemeral
          ? [
              {
                kind: 'send',
                frame: {
                  type: 'error',
                  code: message.code,
                  message: message.message,
                  retryable: message.retryable,
                },
              },
            ]
          : [];
      case 'warning':
        return ephemeral
          ? [
              {
                kind: 'send',
                frame: { type: 'warning', code: message.code, message: message.message },
              },
            ]
          : [];
      case 'interim':
        if (!ephemeral || message.index <= this.lastIndex) return [];
        if (message.index < this.interimIndex) return [];
        if (message.index === this.interimIndex && message.revision <= this.interimRevision) {
          return [];
        }
        if (message.index > this.interimIndex) this.interimTranslation = '';
        this.interimIndex = message.index;
        this.interimRevision = message.revision;
        this.interimText = message.text;
        this.interimParts =
          message.committed !== undefined
            ? { committed: message.committed, tentative: message.tentative ?? '' }
            : undefined;
        this.interimLanguage = message.language;
        return [this.realtime(message.utteranceId, message.language)];
      case 'translation':
        return this.acceptTranslation(message, ephemeral);
    }
  }

  /**
   * When the first expected utterance has been missing for `limitMs` while a later one is done,
   * gives up on it (its job failed for good): an error takes its place and the rest flows.
   */
  expire(limitMs: number): DeliveryAction[] {
    if (this.blockedSince === undefined || this.now() - this.blockedSince < limitMs) return [];
    const index = this.expected[0];
    if (index === undefined) return [];
    this.outcomes.set(index, {
      type: 'error',
      code: 'final_missing',
      message: `no transcript arrived for utterance ${index}`,
      index,
      utteranceId: `${this.sessionId}:${index}`,
      retryable: true,
    });
    return this.release();
  }

  private acceptOutcome(index: number, outcome: Outcome): DeliveryAction[] {
    if (index <= this.lastIndex || this.outcomes.has(index)) return [];
    this.expect(index);
    this.outcomes.set(index, outcome);
    return this.release();
  }

  private release(): DeliveryAction[] {
    const actions: DeliveryAction[] = [];
    while (this.expected[0] !== undefined && this.outcomes.has(this.expected[0])) {
      const index = this.expected.shift()!;
      const outcome = this.outcomes.get(index)!;
      this.outcomes.delete(index);
      this.lastIndex = index;
      if (index >= this.interimIndex) {
        this.interimText = '';
        this.interimParts = undefined;
        this.interimTranslation = '';
      }
      actions.push(...this.settle(index, outcome));
    }
    this.blockedSince = this.outcomes.size > 0 ? (this.blockedSince ?? this.now()) : undefined;
    return actions;
  }

  private settle(index: number, outcome: Outcome): DeliveryAction[] {
    const dedupe = finalDedupe(index);
    const translations = this.waitingTranslations.get(index) ?? [];
    this.waitingTranslations.delete(index);
    if (outcome.type === 'error') {
      return [
        {
          kind: 'final',
          index,
          dedupe,
          frame: {
            type: 'error',
            code: outcome.code,
            message: outcome.message,
            utterance_id: outcome.utteranceId,
            retryable: outcome.retryable ?? false,
          },
        },
      ];
    }
    // No speech (noise, breath): settled silently, no seq used, its translations dropped.
    if (outcome.text.trim() === '') return [{ kind: 'settle', index, dedupe }];
    this.withText.add(index);
    const final: DeliveryAction = {
      kind: 'final',
      index,
      dedupe,
      frame: {
        type: 'final',
        utterance_id: outcome.utteranceId,
        text: outcome.text,
        translation: '',
        language: outcome.language,
        start: outcome.start,
        end: outcome.end,
        ...(outcome.speechStart !== undefined ? { speech_start: outcome.speechStart } : {}),
        ...(outcome.speechEnd !== undefined ? { speech_end: outcome.speechEnd } : {}),
        words: outcome.words,
        latency: outcome.latency,
        worker: outcome.worker,
      },
    };
    // Translations that arrived early follow as soon as the final has its seq (see delivered()).
    return [final, ...translations.map((t) => this.translationAction(t, undefined))];
  }

  private acceptTranslation(message: TranslationResult, ephemeral: boolean): DeliveryAction[] {
    if (message.kind === 'interim') {
      if (!ephemeral || message.index !== this.interimIndex || message.index <= this.lastIndex) {
        return [];
      }
      this.interimTranslation = message.text;
      return [this.realtime(message.utteranceId, this.interimLanguage)];
    }
    if (message.index > this.lastIndex) {
      const list = this.waitingTranslations.get(message.index) ?? [];
      list.push(message);
      this.waitingTranslations.set(message.index, list);
      return [];
    }
    // Its final was released (maybe not yet run by the runner, which fills in the seq).
    return this.withText.has(message.index) ? [this.translationAction(message, undefined)] : [];
  }

  /** `seq` undefined: the final is delivered just before; the runner fills it in. */
  private translationAction(message: TranslationResult, seq: number | undefined): DeliveryAction {
    return {
      kind: 'translation',
      index: message.index,
      dedupe: translationDedupe(message.index, message.language),
      frame: {
        type: 'translation',
        seq: seq ?? 0,
        utterance_id: message.utteranceId,
        language: message.language,
        text: message.text,
        source: message.source,
        engine: message.engine,
      },
    };
  }

  private realtime(utteranceId: string, language: string): DeliveryAction {
    return {
      kind: 'send',
      frame: {
        type: 'realtime',
        utterance_id: utteranceId,
        text: this.interimText,
        ...(this.interimParts ?? {}),
        translation: this.interimTranslation,
        language,
      },
    };
  }

  private trimRemembered(): void {
    while (this.deliveredSeq.size > REMEMBERED_FINALS) {
      this.deliveredSeq.delete(this.deliveredSeq.keys().next().value!);
    }
    while (this.withText.size > REMEMBERED_FINALS) {
      this.withText.delete(this.withText.values().next().value!);
    }
  }
}
