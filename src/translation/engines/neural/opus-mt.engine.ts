import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeLanguage, toFloresCode, toOpusCode } from '../../languages/language-table';
import {
  type EngineStatus,
  EngineUnavailableError,
  type LanguagePair,
  pairKey,
  type TranslateRequest,
  type TranslationEngine,
} from '../translation-engine';
import { type ModelManager } from './model-manager';
import { type NeuralEngineOptions } from './nllb.engine';
import { maxNewTokens } from './nllb.engine';
import { missingModelFiles, type Seq2SeqTranslator } from './seq2seq-model';
import { joinSentences, splitSentences } from './seq2seq-text';

/** Target groups of multi-target opus-mt models; such models need a `>>xx<<` target token. */
const TARGET_GROUPS: Readonly<Record<string, readonly string[]>> = {
  ROMANCE: ['es', 'fr', 'it', 'pt', 'ro', 'ca', 'gl', 'oc', 'an', 'ast', 'sc'],
};

export interface OpusModel {
  name: string;
  source: string;
  targets: readonly string[];
  /** True for multi-target models: each sentence starts with `>>xx<<`. */
  needsTargetToken: boolean;
}

/** Parses `opus-mt-en-de` / `opus-mt-en-ROMANCE` into the pairs the model serves. */
export function parseOpusModelName(name: string): OpusModel | undefined {
  const [, sourceCode, targetCode] = /^opus-mt-([a-z]{2,3})-([a-z]{2,3}|[A-Z]+)$/.exec(name) ?? [];
  if (sourceCode === undefined || targetCode === undefined) return undefined;
  const source = normalizeLanguage(sourceCode);
  if (!source) return undefined;
  const group = TARGET_GROUPS[targetCode];
  if (group) return { name, source, targets: group, needsTargetToken: true };
  const target = normalizeLanguage(targetCode);
  if (!target) return undefined;
  return { name, source, targets: [target], needsTargetToken: false };
}

/** Sentences as the Marian model expects them, with the target token for multi-target models. */
export function opusInputs(text: string, model: OpusModel, target: string): string[] {
  const sentences = splitSentences(text);
  if (!model.needsTargetToken) return sentences;
  const token = toOpusCode(target);
  if (!token) throw new Error(`opus-mt has no target token for ${target}`);
  return sentences.map((sentence) => `>>${token}<< ${sentence}`);
}

/** opus-mt (Marian): one small model per direction, found under MODELS_DIR/translation. */
export class OpusMtEngine implements TranslationEngine {
  readonly name = 'opus-mt';
  private byPair = new Map<string, OpusModel>();

  constructor(
    private readonly models: ModelManager<Seq2SeqTranslator>,
    private readonly options: NeuralEngineOptions,
  ) {}

  init(): Promise<void> {
    let names: string[] = [];
    try {
      names = readdirSync(join(this.options.modelsDir, 'translation'));
    } catch {
      // No models fetched yet: the engine serves no pair.
    }
    this.byPair.clear();
    for (const name of names.sort()) {
      const model = parseOpusModelName(name);
      if (!model) continue;
      if (missingModelFiles(this.options.modelsDir, name, this.options.dtype).length > 0) continue;
      for (const target of model.targets) {
        const key = pairKey(model.source, target);
        // A direct model beats a multi-target one.
        if (!this.byPair.has(key) || !model.needsTargetToken) this.byPair.set(key, model);
      }
    }
    return Promise.resolve();
  }

  supports(source: string, target: string): boolean {
    return this.byPair.has(pairKey(source, target));
  }

  pairs(): LanguagePair[] {
    return [...this.byPair.keys()].map((key) => {
      const [source = '', target = ''] = key.split('-');
      return { source, target };
    });
  }

  async translate(request: TranslateRequest): Promise<string> {
    const model = this.byPair.get(pairKey(request.source, request.target));
    if (!model) {
      throw new EngineUnavailableError(
        `No opus-mt model for ${request.source}-${request.target}; fetch one with: ` +
          `npm run models:translation -- opus-mt-${request.source}-${request.target}`,
      );
    }
    const sentences = opusInputs(request.text, model, request.target);
    if (sentences.length === 0) return '';
    const output = await this.models.use(model.name, (translator) =>
      translator.translate(sentences, {
        beams: this.options.beams,
        maxNewTokens: maxNewTokens(sentences),
      }),
    );
    return joinSentences(output, toFloresCode(request.target) ?? '');
  }

  status(): EngineStatus {
    const loaded = this.models.loaded();
    const pairs: Record<string, string> = {};
    for (const [key, model] of this.byPair)
      pairs[key] = loaded.has(model.name) ? 'loaded' : 'ready';
    return {
      ready: this.byPair.size > 0,
      pairs,
      detail: this.byPair.size > 0 ? undefined : 'no opus-mt model under MODELS_DIR/translation',
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
