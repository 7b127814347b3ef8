import { Inject, Injectable } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PIPELINE_SAMPLE_RATE } from '../audio/pipeline-rate';
import { StreamingResampler } from '../audio/streaming-resampler';
import { readWavLayout, WavFormatError, WavLayout } from '../audio/wav';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { isSupportedSampleRate } from '../common/validation/schema-parse';
import { OpenAiError } from './openai-error';

/** Containers we accept, each with the one ffmpeg demuxer allowed to read it. */
export const AUDIO_FORMATS = {
  wav: 'wav',
  flac: 'flac',
  mp3: 'mp3',
  ogg: 'ogg',
  webm: 'matroska',
  m4a: 'mov',
} as const;
export type AudioFormat = keyof typeof AUDIO_FORMATS;

export const SUPPORTED_FORMATS_TEXT = Object.keys(AUDIO_FORMATS).join(', ');

/**
 * The container of an upload from its first bytes (the file name and Content-Type are the
 * client's word, the bytes are not). MP4 audio (m4a, mp4) shares the ISO-BMFF `ftyp` box.
 */
export function sniffFormat(head: Buffer): AudioFormat | undefined {
  const ascii = (from: number, to: number): string => head.toString('latin1', from, to);
  if (head.length < 12) return undefined;
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav';
  if (ascii(0, 4) === 'fLaC') return 'flac';
  if (ascii(0, 4) === 'OggS') return 'ogg';
  if (head.readUInt32BE(0) === 0x1a45dfa3) return 'webm';
  if (ascii(4, 8) === 'ftyp') return 'm4a';
  if (ascii(0, 3) === 'ID3') return 'mp3';
  // An MPEG audio frame header: 11 sync bits, then a layer that is not "reserved".
  if (head[0] === 0xff && (head.readUInt8(1) & 0xe0) === 0xe0 && (head.readUInt8(1) & 0x06) !== 0) {
    return 'mp3';
  }
  return undefined;
}

function unsupported(detail: string): OpenAiError {
  return new OpenAiError(
    400,
    `${detail}. Supported formats: ${SUPPORTED_FORMATS_TEXT}`,
    'file',
    'invalid_file_format',
  );
}

/** 16 kHz mono PCM16: bytes per second of decoded audio. */
const BYTES_PER_SECOND = PIPELINE_SAMPLE_RATE * 2;
/** Longest ffprobe may take to read a header. */
const PROBE_TIMEOUT_MS = 10_000;
/** WAV frames resampled between two turns of the event loop (about 1 ms of work at 48 kHz). */
const WAV_CHUNK_SECONDS = 0.25;

export function audioTooLong(maxSeconds: number, seconds?: number): OpenAiError {
  const what = seconds === undefined ? 'the audio' : `the audio (${Math.ceil(seconds)} s)`;
  return new OpenAiError(
    413,
    `${what} is longer than the ${maxSeconds} s this server accepts in one file`,
    'file',
    'audio_too_long',
  );
}

/**
 * An upload whose container was recognised and whose duration was read from its header where it
 * has one (WAV exactly; ffprobe's word for the others, which a file can lie about: decoding
 * enforces the limit again). `decode` turns it into 16 kHz mono PCM16; `close` removes what it
 * left on disk.
 */
export interface UploadAudio {
  format: AudioFormat;
  /** Seconds by the header; undefined when it does not say. */
  seconds: number | undefined;
  decode(): Promise<Int16Array>;
  close(): Promise<void>;
}

/**
 * Turns an upload into the 16 kHz mono PCM16 the VAD and whisper take, bounded: at most
 * OPENAI_MAX_AUDIO_SECONDS of output (413 past it, ffmpeg killed at the cap), ffmpeg on one
 * thread, killed after OPENAI_DECODE_TIMEOUT_SECONDS or as soon as `signal` aborts (the client
 * left). WAV at a rate of SAMPLE_RATES is read here, a slice at a time between turns of the
 * event loop so live sessions keep their audio flowing; other WAV goes to ffmpeg, whose
 * resampler runs in its own process.
 */
@Injectable()
export class AudioDecoder {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private get maxSeconds(): number {
    return this.config.openaiApi.maxAudioSeconds;
  }

