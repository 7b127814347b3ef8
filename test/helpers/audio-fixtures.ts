import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RATE = 16000;

/** Reads a 16 kHz mono PCM16 WAV file (walks the RIFF chunks; anything else is an error). */
export function readWav16k(path: string): Int16Array {
  const buf = readFileSync(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${path}: not a WAV file`);
  }
  let offset = 12;
  let format: { channels: number; rate: number; bits: number; codec: number } | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        codec: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new Error(`${path}: data before fmt`);
      const { codec, channels, rate, bits } = format;
      if (codec !== 1 || channels !== 1 || rate !== RATE || bits !== 16) {
        throw new Error(`${path}: need 16 kHz mono PCM16, got ${JSON.stringify(format)}`);
      }
      // sox/espeak write 0xffffffff as the size when streaming to a pipe.
      const end = size === 0xffffffff ? buf.length : Math.min(buf.length, body + size);
      const bytes = buf.subarray(body, end - ((end - body) % 2));
      const out = new Int16Array(bytes.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
      return out;
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** A temporary folder for generated audio; call dispose() when done. */
export class AudioWorkdir {
  readonly dir = mkdtempSync(join(tmpdir(), 'vad-audio-'));
  private n = 0;

  /** espeak-ng speech resampled to 16 kHz mono PCM16, without dither. */
  espeak(text: string, voice = 'en-us', wordsPerMinute = 160): Int16Array {
    const raw = join(this.dir, `espeak-${this.n}.wav`);
    const out = join(this.dir, `speech-${this.n++}.wav`);
    execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-w', raw, text]);
    execFileSync('sox', [raw, '-D', '-r', String(RATE), '-c', '1', '-b', '16', out]);
    return readWav16k(out);
  }

  /** sox synth noise: kind is whitenoise, pinknoise or brownnoise; gain in dBFS (e.g. -6). */
  noise(
    kind: 'whitenoise' | 'pinknoise' | 'brownnoise',
    seconds: number,
    gainDb: number,
  ): Int16Array {
    const out = join(this.dir, `${kind}-${this.n++}.wav`);
    // -R: the same noise every run.
    execFileSync('sox', [
      '-R',
      '-D',
      '-n',
      '-r',
      String(RATE),
      '-c',
      '1',
      '-b',
      '16',
      out,
      'synth',
      String(seconds),
      kind,
      'gain',
      '-n',
      String(gainDb),
    ]);
    return readWav16k(out);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function slice(pcm: Int16Array, fromSec: number, toSec: number): Int16Array {
  return pcm.slice(Math.round(fromSec * RATE), Math.round(toSec * RATE));
}

/** Drops leading and trailing samples quieter than `threshold` (espeak pads with silence). */
export function trim(pcm: Int16Array, threshold = 100): Int16Array {
  let a = 0;
  let b = pcm.length;
  while (a < b && Math.abs(pcm[a]) < threshold) a++;
  while (b > a && Math.abs(pcm[b - 1]) < threshold) b--;
  return pcm.slice(a, b);
}

export const silence = (seconds: number): Int16Array => new Int16Array(Math.round(seconds * RATE));

export interface Piece {
  readonly startSec: number;
  readonly endSec: number;
}

/**
 * Concatenates silences (numbers, in seconds) and speech pieces (Int16Array); returns the clip and
 * where each speech piece lies in it (the known truth).
 */
export function compose(parts: (number | Int16Array)[]): { pcm: Int16Array; pieces: Piece[] } {
  const chunks = parts.map((p) => (typeof p === 'number' ? silence(p) : p));
  const pcm = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  const pieces: Piece[] = [];
  let at = 0;
  parts.forEach((p, i) => {
    pcm.set(chunks[i], at);
    if (typeof p !== 'number') pieces.push({ startSec: at / RATE, endSec: (at + p.length) / RATE });
    at += chunks[i].length;
  });
  return { pcm, pieces };
}

/** Adds `bed` under `pcm` (looping the bed), saturating at the PCM16 range. */
export function mix(pcm: Int16Array, bed: Int16Array): Int16Array {
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) {
    out[i] = Math.max(-32768, Math.min(32767, pcm[i] + bed[i % bed.length]));
  }
  return out;
}
