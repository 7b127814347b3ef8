import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { allowedHostsFor } from '../../common/downloads/allowed-hosts';
import { DownloadError, downloadResumable } from '../../common/downloads/resumable-download';

/** `npm run models -- --trust-host smart-turn`: Pipecat's Smart Turn v3 (BSD-2), 8 MB int8. */
export const TURN_MODEL_NAME = 'smart-turn';
export const TURN_MODEL_FILE = 'smart-turn-v3.2-cpu.onnx';
export const TURN_MODEL_REPOSITORY = 'https://huggingface.co/pipecat-ai/smart-turn-v3/resolve/main';

export interface TurnModelDownload {
  dir: string;
  /** A mirror of the repository (trusted for its own host only). */
  baseUrl?: string;
  /** There is no pinned checksum yet: the host's published sha256 is accepted only with this. */
  trustHost: boolean;
  onProgress?: (received: number, total: number | undefined) => void;
}

/**
 * Fetches MODELS_DIR/smart-turn-v3.2-cpu.onnx (resumable, redirects only within the repository's
 * hosts, checked against the sha256 the host publishes). No checksum of it is pinned here: that
 * needs a copy checked by hand, so the download asks for --trust-host.
 */
export async function downloadTurnModel(
  options: TurnModelDownload,
): Promise<{ path: string; bytes: number; alreadyPresent: boolean; verified: string }> {
  const path = join(options.dir, TURN_MODEL_FILE);
  if (existsSync(path)) {
    return { path, bytes: statSync(path).size, alreadyPresent: true, verified: 'none' };
  }
  if (!options.trustHost) {
    throw new DownloadError(
      `There is no pinned checksum for the turn model ${TURN_MODEL_FILE}, so a substituted file ` +
        'could not be told apart: pass --trust-host to accept the sha256 the host publishes, or ' +
        `download it yourself and check it before putting it at ${path}`,
    );
  }
  const base = options.baseUrl ?? TURN_MODEL_REPOSITORY;
  const url = `${base}/${TURN_MODEL_FILE}`;
  const downloaded = await downloadResumable({
    url,
    dest: path,
    expected: 'published',
    allowedHosts: allowedHostsFor(base),
    offlineAdvice: `Download ${url} on a machine with network access and copy it to ${path}.`,
    notFoundAdvice: 'does the mirror hold pipecat-ai/smart-turn-v3?',
    onProgress: (received, total) => options.onProgress?.(received, total),
  });
  return { path, bytes: downloaded.bytes, alreadyPresent: false, verified: downloaded.verified };
}
