import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowedHostsFor } from '../../common/downloads/allowed-hosts';
import {
  ChecksumError,
  DownloadError,
  downloadResumable,
  fileDigests,
  OfflineError,
  RedirectRefusedError,
} from '../../common/downloads/resumable-download';
import {
  MODEL_PINS,
  modelDir,
  modelFiles,
  type ModelDtype,
  type TranslationModelSpec,
} from './translation-model-catalog';

export { ChecksumError, OfflineError, RedirectRefusedError };

/** Some of the model's files have no pinned checksum and the user did not say to trust the host. */
export class UnpinnedError extends DownloadError {
  override readonly name = 'UnpinnedError';
}

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
  /** sha256 by file path, over the catalogue's pins (the command's --checksums file). */
  checksums?: Readonly<Record<string, string>>;
  /** Fetch files that have no pin, accepting the sha256 the host publishes (if any). */
  trustHost?: boolean;
}

export interface FetchedFile {
  file: string;
  bytes: number;
  sha256: string;
  how: 'downloaded' | 'resumed' | 'present';
  /** What the file was checked against: its pin, the host's published sha256, or nothing. */
  verified: 'pin' | 'host' | 'none';
}

const CHECKSUMS = '.checksums.json';

/**
 * Downloads a translation model's files into MODELS_DIR/translation/<name>: from the catalogue's
 * pinned revision, each checked against its pinned sha256 (files without a pin only when the user
 * trusts the host), redirected only within the host's own domains, resumable (a `.part` file
 * continues with an HTTP Range request), and recorded (sha256 of every file in `.checksums.json`,
 * so a later run skips complete files and --verify finds damaged ones).
 */
export async function fetchModel(
  spec: TranslationModelSpec,
  options: FetchModelOptions,
): Promise<FetchedFile[]> {
  const pinned = MODEL_PINS[spec.name];
  const pins: Record<string, string> = { ...pinned?.sha256, ...options.checksums };
  const files = modelFiles(options.dtype);
  const unpinned = files.filter((file) => !pins[file]);
  if (unpinned.length > 0 && !options.trustHost) {
    throw new UnpinnedError(
      `No pinned sha256 for ${unpinned.join(', ')} of ${spec.name} (${options.dtype}), so a ` +
        'substituted file could not be told apart. Pass --checksums FILE (sha256sum lines ' +
        `from a machine you trust) or --trust-host to accept what ${options.host} serves` +
        (pinned ? ` at revision ${pinned.revision}` : ''),
    );
  }
  const dir = modelDir(options.modelsDir, spec.name);
  await mkdir(dir, { recursive: true });
  const recorded = await readChecksums(dir);
  const revision = pinned?.revision ?? 'main';
  const fetched: FetchedFile[] = [];
  for (const file of files) {
    const dest = join(dir, file);
    const known = recorded[file];
    if (!options.force && existsSync(dest) && known && (!pins[file] || pins[file] === known)) {
      fetched.push({
        file,
        bytes: (await stat(dest)).size,
        sha256: known,
        how: 'present',
        verified: 'none',
      });
      continue;
    }
    const result = await fetchFile(
      `${trimSlash(options.host)}/${spec.repo}/resolve/${revision}/${file}`,
      dest,
      file,
      pins[file],
      options,
    );
    recorded[file] = result.sha256;
    await writeFile(join(dir, CHECKSUMS), JSON.stringify(recorded, null, 2));
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
    if (!existsSync(path) || (await fileDigests(path)).sha256 !== expected) bad.push(file);
  }
  return bad;
}

/** `sha256sum` output: `<64 hex>  <path>` per line (a `*` before the path is allowed). */
export function parseChecksumFile(text: string): Record<string, string> {
  const pins: Record<string, string> = {};
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [, sha256, file] = /^([0-9a-fA-F]{64})\s+\*?(\S.*)$/.exec(line) ?? [];
    if (sha256 === undefined || file === undefined) {
      throw new Error(`line ${index + 1} is not "<sha256>  <file>": ${line.slice(0, 80)}`);
    }
    pins[file.replace(/^\.\//, '')] = sha256.toLowerCase();
  });
  return pins;
}

async function fetchFile(
  url: string,
  dest: string,
  file: string,
  pin: string | undefined,
  options: FetchModelOptions,
): Promise<FetchedFile> {
  const downloaded = await downloadResumable({
    url,
    dest,
    label: file,
    host: options.host,
    expected: pin ? { algorithm: 'sha256', digest: pin } : 'published',
    allowedHosts: allowedHostsFor(options.host),
    offlineAdvice:
      'Fetch the model on a machine with network access and copy its folder under ' +
      'MODELS_DIR/translation/ here, or point MODEL_HOST at a mirror.',
    onProgress: (received, total, resumedFrom) =>
      options.onProgress?.({ file, received, total, resumedFrom }),
  });
  return {
    file,
    bytes: downloaded.bytes,
    sha256: downloaded.sha256,
    how: downloaded.resumedFrom > 0 ? 'resumed' : 'downloaded',
    verified: pin ? 'pin' : downloaded.verified === 'none' ? 'none' : 'host',
  };
}

async function readChecksums(dir: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(join(dir, CHECKSUMS), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
