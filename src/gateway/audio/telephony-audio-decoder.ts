import { decodeG711, type G711Law } from '../../audio/g711';
import { PcmDecoder } from './pcm-decoder';

/** Raw audio as telephony and voice-agent APIs send it (Deepgram live, OpenAI Realtime). */
export type RawAudioEncoding = 'linear16' | G711Law;

/**
 * Raw linear16, mu-law or A-law audio with interleaved channels to 16 kHz mono PCM16: expanded,
 * mixed down to one channel, then resampled by the native PcmDecoder.
 */
export class TelephonyAudioDecoder {
  private carry = Buffer.alloc(0);
  private readonly bytesPerFrame: number;
  private readonly pcm: PcmDecoder;

  constructor(
    private readonly encoding: RawAudioEncoding,
    sampleRate: number,
    private readonly channels: number,
  ) {
    this.bytesPerFrame = (encoding === 'linear16' ? 2 : 1) * channels;
    this.pcm = new PcmDecoder('pcm_s16le', sampleRate);
  }

  get secondsIn(): number {
    return this.pcm.secondsIn;
  }

  secondsOf(bytes: number): number {
    return bytes / this.bytesPerFrame / this.pcm.sampleRate;
  }

  push(bytes: Buffer): Int16Array {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : bytes;
    const whole = data.length - (data.length % this.bytesPerFrame);
    this.carry = whole < data.length ? Buffer.from(data.subarray(whole)) : Buffer.alloc(0);
    if (whole === 0) return new Int16Array(0);
    const mono = this.downmix(this.expand(data.subarray(0, whole)));
    return this.pcm.push(Buffer.from(mono.buffer, mono.byteOffset, mono.byteLength));
  }

  flush(): Int16Array {
    this.carry = Buffer.alloc(0);
    return this.pcm.flush();
  }

  private expand(data: Buffer): Int16Array {
    if (this.encoding !== 'linear16') return decodeG711(this.encoding, data);
    const samples = new Int16Array(data.length / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * 2);
    return samples;
  }

  private downmix(interleaved: Int16Array): Int16Array {
    if (this.channels === 1) return interleaved;
    const frames = interleaved.length / this.channels;
    const mono = new Int16Array(frames);
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < this.channels; c++) sum += interleaved[f * this.channels + c]!;
      mono[f] = Math.round(sum / this.channels);
    }
    return mono;
  }
}
