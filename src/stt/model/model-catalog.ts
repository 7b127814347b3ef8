import { join, resolve } from 'node:path';
import { AppConfig } from '../../common/config/app-config';

/** The whisper.cpp model repository (ggml files). */
export const MODEL_REPOSITORY = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';

/**
 * SHA-1 of the ggml files as whisper.cpp publishes them (models/README.md). Models not listed
 * are checked against the SHA-256 the repository sends (x-linked-etag) when it sends one.
 */
export const KNOWN_SHA1: Record<string, string> = {
  tiny: 'bd577a113a864445d4c299885e0cb97d4ba92b5f',
  'tiny.en': 'c78c86eb1a8faa21b369bcd33207cc90d64ae9df',
  base: '465707469ff3a37a2b9b8d8f89f2f99de7299dac',
  'base.en': '137c40403d78fd54d454da0f9bd998f78703390c',
  small: '55356645c2b361a969dfd0ef2c5a50d530afd8d5',
  'small.en': 'db8a495a91d927739e50b3fc1cc4c6b8f6c2d022',
  medium: 'fd9727b6e1217c2f614f9b698455c4ffd82463b4',
  'medium.en': '8c30f0e44ce9560643ebd10bbe50cd20eafd3723',
  'large-v1': 'b1caaf735c4cc1429223d5a74f0f4d0b9b59a299',
  'large-v2': '0f4c8e34f21cf1a914c59d8b3ce882345ad349d6',
  'large-v3': 'ad82bf6a9043ceed055076d0fd39f5f186ff8062',
  'large-v3-q5_0': 'e6e2ed78495d403bef4b7cff42ef4aaadcfea8de',
  'large-v3-turbo': '4af2b29d7ec73d781377bfd1758ca957a807e941',
  'large-v3-turbo-q5_0': 'e050f7970618a659205450ad97eb95a18d69c9ee',
};

export function modelFileName(name: string): string {
  return `ggml-${name}.bin`;
}

export function modelUrl(name: string, base = MODEL_REPOSITORY): string {
  return `${base}/${modelFileName(name)}`;
}

/** The model file the worker loads: WHISPER_MODEL, or MODELS_DIR/ggml-<MODEL_SIZE>.bin. */
export function resolveModelPath(config: AppConfig): string {
  return config.stt.modelPath
    ? resolve(config.stt.modelPath)
    : resolve(join(config.stt.modelsDir, modelFileName(config.stt.modelSize)));
}

/** What to tell a user whose model file is missing. */
export function fetchCommand(config: AppConfig): string {
  return config.stt.modelPath
    ? `put the ggml model file at ${resolve(config.stt.modelPath)} (or unset WHISPER_MODEL and run "npm run models -- ${config.stt.modelSize}")`
    : `npm run models -- ${config.stt.modelSize}` +
        (config.stt.modelsDir === 'models' ? '' : ` (with MODELS_DIR=${config.stt.modelsDir})`);
}
