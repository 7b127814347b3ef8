import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingModelFiles } from 'src/translation/engines/neural/seq2seq-model';
import {
  ChecksumError,
  fetchModel,
  OfflineError,
  type Progress,
  verifyModel,
} from 'src/translation/models/model-fetcher';
import { runTranslationModels } from 'src/translation/models/translation-models.cli';
import {
  modelDir,
  modelFiles,
  resolveModel,
} from 'src/translation/models/translation-model-catalog';
import { freePort } from '../helpers/ports';

const spec = resolveModel('opus-mt-en-de')!;

/** A local stand-in for the model host: Range requests, sha256 ETags on .onnx files as the real host sends for LFS files. */
class ModelHost {
  readonly files = new Map<string, Buffer>();
  server!: Server;
  url = '';
  requests: { path: string; range?: string }[] = [];
  /** Cut the connection after this many bytes of the named file, once. */
  cutAfter: { file: string; bytes: number } | undefined;
  wrongChecksumFor: string | undefined;

  constructor() {
    for (const file of modelFiles('q8')) {
      this.files.set(
        file,
        file.endsWith('.onnx') ? randomBytes(300_000) : Buffer.from(`{"file":"${file}"}`),
      );
    }
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const prefix = `/${spec.repo}/resolve/main/`;
    const path = req.url ?? '';
    const file = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    this.requests.push({ path: file, range: req.headers.range });
    const body = this.files.get(file);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers: Record<string, string> = {};
    if (file.endsWith('.onnx')) {
      const sha = createHash('sha256').update(body).digest('hex');
      headers.etag = `"${this.wrongChecksumFor === file ? sha.replace(/^./, sha[0] === 'a' ? 'b' : 'a') : sha}"`;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) start = Number(range[1]);
    const slice = body.subarray(start);
    res.writeHead(range ? 206 : 200, { ...headers, 'content-length': String(slice.length) });
    const cut = this.cutAfter;
    if (cut && cut.file === file) {
      this.cutAfter = undefined;
      res.write(slice.subarray(0, cut.bytes), () => res.destroy());
      return;
    }
    res.end(slice);
  }
}

