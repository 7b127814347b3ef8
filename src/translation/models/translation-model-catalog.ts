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

/**
 * What the catalogue pins for a model: the repository commit its files come from (so the
 * repository's main branch moving cannot change them) and the sha256 of each file. A file without
 * a pin is fetched only with --trust-host or a pin the user supplies (--checksums).
 */
export interface ModelPins {
  revision: string;
  sha256: Readonly<Record<string, string>>;
}

/**
 * The LFS digests of Xenova/nllb-200-distilled-600M at this commit, as several independent
 * projects pin them; its small JSON files have no published digest to pin, so they need
 * --trust-host (what the host serves at this commit) or --checksums.
 */
export const MODEL_PINS: Readonly<Record<string, ModelPins>> = {
  'nllb-200-distilled-600M': {
    revision: '261c31d1a5732c67cdd16d80e8d6088507c7ccea',
    sha256: {
      'tokenizer.json': '8ac789ad7dabea44d41537822d48c516ba358374c51813e2cba78c006e150c94',
      'onnx/encoder_model_quantized.onnx':
        '5cde664eacba07a62f198857ec6c06e09572b1ebb77c8137f1fa99ac604a3a28',
      'onnx/decoder_model_merged_quantized.onnx':
        'dd66608c2a4194e78f95548fa0e64f24302303698c5b09fa8e1f9e16ec00676b',
    },
  },
};

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
