import { startApp } from 'src/bootstrap';
import { createLogger } from 'src/bootstrap';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { hashApiKey } from 'src/persistence/api-keys/api-key.service';
import { concatPcm, jfk, pcmBytes, silence } from '../helpers/audio';
import { sttDouble } from '../helpers/gateway-app';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';
import { closeOf, framesOf, upgrade } from '../helpers/upgrade';

const JWT_SECRET = 'logs-e2e-secret-do-not-print-0123456789';
const OLD_SECRET = 'logs-e2e-old-secret-do-not-print-98765';

describe('no secret in logs, errors, metrics or health output (full e2e run)', () => {
  it('never writes the signing keys, API keys or tokens anywhere observable', async () => {
    const config = await testConfig({
      ROLE: 'gateway',
      LOG_LEVEL: 'verbose',
      AUTH_REQUIRED: 'true',
      JWT_KEYS: `new:${JWT_SECRET},old:${OLD_SECRET}`,
      AUTH_FAILURE_LIMIT: '3',
    });
    const lines: string[] = [];
    const running = await startApp(
      config,
      createLogger(config, (line) => lines.push(line)),
    );
    const stt = sttDouble({ config, running, url: '' });
    const observed: string[] = [];
    const secrets = [JWT_SECRET, OLD_SECRET];
    try {
      const health = `http://127.0.0.1:${config.http.healthPort}`;
      const gateway = `http://127.0.0.1:${config.gateway.port}`;
      const ws = `ws://127.0.0.1:${config.gateway.port}`;
      await waitFor(async () => (await fetch(`${health}/health/ready`)).ok, { what: 'ready' });
      const apiKeys = running.app.get(ApiKeyService);
      const created = await apiKeys.create({ name: 'logs' });
      secrets.push(created.key, hashApiKey(created.key));

      const tokenReply = await fetch(`${gateway}/v1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${created.key}` },
      });
      observed.push(JSON.stringify([...tokenReply.headers]));
      const { token } = (await tokenReply.json()) as { token: string };
      secrets.push(token);

      // A session with a token: audio, a final, a refresh.
      const opened = await upgrade(`${ws}/?token=${token}`);
      if (!('ws' in opened)) throw new Error(`upgrade refused: ${opened.status}`);
      const frames = framesOf(opened.ws);
      const audio = concatPcm(jfk(), silence(1.5));
      for (let i = 0; i < audio.length; i += 3200)
        opened.ws.send(pcmBytes(audio.subarray(i, i + 3200)));
      await waitFor(() => frames.find((f) => f.type === 'final'), {
        what: 'final',
        timeoutMs: 30_000,
      });
      opened.ws.send('{"type":"refresh"}');
      const refreshed = await waitFor(() => frames.find((f) => f.type === 'token'), {
        what: 'token',
      });
      secrets.push(String(refreshed.token));

      // Failures: reused token (body and logs), wrong key, rate limit, then revocation.
      for (const attempt of [
        upgrade(`${ws}/?token=${token}`),
        upgrade(ws, { headers: { authorization: `Bearer ${created.key}x` } }),
        upgrade(ws, { protocols: ['rt', `bearer.${token}`] }),
        upgrade(ws, { headers: { authorization: `Bearer ${created.key.slice(0, -1)}Z` } }),
      ]) {
        const outcome = await attempt;
        if ('body' in outcome) observed.push(outcome.body, JSON.stringify(outcome.headers));
      }
      const closed = closeOf(opened.ws);
      await apiKeys.revoke(created.record.id);
      observed.push((await closed).reason);

      observed.push(await (await fetch(`${health}/health/ready`)).text());
      observed.push(await (await fetch(`${health}/health/live`)).text());
      observed.push(await (await fetch(`${health}/metrics`)).text());
    } finally {
      await stt.close();
      await running.close();
      await cleanupPrefix(config.redis.prefix);
    }
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.join('\n')).toContain('Refused an upgrade');
    const everything = [...lines, ...observed].join('\n');
    const leaked = secrets.filter((secret) => everything.includes(secret));
    expect(leaked.map((secret) => secret.slice(0, 6) + '...')).toEqual([]);
    // Nor long fragments of them (e.g. a token's signature part).
    for (const secret of secrets) {
      for (const part of secret.split('.').filter((p) => p.length >= 20)) {
        expect(everything.includes(part)).toBe(false);
      }
    }
  });
});
