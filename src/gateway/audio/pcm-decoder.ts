import { endianness } from 'node:os';
import { type AudioEncoding } from '../protocol/session-config';
import { toInt16 } from '../../audio/pcm16';
import { PIPELINE_SAMPLE_RATE } from '../../audio/pipeline-rate';
import { StreamingResampler } from '../../audio/streaming-resampler';

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Turns a client's binary frames (any supported encoding and rate) into 16 kHz mono PCM16.
 * Frames need not hold whole samples: a trailing partial sample waits for the next frame.
 */
export class PcmDecoder {
  private carry = Buffer.alloc(0);
  private readonly resampler: StreamingResampler;
  private readonly bytesPerSample: number;
  /** Input samples received so far (at the client's rate). */
  samplesIn = 0;

  constructor(
    readonly encoding: AudioEncoding,
    readonly sampleRate: number,
  ) {
    this.bytesPerSample = encoding === 'pcm_f32le' ? 4 : 2;
    this.resampler = new StreamingResampler(sampleRate, PIPELINE_SAMPLE_RATE);
  }

  /** Seconds of audio received so far. */
  get secondsIn(): number {
    return this.samplesIn / this.sampleRate;
  }

  secondsOf(bytes: number): number {
    return bytes / this.bytesPerSample / this.sampleRate;
  }

  push(frame: Buffer): Int16Array {
    let data = frame;
    if (this.carry.length > 0) {
      data = Buffer.concat([this.carry, frame]);
      this.carry = Buffer.alloc(0);
    }
    const whole = data.length - (data.length % this.bytesPerSample);
    if (whole < data.length) this.carry = Buffer.from(data.subarray(whole));
    const samples = whole / this.bytesPerSample;
    if (samples === 0) return new Int16Array(0);
    this.samplesIn += samples;

    if (this.encoding === 'pcm_s16le' && this.resampler.passthrough) {
      // Same byte order as the wire: one copy, no per-sample work.
      if (LITTLE_ENDIAN && data.byteOffset % 2 === 0) {
        return new Int16Array(data.buffer, data.byteOffset, samples).slice();
      }
      const out = new Int16Array(samples);
      for (let i = 0; i < samples; i++) out[i] = data.readInt16LE(i * 2);
      return out;
    }
    const floats = new Float32Array(samples);
    if (this.encoding === 'pcm_s16le') {
      if (LITTLE_ENDIAN && data.byteOffset % 2 === 0) {
        const view = new Int16Array(data.buffer, data.byteOffset, samples);
        for (let i = 0; i < samples; i++) floats[i] = view[i]! / 32768;
      } else {
        for (let i = 0; i < samples; i++) floats[i] = data.readInt16LE(i * 2) / 32768;
      }
    } else {
      for (let i = 0; i < samples; i++) {
        const value = data.readFloatLE(i * 4);
        floats[i] = Number.isFinite(value) ? value : 0;
      }
    }
    return toInt16(this.resampler.push(floats));
  }

  /** The resampler's held-back tail, at the end of the stream. */
  flush(): Int16Array {
    this.carry = Buffer.alloc(0);
    return toInt16(this.resampler.flush());
  }
}
