import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { testTempRoot } from '../helpers/test-temp';
import { freePort } from '../helpers/ports';
import { ROOT } from '../helpers/processes';
import { waitFor } from '../helpers/test-env';

/**
 * Issue 24 item 9: the shipped HAProxy access log redacts every secret query parameter. A real
 * haproxy runs the shipped config's redaction and log format in front of a stand-in backend.
 */
describe('HAProxy access log (issue 24, item 9)', () => {
  let haproxy: ChildProcess;
  let backend: Server;
  let port: number;
  let log = '';

  beforeAll(async () => {
    const shipped = readFileSync(join(ROOT, 'docker/haproxy.cfg'), 'utf8');
    const redaction = shipped
      .split('\n')
      .filter((l) => /set-var\(txn\.logged_url\)|log-format/.test(l));
    expect(redaction).toHaveLength(2);
    backend = createServer((_req, res) => res.end('ok'));
    const backendPort = await freePort();
    await new Promise<void>((resolve) => backend.listen(backendPort, '127.0.0.1', resolve));
    port = await freePort();
    const config = join(mkdtempSync(join(testTempRoot(), 'haproxy-')), 'haproxy.cfg');
    writeFileSync(
      config,
      [
        'global',
        '    log stdout format raw local0 info',
        'defaults',
        '    mode http',
        '    log global',
        '    option httplog',
        '    timeout connect 5s',
        '    timeout client 10s',
        '    timeout server 10s',
        'frontend websocket',
        `    bind 127.0.0.1:${port}`,
        ...redaction,
        '    default_backend b',
        'backend b',
        `    server s 127.0.0.1:${backendPort}`,
        '',
      ].join('\n'),
    );
    haproxy = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    haproxy.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    haproxy.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => null))?.ok, {
      what: 'haproxy up',
    });
  });

  afterAll(async () => {
    haproxy?.kill('SIGTERM');
    await new Promise<void>((resolve) => backend?.close(() => resolve()));
  });

  it('logs the URL with token, resume, api_key, room_key and passcode values redacted', async () => {
    const secrets = ['tok3n', 'r3sume', 'k3y', 'rsk_s3cret', '482913', '135790'];
    const query =
      `token=${secrets[0]}&resume=${secrets[1]}&api_key=${secrets[2]}&room_key=${secrets[3]}` +
      `&room_passcode=${secrets[4]}&passcode=${secrets[5]}&language=es`;
    expect((await fetch(`http://127.0.0.1:${port}/v1/stream?${query}`)).status).toBe(200);
    const line = await waitFor(() => log.split('\n').find((l) => l.includes('/v1/stream?')), {
      what: 'the access log line',
    });
    for (const secret of secrets) expect(line).not.toContain(secret);
    expect(line).toContain('room_key=REDACTED');
    expect(line).toContain('room_passcode=REDACTED');
    expect(line).toContain('language=es');
  });
});
