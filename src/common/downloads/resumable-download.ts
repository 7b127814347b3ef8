import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { hostMatches } from './allowed-hosts';

/**
 * One file over HTTP into place, for the model commands (whisper models, translation models):
 * resumable (`<dest>.part` continues with a Range request), checked against a pinned digest (or,
 * only when the caller says so, the sha256 the host publishes as ETag), redirected only to hosts
 * the caller allows, and moved into place only when complete and checked, so nothing ever reads a
 * half-written or substituted file. Errors say what to do next.
 */
export class DownloadError extends Error {
  override readonly name: string = 'DownloadError';
}

/** The host cannot be reached at all (no network, DNS, proxy). */
export class OfflineError extends DownloadError {
  override readonly name = 'OfflineError';
}

/** The file does not have the digest it must have; the partial file was removed. */
export class ChecksumError extends DownloadError {
  override readonly name = 'ChecksumError';
}

/** The host sent the download somewhere it may not go (another host, or from https to http). */
export class RedirectRefusedError extends DownloadError {
  override readonly name = 'RedirectRefusedError';
}

export interface Digest {
  algorithm: 'sha1' | 'sha256';
  digest: string;
}

const MAX_REDIRECTS = 5;

export interface DownloadRequest {
  url: string;
  /** Where the file ends up; it is written to `<dest>.part` until complete and checked. */
  dest: string;
  /**
   * The pinned digest the file must have, or 'published' to accept the sha256 the host publishes
   * (nothing is checked when it publishes none): callers say so only when the user asked to.
   */
  expected: Digest | 'published';
  /** Hosts the request and its redirects may reach (see allowed-hosts.ts). */
  allowedHosts: readonly string[];
  /** How messages name the file (default: its file name). */
  label?: string;
  /** How messages name the host (default: the URL's host). */
  host?: string;
  /** What to do when the host cannot be reached (ends the offline message). */
  offlineAdvice: string;
  /** Added to the message when the host answers 404. */
  notFoundAdvice?: string;
  onProgress?: (received: number, total: number | undefined, resumedFrom: number) => void;
}

export interface Downloaded {
  bytes: number;
  /** Bytes that were already in the `.part` file from an interrupted download. */
  resumedFrom: number;
  sha256: string;
  /** The digest that was checked, or 'none' when there was nothing to check against. */
  verified: 'sha1' | 'sha256' | 'none';
}

