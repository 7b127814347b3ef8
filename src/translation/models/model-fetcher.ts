import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ChecksumError,
  downloadResumable,
  fileDigests,
  OfflineError,
} from '../../common/downloads/resumable-download';
import {
  modelDir,
  modelFiles,
  ModelDtype,
  TranslationModelSpec,
} from './translation-model-catalog';

export { ChecksumError, OfflineError };

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
    if (!existsSync(path) || (await fileDigests(path)).sha256 !== expected) bad.push(file);
  }
  return bad;
}

async function fetchFile(
  url: string,
  dest: string,
  file: string,
  options: FetchModelOptions,
): Promise<FetchedFile> {
  const downloaded = await downloadResumable({
    url,
    dest,
    label: file,
    host: options.host,
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
    verified: downloaded.verified !== 'none',
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
