import { encodeWav } from '../../audio/wav';

/** encodeWav as a Buffer (a view of the same bytes, no copy), for Node callers. */
export function encodeWavBuffer(pcm16: Int16Array, sampleRate: number): Buffer {
  const file = encodeWav(pcm16, sampleRate);
  return Buffer.from(file.buffer, file.byteOffset, file.byteLength);
}
