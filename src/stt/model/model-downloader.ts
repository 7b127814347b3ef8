import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  DownloadError,
  downloadResumable,
  fileDigests,
} from '../../common/downloads/resumable-download';
import { KNOWN_SHA1, MODEL_REPOSITORY, modelFileName } from './model-catalog';

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

/**
 * Fetches MODELS_DIR/ggml-<name>.bin from the whisper.cpp model repository (resumable, checked
 * against whisper.cpp's published SHA-1, moved into place only when complete), so the worker never
 * sees a half-written model. A model already in place is checked, not fetched again.
 */
export async function downloadModel(options: DownloadOptions): Promise<DownloadResult> {
  const file = modelFileName(options.name);
  const target = join(options.dir, file);
  const sha1 = (options.checksums ?? KNOWN_SHA1)[options.name];

  if (existsSync(target)) {
    if (sha1 && (await fileDigests(target)).sha1 !== sha1) {
      throw new DownloadError(
        `${target} exists but its SHA-1 does not match ${sha1}: delete it and run the command again`,
      );
    }
    return {
      path: target,
      bytes: statSync(target).size,
      resumedFrom: 0,
      verified: sha1 ? 'sha1' : 'none',
      alreadyPresent: true,
    };
  }

  const url = `${options.baseUrl ?? MODEL_REPOSITORY}/${file}`;
  const downloaded = await downloadResumable({
    url,
    dest: target,
    ...(sha1 ? { expected: { algorithm: 'sha1' as const, digest: sha1 } } : {}),
    offlineAdvice: `Download ${url} on a machine with network access and copy it to ${target}.`,
    notFoundAdvice: `is "${options.name}" a whisper.cpp model name?`,
    onProgress: (received, total) => options.onProgress?.(received, total),
  });
  return {
    path: target,
    bytes: downloaded.bytes,
    resumedFrom: downloaded.resumedFrom,
    verified: downloaded.verified,
    alreadyPresent: false,
  };
}
