import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket } from 'node:tls';
import { WebSocket } from 'ws';
import { concatPcm, jfk, pcmBytes, silence } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { framesOf } from '../helpers/upgrade';
import { selfSignedCertificate } from '../helpers/certificates';

const ORIGIN = 'https://app.example.com';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  peerCn: string;
}

function httpsCall(
  port: number,
  path: string,
  ca: Buffer,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        ca,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        let body = '';
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            peerCn: String(peer.subject?.CN),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('TLS, security headers, CORS and body limits (real https/wss)', () => {
  let dir: string;
  let gw: GatewayApp;
  let stt: SttWorkerDouble;
  let files: { cert: string; key: string };
  let ca: Buffer;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tls-e2e-'));
    const first = selfSignedCertificate(dir, 'first');
    files = { cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
    writeFileSync(files.cert, readFileSync(first.cert));
    writeFileSync(files.key, readFileSync(first.key));
    ca = readFileSync(first.cert);
    gw = await startGateway({
      TLS_CERT: files.cert,
      TLS_KEY: files.key,
      ALLOWED_ORIGINS: ORIGIN,
      MAX_BODY_BYTES: '2048',
    });
    port = gw.config.gateway.port;
    stt = sttDouble(gw, { finalText: (job) => `tls utterance ${job.index}` });
  });

  afterAll(async () => {
    await stt.close();
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves https with security headers (HSTS, CSP with frame-ancestors, nosniff) on every response', async () => {
    for (const path of ['/health/live', '/no-such-route']) {
      const reply = await httpsCall(port, path, ca);
      expect(reply.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(reply.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['x-powered-by']).toBeUndefined();
    }
    expect((await httpsCall(port, '/health/live', ca)).status).toBe(200);
  });

  it('answers CORS only for configured origins', async () => {
    const preflight = (origin: string) =>
      httpsCall(port, '/v1/tokens', ca, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
    expect((await preflight(ORIGIN)).headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(
      (await preflight('https://evil.example')).headers['access-control-allow-origin'],
    ).toBeUndefined();
  });

  it('refuses request bodies over MAX_BODY_BYTES with 413', async () => {
    const reply = await httpsCall(port, '/v1/tokens', ca, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(4096) }),
    });
    expect(reply.status).toBe(413);
  });

  it('streams over wss:// and gets its final', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`, { ca });
    const frames = framesOf(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const audio = concatPcm(jfk(), silence(1.5));
    for (let i = 0; i < audio.length; i += 1600) ws.send(pcmBytes(audio.subarray(i, i + 1600)));
    const final = await waitFor(() => frames.find((f) => f.type === 'final'), {
      what: 'final over wss',
      timeoutMs: 30_000,
    });
    expect(final.text).toBe('tls utterance 1');
    ws.terminate();
  });

  it('reloads a renewed certificate without a restart', async () => {
    expect((await httpsCall(port, '/health/live', ca)).peerCn).toBe('first');
    const second = selfSignedCertificate(dir, 'second');
    const secondCa = readFileSync(second.cert);
    writeFileSync(files.key, readFileSync(second.key));
    writeFileSync(files.cert, secondCa);
    const reply = await waitFor(
      async () => {
        const r = await httpsCall(port, '/health/live', secondCa);
        return r.peerCn === 'second' ? r : undefined;
      },
      { what: 'the renewed certificate', timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(reply.status).toBe(200);
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`, { ca: secondCa });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.terminate();
  });
});
