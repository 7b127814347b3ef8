import { join, resolve } from 'node:path';
import { type AppConfig } from '../../common/config/app-config';

/** The whisper.cpp model repository (ggml files). */
export const MODEL_REPOSITORY = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';

/**
 * SHA-1 of every ggml file MODEL_SIZES names: whisper.cpp's models/README.md for the full-precision
 * files, the repository's published sums for the quantized ones. A download must match its pin; a
 * model without one is fetched only with --trust-host (model-downloader.spec checks that every
 * MODEL_SIZES entry has one).
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
  'large-v3-turbo-q8_0': '01bf15bedffe9f39d65c1b6ff9b687ea91f59e0e',
  'tiny-q5_1': '2827a03e495b1ed3048ef28a6a4620537db4ee51',
  'tiny.en-q5_1': '3fb92ec865cbbc769f08137f22470d6b66e071b6',
  'base-q5_1': 'a3733eda680ef76256db5fc5dd9de8629e62c5e7',
  'base.en-q5_1': 'd26d7ce5a1b6e57bea5d0431b9c20ae49423c94a',
  'small-q5_1': '6fe57ddcfdd1c6b07cdcc73aaf620810ce5fc771',
  'small.en-q5_1': '20f54878d608f94e4a8ee3ae56016571d47cba34',
  'medium-q5_0': '7718d4c1ec62ca96998f058114db98236937490e',
  'medium.en-q5_0': 'bb3b5281bddd61605d6fc76bc5b92d8f20284c3b',
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
