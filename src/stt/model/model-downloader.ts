import { createHash, Hash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KNOWN_SHA1, MODEL_REPOSITORY, modelFileName } from './model-catalog';

export class ModelDownloadError extends Error {
  override readonly name = 'ModelDownloadError';
}

export interface DownloadOptions {
  name: string;
  dir: string;
  baseUrl?: string;
  /** name -> SHA-1 (defaults to whisper.cpp's published sums). */
  checksums?: Record<string, string>;
  onProgress?: (received: number, total: number | undefined) => void;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** Bytes already on disk from an interrupted download. */
  resumedFrom: number;
  verified: 'sha1' | 'sha256' | 'none';
  alreadyPresent: boolean;
}

const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

/**
 * Fetches MODELS_DIR/ggml-<name>.bin from the whisper.cpp model repository: resumes a partial
 * download (HTTP Range on `<file>.part`), verifies the checksum, and only then moves the file into
 * place, so the worker never sees a half-written model.
 */
export async function downloadModel(options: DownloadOptions): Promise<DownloadResult> {
  const base = options.baseUrl ?? MODEL_REPOSITORY;
  const file = modelFileName(options.name);
  const target = join(options.dir, file);
  const part = `${target}.part`;
  const sha1 = (options.checksums ?? KNOWN_SHA1)[options.name];
  mkdirSync(options.dir, { recursive: true });

  if (existsSync(target)) {
    if (sha1) {
      const hash = createHash('sha1');
      await hashFile(target, hash);
      if (hash.digest('hex') !== sha1) {
        throw new ModelDownloadError(
          `${target} exists but its SHA-1 does not match ${sha1}: delete it and run the command again`,
        );
      }
    }
    const bytes = statSync(target).size;
    return {
      path: target,
      bytes,
      resumedFrom: 0,
      verified: sha1 ? 'sha1' : 'none',
      alreadyPresent: true,
    };
  }

  let offset = existsSync(part) ? statSync(part).size : 0;
  const url = `${base}/${file}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
      redirect: 'follow',
    });
  } catch (error) {
    const code = errorCode(error);
    const host = new URL(url).host;
    if (code === undefined || NETWORK_CODES.has(code)) {
      throw new ModelDownloadError(
        `Cannot reach ${host} (${code ?? (error as Error).message}): this machine looks offline. ` +
          `Download ${url} on a machine with network access and copy it to ${target}` +
          (offset > 0 ? ` (the ${offset} bytes in ${part} will be resumed next time)` : ''),
      );
    }
    throw error;
  }

  if (response.status === 416 && offset > 0) {
    // The part file is already complete.
    await response.body?.cancel();
  } else if (response.status === 200 || response.status === 206) {
    if (response.status === 200 && offset > 0) offset = 0; // no range support: start over
    if (!response.body) throw new ModelDownloadError(`${url} answered without a body`);
    const length = Number(response.headers.get('content-length') ?? NaN);
    const total = Number.isFinite(length) ? offset + length : undefined;
    let received = offset;
    options.onProgress?.(received, total);
    const progress = async function* (source: AsyncIterable<Uint8Array>) {
      for await (const chunk of source) {
        received += chunk.length;
        options.onProgress?.(received, total);
        yield chunk;
      }
    };
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
      progress,
      createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' }),
    );
    if (total !== undefined && received !== total) {
      throw new ModelDownloadError(
        `download of ${url} stopped at ${received} of ${total} bytes; run the command again to resume`,
      );
    }
  } else {
    await response.body?.cancel();
    throw new ModelDownloadError(
      `${url} answered HTTP ${response.status}` +
        (response.status === 404 ? `: is "${options.name}" a whisper.cpp model name?` : ''),
    );
  }

  const linked = (response.headers.get('x-linked-etag') ?? response.headers.get('etag') ?? '')
    .replace(/^W\//, '')
    .replace(/"/g, '');
  const sha256 = /^[0-9a-f]{64}$/.test(linked) ? linked : undefined;
  const hash = createHash(sha1 ? 'sha1' : 'sha256');
  await hashFile(part, hash);
  const digest = hash.digest('hex');
  const expected = sha1 ?? sha256;
  if (expected && digest !== expected) {
    unlinkSync(part);
    throw new ModelDownloadError(
      `checksum mismatch for ${file}: expected ${sha1 ? 'SHA-1' : 'SHA-256'} ${expected}, got ${digest}; the partial file was deleted, run the command again`,
    );
  }
  renameSync(part, target);
  return {
    path: target,
    bytes: statSync(target).size,
    resumedFrom: offset,
    verified: sha1 ? 'sha1' : sha256 ? 'sha256' : 'none',
    alreadyPresent: false,
  };
}
