import { WebSocket } from 'ws';
import { jfk, pcmBytes } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { closeOf, framesOf } from '../helpers/upgrade';

/** Hostile clients against one gateway while a well-behaved session keeps streaming. */
describe('hostile input (real gateway, Redis, VAD; stt double)', () => {
  let gw: GatewayApp;
  let stt: SttWorkerDouble;
  const bigSessions = new Set<string>();
  const sockets: WebSocket[] = [];
  let good: { ws: WebSocket; frames: Record<string, unknown>[]; keepalive: NodeJS.Timeout };

  async function connect(options: ConstructorParameters<typeof WebSocket>[2] = {}) {
    const ws = new WebSocket(gw.url, options);
    sockets.push(ws);
    const frames = framesOf(ws);
    const closed = closeOf(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const session = await waitFor(() => frames.find((f) => f.type === 'session'), {
      what: 'session frame',
    });
    return { ws, frames, closed, sessionId: String(session.session_id) };
  }

  async function securityCloses(reason: string): Promise<number> {
    const text = await (
      await fetch(`http://127.0.0.1:${gw.config.http.healthPort}/metrics`)
    ).text();
    const match = new RegExp(`rt_security_closes_total\\{outcome="${reason}"\\} (\\d+)`).exec(text);
    return match ? Number(match[1]) : 0;
  }

  /** The good session speaks once more and must get one more final. */
  async function goodSessionStillServed(): Promise<void> {
    const before = good.frames.filter((f) => f.type === 'final').length;
    const speech = jfk().subarray(0, 16000 * 2);
    for (let i = 0; i < speech.length; i += 3200)
      good.ws.send(pcmBytes(speech.subarray(i, i + 3200)));
    good.ws.send(JSON.stringify({ type: 'finalize' }));
    await waitFor(() => good.frames.filter((f) => f.type === 'final').length > before, {
      what: 'a final for the well-behaved session',
      timeoutMs: 20_000,
    });
    expect(good.ws.readyState).toBe(WebSocket.OPEN);
  }

  beforeAll(async () => {
    gw = await startGateway({
      MAX_FRAME_BYTES: '65536',
      MAX_CONTROL_BYTES: '1024',
      MESSAGES_PER_SECOND: '100',
      MAX_REALTIME_FACTOR: '3',
      AUDIO_BURST_SECONDS: '60',
      MAX_BUFFERED_BYTES: '65536',
      IDLE_TIMEOUT_SECONDS: '3',
    });
    stt = sttDouble(gw, {
      finalText: (job) =>
        bigSessions.has(job.sessionId) ? 'x'.repeat(400_000) : `utterance ${job.index}`,
    });
    const opened = await connect();
    const keepalive = setInterval(() => opened.ws.send('{"type":"keepalive"}'), 500);
    good = { ws: opened.ws, frames: opened.frames, keepalive };
  });

  afterAll(async () => {
    clearInterval(good.keepalive);
    for (const ws of sockets) ws.terminate();
    await stt.close();
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  it('closes an oversized frame with 1009', async () => {
    const { ws, closed } = await connect();
    ws.send(Buffer.alloc(70_000));
    expect((await closed).code).toBe(1009);
    const text = await connect();
    text.ws.send(JSON.stringify({ type: 'config', pad: 'x'.repeat(2000) }));
    expect((await text.closed).code).toBe(1009);
    await goodSessionStillServed();
  });

  it('closes a flood of tiny frames with 4029', async () => {
    const { ws, frames, closed } = await connect();
    for (let i = 0; i < 2000 && ws.readyState === WebSocket.OPEN; i++) ws.send(Buffer.alloc(2));
    expect((await closed).code).toBe(4029);
    expect(frames.find((f) => f.type === 'error')).toMatchObject({ code: 'rate_limited' });
    await goodSessionStillServed();
  });

  it('closes invalid UTF-8 with 1007; invalid JSON gets an error frame and the session goes on', async () => {
    const bad = await connect();
    bad.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await bad.closed).code).toBe(1007);
    const json = await connect();
    json.ws.send('{"type": "config", ');
    json.ws.send('[1,2,3]');
    await waitFor(() => json.frames.filter((f) => f.type === 'error').length >= 2, {
      what: 'two errors',
    });
    expect(json.frames.filter((f) => f.type === 'error').map((f) => f.code)).toEqual([
      'invalid_json',
      'invalid_json',
    ]);
    expect(json.ws.readyState).toBe(WebSocket.OPEN);
    await goodSessionStillServed();
  });

  it('closes audio sent far faster than real time with 4029 audio_too_fast', async () => {
    const { ws, frames, closed } = await connect();
    const second = Buffer.alloc(32_000);
    for (let i = 0; i < 90 && ws.readyState === WebSocket.OPEN; i++) ws.send(second);
    expect((await closed).code).toBe(4029);
    expect(frames.find((f) => f.type === 'error')).toMatchObject({ code: 'audio_too_fast' });
    await goodSessionStillServed();
  });

  it('negotiates no compression (no permessage-deflate bombs)', async () => {
    const { ws } = await connect({ perMessageDeflate: true });
    expect(ws.extensions).toBe('');
  });

  it('closes an idle connection with 4010', async () => {
    const { closed } = await connect();
    expect((await closed).code).toBe(4010);
  });

  it('closes a slow reader once its unsent output passes the limit; memory stays bounded', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const closesBefore = await securityCloses('slow_reader');
    const slow = await connect();
    bigSessions.add(slow.sessionId);
    slow.ws.pause();
    const speech = jfk().subarray(0, 16000);
    const feed = setInterval(() => {
      if (slow.ws.readyState !== WebSocket.OPEN) return;
      slow.ws.send(pcmBytes(speech));
      slow.ws.send('{"type":"finalize"}');
    }, 300);
    try {
      await waitFor(async () => (await securityCloses('slow_reader')) > closesBefore, {
        what: 'the slow reader closed',
        timeoutMs: 30_000,
        intervalMs: 250,
      });
    } finally {
      clearInterval(feed);
    }
    slow.ws.resume();
    expect([4013, 1006]).toContain((await slow.closed).code);
    // Several 400 KB finals were produced for it; the gateway kept at most about the limit.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(150 * 1024 * 1024);
    await goodSessionStillServed();
  });
});
