import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { floatToPcm16 } from '../../audio/pcm16';
import { PIPELINE_SAMPLE_RATE } from '../../audio/pipeline-rate';
import { resample } from '../../audio/streaming-resampler';
import { decodeWav } from '../../audio/wav';

/** 16 kHz mono PCM16 chunks, with the position (seconds from stream start) of each chunk's end. */
export interface AudioChunk {
  pcm: Int16Array;
  endSec: number;
}

export type AudioSource = AsyncIterable<AudioChunk>;

/** The whole file as 16 kHz mono PCM16: WAV natively, anything else through ffmpeg. */
export function loadAudioFile(path: string): Int16Array {
  if (extname(path).toLowerCase() === '.wav') {
    const decoded = decodeWav(readFileSync(path));
    return floatToPcm16(resample(decoded.samples, decoded.sampleRate, PIPELINE_SAMPLE_RATE));
  }
  const result = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      path,
      '-f',
      's16le',
      '-ac',
      '1',
      '-ar',
      String(PIPELINE_SAMPLE_RATE),
      '-',
    ],
    { maxBuffer: 1 << 30 },
  );
  if (result.error) {
    throw new Error(`${path} is not a WAV file and ffmpeg is not available to convert it`);
  }
  if (result.status !== 0)
    throw new Error(`ffmpeg could not read ${path}: ${String(result.stderr)}`);
  const out = result.stdout;
  return new Int16Array(out.buffer, out.byteOffset, Math.floor(out.length / 2)).slice();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Yields `pcm` in chunks of `chunkMs`, at real-time pace (each chunk when its audio would have
 * been spoken) or as fast as the consumer takes them.
 */
export async function* pacedChunks(
  pcm: Int16Array,
  {
    chunkMs = 100,
    fast = false,
    signal,
  }: { chunkMs?: number; fast?: boolean; signal?: AbortSignal },
): AsyncGenerator<AudioChunk> {
  const size = Math.max(1, Math.round((PIPELINE_SAMPLE_RATE * chunkMs) / 1000));
  const started = Date.now();
  for (let at = 0; at < pcm.length; at += size) {
    if (signal?.aborted) return;
    const end = Math.min(pcm.length, at + size);
    if (!fast) {
      const due = started + (at / PIPELINE_SAMPLE_RATE) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
    yield { pcm: pcm.subarray(at, end), endSec: end / PIPELINE_SAMPLE_RATE };
  }
}

export interface CaptureCommand {
  command: string;
  args: string[];
}

/**
 * How to record 16 kHz mono PCM16 to stdout with what is installed: arecord (ALSA), sox, or
 * parec (PulseAudio/PipeWire; the only one that can record the system monitor).
 */
export function captureCommand(
  available: (command: string) => boolean,
  { monitor = false, device }: { monitor?: boolean; device?: string } = {},
): CaptureCommand {
  const rate = String(PIPELINE_SAMPLE_RATE);
  if (monitor) {
    if (!available('parec')) {
      throw new Error('recording system audio needs parec (PulseAudio or PipeWire)');
    }
    return parec(device ?? '@DEFAULT_MONITOR@');
  }
  if (available('arecord')) {
    return {
      command: 'arecord',
      args: [
        '-q',
        '-f',
        'S16_LE',
        '-r',
        rate,
        '-c',
        '1',
        '-t',
        'raw',
        ...(device ? ['-D', device] : []),
      ],
    };
  }
  if (available('sox')) {
    const input = device ? ['-t', 'alsa', device] : ['-d'];
    return {
      command: 'sox',
      args: ['-q', ...input, '-t', 'raw', '-r', rate, '-e', 'signed', '-b', '16', '-c', '1', '-'],
    };
  }
  if (available('parec')) return parec(device);
  throw new Error('recording from the microphone needs arecord, sox or parec');
}

function parec(device: string | undefined): CaptureCommand {
  const args = ['--format=s16le', `--rate=${PIPELINE_SAMPLE_RATE}`, '--channels=1'];
  return { command: 'parec', args: device ? [...args, `--device=${device}`] : args };
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Live audio from a recording command, until it exits or `signal` aborts. */
export async function* commandChunks(
  capture: CaptureCommand,
  { chunkMs = 100, signal }: { chunkMs?: number; signal?: AbortSignal } = {},
): AsyncGenerator<AudioChunk> {
  const child = spawn(capture.command, capture.args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = (): void => {
    child.kill('SIGTERM');
  };
  signal?.addEventListener('abort', stop, { once: true });
  const chunkBytes = Math.round((PIPELINE_SAMPLE_RATE * chunkMs) / 1000) * 2;
  let pending = Buffer.alloc(0);
  let samples = 0;
  try {
    for await (const data of child.stdout as AsyncIterable<Buffer>) {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= chunkBytes) {
        const piece = pending.subarray(0, chunkBytes);
        pending = pending.subarray(chunkBytes);
        const pcm = new Int16Array(
          piece.buffer.slice(piece.byteOffset, piece.byteOffset + piece.length),
        );
        samples += pcm.length;
        yield { pcm, endSec: samples / PIPELINE_SAMPLE_RATE };
      }
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    stop();
  }
}
