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

export function readWavLayout(buffer: Buffer): WavLayout {
  if (buffer.length < 12 || buffer.toString('ascii', 0, 4) !== 'RIFF') {
    throw new WavFormatError('not a WAV file (no RIFF header)');
  }
  if (buffer.toString('ascii', 8, 12) !== 'WAVE') throw new WavFormatError('not a WAVE file');
  let offset = 12;
  let format: { tag: number; channels: number; rate: number; bits: number } | undefined;
  let data: Buffer | undefined;
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString('ascii', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    const body = buffer.subarray(offset + 8, Math.min(buffer.length, offset + 8 + size));
    if (id === 'fmt ') {
      if (body.length < 16) throw new WavFormatError('fmt chunk too short');
      let tag = body.readUInt16LE(0);
      // WAVE_FORMAT_EXTENSIBLE: the real format tag is the first two bytes of the sub-format GUID.
      if (tag === 0xfffe && body.length >= 26) tag = body.readUInt16LE(24);
      format = {
        tag,
        channels: body.readUInt16LE(2),
        rate: body.readUInt32LE(4),
        bits: body.readUInt16LE(14),
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
  const bytes = bits / 8;
  const read = sampleReader(tag, bits);
  const samples = data;
  return {
    sampleRate: rate,
    channels,
    frames: Math.floor(data.length / (bytes * channels)),
    readMono(from, to) {
      const out = new Float32Array(Math.max(0, to - from));
      for (let f = from; f < to; f++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += read(samples, (f * channels + c) * bytes);
        out[f - from] = sum / channels;
      }
      return out;
    },
  };
}

export function decodeWav(buffer: Buffer): DecodedAudio {
  const layout = readWavLayout(buffer);
  return {
    sampleRate: layout.sampleRate,
    channels: layout.channels,
    samples: layout.readMono(0, layout.frames),
  };
}

function sampleReader(tag: number, bits: number): (b: Buffer, at: number) => number {
  if (tag === 1 && bits === 16) return (b, at) => b.readInt16LE(at) / 0x8000;
  if (tag === 1 && bits === 8) return (b, at) => (b.readUInt8(at) - 128) / 128;
  if (tag === 1 && bits === 24) return (b, at) => b.readIntLE(at, 3) / 0x800000;
  if (tag === 1 && bits === 32) return (b, at) => b.readInt32LE(at) / 0x80000000;
  if (tag === 3 && bits === 32) return (b, at) => b.readFloatLE(at);
  if (tag === 3 && bits === 64) return (b, at) => b.readDoubleLE(at);
  throw new WavFormatError(`unsupported WAV encoding (format ${tag}, ${bits} bits)`);
}

/** 16-bit PCM mono WAV. */
export function encodeWav(pcm16: Int16Array, sampleRate: number): Buffer {
  const data = Buffer.from(pcm16.buffer, pcm16.byteOffset, pcm16.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
