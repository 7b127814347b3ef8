import { pcm16LeBytesToFloat } from '../../audio/pcm16';
import { PIPELINE_SAMPLE_RATE } from '../../audio/pipeline-rate';

/** Audio the worker refuses: a readable reason goes to the session as an `error` message. */
export class BadAudioError extends Error {
  override readonly name = 'BadAudioError';
}

/** Longest segment accepted (whisper works on 30 s windows; the gateway splits at 15 s). */
export const MAX_SEGMENT_SECONDS = 60;

/** Validates binary PCM16 (little endian, mono) and turns it into floats in [-1, 1]. */
export function pcm16ToFloat32(pcm: Buffer | null | undefined): Float32Array {
  if (!pcm) throw new BadAudioError('audio payload is missing or expired');
  if (pcm.length === 0) throw new BadAudioError('audio payload is empty');
  if (pcm.length % 2 !== 0) {
    throw new BadAudioError(`audio payload has ${pcm.length} bytes: PCM16 needs an even count`);
  }
  const samples = pcm.length / 2;
  if (samples > MAX_SEGMENT_SECONDS * PIPELINE_SAMPLE_RATE) {
    throw new BadAudioError(
      `audio segment is ${(samples / PIPELINE_SAMPLE_RATE).toFixed(1)} s, longer than ${MAX_SEGMENT_SECONDS} s`,
    );
  }
  return pcm16LeBytesToFloat(pcm);
}
