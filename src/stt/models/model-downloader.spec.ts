import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../test/helpers/ports';
import { OfflineError } from '../../common/downloads/resumable-download';
import { downloadModel } from './model-downloader';

const MODEL = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
const SHA1 = createHash('sha1').update(MODEL).digest('hex');

/** A tiny model repository: serves ggml-tiny.bin with Range support, records requests. */
async function repository(
  body: Buffer = MODEL,
): Promise<{ url: string; server: Server; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    if (req.url !== '/ggml-tiny.bin') {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416).end();
        return;
      }
      res.writeHead(206, {
        'content-length': body.length - start,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, requests };
}

describe('downloadModel', () => {
  const servers: Server[] = [];
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt-models-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('downloads, reports progress, verifies the SHA-1 and moves the file into place', async () => {
    const repo = await repository();
    servers.push(repo.server);
    const progress: number[] = [];
    const result = await downloadModel({
      name: 'tiny',
      dir,
      baseUrl: repo.url,
      checksums: { tiny: SHA1 },
      onProgress: (received, total) => {
        expect(total).toBe(MODEL.length);
        progress.push(received);
      },
    });
    expect(result).toMatchObject({
      bytes: MODEL.length,
      resumedFrom: 0,
      verified: 'sha1',
      alreadyPresent: false,
    });
    expect(readFileSync(join(dir, 'ggml-tiny.bin')).equals(MODEL)).toBe(true);
    expect(existsSync(join(dir, 'ggml-tiny.bin.part'))).toBe(false);
    expect(progress[progress.length - 1]).toBe(MODEL.length);
    const again = await downloadModel({
      name: 'tiny',
      dir,
      baseUrl: repo.url,
      checksums: { tiny: SHA1 },
    });
    expect(again.alreadyPresent).toBe(true);
    expect(repo.requests).toHaveLength(1);
  });

  it('resumes a partial download with an HTTP Range request', async () => {
    const repo = await repository();
    servers.push(repo.server);
    writeFileSync(join(dir, 'ggml-tiny.bin.part'), MODEL.subarray(0, 123_456));
    const result = await downloadModel({
      name: 'tiny',
      dir,
      baseUrl: repo.url,
      checksums: { tiny: SHA1 },
    });
    expect(repo.requests[0].headers.range).toBe('bytes=123456-');
    expect(result.resumedFrom).toBe(123_456);
    expect(readFileSync(join(dir, 'ggml-tiny.bin')).equals(MODEL)).toBe(true);
  });

  it('rejects a file whose checksum does not match and deletes the partial file', async () => {
    const corrupt = Buffer.from(MODEL);
    corrupt[1000] ^= 0xff;
    const repo = await repository(corrupt);
    servers.push(repo.server);
    await expect(
      downloadModel({ name: 'tiny', dir, baseUrl: repo.url, checksums: { tiny: SHA1 } }),
    ).rejects.toThrow(/Checksum mismatch for ggml-tiny.bin: expected SHA-1/);
    expect(existsSync(join(dir, 'ggml-tiny.bin'))).toBe(false);
    expect(existsSync(join(dir, 'ggml-tiny.bin.part'))).toBe(false);
  });

  it('says the machine looks offline when the repository cannot be reached, keeping the partial file', async () => {
    const port = await freePort();
    writeFileSync(join(dir, 'ggml-tiny.bin.part'), MODEL.subarray(0, 10));
    const attempt = downloadModel({
      name: 'tiny',
      dir,
      baseUrl: `http://127.0.0.1:${port}`,
      checksums: {},
      trustHost: true,
    });
    await expect(attempt).rejects.toThrow(OfflineError);
    await expect(
      downloadModel({
        name: 'tiny',
        dir,
        baseUrl: `http://127.0.0.1:${port}`,
        checksums: {},
        trustHost: true,
      }),
    ).rejects.toThrow(
      /Cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): this machine looks offline.*resumed next time/,
    );
    expect(existsSync(join(dir, 'ggml-tiny.bin.part'))).toBe(true);
  });

  it('names the model when the repository does not have it', async () => {
    const repo = await repository();
    servers.push(repo.server);
    await expect(
      downloadModel({ name: 'huge', dir, baseUrl: repo.url, trustHost: true }),
    ).rejects.toThrow(/HTTP 404: is "huge" a whisper.cpp model name/);
  });

  it('refuses a model without a pinned checksum unless told to trust the host, asking nothing of it', async () => {
    const repo = await repository();
    servers.push(repo.server);
    await expect(
      downloadModel({ name: 'tiny', dir, baseUrl: repo.url, checksums: {} }),
    ).rejects.toThrow(/no pinned checksum for the model "tiny".*pass --trust-host/);
    expect(repo.requests).toHaveLength(0);
    const trusted = await downloadModel({
      name: 'tiny',
      dir,
      baseUrl: repo.url,
      checksums: {},
      trustHost: true,
    });
    expect(trusted).toMatchObject({ verified: 'none', bytes: MODEL.length });
  });
});
