import { allLanguages, toFloresCode } from '../../languages/language-table';
import { missingModelFiles } from './seq2seq-model';
import {
  type EngineStatus,
  type LanguagePair,
  type TranslateRequest,
  type TranslationEngine,
} from '../translation-engine';
import { type ModelManager } from './model-manager';
import { type Seq2SeqTranslator } from './seq2seq-model';
import { joinSentences, splitSentences } from './seq2seq-text';
import { fetchCommand, type ModelDtype } from '../../models/translation-model-catalog';
import { Logger } from '@nestjs/common';

export interface NeuralEngineOptions {
  modelsDir: string;
  dtype: ModelDtype;
  beams: number;
}

/** What goes into the model for one request: NLLB needs FLORES codes for both sides. */
export function nllbInputs(
  text: string,
  source: string,
  target: string,
): { sentences: string[]; srcLang: string; tgtLang: string } {
  const srcLang = toFloresCode(source);
  const tgtLang = toFloresCode(target);
  if (!srcLang || !tgtLang) throw new Error(`NLLB has no FLORES code for ${source}-${target}`);
  return { sentences: splitSentences(text), srcLang, tgtLang };
}

/** Room for the translation: target text is rarely more than twice the source's tokens. */
export function maxNewTokens(sentences: string[]): number {
  const longest = Math.max(0, ...sentences.map((s) => s.length));
  return Math.min(512, Math.max(32, Math.ceil(longest / 2)));
}

/** How long a look at the model folder counts before files are checked again. */
const FILES_CHECK_MS = 10_000;

/**
 * NLLB-200 (one multilingual model, every pair of the language table). Without its model files it
 * serves no pair, so routing falls back to Apertium, and readiness says which files are missing.
 */
export class NllbEngine implements TranslationEngine {
  readonly name = 'nllb';
  private readonly logger = new Logger('NLLB');
  private filesCheckedAt = -Infinity;
  private missing: string[] = [];

  constructor(
    private readonly model: string,
    private readonly models: ModelManager<Seq2SeqTranslator>,
    private readonly options: NeuralEngineOptions,
  ) {}

  init(): Promise<void> {
    const missing = this.missingFiles();
    if (missing.length > 0) {
      this.logger.warn(
        `NLLB model ${this.model} is missing ${missing.join(', ')}; until it is fetched ` +
          `(${fetchCommand(this.model)}) other engines serve the pairs they can`,
      );
    }
    return Promise.resolve();
  }

  supports(source: string, target: string): boolean {
    return (
      source !== target &&
      !!toFloresCode(source) &&
      !!toFloresCode(target) &&
      this.missingFiles().length === 0
    );
  }

  pairs(): LanguagePair[] {
    if (this.missingFiles().length > 0) return [];
    const codes = allLanguages().map((language) => language.code);
    return codes.flatMap((source) =>
      codes.filter((target) => target !== source).map((target) => ({ source, target })),
    );
  }

  async translate(request: TranslateRequest): Promise<string> {
    const { sentences, srcLang, tgtLang } = nllbInputs(
      request.text,
      request.source,
      request.target,
    );
    if (sentences.length === 0) return '';
    const output = await this.models.use(this.model, (model) =>
      model.translate(sentences, {
        srcLang,
        tgtLang,
        beams: this.options.beams,
        maxNewTokens: maxNewTokens(sentences),
      }),
    );
    return joinSentences(output, tgtLang);
  }

  status(): EngineStatus {
    const missing = this.missingFiles();
    const loaded = this.models.loaded().has(this.model);
    return {
      ready: missing.length === 0,
      pairs: { '*': missing.length > 0 ? 'model files missing' : loaded ? 'loaded' : 'ready' },
      detail: missing.length > 0 ? `missing ${missing.join(', ')}` : undefined,
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private missingFiles(): string[] {
    const now = Date.now();
    if (now - this.filesCheckedAt > FILES_CHECK_MS) {
      this.missing = missingModelFiles(this.options.modelsDir, this.model, this.options.dtype);
      this.filesCheckedAt = now;
    }
    return this.missing;
  }
}
