/** Reading and writing RIFF/WAVE files: PCM 8/16/24/32-bit and IEEE float, any rate, any channels. */

export interface DecodedAudio {
  sampleRate: number;
  channels: number;
  /** Mono (channels averaged), -1..1. */
  samples: Float32Array;
}

export class WavFormatError extends Error {}

/** What a WAV file holds, read from its header without touching the samples. */
export interface WavLayout {
  sampleRate: number;
  channels: number;
  /** Sample frames in the data chunk (one sample per channel each). */
  frames: number;
  /** Reads frames [from, to) as mono -1..1 (channels averaged). */
  readMono(from: number, to: number): Float32Array;
}

/** Four ASCII bytes (a RIFF chunk id) at `at`. */
function fourCc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

function dataViewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function readWavLayout(bytes: Uint8Array): WavLayout {
  if (bytes.length < 12 || fourCc(bytes, 0) !== 'RIFF') {
    throw new WavFormatError('not a WAV file (no RIFF header)');
  }
  if (fourCc(bytes, 8) !== 'WAVE') throw new WavFormatError('not a WAVE file');
  const file = dataViewOf(bytes);
  let offset = 12;
  let format: { tag: number; channels: number; rate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  while (offset + 8 <= bytes.length) {
    const id = fourCc(bytes, offset);
    const size = file.getUint32(offset + 4, true);
    const body = bytes.subarray(offset + 8, Math.min(bytes.length, offset + 8 + size));
    if (id === 'fmt ') {
      if (body.length < 16) throw new WavFormatError('fmt chunk too short');
      const fmt = dataViewOf(body);
      let tag = fmt.getUint16(0, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format tag is the first two bytes of the sub-format GUID.
      if (tag === 0xfffe && body.length >= 26) tag = fmt.getUint16(24, true);
      format = {
        tag,
        channels: fmt.getUint16(2, true),
        rate: fmt.getUint32(4, true),
        bits: fmt.getUint16(14, true),
      };
    } else if (id === 'data') {
      data = body;
    }
    offset += 8 + size + (size % 2);
  }
  if (!format) throw new WavFormatError('no fmt chunk');
  if (!data) throw new WavFormatError('no data chunk');
  const { tag, channels, rate, bits } = format;
  if (channels < 1) throw new WavFormatError('zero channels');
  if (rate < 1000 || rate > 384000) throw new WavFormatError(`unsupported sample rate ${rate}`);
  const bytesPerSample = bits / 8;
  const read = sampleReader(tag, bits);
  const samples = dataViewOf(data);
  return {
    sampleRate: rate,
    channels,
    frames: Math.floor(data.length / (bytesPerSample * channels)),
    readMono(from, to) {
      const out = new Float32Array(Math.max(0, to - from));
      for (let f = from; f < to; f++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) {
          sum += read(samples, (f * channels + c) * bytesPerSample);
        }
        out[f - from] = sum / channels;
      }
      return out;
    },
  };
}

export function decodeWav(bytes: Uint8Array): DecodedAudio {
  const layout = readWavLayout(bytes);
  return {
    sampleRate: layout.sampleRate,
    channels: layout.channels,
    samples: layout.readMono(0, layout.frames),
  };
}

function readInt24(view: DataView, at: number): number {
  const unsigned = view.getUint16(at, true) | (view.getUint8(at + 2) << 16);
  return (unsigned << 8) >> 8;
}

function sampleReader(tag: number, bits: number): (view: DataView, at: number) => number {
  if (tag === 1 && bits === 16) return (v, at) => v.getInt16(at, true) / 0x8000;
  if (tag === 1 && bits === 8) return (v, at) => (v.getUint8(at) - 128) / 128;
  if (tag === 1 && bits === 24) return (v, at) => readInt24(v, at) / 0x800000;
  if (tag === 1 && bits === 32) return (v, at) => v.getInt32(at, true) / 0x80000000;
  if (tag === 3 && bits === 32) return (v, at) => v.getFloat32(at, true);
  if (tag === 3 && bits === 64) return (v, at) => v.getFloat64(at, true);
  throw new WavFormatError(`unsupported WAV encoding (format ${tag}, ${bits} bits)`);
}

const WAV_HEADER_BYTES = 44;

/** 16-bit PCM mono WAV. */
export function encodeWav(pcm16: Int16Array, sampleRate: number): Uint8Array {
  const dataBytes = pcm16.length * 2;
  const file = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
  const view = dataViewOf(file);
  const ascii = (at: number, text: string): void => {
    for (let i = 0; i < text.length; i++) file[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (const [i, sample] of pcm16.entries()) view.setInt16(WAV_HEADER_BYTES + i * 2, sample, true);
  return file;
}
