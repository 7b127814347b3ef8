import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildClip, type DemoClip } from 'src/client/audio/demo-audio';
import { encodeWavBuffer } from 'src/common/audio/wav-buffer';

export const ROOT = resolve(__dirname, '../..');
export const CLI = join(ROOT, 'dist/client/cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (dist/client/cli.js) as a user would, and waits for it to exit. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', fail);
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

/** Parsed JSON lines; fields are checked by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonLine = Record<string, any>;

export function jsonLines(text: string): JsonLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as JsonLine);
}

/** espeak-ng sentences with pauses, written as a 16 kHz WAV in a temporary folder. */
export function writeClip(
  sentences: Array<{ language: string; text: string }>,
  name = 'clip.wav',
): { path: string; clip: DemoClip } {
  const clip = buildClip(sentences, { pauseSeconds: 1.2 });
  const path = join(mkdtempSync(join(tmpdir(), 'rt-clip-')), name);
  writeFileSync(path, encodeWavBuffer(clip.pcm, clip.sampleRate));
  return { path, clip };
}
