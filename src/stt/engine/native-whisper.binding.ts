import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Shapes of native/whisper-addon/addon.cc. */
export interface NativeTranscribeOptions {
  language?: string;
  translate?: boolean;
  beamSize?: number;
  threads?: number;
  maxTokens?: number;
  temperature?: number;
  temperatureInc?: number;
  noSpeechThreshold?: number;
  audioCtx?: number;
  initialPrompt?: string;
  tokenTimestamps?: boolean;
  singleSegment?: boolean;
  suppressBlank?: boolean;
}

export interface NativeToken {
  text: string;
  id: number;
  probability: number;
  start: number;
  end: number;
  special: boolean;
}

export interface NativeSegment {
  start: number;
  end: number;
  text: string;
  noSpeechProb: number;
  tokens: NativeToken[];
}

export interface NativeResult {
  language: string;
  languageProbability: number;
  segments: NativeSegment[];
  timings: { encodeMs: number; decodeMs: number; sampleMs: number };
}

export interface NativeWhisperContext {
  readonly busy: boolean;
  transcribe(pcm: Float32Array, options: NativeTranscribeOptions): Promise<NativeResult>;
  free(): void;
}

export interface NativeModelOptions {
  useGpu?: boolean;
  flashAttn?: boolean;
  gpuDevice?: number;
}

/** One copy of the weights; contexts created on it share them. */
export interface NativeWhisperModel {
  /** Drops this handle; the weights are freed with the last context that uses them. */
  free(): void;
}

export interface NativeWhisperBinding {
  WhisperModel: new (modelPath: string, options?: NativeModelOptions) => NativeWhisperModel;
  /** A decoding state on a shared model, or on a model of its own when given a path. */
  WhisperContext: new (
    model: string | NativeWhisperModel,
    options?: NativeModelOptions,
  ) => NativeWhisperContext;
  systemInfo(): string;
  setVerbose(verbose: boolean): void;
  version: string;
}

/** Where scripts/build-whisper.sh (run by `npm ci`) puts the addon. */
export const ADDON_PATH = resolve(__dirname, '../../../native/whisper-addon/build/rt_whisper.node');

let binding: NativeWhisperBinding | undefined;

export function loadNativeBinding(path = ADDON_PATH): NativeWhisperBinding {
  if (binding) return binding;
  if (!existsSync(path)) {
    throw new Error(
      `The whisper.cpp addon is not built (${path} is missing): run "bash scripts/build-whisper.sh" (npm ci runs it)`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  binding = require(path) as NativeWhisperBinding;
  return binding;
}
