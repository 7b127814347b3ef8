import { TranslationDirectoryService } from 'src/translation';
import { pcmBytes } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { phrases, PHRASE_A, PHRASE_B } from '../helpers/phrases';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { runCli, writeClip } from '../clients/cli-helpers';
import { postJson, WsListener } from './room-clients';
import { Speaker } from './room-cluster';

describe('live rooms: several speakers, language grace, listener caps, join rate limit', () => {
  let gateway: GatewayApp;
  let stt: SttWorkerDouble;
  let http: string;
  let ws: string;
  const open: WsListener[] = [];

  beforeAll(async () => {
    gateway = await startGateway({
      ROOM_MAX_LISTENERS: '3',
      ROOM_MAX_LISTENERS_PER_KEY: '4',
      ROOM_JOINS_PER_MINUTE: '6',
      ROOM_LANGUAGE_GRACE_SECONDS: '1',
    });
    stt = sttDouble(gateway, { translate: true, finalText: (job) => `words ${job.index}` });
    // The double translates as the translation role would, so it advertises what that role serves
    // (listener languages become targets only when served, issue 24 item 11).
    await gateway.running.app.get(TranslationDirectoryService).publish('test-double', [
      { source: 'en', target: 'es' },
      { source: 'en', target: 'ca' },
    ]);
    http = `http://127.0.0.1:${gateway.config.gateway.port}`;
    ws = gateway.url;
  });

  afterAll(async () => {
    for (const l of open) l.ws.terminate();
    await stt?.close();
    await gateway?.running.close();
    if (gateway) await cleanupPrefix(gateway.config.redis.prefix);
  });

  const listen = async (roomId: string, token: string, language: string): Promise<WsListener> => {
    const l = new WsListener({ base: http, roomId, token, language });
    open.push(l);
    await l.opened;
    return l;
  };

  it('publishes a room from the CLI (--room --speaker) and prints the code, link and speaker key', async () => {
    const { path } = writeClip([{ language: 'en', text: 'Hello from the command line.' }]);
    const run = await runCli([
      path,
      '--url',
      ws,
      '--source',
      'en',
      '--room',
      '--speaker',
      'Cli',
      '--fast',
    ]);
    expect(run.code).toBe(0);
    const printed = /room ([A-Z2-9]{6}): (http:\/\/\S+\/room\/(r_\S+))/.exec(run.stderr);
    expect(printed).not.toBeNull();
    expect(run.stderr).toMatch(/speaker key \(more speakers, end the room\): rsk_/);
    // The code joins that room, and its transcript so far holds what the CLI said, labelled.
    const joined = await postJson(`${http}/v1/rooms/join`, { code: printed![1] });
    expect(joined.body.room_id).toBe(printed![3]);
    const listener = await listen(printed![3], joined.body.token as string, 'original');
    await listener.until(() => listener.of('final').length >= 1, 10_000, 'the transcript so far');
    expect(listener.of('final')[0]).toMatchObject({ seq: 1, speaker: 'Cli' });
    // Its place under the (anonymous) key's listener cap is released.
    listener.ws.close();
    await listener.closed;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }, 60_000);

  it('labels each speaker, adds a language with its first listener and drops it after the grace, caps listeners per room and per key, limits joins', async () => {
    const ana = new Speaker(`${ws}/v1/stream?source=en&room=new&speaker=Ana`, '');
    const room = await ana.until(() => ana.last('room'), 'room frame');
    const roomId = room.room_id as string;
    // A second microphone joins the room with its key.
    const ben = new Speaker(`${ws}/v1/stream?source=en`, '', {
      id: roomId,
      key: room.room_key,
      speaker: 'Ben',
    });
    const benRoom = await ben.until(() => ben.last('room'), 'second speaker room frame');
    expect(benRoom).toMatchObject({ room_id: roomId, speaker: 'Ben' });
    expect(benRoom.room_key).toBeUndefined();
    // A wrong key is refused (the session goes on without a room).
    const eve = new Speaker(`${ws}/v1/stream`, '', { id: roomId, key: 'rsk_wrong' });
    await eve.until(() => eve.last('error'), 'refusal');
    expect(eve.last('error')).toMatchObject({ code: 'room_not_found' });
    eve.ws.close();

    const joined = await postJson(`${http}/v1/rooms/join`, { code: room.code });
    const token = joined.body.token as string;
    const original = await listen(roomId, token, 'original');
    const spanish = await listen(roomId, token, 'es');
    await ana.until(() => (ana.last('room')?.languages as string[]).includes('es'), 'es active');

    for (const [speaker, text] of [
      [ana, PHRASE_A],
      [ben, PHRASE_B],
    ] as const) {
      speaker.ws.send(pcmBytes(phrases(text)));
      speaker.ws.send(JSON.stringify({ type: 'close' }));
      await speaker.until(() => speaker.last('closed'), 'drained', 30_000);
    }
    await original.until(() => original.of('final').length >= 2, 10_000, 'two finals');
    expect(original.of('final').map((f) => [f.seq, f.speaker])).toEqual([
      [1, 'Ana'],
      [2, 'Ben'],
    ]);
    await spanish.until(() => spanish.of('translation').length >= 2, 10_000, 'two translations');
    expect(spanish.of('translation').map((t) => [t.seq, t.speaker, t.language])).toEqual([
      [1, 'Ana', 'es'],
      [2, 'Ben', 'es'],
    ]);

    // A third listener fills the room (cap 3); the fourth is refused.
    const third = await listen(roomId, token, 'ca');
    await expect(listen(roomId, token, 'de')).rejects.toThrow('HTTP 429');
    // Another room of the same (anonymous) owner: one more place for the key (cap 4), then no.
    const other = await postJson(`${http}/v1/rooms`, {});
    const otherToken = (await postJson(`${http}/v1/rooms/join`, { room: other.body.room_id })).body
      .token as string;
    await listen(other.body.room_id as string, otherToken, 'original');
    await expect(listen(other.body.room_id as string, otherToken, 'es')).rejects.toThrow(
      'HTTP 429',
    );
    // A listener leaving frees its place.
    third.ws.close();
    await third.closed;
    await waitFor(
      async () => {
        const l = new WsListener({ base: http, roomId, token, language: 'ca' });
        open.push(l);
        return l.opened.then(
          () => true,
          () => false,
        );
      },
      { what: 'a free place again', timeoutMs: 5000, intervalMs: 200 },
    );

    // Spanish is dropped after its last listener left plus the grace period (1 s).
    const watcher = new Speaker(`${ws}/v1/stream?source=en`, '', {
      id: roomId,
      key: room.room_key,
      speaker: 'Watch',
    });
    await watcher.until(() => (watcher.last('room')?.languages as string[])?.includes('es'), 'es');
    spanish.ws.close();
    await spanish.closed;
    const left = Date.now();
    await watcher.until(
      () => !(watcher.last('room')?.languages as string[]).includes('es'),
      'es dropped',
      10_000,
    );
    expect(Date.now() - left).toBeGreaterThanOrEqual(900);
    watcher.ws.close();

    // Joins per address per minute (6): refused with 429 once they are used up.
    const statuses: number[] = [];
    for (let i = 0; i < 14 && statuses.at(-1) !== 429; i++) {
      statuses.push((await postJson(`${http}/v1/rooms/join`, { code: 'ZZZZZZ' })).status);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((status) => status === 404)).toBe(true);
  }, 90_000);
});