const OFFLINE_CODES = new Set([
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

const DIGEST_NAMES = { sha1: 'SHA-1', sha256: 'SHA-256' } as const;

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Large (LFS) files carry their sha256 as ETag (X-Linked-Etag behind a redirect). */
function publishedDigest(headers: Headers): Digest | undefined {
  for (const name of ['x-linked-etag', 'etag']) {
    const value = headers.get(name)?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
    if (value && /^[0-9a-f]{64}$/.test(value)) return { algorithm: 'sha256', digest: value };
  }
  return undefined;
}

/** Hex digests of a file, one pass. */
export async function fileDigests(path: string): Promise<{ sha1: string; sha256: string }> {
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  for await (const chunk of createReadStream(path)) {
    sha1.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
  }
  return { sha1: sha1.digest('hex'), sha256: sha256.digest('hex') };
}

async function sizeOf(path: string): Promise<number> {
  return existsSync(path) ? (await stat(path)).size : 0;
}

interface Answer {
  response: Response;
  /** The sha256 any response of the redirect chain published. */
  published: Digest | undefined;
}

/** Follows redirects by hand so that each hop's host is checked before it is contacted. */
async function request(req: DownloadRequest, offset: number): Promise<Answer> {
  let url = new URL(req.url);
  let published: Digest | undefined;
  for (let hop = 0; ; hop++) {
    const response = await send(req, url, offset);
    published ??= publishedDigest(response.headers);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) {
      return { response, published };
    }
    await response.body?.cancel();
    const next = new URL(location, url);
    if (hop + 1 > MAX_REDIRECTS) {
      throw new DownloadError(`${req.url} redirected more than ${MAX_REDIRECTS} times`);
    }
    if (url.protocol === 'https:' && next.protocol !== 'https:') {
      throw new RedirectRefusedError(
        `${url.host} redirected the download of ${req.label ?? basename(req.dest)} from https to ` +
          `${next.protocol}//${next.host}; refused`,
      );
    }
    if (!req.allowedHosts.some((pattern) => hostMatches(next.hostname, pattern))) {
      throw new RedirectRefusedError(
        `${url.host} redirected the download of ${req.label ?? basename(req.dest)} to ` +
          `${next.host}, which is not a host this download may use ` +
          `(${req.allowedHosts.join(', ')}); refused. If that host is your mirror, pass it as ` +
          'the host to download from.',
      );
    }
    url = next;
  }
}

async function send(req: DownloadRequest, url: URL, offset: number): Promise<Response> {
  try {
    return await fetch(url, {
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      redirect: 'manual',
    });
  } catch (error) {
    const code = errorCode(error);
    if (code !== undefined && !OFFLINE_CODES.has(code)) throw error;
    const kept =
      offset > 0 ? ` (the ${offset} bytes in ${req.dest}.part are resumed next time)` : '';
    throw new OfflineError(
      `Cannot reach ${req.host ?? url.host} (${code ?? (error as Error).message}): ` +
        `this machine looks offline or the host is blocked. ${req.offlineAdvice}${kept}`,
    );
  }
}

export async function downloadResumable(req: DownloadRequest): Promise<Downloaded> {
  const part = `${req.dest}.part`;
  const label = req.label ?? basename(req.dest);
  await mkdir(dirname(req.dest), { recursive: true });
  let offset = await sizeOf(part);
  let { response, published } = await request(req, offset);
  if (response.status === 416 && offset > 0) {
    // The part is not a prefix of what the host has now (the file changed): start over.
    await response.body?.cancel();
    await rm(part, { force: true });
    offset = 0;
    ({ response, published } = await request(req, offset));
  }
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    throw new DownloadError(
      `${req.url} answered HTTP ${response.status}` +
        (response.status === 404 && req.notFoundAdvice ? `: ${req.notFoundAdvice}` : ''),
    );
  }
  if (response.status === 200) offset = 0; // no range support: start over
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? offset + length : undefined;
  let received = offset;
  req.onProgress?.(received, total, offset);
  const stopped = (why: string): DownloadError =>
    new DownloadError(
      `Download of ${label} stopped at ${received} of ${total ?? '?'} bytes (${why}); ` +
        'run the command again to resume',
    );
  // Written chunk by chunk and ended (not destroyed) on failure, so what arrived stays in the
  // part file for the next run to resume from.
  const out = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
  try {
    for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
      await write(out, chunk);
      received += chunk.length;
      req.onProgress?.(received, total, offset);
    }
  } catch (error) {
    throw stopped((error as Error).message);
  } finally {
    await new Promise<void>((resolve) => out.end(resolve));
  }
  if (total !== undefined && received !== total) throw stopped('the connection ended early');

  const digests = await fileDigests(part);
  const expected = req.expected === 'published' ? published : req.expected;
  if (expected && digests[expected.algorithm] !== expected.digest) {
    await rm(part, { force: true });
    throw new ChecksumError(
      `Checksum mismatch for ${label}: expected ${DIGEST_NAMES[expected.algorithm]} ` +
        `${expected.digest}, got ${digests[expected.algorithm]}; the partial file was removed, ` +
        'run the command again',
    );
  }
  await rename(part, req.dest);
  return {
    bytes: received,
    resumedFrom: offset,
    sha256: digests.sha256,
    verified: expected?.algorithm ?? 'none',
  };
}

function write(out: WriteStream, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(chunk)) resolve();
    else {
      out.once('drain', resolve);
      out.once('error', reject);
    }
  });
}
