import { WebSocket } from 'ws';
import { pcmBytes } from '../helpers/audio';
import { phrases } from '../helpers/phrases';
import { postJson, type RoomFrame, SseListener, WsListener } from './room-clients';
import { RoomCluster, type RoomProcess, Speaker } from './room-cluster';

const SENTENCES = [
  'The cat is black.',
  'The house is red.',
  'I like the green tree.',
  'We are in the city.',
  'The dog sleeps in the garden.',
];
const LANGUAGES = ['original', 'es', 'ca'];
const LISTENERS = 50;
const PASSCODE = '432105';

type Listener = WsListener | SseListener;

/** Finals (by seq) and this language's translations a listener received, over all its connections. */
function received(connections: Listener[], language: string) {
  const frames = connections.flatMap((c) => c.frames);
  const finals = frames.filter((f) => f.type === 'final').map((f) => f.seq as number);
  const translations = frames.filter((f) => f.type === 'translation');
  return {
    finals,
    translations,
    foreign: translations.filter((t) => t.language !== language).length,
  };
}

describe('live rooms: one speaker, 50 listeners in 3 languages on two gateway processes', () => {
  const cluster = new RoomCluster();
  let a: RoomProcess;
  let b: RoomProcess;
  let translation: RoomProcess;

  beforeAll(async () => {
    await cluster.start();
    // The 50 listeners share one listener token and one address (issue 24's per-gateway caps).
    const env = {
      ROOM_LANGUAGE_GRACE_SECONDS: '2',
      ROOM_JOINS_PER_MINUTE: '200',
      ROOM_MAX_LISTENERS_PER_TOKEN: '100',
    };
    [a, b, translation] = await Promise.all([
      cluster.spawn('gateway', env),
      cluster.spawn('gateway', env),
      cluster.spawn('translation'),
    ]);
    cluster.sttDouble({
      finalText: (job) => SENTENCES[(job.index - 1) % SENTENCES.length],
    });
  }, 120_000);

  afterAll(async () => {
    await cluster.stop();
  });

  it('delivers every final once, in order, in each listener language; translates once per language; resumes; refuses listener tokens elsewhere; ends', async () => {
    // The speaker publishes its session as a room on gateway A.
    const speaker = new Speaker(
      `${a.base.replace('http', 'ws')}/v1/stream?source=en`,
      cluster.key,
      { create: true, speaker: 'Ana', passcode: PASSCODE },
    );
    await speaker.opened;
    const room = await speaker.until(() => speaker.last('room'), 'room frame');
    expect(room).toMatchObject({ speaker: 'Ana', passcode: true, status: 'live' });
    expect(room.code).toMatch(/^[A-Z2-9]{6}$/);
    expect(room.join_url).toBe(`${a.base}/room/${room.room_id}`);
    expect(room.qr_svg).toContain('<svg');
    const sessionId = speaker.frames.find((f) => f.type === 'session')!.session_id as string;

    // Joining: the code needs the passcode; the token is for this room only.
    expect((await postJson(`${b.base}/v1/rooms/join`, { code: room.code })).status).toBe(403);
    expect(
      (await postJson(`${b.base}/v1/rooms/join`, { code: room.code, passcode: 'nope' })).body.code,
    ).toBe('wrong_passcode');
    const joined = await postJson(`${b.base}/v1/rooms/join`, {
      code: room.code.toLowerCase(),
      passcode: PASSCODE,
    });
    expect(joined.status).toBe(200);
    const token = joined.body.token as string;
    expect(joined.body.room_id).toBe(room.room_id);

    // 50 listeners: three languages, both gateways, every fifth over SSE.
    const listeners: { language: string; connections: Listener[] }[] = [];
    for (let i = 0; i < LISTENERS; i++) {
      const language = LANGUAGES[i % 3];
      const base = (i % 2 === 0 ? a : b).base;
      const options = { base, roomId: room.room_id as string, token, language };
      const listener = i % 5 === 4 ? new SseListener(options) : new WsListener(options);
      listeners.push({ language, connections: [listener] });
    }
    await Promise.all(listeners.map((l) => l.connections[0].opened));
    for (const l of listeners)
      await l.connections[0].until((() => l.connections[0].of('joined')[0]) as () => RoomFrame);

    // The speaker sees the audience per language; es and ca become room languages.
    const counted = await speaker.until(() => {
      const r = speaker.last('room');
      const total = Object.values((r?.listeners ?? {}) as Record<string, number>).reduce(
        (x, y) => x + y,
        0,
      );
      return total === LISTENERS && r!.languages.join() === 'ca,es' ? r : undefined;
    }, 'listener counts');
    expect(counted.listeners).toEqual({ original: 17, es: 17, ca: 16 });

    // Stream five utterances at ~4x real time.
    const audio = pcmBytes(phrases(...SENTENCES.map((s) => s.toLowerCase().replace('.', ''))));
    const chunk = 3200;
    const dropper = listeners.find((l, i) => l.language === 'es' && i % 2 === 1 && i % 5 !== 4)!;
    let dropped = false;
    for (let offset = 0; offset < audio.length; offset += chunk) {
      speaker.ws.send(audio.subarray(offset, offset + chunk));
      await new Promise((resolve) => setTimeout(resolve, 25));
      const first = dropper.connections[0];
      if (!dropped && first.of('translation').length >= 1) {
        // A phone drops (on gateway B) and comes back on gateway A where it was.
        dropped = true;
        (first as WsListener).ws.terminate();
        await (first as WsListener).closed;
        await new Promise((resolve) => setTimeout(resolve, 300));
        const again = new WsListener({
          base: a.base,
          roomId: room.room_id as string,
          token,
          language: 'es',
          lastId: first.lastId,
        });
        await again.opened;
        dropper.connections.push(again);
      }
    }
    speaker.ws.send(JSON.stringify({ type: 'close' }));
    await speaker.until(() => speaker.last('closed'), 'speaker closed', 60_000);
    expect(dropped).toBe(true);
    expect(dropper.connections[1].of('joined')[0]).toMatchObject({ resumed: true });

    const speakerFinals = speaker.frames.filter((f) => f.type === 'final');
    const n = speakerFinals.length;
    expect(n).toBe(SENTENCES.length);
    const expected = Array.from({ length: n }, (_, i) => i + 1);
    const speakerTranslations = speaker.frames.filter((f) => f.type === 'translation');
    const textOf = new Map(
      speakerTranslations.map((t) => [`${t.seq}:${t.language}`, t.text as string]),
    );

    // Every listener: each final once, in order; each translated listener one translation per final
    // in its language (the speaker session's text), never another language.
    for (const l of listeners) {
      const last = l.connections.at(-1)!;
      await last.until(
        () => {
          const got = received(l.connections, l.language);
          const enough = l.language === 'original' || got.translations.length >= n;
          return got.finals.length >= n && enough;
        },
        30_000,
        `listener ${l.language}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const l of listeners) {
      const got = received(l.connections, l.language);
      expect(got.finals).toEqual(expected);
      expect(got.foreign).toBe(0);
      if (l.language === 'original') {
        expect(got.translations).toHaveLength(0);
        continue;
      }
      expect(got.translations.map((t) => t.seq as number).sort((x, y) => x - y)).toEqual(expected);
      for (const t of got.translations) expect(t.text).toBe(textOf.get(`${t.seq}:${l.language}`));
    }
    // The dropped listener got the rest after reconnecting, and nothing twice (checked above).
    expect(dropper.connections[1].of('final').length).toBeGreaterThan(0);
    const finalsOf = (conn: Listener) => conn.frames.filter((f) => f.type === 'final');
    expect(finalsOf(listeners[0].connections[0]).map((f) => f.text)).toEqual(SENTENCES);
    expect(finalsOf(listeners[0].connections[0])[0]).toMatchObject({
      speaker: 'Ana',
      language: 'en',
    });
    // Interim captions reached listeners, in the original language.
    expect(listeners.some((l) => l.connections.some((c) => c.of('realtime').length > 0))).toBe(
      true,
    );

    // Translation per final = number of active languages (2), not listeners (33 translated).
    expect(speakerTranslations).toHaveLength(n * 2);
    const metrics = await (await fetch(`${translation.health}/metrics`)).text();
    const finalsTranslated = metrics
      .split('\n')
      .filter((line) => line.startsWith('rt_translations_total{') && line.includes('kind="final"'))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    expect(finalsTranslated).toBe(n * 2);

    // A listener token is read-only and for one room.
    const audioWithToken = new WebSocket(`${b.base.replace('http', 'ws')}/v1/stream`, [
      'rt',
      `bearer.${token}`,
    ]);
    const audioStatus = await new Promise<number>((resolve) => {
      audioWithToken.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      audioWithToken.once('open', () => resolve(101));
      audioWithToken.on('error', () => undefined);
    });
    expect(audioStatus).toBe(401);
    const sender = new WsListener({
      base: b.base,
      roomId: room.room_id as string,
      token,
      language: 'es',
    });
    await sender.opened;
    sender.ws.send(Buffer.alloc(640));
    expect(await sender.closed).toBe(1008);
    expect(sender.of('error')[0]).toMatchObject({ code: 'read_only' });
    const other = await postJson(
      `${a.base}/v1/rooms`,
      {},
      { authorization: `Bearer ${cluster.key}` },
    );
    expect(other.status).toBe(201);
    const intruder = new WsListener({
      base: a.base,
      roomId: other.body.room_id as string,
      token,
      language: 'es',
    });
    await expect(intruder.opened).rejects.toThrow('HTTP 403');
    const sseIntruder = new SseListener({
      base: b.base,
      roomId: other.body.room_id as string,
      token,
      language: 'es',
    });
    expect(await sseIntruder.opened).toBe(403);
    const archive = await fetch(`${a.base}/v1/sessions/${sessionId}/transcript?format=json`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(archive.status).toBe(401);

    // The archive (owner's key) keeps the original and every language used.
    const owner = await fetch(`${b.base}/v1/sessions/${sessionId}/transcript?format=json`, {
      headers: { authorization: `Bearer ${cluster.key}` },
    });
    expect(owner.status).toBe(200);
    const archived = JSON.stringify(await owner.json());
    for (const s of SENTENCES) expect(archived).toContain(s);
    for (const t of speakerTranslations) expect(archived).toContain(t.text as string);

    // Ending the room (speaker key, on the other gateway) closes every listener with the reason.
    const live = listeners.map((l) => l.connections.at(-1)!);
    expect((await fetch(`${b.base}/v1/rooms/${room.room_id}`, { method: 'DELETE' })).status).toBe(
      403,
    );
    const end = await fetch(`${b.base}/v1/rooms/${room.room_id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${room.room_key}` },
    });
    expect(end.status).toBe(200);
    for (const l of live) {
      await l.until(() => l.closeCode !== undefined, 10_000, 'closed');
      expect(l.of('ended')).toEqual([expect.objectContaining({ reason: 'room_ended' })]);
      if (l instanceof WsListener) expect(l.closeCode).toBe(4020);
    }
    expect(
      (await postJson(`${a.base}/v1/rooms/join`, { room: room.room_id, passcode: PASSCODE }))
        .status,
    ).toBe(410);
  }, 180_000);
});
