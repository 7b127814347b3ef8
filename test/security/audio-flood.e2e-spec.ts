import { WebSocket } from 'ws';
import { jfk, pcmBytes } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { closeOf, framesOf } from '../helpers/upgrade';

const MIB = 2 ** 20;

/**
 * Issue 24 item 3: audio is charged before it is decoded. A burst past the pace credit is refused
 * as it arrives (not after the gateway decoded and segmented it), and the audio one session may
 * have waiting to be decoded is bounded in bytes. A well-behaved session on the same gateway
 * keeps getting its finals meanwhile. Real gateways, Redis and VAD; stt double.
 */
describe('audio floods (issue 24, item 3)', () => {
  const sockets: WebSocket[] = [];

  async function connect(gw: GatewayApp, path = '/v1/stream') {
    const ws = new WebSocket(`${gw.url}${path}`);
    sockets.push(ws);
    const frames = framesOf(ws);
    const closed = closeOf(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return { ws, frames, closed };
  }

  async function decodedSeconds(gw: GatewayApp): Promise<number> {
    const text = await (
      await fetch(`http://127.0.0.1:${gw.config.http.healthPort}/metrics`)
    ).text();
    return Number(/^rt_gateway_audio_seconds_total (\S+)$/m.exec(text)?.[1] ?? 0);
  }

  /** A session that speaks jfk in real time, with a finalize every 2 s: its finals' arrival. */
  async function speaker(gw: GatewayApp) {
    const { ws, frames } = await connect(gw);
    await waitFor(() => frames.some((f) => f.type === 'session'), { what: 'session frame' });
    const speech = jfk();
    let at = 0;
    let sentSeconds = 0;
    const timer = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(pcmBytes(speech.subarray(at, at + 1600)));
      sentSeconds += 0.1;
      at = (at + 1600) % (speech.length - 1600);
      if (Math.round(sentSeconds * 10) % 20 === 0) ws.send('{"type":"finalize"}');
    }, 100);
    return {
      finals: () => frames.filter((f) => f.type === 'final').length,
      errors: () => frames.filter((f) => f.type === 'error'),
      get sentSeconds() {
        return sentSeconds;
      },
      stop: () => clearInterval(timer),
      ws,
    };
  }

  afterEach(() => {
    for (const ws of sockets.splice(0)) ws.terminate();
  });

  describe('pace credit', () => {
    let gw: GatewayApp;
    let stt: SttWorkerDouble;

    beforeAll(async () => {
      gw = await startGateway({
        AUDIO_BURST_SECONDS: '30',
        MAX_REALTIME_FACTOR: '3',
        // On a loaded test machine the overload shedding (1013) must not stand in for the limits.
        OVERLOAD_FINAL_LATENCY_SECONDS: '0',
        MAX_QUEUE_DEPTH: '100000',
      });
      stt = sttDouble(gw);
    });

    afterAll(async () => {
      await stt.close();
      await gw.running.close();
      await cleanupPrefix(gw.config.redis.prefix);
    });

    it.each([
      ['native', '/v1/stream?sample_rate=16000'],
      ['Deepgram', '/v1/listen?encoding=linear16&sample_rate=16000'],
    ])(
      '%s: 190 frames of 1 MiB at once are refused before decoding (4029), a speaker keeps its finals',
      async (_name, path) => {
        const good = await speaker(gw);
        await waitFor(() => good.finals() >= 1, { what: 'a first final', timeoutMs: 15_000 });
        const before = await decodedSeconds(gw);
        const goodBefore = good.sentSeconds;
        const finalsBefore = good.finals();

        const attacker = await connect(gw, path);
        const frame = Buffer.alloc(MIB);
        const speech = pcmBytes(jfk());
        for (let i = 0; i < MIB; i += speech.length) speech.copy(frame, i);
        for (let i = 0; i < 190 && attacker.ws.readyState === WebSocket.OPEN; i++) {
          attacker.ws.send(frame);
        }
        expect((await attacker.closed).code).toBe(4029);
        if (path.startsWith('/v1/stream')) {
          expect(attacker.frames.find((f) => f.type === 'error')).toMatchObject({
            code: 'audio_too_fast',
          });
        }
        await waitFor(() => good.finals() >= finalsBefore + 2, {
          what: 'two more finals for the speaker',
          timeoutMs: 15_000,
        });
        good.stop();
        await new Promise((r) => setTimeout(r, 300));
        // One frame is 32.8 s, past the 30 s credit: none of the attacker's audio is decoded.
        const attackerDecoded =
          (await decodedSeconds(gw)) - before - (good.sentSeconds - goodBefore);
        expect(attackerDecoded).toBeLessThan(1);
        expect(good.errors()).toEqual([]);
        expect(good.ws.readyState).toBe(WebSocket.OPEN);
      },
    );
  });

  describe('bytes waiting to be decoded', () => {
    let gw: GatewayApp;
    let stt: SttWorkerDouble;

    beforeAll(async () => {
      gw = await startGateway({
        // Pace and message rate out of the way: only the byte bound can stop this client.
        AUDIO_BURST_SECONDS: '3600',
        MAX_REALTIME_FACTOR: '1000',
        MESSAGES_PER_SECOND: '100000',
        MAX_FRAME_BYTES: String(256 * 1024),
        MAX_PENDING_AUDIO_BYTES: String(512 * 1024),
        OVERLOAD_FINAL_LATENCY_SECONDS: '0',
        MAX_QUEUE_DEPTH: '100000',
      });
      stt = sttDouble(gw);
    });

    afterAll(async () => {
      await stt.close();
      await gw.running.close();
      await cleanupPrefix(gw.config.redis.prefix);
    });

    it('a session with more than MAX_PENDING_AUDIO_BYTES waiting is closed 4029 audio_backlog', async () => {
      const good = await speaker(gw);
      await waitFor(() => good.finals() >= 1, { what: 'a first final', timeoutMs: 15_000 });
      const finalsBefore = good.finals();
      const attacker = await connect(gw, '/v1/stream?sample_rate=16000');
      await waitFor(() => attacker.frames.some((f) => f.type === 'session'), {
        what: 'session frame',
      });
      const frame = pcmBytes(jfk()).subarray(0, 256 * 1024);
      for (let i = 0; i < 200 && attacker.ws.readyState === WebSocket.OPEN; i++) {
        attacker.ws.send(frame);
      }
      expect((await attacker.closed).code).toBe(4029);
      expect(attacker.frames.find((f) => f.type === 'error')).toMatchObject({
        code: 'audio_backlog',
        message: expect.stringContaining(String(512 * 1024)),
      });
      await waitFor(() => good.finals() >= finalsBefore + 2, {
        what: 'two more finals for the speaker',
        timeoutMs: 15_000,
      });
      good.stop();
      expect(good.errors()).toEqual([]);
    });
  });
});