  async open(data: Buffer, signal: AbortSignal): Promise<UploadAudio> {
    const format = sniffFormat(data.subarray(0, 16));
    if (!format) throw unsupported('the file is not audio in a format this server reads');
    const layout = format === 'wav' ? wavLayout(data) : undefined;
    if (layout?.frames === 0) throw unsupported('the wav file holds no audio');
    if (layout && isSupportedSampleRate(layout.sampleRate)) {
      return {
        format,
        seconds: layout.frames / layout.sampleRate,
        decode: () => this.wav(layout, signal),
        close: () => Promise.resolve(),
      };
    }
    const dir = await mkdtemp(join(tmpdir(), 'rt-upload-'));
    const input = join(dir, 'input');
    const close = (): Promise<void> => rm(dir, { recursive: true, force: true });
    try {
      await writeFile(input, data);
      const seconds = layout
        ? layout.frames / layout.sampleRate
        : await probeSeconds(input, format, signal);
      return { format, seconds, decode: () => this.ffmpeg(input, format, seconds, signal), close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  private async wav(layout: WavLayout, signal: AbortSignal): Promise<Int16Array> {
    const seconds = layout.frames / layout.sampleRate;
    if (seconds > this.maxSeconds) throw audioTooLong(this.maxSeconds, seconds);
    const resampler = new StreamingResampler(layout.sampleRate, PIPELINE_SAMPLE_RATE);
    const out = new Int16Array(
      Math.ceil((layout.frames * PIPELINE_SAMPLE_RATE) / layout.sampleRate),
    );
    let written = 0;
    const put = (samples: Float32Array): void => {
      const room = Math.min(samples.length, out.length - written);
      for (let i = 0; i < room; i++) {
        const value = Math.round(samples[i]! * 32768);
        out[written++] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
      }
    };
    const step = Math.max(1, Math.round(layout.sampleRate * WAV_CHUNK_SECONDS));
    for (let from = 0; from < layout.frames; from += step) {
      if (from > 0) await nextTurn();
      signal.throwIfAborted();
      put(resampler.push(layout.readMono(from, Math.min(layout.frames, from + step))));
    }
    put(resampler.flush());
    if (written === 0) throw unsupported('the wav file holds no audio');
    return written === out.length ? out : out.subarray(0, written);
  }

  /**
   * ffmpeg reads a temporary file (MP4 needs to seek) with exactly the demuxer the bytes named
   * and only the file protocol, so an upload cannot make it open anything else.
   */
  private async ffmpeg(
    input: string,
    format: AudioFormat,
    probed: number | undefined,
    signal: AbortSignal,
  ): Promise<Int16Array> {
    const maxBytes = this.maxSeconds * BYTES_PER_SECOND;
    const pcm = await runFfmpeg(
      [
        '-nostdin',
        '-hide_banner',
        '-loglevel',
        'error',
        '-threads',
        '1',
        '-filter_threads',
        '1',
        '-protocol_whitelist',
        'file',
        '-f',
        AUDIO_FORMATS[format],
        '-i',
        input,
        '-vn',
        '-ac',
        '1',
        '-ar',
        String(PIPELINE_SAMPLE_RATE),
        // A little past the limit, so a file over it is told apart from one that just fits.
        '-t',
        String(this.maxSeconds + 1),
        '-f',
        's16le',
        'pipe:1',
      ],
      {
        maxBytes,
        expectedBytes: probed === undefined ? undefined : Math.ceil(probed + 1) * BYTES_PER_SECOND,
        timeoutMs: this.config.openaiApi.decodeTimeoutMs,
        input,
        signal,
        tooLong: () => audioTooLong(this.maxSeconds),
      },
    );
    if (pcm.length < 2) throw unsupported(`the ${format} file holds no audio`);
    return new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.length / 2));
  }
}

/** The WAV's layout, or undefined when our reader cannot read it (ffmpeg may). */
function wavLayout(data: Buffer): WavLayout | undefined {
  try {
    return readWavLayout(data);
  } catch (error) {
    // Encodings our reader lacks (ADPCM, mu-law, ...) are ffmpeg's job.
    if (error instanceof WavFormatError) return undefined;
    throw error;
  }
}

function abortReason(signal: AbortSignal, fallback: Error): Error {
  return signal.reason instanceof Error ? signal.reason : fallback;
}

function ffmpegMissing(error: NodeJS.ErrnoException, tool: string): Error {
  return error.code === 'ENOENT'
    ? new OpenAiError(500, `${tool} is not installed on this server (scripts/setup.sh)`)
    : error;
}

/** The container's duration by ffprobe, or undefined when the header does not say. */
function probeSeconds(
  input: string,
  format: AudioFormat,
  signal: AbortSignal,
): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ffprobe',
      [
        ...['-v', 'error', '-protocol_whitelist', 'file', '-f', AUDIO_FORMATS[format]],
        ...['-show_entries', 'format=duration', '-of', 'default=noprint_wrappers=1:nokey=1'],
        input,
      ],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
        signal,
        timeout: PROBE_TIMEOUT_MS,
        killSignal: 'SIGKILL',
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(0, 200)));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(abortReason(signal, error));
      else reject(ffmpegMissing(error, 'ffprobe'));
    });
    child.on('close', () => {
      const seconds = Number.parseFloat(out.trim());
      // A file ffprobe cannot read is ffmpeg's to refuse, with its reason.
      resolve(Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined);
    });
  });
}

interface FfmpegLimits {
  maxBytes: number;
  /** What the header promises: the output buffer starts this large (no regrowth for honest files). */
  expectedBytes: number | undefined;
  timeoutMs: number;
  /** The temporary file's path, kept out of the error a client reads. */
  input: string;
  signal: AbortSignal;
  tooLong: () => OpenAiError;
}

/** ffmpeg's output, collected into one buffer that grows up to maxBytes; killed past it. */
function runFfmpeg(args: string[], limits: FfmpegLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: limits.signal,
      killSignal: 'SIGKILL',
    });
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(
      () => fail(unsupported(`the file could not be decoded within ${limits.timeoutMs / 1000} s`)),
      limits.timeoutMs,
    );
    let buffer = Buffer.allocUnsafe(Math.min(limits.maxBytes + 2, limits.expectedBytes ?? 1 << 20));
    let length = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (length + chunk.length > limits.maxBytes + 1) {
        fail(limits.tooLong());
        return;
      }
      if (length + chunk.length > buffer.length) {
        const grown = Buffer.allocUnsafe(
          Math.min(limits.maxBytes + 2, Math.max(buffer.length * 2, length + chunk.length)),
        );
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      chunk.copy(buffer, length);
      length += chunk.length;
    });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
    child.on('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.name === 'AbortError'
          ? (limits.signal.reason as Error)
          : ffmpegMissing(error, 'ffmpeg'),
      ),
    );
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (code === 0) {
        resolve(buffer.subarray(0, length));
        return;
      }
      const last = errors.trim().split('\n').pop() || `exit code ${code}`;
      const reason = last.split(limits.input).join('the file');
      reject(unsupported(`the file could not be decoded (${reason})`));
    });
  });
}
