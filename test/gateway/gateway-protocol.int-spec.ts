import { concatPcm, espeak, jfk, pcmBytes, silence } from '../helpers/audio';
import { PHRASE_A, PHRASE_B, PHRASE_C, phrases } from '../helpers/phrases';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { type Frame, TestClient } from '../helpers/ws-client';

describe('gateway protocol (real Redis, real VAD, stt double)', () => {
  let gw: GatewayApp;
  let stt: SttWorkerDouble;
  const delays = new Map<string, number>();
  const texts = new Map<string, string>();
  const clients: TestClient[] = [];

  async function connect(query = '', path = '/'): Promise<TestClient> {
    const client = await TestClient.connect(`${gw.url}${path}${query ? `?${query}` : ''}`);
    clients.push(client);
    return client;
  }

  const finalsOf = (client: TestClient): Frame[] => client.of('final');

  beforeAll(async () => {
    gw = await startGateway({ MAX_FRAME_BYTES: '65536' });
    stt = sttDouble(gw, {
      translate: true,
      delayMs: (job) => delays.get(`${job.kind}:${job.index}`) ?? 0,
      finalText: (job) => texts.get(`${job.sessionId}:${job.index}`) ?? `utterance ${job.index}`,
    });
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.ws.terminate();
    delays.clear();
    texts.clear();
  });

  afterAll(async () => {
    await stt.close();
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  it("serves the seed's minimal client: plain URL, binary 16 kHz PCM16, realtime text and translation", async () => {
    const client = await connect();
    client.sendPcm(concatPcm(jfk(), silence(1.5)));
    const realtime = await client.next((f) => f.type === 'realtime', { what: 'realtime frame' });
    expect(typeof realtime.text).toBe('string');
    expect(realtime.text).toMatch(/^utterance \d+ \(interim \d+\)$/);
    expect(realtime.translation).toBe('');
    await client.waitCount('final', 1);
    for (const frame of client.of('realtime')) {
      expect(Object.keys(frame)).toEqual(expect.arrayContaining(['text', 'translation']));
    }
    const session = client.of('session')[0];
    expect(session.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(session.config).toMatchObject({ sample_rate: 16000, encoding: 'pcm_s16le' });
    const final = finalsOf(client)[0];
    expect(final).toMatchObject({ seq: 1, id: '1-0', text: 'utterance 1', worker: 'stt-double' });
    expect(final.utterance_id).toBe(`${session.session_id}:1`);
    expect(final.end).toBeGreaterThan(final.start);
    // A client that reads only realtime frames still gets the final text.
    const echo = await client.next((f) => f.type === 'realtime' && f.final === true, {
      what: 'realtime echo of the final',
    });
    expect(echo).toMatchObject({
      text: 'utterance 1',
      translation: '',
      utterance_id: final.utterance_id,
    });
  });

  it('echoes final translations as realtime frames for realtime-only clients, unless turned off', async () => {
    const client = await connect('source=en&targets=es');
    client.sendPcm(phrases(PHRASE_A));
    await client.waitCount('translation', 1);
    await waitFor(() => client.of('realtime').filter((f) => f.final === true).length === 2, {
      what: 'two realtime echoes',
    });
    const echoes = client.of('realtime').filter((f) => f.final === true);
    const translation = client.of('translation')[0];
    expect(echoes.map((f) => [f.text, f.translation, f.final])).toEqual([
      [finalsOf(client)[0].text, '', true],
      [finalsOf(client)[0].text, translation.text, true],
    ]);

    const quiet = await connect('source=en&targets=es&realtime_finals=false');
    quiet.sendPcm(phrases(PHRASE_A));
    await quiet.waitCount('translation', 1);
    expect(quiet.of('realtime').length).toBeGreaterThan(0);
    expect(quiet.of('realtime').filter((f) => f.final === true)).toHaveLength(0);
  });

  it("appends a speculation finished before the threshold at the gateway's confirm: one final, translations after it", async () => {
    const client = await connect('targets=es&interim_results=false');
    const session = await client.next((f) => f.type === 'session', { what: 'session frame' });
    // Speech and a pause long enough to speculate, not to end the utterance; the rest once the
    // worker has offered the speculation's final.
    const speech = espeak(PHRASE_A);
    let end = speech.length;
    while (end > 0 && Math.abs(speech[end - 1]) < 100) end--;
    client.sendPcm(concatPcm(silence(0.5), speech.subarray(0, end), silence(0.35)));
    await waitFor(() => stt.offered.some((job) => job.sessionId === session.session_id), {
      what: 'the offered speculation',
    });
    client.sendPcm(silence(1.5));
    const [final] = await client.waitCount('final', 1);
    await client.waitCount('translation', 1);
    await waitFor(
      () => stt.appendedByGateway.some((job) => job.utteranceId === final.utterance_id),
      {
        what: "the double to see the gateway's append",
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.frames.filter((f) => f.type === 'final' || f.type === 'translation')).toEqual([
      expect.objectContaining({ type: 'final', seq: 1, text: 'utterance 1' }),
      expect.objectContaining({ type: 'translation', seq: 1, language: 'es' }),
    ]);
  });

  it('serves the native protocol on /v1/stream, as on its alias /', async () => {
    for (const path of ['/v1/stream', '/v1/stream/', '/']) {
      const client = await connect('source=en&interim_results=false', path);
      client.sendPcm(phrases(PHRASE_A));
      await client.waitCount('final', 1);
      expect(client.of('session')[0].config).toMatchObject({ source: 'en' });
    }
  });

  it('takes config from the query on /v1/stream; translations follow their final', async () => {
    const client = await connect('source=en&targets=es,de&interim_results=false', '/v1/stream');
    client.sendPcm(phrases(PHRASE_A, PHRASE_B));
    await client.waitCount('translation', 4);
    const session = client.of('session')[0];
    expect(session.config).toMatchObject({ source: 'en', targets: ['es', 'de'] });
    expect(client.of('realtime')).toHaveLength(0);
    const order = client.frames
      .filter((f) => f.type === 'final' || f.type === 'translation')
      .map((f) => `${f.type}:${f.seq}${f.type === 'translation' ? `:${f.language}` : ''}`);
    expect(order).toEqual([
      'final:1',
      'translation:1:es',
      'translation:1:de',
      'final:2',
      'translation:2:es',
      'translation:2:de',
    ]);
    const jobs = stt.finals().filter((j) => j.sessionId === session.session_id);
    expect(jobs.map((j) => [j.language, j.targets])).toEqual([
      ['en', ['es', 'de']],
      ['en', ['es', 'de']],
    ]);
  });

  it('shows interim translations in realtime frames when asked to', async () => {
    const client = await connect('targets=es&interim_translations=true');
    client.sendPcm(phrases(PHRASE_A));
    const translated = await client.next((f) => f.type === 'realtime' && f.translation !== '', {
      what: 'a realtime frame with a translation',
    });
    expect(translated.translation).toMatch(/^es: utterance 1 \(interim \d+\)$/);
    expect(translated.text).toMatch(/^utterance 1 \(interim \d+\)$/);
    await client.waitCount('translation', 1);
  });

  it('switches languages mid-stream with a config frame, without reconnecting', async () => {
    const client = await connect('targets=es');
    const sessionId = (await client.next((f) => f.type === 'session')).session_id as string;
    client.sendPcm(phrases(PHRASE_A));
    await client.waitCount('translation', 1);
    client.sendJson({ type: 'config', source: 'de', targets: ['fr', 'ca'] });
    await client.waitCount('session', 2);
    expect(client.of('session')[1].config).toMatchObject({ source: 'de', targets: ['fr', 'ca'] });
    client.sendPcm(phrases(PHRASE_B));
    await client.waitCount('translation', 3);
    expect(client.of('translation').map((t) => `${t.seq}:${t.language}`)).toEqual([
      '1:es',
      '2:fr',
      '2:ca',
    ]);
    const jobs = stt.finals().filter((j) => j.sessionId === sessionId);
    expect(jobs.map((j) => j.language)).toEqual(['auto', 'de']);
  });

  it('ends the utterance at once on finalize (push-to-talk)', async () => {
    const client = await connect('interim_results=false');
    const sessionId = (await client.next((f) => f.type === 'session')).session_id as string;
    // Speech with no silence after it: only finalize can end it.
    client.sendPcm(concatPcm(silence(0.3), espeak(PHRASE_C)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(finalsOf(client)).toHaveLength(0);
    client.sendJson({ type: 'finalize' });
    await client.waitCount('final', 1);
    const job = stt.finals().find((j) => j.sessionId === sessionId)!;
    expect(job.endSec - job.startSec).toBeGreaterThan(1.5);
  });

  it('close drains: everything spoken is transcribed and delivered, then closed and 1000', async () => {
    const client = await connect('targets=es&interim_results=false');
    const sessionId = (await client.next((f) => f.type === 'session')).session_id as string;
    delays.set('final:1', 400);
    delays.set('final:2', 400);
    // The second phrase is still being spoken when close arrives.
    client.sendPcm(concatPcm(phrases(PHRASE_A), espeak(PHRASE_B)));
    client.sendJson({ type: 'close' });
    const closed = await client.closed;
    expect(closed.code).toBe(1000);
    // Each translation follows its own final; a translation may come after the next final.
    const delivered = client.frames.map((f) =>
      f.type === 'final' || f.type === 'translation'
        ? `${f.type} ${String(f.utterance_id)}`
        : f.type,
    );
    expect(delivered[0]).toBe('session');
    expect([...delivered.slice(1, -1)].sort()).toEqual([
      `final ${sessionId}:1`,
      `final ${sessionId}:2`,
      `translation ${sessionId}:1`,
      `translation ${sessionId}:2`,
    ]);
    for (const n of [1, 2]) {
      expect(delivered.indexOf(`translation ${sessionId}:${n}`)).toBeGreaterThan(
        delivered.indexOf(`final ${sessionId}:${n}`),
      );
    }
    expect(client.frames.at(-1)).toEqual({ type: 'closed', last_seq: 2 });
    expect(finalsOf(client).map((f) => f.utterance_id)).toEqual([
      `${sessionId}:1`,
      `${sessionId}:2`,
    ]);
  });

  it('delivers finals in utterance order when the stt workers finish out of order', async () => {
    const client = await connect('interim_results=false');
    delays.set('final:1', 1500);
    delays.set('final:2', 600);
    client.sendPcm(phrases(PHRASE_A, PHRASE_B, PHRASE_C));
    await client.waitCount('final', 3);
    const session = client.of('session')[0].session_id as string;
    expect(finalsOf(client).map((f) => [f.seq, f.utterance_id])).toEqual([
      [1, `${session}:1`],
      [2, `${session}:2`],
      [3, `${session}:3`],
    ]);
  });

  it('skips finals without speech and keeps seq increasing by exactly one', async () => {
    const client = await connect('targets=es&interim_results=false');
    const session = (await client.next((f) => f.type === 'session')).session_id as string;
    texts.set(`${session}:2`, '');
    client.sendPcm(phrases(PHRASE_A, PHRASE_B, PHRASE_C));
    await client.waitCount('final', 2);
    client.sendJson({ type: 'close' });
    await client.closed;
    expect(finalsOf(client).map((f) => [f.seq, f.utterance_id])).toEqual([
      [1, `${session}:1`],
      [2, `${session}:3`],
    ]);
    expect(client.of('translation').map((t) => t.seq)).toEqual([1, 2]);
  });

  it('resamples 48 kHz float32 audio to 16 kHz for the stt queue', async () => {
    const client = await connect('sample_rate=48000&encoding=pcm_f32le&interim_results=false');
    const session = (await client.next((f) => f.type === 'session')).session_id as string;
    const speech = concatPcm(silence(0.5, 48000), espeak(PHRASE_A, 48000), silence(1.5, 48000));
    const floats = Buffer.alloc(speech.length * 4);
    speech.forEach((v, i) => floats.writeFloatLE(v / 32768, i * 4));
    for (let i = 0; i < floats.length; i += 9600) client.ws.send(floats.subarray(i, i + 9600));
    await client.waitCount('final', 1);
    const job = stt.finals().find((j) => j.sessionId === session)!;
    const seconds = stt.audioSeconds.get(`${job.utteranceId}:${job.revision}`)!;
    expect(seconds).toBeCloseTo(job.endSec - job.startSec, 1);
    const spoken = espeak(PHRASE_A).length / 16000;
    expect(job.endSec - job.startSec).toBeGreaterThan(spoken * 0.7);
    expect(job.endSec - job.startSec).toBeLessThan(spoken + 1.2);
  });

  it('switches the sample rate mid-stream with a config frame', async () => {
    const client = await connect('interim_results=false');
    const session = (await client.next((f) => f.type === 'session')).session_id as string;
    client.sendPcm(phrases(PHRASE_A));
    await client.waitCount('final', 1);
    client.sendJson({ type: 'config', sample_rate: 8000 });
    await client.waitCount('session', 2);
    expect(client.of('session')[1].config.sample_rate).toBe(8000);
    const slow = concatPcm(silence(0.5, 8000), espeak(PHRASE_B, 8000), silence(1.5, 8000));
    client.sendPcm(slow, 800);
    await client.waitCount('final', 2);
    const job = stt.finals().filter((j) => j.sessionId === session)[1];
    const spoken = espeak(PHRASE_B).length / 16000;
    expect(job.endSec - job.startSec).toBeGreaterThan(spoken * 0.7);
    expect(job.endSec - job.startSec).toBeLessThan(spoken + 1.2);
    // Stream time continues across the switch: the second utterance starts after the first.
    expect(job.startSec).toBeGreaterThan(
      stt.finals().filter((j) => j.sessionId === session)[0].endSec,
    );
  });

  it('buffers odd-length PCM16 frames instead of dropping bytes', async () => {
    const audio = phrases(PHRASE_A);
    const whole = await connect('interim_results=false');
    const wholeId = (await whole.next((f) => f.type === 'session')).session_id as string;
    whole.sendPcm(audio, 1600);
    const odd = await connect('interim_results=false');
    const oddId = (await odd.next((f) => f.type === 'session')).session_id as string;
    const bytes = pcmBytes(audio);
    for (let i = 0; i < bytes.length; i += 3201) odd.ws.send(bytes.subarray(i, i + 3201));
    await whole.waitCount('final', 1);
    await odd.waitCount('final', 1);
    const a = stt.finals().find((j) => j.sessionId === wholeId)!;
    const b = stt.finals().find((j) => j.sessionId === oddId)!;
    expect([b.startSec, b.endSec]).toEqual([a.startSec, a.endSec]);
  });

  describe('bad input', () => {
    it('answers invalid JSON and unknown types with an error frame; the session goes on', async () => {
      const client = await connect('interim_results=false');
      client.ws.send('{not json');
      client.sendJson({ type: 'sing' });
      client.sendJson({ type: 'config', source: 'klingon!' });
      client.sendJson({ type: 'keepalive' });
      await client.waitCount('error', 3);
      expect(client.of('error').map((e) => e.code)).toEqual([
        'invalid_json',
        'unknown_type',
        'invalid_config',
      ]);
      for (const e of client.of('error')) expect(e.message.length).toBeGreaterThan(10);
      client.sendPcm(phrases(PHRASE_A));
      await client.waitCount('final', 1);
    });

    it.each([
      ['sample_rate=96000', 4001, /sample_rate/],
      ['sample_rate=abc', 4001, /sample_rate/],
      ['encoding=opus', 4002, /encoding/],
      ['resume=not-a-token', 4003, /resume token/],
      ['resume=x&last_seq=-1', 4000, /last_seq/],
    ])('refuses %s with an error frame then close %i and a reason', async (query, code, reason) => {
      const client = new TestClient(`${gw.url}/?${query}`);
      clients.push(client);
      const closed = await client.closed;
      expect(closed.code).toBe(code);
      expect(closed.reason).toMatch(reason);
      expect(client.frames.map((f) => f.type)).toEqual(['error']);
    });

    it('closes with 4001 when a config frame asks for an unsupported rate mid-stream', async () => {
      const client = await connect();
      client.sendJson({ type: 'config', sample_rate: 4000 });
      const closed = await client.closed;
      expect(closed.code).toBe(4001);
      expect(client.of('error')[0].code).toBe('unsupported_sample_rate');
    });

    it('closes with 1009 when a frame is larger than MAX_FRAME_BYTES', async () => {
      const client = await connect();
      client.ws.send(Buffer.alloc(65537));
      expect((await client.closed).code).toBe(1009);
    });

    it('answers 404 to other paths', async () => {
      const client = new TestClient(`${gw.url}/nope`);
      clients.push(client);
      await expect(client.opened).rejects.toThrow('HTTP 404');
    });
  });

  it("keeps two concurrent sessions apart, and one client's bad input away from the other", async () => {
    const a = await connect('targets=es&interim_results=false');
    const b = await connect('targets=de&interim_results=false');
    const aId = (await a.next((f) => f.type === 'session')).session_id as string;
    const bId = (await b.next((f) => f.type === 'session')).session_id as string;
    expect(aId).not.toBe(bId);
    a.sendPcm(phrases(PHRASE_A, PHRASE_B));
    b.sendPcm(phrases(PHRASE_C));
    a.ws.send('garbage');
    a.ws.send(Buffer.alloc(70000));
    expect((await a.closed).code).toBe(1009);
    await b.waitCount('translation', 1);
    b.sendPcm(phrases(PHRASE_A));
    await b.waitCount('translation', 2);
    for (const frame of b.frames.filter((f) => f.utterance_id)) {
      expect(frame.utterance_id.startsWith(`${bId}:`)).toBe(true);
    }
    expect(b.of('error')).toHaveLength(0);
    expect(b.of('translation').map((t) => t.language)).toEqual(['de', 'de']);
    expect(finalsOf(b).map((f) => f.seq)).toEqual([1, 2]);
    // a's frames never carried b's utterances.
    for (const frame of a.frames.filter((f) => f.utterance_id)) {
      expect(frame.utterance_id.startsWith(`${aId}:`)).toBe(true);
    }
  });
});
