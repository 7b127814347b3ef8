import { Injectable } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, WavFormatError } from '../common/audio/wav';
import { toInt16 } from '../gateway/audio/pcm-decoder';
import { resample } from '../client/shared/streaming-resampler';
import { OpenAiError } from './openai-error';

export const SAMPLE_RATE = 16000;

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
  if (head[0] === 0xff && (head[1] & 0xe0) === 0xe0 && (head[1] & 0x06) !== 0) return 'mp3';
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

/** WAV without ffmpeg: any PCM/float encoding, rate and channel count, to 16 kHz mono PCM16. */
export function decodeWavTo16k(data: Buffer): Int16Array {
  const wav = decodeWav(data);
  return toInt16(resample(wav.samples, wav.sampleRate, SAMPLE_RATE));
}

/** Turns an upload into the 16 kHz mono PCM16 the VAD and whisper take. */
@Injectable()
export class AudioDecoder {
  async decode(data: Buffer): Promise<Int16Array> {
    const format = sniffFormat(data.subarray(0, 16));
    if (!format) throw unsupported('the file is not audio in a format this server reads');
    if (format === 'wav') {
      try {
        return decodeWavTo16k(data);
      } catch (error) {
        // Encodings our reader lacks (ADPCM, mu-law, ...) are ffmpeg's job.
        if (!(error instanceof WavFormatError)) throw error;
      }
    }
    return this.ffmpeg(data, format);
  }

  /**
   * ffmpeg reads a temporary file (MP4 needs to seek) with exactly the demuxer the bytes named
   * and only the file protocol, so an upload cannot make it open anything else.
   */
  private async ffmpeg(data: Buffer, format: AudioFormat): Promise<Int16Array> {
    const dir = await mkdtemp(join(tmpdir(), 'rt-upload-'));
    const input = join(dir, 'input');
    try {
      await writeFile(input, data);
      const pcm = await runFfmpeg([
        '-nostdin',
        '-hide_banner',
        '-loglevel',
        'error',
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
        String(SAMPLE_RATE),
        '-f',
        's16le',
        'pipe:1',
      ]);
      if (pcm.length < 2) throw unsupported(`the ${format} file holds no audio`);
      const copy = Buffer.from(pcm.subarray(0, pcm.length - (pcm.length % 2)));
      return new Int16Array(copy.buffer, copy.byteOffset, copy.length / 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function runFfmpeg(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new OpenAiError(500, 'ffmpeg is not installed on this server (scripts/setup.sh)')
          : error,
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else {
        const reason = errors.trim().split('\n').pop() ?? `exit code ${code}`;
        reject(unsupported(`the file could not be decoded (${reason})`));
      }
    });
  });
}
