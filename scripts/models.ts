/**
 * npm run models -- [--trust-host] <name> [more names]: fetches ggml whisper models into
 * MODELS_DIR (default ./models) with a progress bar, a check against the pinned checksum and resume
 * of interrupted downloads. MODEL_REPOSITORY_URL names a mirror (trusted for its own host only).
 * `smart-turn` is the audio end-of-turn model (TURN_AUDIO_MODEL; TURN_MODEL_REPOSITORY_URL names a
 * mirror of it).
 */
import { MODEL_SIZES } from 'src/common/config/app-config';
import { modelUrl } from 'src/stt/models/model-catalog';
import { DownloadError } from 'src/common/downloads/resumable-download';
import { downloadModel } from 'src/stt/models/model-downloader';
import {
  downloadTurnModel,
  TURN_MODEL_NAME,
  TURN_MODEL_REPOSITORY,
} from 'src/gateway/turn-model/turn-model-download';

const NAMES = [...MODEL_SIZES, TURN_MODEL_NAME];

function bar(received: number, total: number | undefined): string {
  const mb = (n: number): string => (n / 1048576).toFixed(1);
  if (!total) return `${mb(received)} MiB`;
  const width = 30;
  const done = Math.min(width, Math.round((received / total) * width));
  const pct = ((received / total) * 100).toFixed(1).padStart(5);
  return `[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${pct}% ${mb(received)}/${mb(total)} MiB`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const names = args.filter((arg) => !arg.startsWith('-'));
  const unknownFlags = args.filter((arg) => arg.startsWith('-') && arg !== '--trust-host');
  const trustHost = args.includes('--trust-host');
  const dir = process.env.MODELS_DIR || 'models';
  if (names.length === 0 || unknownFlags.length > 0) {
    console.error(
      `usage: npm run models -- [--trust-host] <name>...   (into ${dir}; MODELS_DIR changes it)`,
    );
    console.error('  --trust-host  fetch a model that has no pinned checksum');
    console.error(`names: ${NAMES.join(', ')}`);
    return 2;
  }
  for (const name of names) {
    if (!NAMES.includes(name)) {
      console.error(`"${name}" is not a known model; names: ${NAMES.join(', ')}`);
      return 2;
    }
  }
  for (const name of names) {
    let last = 0;
    const onProgress = (received: number, total: number | undefined): void => {
      const now = Date.now();
      if (now - last < 200 && received !== total) return;
      last = now;
      if (process.stderr.isTTY) process.stderr.write(`\r${bar(received, total)}`);
    };
    try {
      const result =
        name === TURN_MODEL_NAME
          ? await fetchTurnModel(dir, trustHost, onProgress)
          : await fetchWhisperModel(name, dir, trustHost, onProgress);
      if (process.stderr.isTTY) process.stderr.write('\n');
      console.log(
        result.alreadyPresent
          ? `${result.path} is already there (${result.verified} checked)`
          : `Saved ${result.path} (${result.bytes} bytes${result.resumedFrom ? `, resumed at ${result.resumedFrom}` : ''}; checksum: ${result.verified})`,
      );
    } catch (error) {
      if (process.stderr.isTTY) process.stderr.write('\n');
      console.error(error instanceof DownloadError ? error.message : String(error));
      return 1;
    }
  }
  return 0;
}

function fetchWhisperModel(
  name: string,
  dir: string,
  trustHost: boolean,
  onProgress: (received: number, total: number | undefined) => void,
) {
  console.log(`Fetching ${modelUrl(name, process.env.MODEL_REPOSITORY_URL)}`);
  return downloadModel({
    name,
    dir,
    baseUrl: process.env.MODEL_REPOSITORY_URL || undefined,
    trustHost,
    onProgress,
  });
}

async function fetchTurnModel(
  dir: string,
  trustHost: boolean,
  onProgress: (received: number, total: number | undefined) => void,
) {
  const baseUrl = process.env.TURN_MODEL_REPOSITORY_URL || undefined;
  console.log(`Fetching the audio turn model from ${baseUrl ?? TURN_MODEL_REPOSITORY}`);
  const result = await downloadTurnModel({ dir, baseUrl, trustHost, onProgress });
  return { ...result, resumedFrom: 0 };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
