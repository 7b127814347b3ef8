import { createHash, Hash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, WriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  modelDir,
  modelFiles,
  ModelDtype,
  TranslationModelSpec,
} from './translation-model-catalog';

/** The model host cannot be reached at all (no network, DNS, proxy). */
export class OfflineError extends Error {}

/** A downloaded file does not match the checksum the host published. */
export class ChecksumError extends Error {}

export interface Progress {
  file: string;
  received: number;
  /** Undefined when the host does not say how big the file is. */
  total: number | undefined;
  resumedFrom: number;
}

export interface FetchModelOptions {
  modelsDir: string;
  dtype: ModelDtype;
  host: string;
  onProgress?: (progress: Progress) => void;
  /** Re-download files that are present (otherwise present files with a checksum are kept). */
  force?: boolean;
}

export interface FetchedFile {
  file: string;
  bytes: number;
  sha256: string;
  /** 'downloaded', 'resumed' or 'present'. */
  how: 'downloaded' | 'resumed' | 'present';
  /** True when the host published a sha256 and it matched. */
  verified: boolean;
}

const CHECKSUMS = '.checksums.json';
const OFFLINE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Downloads a translation model's files into MODELS_DIR/translation/<name>: resumable (a `.part`
 * file continues with an HTTP Range request), checked (the sha256 the host publishes for large
 * files as its ETag / X-Linked-Etag must match), and recorded (sha256 of every file in
 * `.checksums.json`, so a later run skips complete files).
 */
export async function fetchModel(
  spec: TranslationModelSpec,
  options: FetchModelOptions,
): Promise<FetchedFile[]> {
  const dir = modelDir(options.modelsDir, spec.name);
  await mkdir(dir, { recursive: true });
  const checksums = await readChecksums(dir);
  const fetched: FetchedFile[] = [];
  for (const file of modelFiles(options.dtype)) {
    const dest = join(dir, file);
    if (!options.force && existsSync(dest) && checksums[file]) {
      fetched.push({
        file,
        bytes: (await stat(dest)).size,
        sha256: checksums[file],
        how: 'present',
        verified: false,
      });
      continue;
    }
    const result = await fetchFile(
      `${trimSlash(options.host)}/${spec.repo}/resolve/main/${file}`,
      dest,
      file,
      options,
    );
    checksums[file] = result.sha256;
    await writeFile(join(dir, CHECKSUMS), JSON.stringify(checksums, null, 2));
    fetched.push(result);
  }
  return fetched;
}

/** Files whose sha256 no longer matches what was recorded when they were fetched. */
export async function verifyModel(modelsDir: string, name: string): Promise<string[]> {
  const dir = modelDir(modelsDir, name);
  const checksums = await readChecksums(dir);
  const bad: string[] = [];
  for (const [file, expected] of Object.entries(checksums)) {
    const path = join(dir, file);
    if (!existsSync(path) || (await hashFile(path)) !== expected) bad.push(file);
  }
  return bad;
}

async function fetchFile(
  url: string,
  dest: string,
  file: string,
  options: FetchModelOptions,
): Promise<FetchedFile> {
  const part = `${dest}.part`;
  await mkdir(dirname(dest), { recursive: true });
  const have = existsSync(part) ? (await stat(part)).size : 0;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: have > 0 ? { range: `bytes=${have}-` } : {},
      redirect: 'follow',
    });
  } catch (error) {
    throw asOfflineError(error, options.host);
  }
  if (response.status === 416 && have > 0) {
    // The part is larger than the file (the file changed upstream): start over.
    await rm(part, { force: true });
    return fetchFile(url, dest, file, options);
  }
  if (!response.ok) {
    throw new Error(`Downloading ${url} failed: HTTP ${response.status} ${response.statusText}`);
  }
  const resumed = response.status === 206 && have > 0;
  const resumedFrom = resumed ? have : 0;
  const hash = createHash('sha256');
  if (resumed) await hashInto(part, hash);
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? length + resumedFrom : undefined;
  const expected = publishedSha256(response.headers);

  const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
  let received = resumedFrom;
  try {
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        await write(out, chunk);
        received += chunk.length;
        options.onProgress?.({ file, received, total, resumedFrom });
      }
    }
  } catch (error) {
    throw new Error(
      `Download of ${file} interrupted after ${received} bytes (${(error as Error).message}); ` +
        'run the command again to resume',
    );
  } finally {
    await new Promise<void>((resolve) => out.end(resolve));
  }
  if (total !== undefined && received !== total) {
    throw new Error(
      `Download of ${file} ended after ${received} of ${total} bytes; run the command again to resume`,
    );
  }
  const sha256 = hash.digest('hex');
  if (expected && expected !== sha256) {
    await rm(part, { force: true });
    throw new ChecksumError(
      `Checksum mismatch for ${file}: the host published sha256 ${expected}, the download has ` +
        `${sha256}. The partial file was removed; run the command again.`,
    );
  }
  await rename(part, dest);
  return {
    file,
    bytes: received,
    sha256,
    how: resumed ? 'resumed' : 'downloaded',
    verified: expected !== undefined,
  };
}

/** Large (LFS) files carry their sha256 as ETag (X-Linked-Etag behind a redirect). */
export function publishedSha256(headers: Headers): string | undefined {
  for (const name of ['x-linked-etag', 'etag']) {
    const value = headers.get(name)?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
    if (value && /^[0-9a-f]{64}$/.test(value)) return value;
  }
  return undefined;
}

export function asOfflineError(error: unknown, host: string): Error {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const detail = code || cause?.message || (error as Error).message;
  if (OFFLINE_CODES.has(code) || (error as Error).message === 'fetch failed') {
    return new OfflineError(
      `Cannot reach ${host} (${detail}): this machine seems to be offline or the host is ` +
        'blocked. Fetch the model on a machine with network access and copy its folder under ' +
        'MODELS_DIR/translation/ here, or point MODEL_HOST at a mirror.',
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

async function readChecksums(dir: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(join(dir, CHECKSUMS), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

async function hashInto(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await hashInto(path, hash);
  return hash.digest('hex');
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

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
