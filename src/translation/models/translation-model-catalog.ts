import { join } from 'node:path';
import { NLLB_MODELS } from '../../common/config/app-config';

export { NLLB_MODELS };

/**
 * The neural translation models the service can run and where their files come from. They are
 * ONNX exports (encoder + merged decoder with KV cache) in the layout transformers.js reads:
 * `<MODELS_DIR>/translation/<name>/{config.json, tokenizer.json, ..., onnx/*.onnx}`.
 */
export const MODEL_HOST = 'https://huggingface.co';

export type ModelDtype = 'q8' | 'fp32';

export interface TranslationModelSpec {
  /** Local folder name and the name the model command takes. */
  name: string;
  /** Repository on the model host. */
  repo: string;
  family: 'nllb' | 'opus-mt';
}

const CONFIG_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

export function onnxFiles(dtype: ModelDtype): string[] {
  const suffix = dtype === 'q8' ? '_quantized' : '';
  return [`onnx/encoder_model${suffix}.onnx`, `onnx/decoder_model_merged${suffix}.onnx`];
}

export function modelFiles(dtype: ModelDtype): string[] {
  return [...CONFIG_FILES, ...onnxFiles(dtype)];
}

/**
 * Resolves a model name the command or config gives: `nllb-200-distilled-600M` or an opus-mt
 * direction `opus-mt-en-de` (Helsinki-NLP models converted to ONNX by the Xenova account).
 */
export function resolveModel(name: string): TranslationModelSpec | undefined {
  if ((NLLB_MODELS as readonly string[]).includes(name)) {
    return { name, repo: `Xenova/${name}`, family: 'nllb' };
  }
  if (/^opus-mt-[a-z]{2,3}-([a-z]{2,3}|ROMANCE)$/.test(name)) {
    return { name, repo: `Xenova/${name}`, family: 'opus-mt' };
  }
  return undefined;
}

export function modelDir(modelsDir: string, name: string): string {
  return join(modelsDir, 'translation', name);
}

/** The command that fetches a model, for error messages. */
export function fetchCommand(name: string): string {
  return `npm run models:translation -- ${name}`;
}
