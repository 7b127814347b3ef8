import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWavBuffer } from 'src/common/audio/wav-buffer';
import { concatPcm, espeak, silence } from '../helpers/audio';

/** Spoken phrases with pauses long enough for the VAD to cut between them. */
export function spokenFile(phrases: string[], pauseSec = 1.5): Int16Array {
  return concatPcm(...phrases.flatMap((text) => [espeak(text), silence(pauseSec)]));
}

export function wavFile(pcm: Int16Array): Buffer {
  return encodeWavBuffer(pcm, 16000);
}

/** The WAV converted by ffmpeg to another container (`mp3`, `ogg`, `flac`, ...). */
export function convert(wav: Buffer, extension: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'rt-openai-'));
  const input = join(dir, 'in.wav');
  const output = join(dir, `out.${extension}`);
  writeFileSync(input, wav);
  execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', input, output]);
  return readFileSync(output);
}
