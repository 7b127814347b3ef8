import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EngineUnavailableError } from '../translation-engine';
import { type LoadedModel, type ModelLoader } from './model-manager';
import {
  fetchCommand,
  modelDir,
  modelFiles,
  type ModelDtype,
  onnxFiles,
} from '../../models/translation-model-catalog';

export interface GenerateOptions {
  /** NLLB: FLORES codes of source and target; opus-mt models need neither. */
  srcLang?: string;
  tgtLang?: string;
  beams: number;
  maxNewTokens: number;
}

/** A loaded encoder-decoder translation model: sentences in, sentences out. */
export interface Seq2SeqTranslator {
  translate(sentences: string[], options: GenerateOptions): Promise<string[]>;
}

/** Files of a model that are not on disk; empty when it can load. */
export function missingModelFiles(modelsDir: string, name: string, dtype: ModelDtype): string[] {
  const dir = modelDir(modelsDir, name);
  return modelFiles(dtype).filter((file) => !existsSync(join(dir, file)));
}

export function assertModelFiles(modelsDir: string, name: string, dtype: ModelDtype): void {
  const missing = missingModelFiles(modelsDir, name, dtype);
  if (missing.length > 0) {
    throw new EngineUnavailableError(
      `Translation model ${name} is missing ${missing.join(', ')} in ${modelDir(modelsDir, name)}; ` +
        `fetch it with: ${fetchCommand(name)}`,
    );
  }
}

interface TranslationOutput {
  translation_text: string;
}
type TranslationPipeline = ((
  texts: string[],
  options: Record<string, unknown>,
) => Promise<TranslationOutput[] | TranslationOutput>) & { dispose(): Promise<void> };

/**
 * Loads models with @huggingface/transformers (tokenizer, ONNX sessions on onnxruntime-node,
 * beam search with KV cache) from local files only: remote downloads are switched off, the
 * model command fetches files. The library is imported on first load, so processes that only
 * run Apertium never pay for it.
 */
export function transformersLoader(
  modelsDir: string,
  dtype: ModelDtype,
): ModelLoader<Seq2SeqTranslator> {
  return async (name: string): Promise<LoadedModel<Seq2SeqTranslator>> => {
    assertModelFiles(modelsDir, name, dtype);
    const transformers = await import('@huggingface/transformers');
    transformers.env.allowRemoteModels = false;
    transformers.env.allowLocalModels = true;
    transformers.env.localModelPath = join(modelsDir, 'translation');
    let translator: TranslationPipeline;
    try {
      const loaded: unknown = await transformers.pipeline('translation', name, {
        dtype,
        device: 'cpu',
      });
      translator = loaded as TranslationPipeline;
    } catch (error) {
      // Damaged or incompatible files: retrying will not help, fetching again may.
      throw new EngineUnavailableError(
        `Translation model ${name} in ${modelDir(modelsDir, name)} could not be loaded ` +
          `(${(error as Error).message}); fetch it again with: ${fetchCommand(name)} --force`,
      );
    }
    const bytes = onnxFiles(dtype).reduce(
      (sum, file) => sum + statSync(join(modelDir(modelsDir, name), file)).size,
      0,
    );
    return {
      bytes,
      dispose: () => translator.dispose(),
      model: {
        async translate(sentences, options) {
          const output = await translator(sentences, {
            src_lang: options.srcLang,
            tgt_lang: options.tgtLang,
            num_beams: options.beams,
            max_new_tokens: options.maxNewTokens,
          });
          const list = Array.isArray(output) ? output : [output];
          return list.map((item) => item.translation_text);
        },
      },
    };
  };
}