describe('translation model command (local model host)', () => {
  let host: ModelHost;
  let modelsDir: string;

  beforeEach(async () => {
    host = new ModelHost();
    await host.start();
    modelsDir = mkdtempSync(join(tmpdir(), 'rt-models-'));
  });
  afterEach(() => host.stop());

  it('downloads every file with progress, checks published sha256s and leaves a loadable layout', async () => {
    const progress: Progress[] = [];
    const files = await fetchModel(spec, {
      modelsDir,
      dtype: 'q8',
      host: host.url,
      trustHost: true,
      onProgress: (p) => progress.push(p),
    });
    expect(files.map((f) => f.file)).toEqual(modelFiles('q8'));
    for (const file of files) {
      expect(
        readFileSync(join(modelDir(modelsDir, 'opus-mt-en-de'), file.file)).equals(
          host.files.get(file.file)!,
        ),
      ).toBe(true);
      expect(file.verified).toBe(file.file.endsWith('.onnx') ? 'host' : 'none');
    }
    const encoder = progress.filter((p) => p.file === 'onnx/encoder_model_quantized.onnx');
    expect(encoder.at(-1)).toMatchObject({ received: 300_000, total: 300_000 });
    expect(encoder.length).toBeGreaterThan(1);
    expect(missingModelFiles(modelsDir, 'opus-mt-en-de', 'q8')).toEqual([]);
    expect(await verifyModel(modelsDir, 'opus-mt-en-de')).toEqual([]);

    // A second run keeps complete files.
    host.requests = [];
    const again = await fetchModel(spec, {
      modelsDir,
      dtype: 'q8',
      host: host.url,
      trustHost: true,
    });
    expect(again.every((f) => f.how === 'present')).toBe(true);
    expect(host.requests).toEqual([]);

    // A file damaged on disk is reported by --verify.
    writeFileSync(join(modelDir(modelsDir, 'opus-mt-en-de'), 'config.json'), 'tampered');
    expect(await verifyModel(modelsDir, 'opus-mt-en-de')).toEqual(['config.json']);
  });

  it('resumes an interrupted download with a Range request and still verifies the whole file', async () => {
    const file = 'onnx/decoder_model_merged_quantized.onnx';
    host.cutAfter = { file, bytes: 120_000 };
    await expect(
      fetchModel(spec, { modelsDir, dtype: 'q8', host: host.url, trustHost: true }),
    ).rejects.toThrow(/run the command again to resume/);
    const part = join(modelDir(modelsDir, 'opus-mt-en-de'), `${file}.part`);
    expect(existsSync(part)).toBe(true);

    const files = await fetchModel(spec, {
      modelsDir,
      dtype: 'q8',
      host: host.url,
      trustHost: true,
    });
    const resumed = files.find((f) => f.file === file)!;
    expect(resumed).toMatchObject({ how: 'resumed', verified: 'host', bytes: 300_000 });
    expect(host.requests.filter((r) => r.path === file).at(-1)?.range).toMatch(/^bytes=\d+-$/);
    expect(
      readFileSync(join(modelDir(modelsDir, 'opus-mt-en-de'), file)).equals(host.files.get(file)!),
    ).toBe(true);
    expect(existsSync(part)).toBe(false);
  });

  it('rejects a download whose sha256 differs from the published one and removes it', async () => {
    host.wrongChecksumFor = 'onnx/encoder_model_quantized.onnx';
    const error = await fetchModel(spec, {
      modelsDir,
      dtype: 'q8',
      host: host.url,
      trustHost: true,
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ChecksumError);
    expect((error as Error).message).toMatch(
      /Checksum mismatch for onnx\/encoder_model_quantized\.onnx/,
    );
    const dir = modelDir(modelsDir, 'opus-mt-en-de');
    expect(existsSync(join(dir, 'onnx/encoder_model_quantized.onnx'))).toBe(false);
    expect(existsSync(join(dir, 'onnx/encoder_model_quantized.onnx.part'))).toBe(false);
  });

  it('says clearly that the machine is offline when the host cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const error = await fetchModel(spec, {
      modelsDir,
      dtype: 'q8',
      host: closed,
      trustHost: true,
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(OfflineError);
    expect((error as Error).message).toMatch(
      /Cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): this machine looks offline/,
    );
  });

  it('the command prints progress and results, and exits 1 with the reason when offline', async () => {
    const lines: string[] = [];
    const out = {
      isTTY: false,
      write: (s: string) => lines.push(s),
    } as unknown as NodeJS.WriteStream;
    expect(
      await runTranslationModels(
        ['--trust-host', 'opus-mt-en-de'],
        { modelsDir, host: host.url },
        out,
      ),
    ).toBe(0);
    const text = lines.join('');
    const steps = [...text.matchAll(/onnx\/encoder_model_quantized\.onnx: (\d+)%/g)].map((m) =>
      Number(m[1]),
    );
    expect(steps.length).toBeGreaterThan(1);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps.at(-1)).toBe(100);
    expect(text).toMatch(
      /encoder_model_quantized\.onnx: downloaded, 300000 bytes, sha256 [0-9a-f]{64} \(matches the host, unpinned\)/,
    );

    lines.length = 0;
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect(
      await runTranslationModels(
        ['--trust-host', 'nllb-200-distilled-600M'],
        { modelsDir, host: closed },
        out,
      ),
    ).toBe(1);
    expect(lines.join('')).toContain('nllb-200-distilled-600M: offline: Cannot reach');

    lines.length = 0;
    expect(await runTranslationModels(['gpt-5'], { modelsDir, host: host.url }, out)).toBe(1);
    expect(lines.join('')).toContain('Unknown model "gpt-5"');
    expect(await runTranslationModels([], { modelsDir, host: host.url }, out)).toBe(2);
  });
});
