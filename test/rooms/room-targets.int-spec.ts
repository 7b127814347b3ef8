import { WebSocket } from 'ws';
import { type SttJob } from 'src/contracts/job-payloads';
import { TranslationDirectoryService } from 'src/translation';
import { jfk, pcmBytes } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { framesOf } from '../helpers/upgrade';
import { postJson, type RoomFrame, WsListener } from './room-clients';

/**
 * Issue 24 item 11, through a real gateway, Redis and stt worker double: a listener's language
 * becomes a translation target of the speaker's finals only when a translation worker serves the
 * pair, and room creation is counted per key (per address without auth) and capped per hour.
 */
describe('room targets and room creation (issue 24, item 11)', () => {
  let gw: GatewayApp;
  let stt: SttWorkerDouble;
  let http: string;
  const finalJobs: SttJob[] = [];
  const sockets: { terminate(): void }[] = [];

  beforeAll(async () => {
    gw = await startGateway({ ROOM_CREATES_PER_HOUR: '3' });
    stt = sttDouble(gw, {
      finalText: (job) => {
        if (job.kind === 'final') finalJobs.push(job);
        return `words ${job.index}`;
      },
    });
    await gw.running.app
      .get(TranslationDirectoryService)
      .publish('test-worker', [{ source: 'en', target: 'es' }]);
    http = `http://127.0.0.1:${gw.config.gateway.port}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await stt.close();
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  it('adds a served listener language to the targets, never an unserved one', async () => {
    const ws = new WebSocket(`${gw.url}/v1/stream?source=en&room=new&interim_results=false`);
    sockets.push(ws);
    const frames = framesOf(ws);
    const room = await waitFor(() => frames.find((f) => f.type === 'room'), { what: 'room frame' });
    const joined = await postJson(`${http}/v1/rooms/join`, { room: room.room_id });
    for (const language of ['es', 'fr']) {
      const listener = new WsListener({
        base: http,
        roomId: String(room.room_id),
        token: String(joined.body.token),
        language,
      });
      sockets.push(listener.ws);
      await listener.opened;
    }
    await waitFor(
      () =>
        frames.some(
          (f) =>
            f.type === 'room' &&
            (f as RoomFrame).listeners?.fr === 1 &&
            (f as RoomFrame).listeners?.es === 1,
        ),
      { what: 'both listeners counted', timeoutMs: 10_000 },
    );
    await new Promise((r) => setTimeout(r, 1200));
    ws.send(pcmBytes(jfk().subarray(0, 16000 * 2)));
    ws.send('{"type":"finalize"}');
    await waitFor(() => finalJobs.length > 0, { what: 'a final job', timeoutMs: 15_000 });
    expect(finalJobs[0].targets).toContain('es');
    expect(finalJobs[0].targets).not.toContain('fr');
    expect(frames.filter((f) => f.type === 'error')).toEqual([]);
  });

  it('caps room creation per owner per hour: POST /v1/rooms 429, room=new an error frame', async () => {
    // The first test created one room; two more may be created this hour.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await postJson(`${http}/v1/rooms`, {})).status);
    expect(statuses).toEqual([201, 201, 429]);
    const refused = await postJson(`${http}/v1/rooms`, {});
    expect(refused.body.code).toBe('too_many_rooms');
    const ws = new WebSocket(`${gw.url}/v1/stream?source=en&room=new`);
    sockets.push(ws);
    const frames = framesOf(ws);
    await waitFor(() => frames.find((f) => f.type === 'error'), { what: 'the refusal' });
    expect(frames.find((f) => f.type === 'error')).toMatchObject({ code: 'too_many_rooms' });
    expect(frames.some((f) => f.type === 'room')).toBe(false);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses a room key or passcode in the URL (config frames only), naming the way', async () => {
    for (const query of ['room=new&room_passcode=482913', 'room=r_x&room_key=rsk_secret']) {
      const ws = new WebSocket(`${gw.url}/v1/stream?source=en&${query}`);
      sockets.push(ws);
      const frames = framesOf(ws);
      const error = await waitFor(() => frames.find((f) => f.type === 'error'), {
        what: 'the refusal',
      });
      expect(error).toMatchObject({
        code: 'invalid_room',
        message: expect.stringContaining('config frame'),
      });
      expect(frames.some((f) => f.type === 'room')).toBe(false);
    }
  });
});
