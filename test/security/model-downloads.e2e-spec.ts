import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL_SIZES } from 'src/common/config/app-config';
import { runTranslationModels } from 'src/translation/models/translation-models.cli';
import { MODEL_PINS, modelDir, modelFiles } from 'src/translation/models/translation-model-catalog';
import { KNOWN_SHA1 } from 'src/stt/models/model-catalog';
import { selfSignedCertificate } from '../helpers/certificates';
import { ROOT } from '../helpers/processes';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A local model host: each path answers as the test says; every request is recorded with its Host. */
class ModelHost {
  readonly routes = new Map<string, Route>();
  readonly requests: { host: string; path: string }[] = [];
  private server!: Server;
  url = '';
  port = 0;

  async start(tls?: { cert: string; key: string }): Promise<this> {
    const handle = (req: IncomingMessage, res: ServerResponse): void => {
      const path = req.url ?? '';
      this.requests.push({ host: req.headers.host ?? '', path });
      const route = this.routes.get(path);
      if (route) route(req, res);
      else res.writeHead(404).end('not found');
    };
    this.server = tls
      ? createHttpsServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, handle)
      : createHttpServer(handle);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
    return this;
  }

  serve(path: string, body: Buffer, headers: Record<string, string> = {}): void {
    this.routes.set(path, (_req, res) =>
      res.writeHead(200, { 'content-length': String(body.length), ...headers }).end(body),
    );
  }

  redirect(path: string, location: string, headers: Record<string, string> = {}): void {
    this.routes.set(path, (_req, res) => res.writeHead(302, { location, ...headers }).end());
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** `npm run models -- <args>` as a user runs it, in its own process. */
function modelsCommand(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'scripts/models.ts',
        ...args,
      ],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Issue 24 item 18: model downloads trust neither the host's redirects nor, without being told,
 * its files. Whisper models through the real `npm run models` process; translation models
 * through the models:translation command's entry point.
 */
describe('model downloads: pinned checksums and no redirects to other hosts (issue 24, item 18)', () => {
  const hosts: ModelHost[] = [];
  let dir: string;
  const host = async (tls?: { cert: string; key: string }) => {
    const started = await new ModelHost().start(tls);
    hosts.push(started);
    return started;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt-model-trust-'));
  });
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
  });

  describe('whisper models (npm run models)', () => {
    it('every model the service can load has a pinned SHA-1', () => {
      expect(MODEL_SIZES.filter((name) => !/^[0-9a-f]{40}$/.test(KNOWN_SHA1[name] ?? ''))).toEqual(
        [],
      );
    });

    it('refuses a file that is not the pinned one and leaves nothing behind', async () => {
      const repo = await host();
      repo.serve('/ggml-tiny.bin', randomBytes(100_000));
      const run = await modelsCommand(['tiny'], {
        MODELS_DIR: dir,
        MODEL_REPOSITORY_URL: repo.url,
      });
      expect(run.code).toBe(1);
      expect(run.output).toContain(
        `Checksum mismatch for ggml-tiny.bin: expected SHA-1 ${KNOWN_SHA1.tiny}`,
      );
      expect(readdirSync(dir)).toEqual([]);
    });

    it('refuses a redirect to another host without contacting it', async () => {
      const repo = await host();
      repo.redirect('/ggml-tiny.bin', `http://localhost:${repo.port}/elsewhere/ggml-tiny.bin`);
      repo.serve('/elsewhere/ggml-tiny.bin', randomBytes(1000));
      const run = await modelsCommand(['tiny'], {
        MODELS_DIR: dir,
        MODEL_REPOSITORY_URL: repo.url,
      });
      expect(run.code).toBe(1);
      expect(run.output).toContain(
        `redirected the download of ggml-tiny.bin to localhost:${repo.port}, which is not a host ` +
          'this download may use (127.0.0.1); refused',
      );
      expect(repo.requests.map((r) => r.path)).toEqual(['/ggml-tiny.bin']);
      expect(readdirSync(dir)).toEqual([]);
    });

    it('refuses a redirect from https to http', async () => {
      const { cert, key } = selfSignedCertificate(dir, 'models');
      const plain = await host();
      plain.serve('/ggml-tiny.bin', randomBytes(1000));
      const secure = await host({ cert, key });
      secure.redirect('/ggml-tiny.bin', `${plain.url}/ggml-tiny.bin`);
      const run = await modelsCommand(['tiny'], {
        MODELS_DIR: join(dir, 'models'),
        MODEL_REPOSITORY_URL: secure.url,
        NODE_EXTRA_CA_CERTS: cert,
      });
      expect(run.code).toBe(1);
      expect(run.output).toContain('redirected the download of ggml-tiny.bin from https to http:');
      expect(plain.requests).toEqual([]);
    });
  });

  describe('the audio turn model (npm run models -- smart-turn)', () => {
    it('asks for --trust-host before any request, then checks the sha256 the host published', async () => {
      const repo = await host();
      const body = randomBytes(20_000);
      // As Hugging Face does: the digest on the redirect, the bytes on its storage host.
      repo.redirect('/smart-turn-v3.2-cpu.onnx', '/storage/turn', {
        'x-linked-etag': `"${sha256(body)}"`,
      });
      repo.serve('/storage/turn', body);
      const env = { MODELS_DIR: dir, TURN_MODEL_REPOSITORY_URL: repo.url };
      const refused = await modelsCommand(['smart-turn'], env);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain('pass --trust-host to accept the sha256 the host publishes');
      expect(repo.requests).toEqual([]);

      const fetched = await modelsCommand(['--trust-host', 'smart-turn'], env);
      expect(fetched.code).toBe(0);
      expect(readFileSync(join(dir, 'smart-turn-v3.2-cpu.onnx')).equals(body)).toBe(true);
    });

    it('refuses a file whose sha256 is not the one published', async () => {
      const repo = await host();
      repo.redirect('/smart-turn-v3.2-cpu.onnx', '/storage/turn', {
        'x-linked-etag': `"${sha256(Buffer.from('another file'))}"`,
      });
      repo.serve('/storage/turn', randomBytes(20_000));
      const run = await modelsCommand(['--trust-host', 'smart-turn'], {
        MODELS_DIR: dir,
        TURN_MODEL_REPOSITORY_URL: repo.url,
      });
      expect(run.code).toBe(1);
      expect(run.output).toContain('Checksum mismatch for smart-turn-v3.2-cpu.onnx');
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  describe('translation models (npm run models:translation)', () => {
    const lines: string[] = [];
    const out = {
      isTTY: false,
      write: (s: string) => lines.push(s),
    } as unknown as NodeJS.WriteStream;
    const files = new Map(
      modelFiles('q8').map((file) => [
        file,
        file.endsWith('.onnx') ? randomBytes(50_000) : Buffer.from(`{"file":"${file}"}`),
      ]),
    );
    const servePinless = (repo: ModelHost, name: string, revision = 'main') => {
      for (const [file, body] of files)
        repo.serve(`/Xenova/${name}/resolve/${revision}/${file}`, body);
    };
    const command = (args: string[], repo: ModelHost) =>
      runTranslationModels(args, { modelsDir: dir, host: repo.url }, out);

    beforeEach(() => {
      lines.length = 0;
    });

    it('refuses files without a pin before fetching anything, naming both ways out', async () => {
      const repo = await host();
      servePinless(repo, 'opus-mt-en-de');
      expect(await command(['opus-mt-en-de'], repo)).toBe(1);
      expect(lines.join('')).toContain(
        'opus-mt-en-de: unpinned: No pinned sha256 for config.json, generation_config.json, ' +
          'tokenizer.json, tokenizer_config.json, onnx/encoder_model_quantized.onnx, ' +
          'onnx/decoder_model_merged_quantized.onnx of opus-mt-en-de (q8)',
      );
      expect(lines.join('')).toMatch(/--checksums FILE .* or --trust-host/);
      expect(repo.requests).toEqual([]);
    });

    it('fetches with pins the user supplies (sha256sum lines), and refuses a file that differs', async () => {
      const repo = await host();
      servePinless(repo, 'opus-mt-en-de');
      const sums = join(dir, 'SHA256SUMS');
      writeFileSync(sums, [...files].map(([file, body]) => `${sha256(body)}  ${file}`).join('\n'));
      expect(await command(['--checksums', sums, 'opus-mt-en-de'], repo)).toBe(0);
      expect(lines.join('').match(/\(matches the pin\)/g)).toHaveLength(files.size);

      lines.length = 0;
      const encoder = 'onnx/encoder_model_quantized.onnx';
      repo.serve(`/Xenova/opus-mt-en-de/resolve/main/${encoder}`, randomBytes(50_000));
      expect(await command(['--force', '--checksums', sums, 'opus-mt-en-de'], repo)).toBe(1);
      expect(lines.join('')).toContain(
        `checksum: Checksum mismatch for ${encoder}: expected SHA-256 ${sha256(files.get(encoder)!)}`,
      );
      expect(existsSync(join(modelDir(dir, 'opus-mt-en-de'), `${encoder}.part`))).toBe(false);
    });

    it('with --trust-host follows a redirect within the host and checks the sha256 it published there', async () => {
      const repo = await host();
      servePinless(repo, 'opus-mt-en-de');
      const encoder = 'onnx/encoder_model_quantized.onnx';
      const body = files.get(encoder)!;
      // As Hugging Face does: the digest on the redirect, the bytes on its storage host.
      repo.redirect(`/Xenova/opus-mt-en-de/resolve/main/${encoder}`, '/storage/encoder', {
        'x-linked-etag': `"${sha256(body)}"`,
      });
      repo.serve('/storage/encoder', body);
      expect(await command(['--trust-host', 'opus-mt-en-de'], repo)).toBe(0);
      expect(lines.join('')).toMatch(
        /onnx\/encoder_model_quantized\.onnx: downloaded, 50000 bytes, sha256 [0-9a-f]{64} \(matches the host, unpinned\)/,
      );
      expect(repo.requests.map((r) => r.path)).toContain('/storage/encoder');
    });

    it('with --trust-host still refuses a redirect to another host', async () => {
      const repo = await host();
      servePinless(repo, 'opus-mt-en-de');
      repo.redirect(
        '/Xenova/opus-mt-en-de/resolve/main/config.json',
        `http://localhost:${repo.port}/Xenova/opus-mt-en-de/resolve/main/config.json`,
      );
      expect(await command(['--trust-host', 'opus-mt-en-de'], repo)).toBe(1);
      expect(lines.join('')).toContain('opus-mt-en-de: redirect refused:');
      expect(repo.requests.filter((r) => r.host.startsWith('localhost'))).toEqual([]);
    });

    it("fetches a catalogued model from its pinned revision and holds its files to the catalogue's pins", async () => {
      const name = 'nllb-200-distilled-600M';
      const pins = MODEL_PINS[name];
      const repo = await host();
      servePinless(repo, name, pins.revision);
      // --trust-host covers the files the catalogue does not pin, never the ones it does.
      expect(await command(['--trust-host', name], repo)).toBe(1);
      expect(lines.join('')).toContain(
        `checksum: Checksum mismatch for tokenizer.json: expected SHA-256 ${pins.sha256['tokenizer.json']}`,
      );
      const paths = repo.requests.map((r) => r.path);
      expect(paths.length).toBeGreaterThan(0);
      expect(paths.every((path) => path.includes(`/resolve/${pins.revision}/`))).toBe(true);
    });
  });
});
