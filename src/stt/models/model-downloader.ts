import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { allowedHostsFor } from '../../common/downloads/allowed-hosts';
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
  /** Fetch a model without a pinned checksum, accepting what the host publishes. */
  trustHost?: boolean;
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
 * against its pinned SHA-1, redirected only within the repository's hosts, moved into place only
 * when complete), so the worker never sees a half-written or substituted model. A model already in
 * place is checked, not fetched again.
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

  if (!sha1 && !options.trustHost) {
    throw new DownloadError(
      `There is no pinned checksum for the model "${options.name}", so a substituted file could ` +
        'not be told apart: pass --trust-host to accept what the host publishes, or download ' +
        `it yourself and check it before putting it at ${target}`,
    );
  }
  const base = options.baseUrl ?? MODEL_REPOSITORY;
  const url = `${base}/${file}`;
  const downloaded = await downloadResumable({
    url,
    dest: target,
    expected: sha1 ? { algorithm: 'sha1', digest: sha1 } : 'published',
    allowedHosts: allowedHostsFor(base),
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
