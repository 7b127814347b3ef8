import { readFileSync } from 'node:fs';
import { loadConfig } from '../../common/config/load-config';
import {
  ChecksumError,
  fetchModel,
  OfflineError,
  parseChecksumFile,
  type Progress,
  RedirectRefusedError,
  UnpinnedError,
  verifyModel,
} from './model-fetcher';
import {
  MODEL_HOST,
  type ModelDtype,
  modelDir,
  NLLB_MODELS,
  resolveModel,
} from './translation-model-catalog';

const USAGE = `Usage: npm run models:translation -- [options] <model>...

Models:
  nllb-200-distilled-600M      NLLB-200 (all languages of the service), about 900 MB quantized
  opus-mt-<src>-<tgt>          an opus-mt (Marian) direction, e.g. opus-mt-en-de, opus-mt-en-ROMANCE

Options:
  --dtype q8|fp32              weights to fetch (default q8, what the service loads by default)
  --dir <path>                 models directory (default MODELS_DIR or ./models)
  --host <url>                 model host or mirror (default MODEL_HOST or ${MODEL_HOST});
                               downloads may be redirected only within that host's domains
  --checksums <file>           sha256sum lines pinning files the catalogue does not pin
  --trust-host                 fetch files without a pin, accepting what the host publishes
  --verify                     re-check the sha256 of fetched files instead of downloading
  --force                      download again even if the files are present`;

/** A progress bar on a terminal, a line every 10% elsewhere (CI logs). */
export function progressPrinter(stream: NodeJS.WriteStream): (progress: Progress) => void {
  let lastFile = '';
  let lastTenth = -1;
  return ({ file, received, total, resumedFrom }) => {
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    const fraction = total ? received / total : 0;
    if (file !== lastFile) {
      lastFile = file;
      lastTenth = -1;
      if (resumedFrom > 0) stream.write(`${file}: resuming at ${mib(resumedFrom)} MiB\n`);
    }
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
      const size = total ? `${mib(received)}/${mib(total)} MiB` : `${mib(received)} MiB`;
      stream.write(`\r[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${size} ${file}`);
      if (total && received >= total) stream.write('\n');
    } else {
      const tenth = Math.floor(fraction * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(`${file}: ${tenth * 10}% (${mib(received)} MiB)\n`);
      }
    }
  };
}

const VERIFIED_NOTE = {
  pin: ' (matches the pin)',
  host: ' (matches the host, unpinned)',
  none: '',
} as const;

export interface CliDefaults {
  modelsDir: string;
  host: string;
}

export async function runTranslationModels(
  argv: string[],
  defaults: CliDefaults,
  out: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  const names: string[] = [];
  let dtype: ModelDtype = 'q8';
  let dir = defaults.modelsDir;
  let host = defaults.host;
  let verify = false;
  let force = false;
  let trustHost = false;
  let checksums: Record<string, string> | undefined;
  const rest = [...argv];
  for (let arg = rest.shift(); arg !== undefined; arg = rest.shift()) {
    if (arg === '--dtype') dtype = rest.shift() as ModelDtype;
    // A missing value leaves '', which the check below refuses with the usage.
    else if (arg === '--dir') dir = rest.shift() ?? '';
    else if (arg === '--host') host = rest.shift() ?? '';
    else if (arg === '--verify') verify = true;
    else if (arg === '--force') force = true;
    else if (arg === '--trust-host') trustHost = true;
    else if (arg === '--checksums') {
      const file = rest.shift();
      try {
        checksums = parseChecksumFile(readFileSync(file ?? '', 'utf8'));
      } catch (error) {
        out.write(`--checksums ${file ?? ''}: ${(error as Error).message}\n`);
        return 2;
      }
    } else if (arg === '-h' || arg === '--help') {
      out.write(`${USAGE}\n`);
      return 0;
    } else names.push(arg);
  }
  if (names.length === 0 || (dtype !== 'q8' && dtype !== 'fp32') || !dir || !host) {
    out.write(`${USAGE}\n`);
    return 2;
  }
  let failed = 0;
  for (const name of names) {
    const spec = resolveModel(name);
    if (!spec) {
      out.write(`Unknown model "${name}": use ${NLLB_MODELS.join(', ')} or opus-mt-<src>-<tgt>\n`);
      failed++;
      continue;
    }
    try {
      if (verify) {
        const bad = await verifyModel(dir, name);
        out.write(
          bad.length ? `${name}: checksum mismatch in ${bad.join(', ')}\n` : `${name}: ok\n`,
        );
        if (bad.length) failed++;
        continue;
      }
      out.write(
        `Fetching ${name} (${dtype}) from ${host}/${spec.repo} into ${modelDir(dir, name)}\n`,
      );
      const files = await fetchModel(spec, {
        modelsDir: dir,
        dtype,
        host,
        force,
        trustHost,
        checksums,
        onProgress: progressPrinter(out),
      });
      for (const file of files) {
        out.write(
          `  ${file.file}: ${file.how}, ${file.bytes} bytes, sha256 ${file.sha256}` +
            `${VERIFIED_NOTE[file.verified]}\n`,
        );
      }
    } catch (error) {
      failed++;
      const kind =
        error instanceof OfflineError
          ? 'offline'
          : error instanceof ChecksumError
            ? 'checksum'
            : error instanceof UnpinnedError
              ? 'unpinned'
              : error instanceof RedirectRefusedError
                ? 'redirect refused'
                : 'error';
      out.write(`${name}: ${kind}: ${(error as Error).message}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

/** `node dist/translation/models/translation-models.cli.js <model>` in the image (MODELS_DIR). */
if (require.main === module) {
  const defaults = { modelsDir: loadConfig().stt.modelsDir, host: MODEL_HOST };
  void runTranslationModels(process.argv.slice(2), defaults).then((code) => process.exit(code));
}
