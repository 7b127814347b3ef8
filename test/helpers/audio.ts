import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './test-env';

/** Samples of a mono PCM16 WAV file (the data chunk). */
export function readWavPcm16(path: string): { rate: number; samples: Int16Array } {
  const file = readFileSync(path);
  if (file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${path} is not a WAV file`);
  }
  let offset = 12;
  let rate = 0;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      const format = file.readUInt16LE(offset + 8);
      const channels = file.readUInt16LE(offset + 10);
      rate = file.readUInt32LE(offset + 12);
      const bits = file.readUInt16LE(offset + 22);
      if (format !== 1 || channels !== 1 || bits !== 16) {
        throw new Error(
          `${path}: want mono PCM16, got format ${format}, ${channels} ch, ${bits} bit`,
        );
      }
    } else if (id === 'data') {
      const data = file.subarray(offset + 8, offset + 8 + size);
      const samples = new Int16Array(data.length / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * 2);
      return { rate, samples };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error(`${path} has no data chunk`);
}

/** jfk.wav (11 s of real speech), converted by sox when another rate is asked for. */
export function jfk(rate = 16000): Int16Array {
  if (rate === 16000) return readWavPcm16(fixture('jfk.wav')).samples;
  const out = join(mkdtempSync(join(tmpdir(), 'rt-jfk-')), 'jfk.wav');
  execFileSync('sox', [fixture('jfk.wav'), '-r', String(rate), out]);
  return readWavPcm16(out).samples;
}

/** espeak-ng speech converted by sox to mono PCM16 at `rate`. */
export function espeak(text: string, rate = 16000, voice = 'en'): Int16Array {
  const dir = mkdtempSync(join(tmpdir(), 'rt-espeak-'));
  const raw = join(dir, 'raw.wav');
  const out = join(dir, 'out.wav');
  execFileSync('espeak-ng', ['-v', voice, '-s', '150', '-w', raw, text]);
  execFileSync('sox', [
    raw,
    '-r',
    String(rate),
    '-c',
    '1',
    '-b',
    '16',
    '-e',
    'signed-integer',
    out,
  ]);
  return readWavPcm16(out).samples;
}

/** espeak speech without its own leading and trailing silence, so the pauses a test adds are exact. */
export function trimmedSpeech(text: string): Int16Array {
  const pcm = espeak(text);
  let start = 0;
  let end = pcm.length;
  while (start < end && Math.abs(pcm[start]) < 100) start++;
  while (end > start && Math.abs(pcm[end - 1]) < 100) end--;
  return pcm.slice(start, end);
}

export function silence(seconds: number, rate = 16000): Int16Array {
  return new Int16Array(Math.round(seconds * rate));
}

export function concatPcm(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function pcmBytes(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}
