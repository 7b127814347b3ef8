import { PIPELINE_SAMPLE_RATE } from '../../audio/pipeline-rate';

export interface SpeechDetectorOptions {
  frameMs: number;
  /** Frames quieter than this (dBFS) are silence. */
  minDbfs: number;
  /** Voiced speech crosses zero far less often than broadband noise (about 0.5 for white noise). */
  maxZeroCrossingRate: number;
  /** Voiced time a segment needs to count as speech. */
  minVoicedMs: number;
}

export const DEFAULT_SPEECH_DETECTOR: SpeechDetectorOptions = {
  frameMs: 30,
  minDbfs: -50,
  maxZeroCrossingRate: 0.3,
  minVoicedMs: 120,
};

export interface SpeechAnalysis {
  hasSpeech: boolean;
  voicedMs: number;
  frames: number;
}

/**
 * VAD_FILTER: a cheap second look before inference. The gateway's VADs already cut utterances;
 * this catches segments of silence or broadband noise (on which whisper tends to hallucinate)
 * using frame energy and zero-crossing rate, so they cost no inference and yield no text.
 */
export function analyseSpeech(
  samples: Float32Array,
  options: SpeechDetectorOptions = DEFAULT_SPEECH_DETECTOR,
): SpeechAnalysis {
  const frameLength = Math.round((PIPELINE_SAMPLE_RATE * options.frameMs) / 1000);
  const minPower = 10 ** (options.minDbfs / 10);
  let voicedFrames = 0;
  let frames = 0;
  for (let offset = 0; offset + frameLength <= samples.length; offset += frameLength) {
    frames++;
    let power = 0;
    let crossings = 0;
    let mean = 0;
    const frame = samples.subarray(offset, offset + frameLength);
    for (const sample of frame) mean += sample;
    mean /= frameLength;
    let previous = frame[0]! - mean;
    for (const sample of frame) {
      const value = sample - mean;
      power += value * value;
      if (value >= 0 !== previous >= 0) crossings++;
      previous = value;
    }
    power /= frameLength;
    const zcr = crossings / frameLength;
    if (power >= minPower && zcr <= options.maxZeroCrossingRate) voicedFrames++;
  }
  const voicedMs = voicedFrames * options.frameMs;
  return { hasSpeech: voicedMs >= options.minVoicedMs, voicedMs, frames };
}
