import { TelephonyAudioDecoder } from '../../audio/telephony-audio-decoder';
import { type AudioDecoder } from '../../session-core/session-port';
import { type RealtimeAudioFormat } from './realtime-client-events';

/**
 * Decodes appended audio in the format the session settled on: the session core builds its
 * decoder when the session opens, before the client's first update, so the format is read when
 * the first audio arrives (it cannot change after that).
 */
export class RealtimeAudioDecoder implements AudioDecoder {
  private decoder?: TelephonyAudioDecoder;

  constructor(private readonly format: () => RealtimeAudioFormat) {}

  get secondsIn(): number {
    return this.decoder?.secondsIn ?? 0;
  }

  /** Before the first audio the format may still change: estimated in the current one. */
  secondsOf(bytes: number): number {
    if (this.decoder) return this.decoder.secondsOf(bytes);
    const { encoding, sampleRate } = this.format();
    return bytes / (encoding === 'linear16' ? 2 : 1) / sampleRate;
  }

  push(bytes: Buffer): Int16Array {
    if (!this.decoder) {
      const { encoding, sampleRate } = this.format();
      this.decoder = new TelephonyAudioDecoder(encoding, sampleRate, 1);
    }
    return this.decoder.push(bytes);
  }

  flush(): Int16Array {
    return this.decoder?.flush() ?? new Int16Array(0);
  }
}
