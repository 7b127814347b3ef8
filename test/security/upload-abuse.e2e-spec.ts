import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { WebSocket } from 'ws';
import { encodeWavBuffer } from 'src/common/audio/wav-buffer';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { UsageService } from 'src/persistence/usage/usage.service';
import { jfk, pcmBytes } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { closeOf, framesOf, upgrade } from '../helpers/upgrade';
import { Client } from 'pg';
import { createTestDatabase, PG_ADMIN_URL, type TestDatabase } from '../helpers/database';

const SECRET = 'upload-abuse-secret-0123456789abcdefghij';
const RATES = '8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000';
const MAX_AUDIO_SECONDS = 60;

/** `seconds` of silence in a container ffmpeg writes (`flac`, `mp3`, ...). */
function silentFile(seconds: number, extension: string): Buffer {
  const out = join(mkdtempSync(join(tmpdir(), 'rt-abuse-')), `silence.${extension}`);
  execFileSync('ffmpeg', [
    ...['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono'],
    ...['-t', String(seconds), out],
  ]);
  return readFileSync(out);
}

/** jfk's speech at `rate`, padded with silence to `seconds`, as a WAV. */
function speechWav(rate: number, seconds: number): Buffer {
  const speech = jfk(rate);
  const pcm = new Int16Array(Math.round(rate * seconds));
  pcm.set(speech.subarray(0, pcm.length));
  return encodeWavBuffer(pcm, rate);
}

/**
 * Hostile upload and rate clients against one real gateway (Redis, VAD, SQLite store; an stt
 * worker double answers the jobs) while a well-behaved live session keeps getting its finals.
 */
describe('upload and sample-rate abuse (real gateway, official OpenAI client)', () => {
  let gw: GatewayApp;
  let stt: SttWorkerDouble;
  let key: string;
  let keyId: string;
  let client: OpenAI;
  let good: { ws: WebSocket; frames: Record<string, unknown>[]; keepalive: NodeJS.Timeout };

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
  }

  const upload = async (data: Buffer, name: string) =>
    client.audio.transcriptions.create({ file: await toFile(data, name), model: 'whisper-1' });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the upload to be refused');
      },
      (caught: unknown) => caught as InstanceType<typeof OpenAI.APIError>,
    );

  beforeAll(async () => {
    gw = await startGateway({
      AUTH_REQUIRED: 'true',
      JWT_SECRET: SECRET,
      JWT_KID: 'k1',
      OPENAI_MAX_FILE_BYTES: String(8 * 1024 * 1024),
      OPENAI_MAX_AUDIO_SECONDS: String(MAX_AUDIO_SECONDS),
      OPENAI_UPLOADS_PER_KEY: '1',
      OPENAI_MAX_CONCURRENT_UPLOADS: '1',
    });
    stt = sttDouble(gw, { delayMs: (job) => (job.upload ? 300 : 0) });
    const created = await gw.running.app.get(ApiKeyService).create({ name: 'abuse' });
    key = created.key;
    keyId = created.record.id;
    client = new OpenAI({
      apiKey: key,
      baseURL: `http://127.0.0.1:${gw.config.gateway.port}/v1`,
      maxRetries: 0,
    });
    const ws = new WebSocket(`${gw.url}/?sample_rate=16000`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    const frames = framesOf(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await waitFor(() => frames.find((f) => f.type === 'session'), { what: 'session frame' });
    good = { ws, frames, keepalive: setInterval(() => ws.send('{"type":"keepalive"}'), 500) };
  });

  afterAll(async () => {
    clearInterval(good?.keepalive);
    good?.ws.terminate();
    await stt?.close();
    await gw?.running.close();
    if (gw) await cleanupPrefix(gw.config.redis.prefix);
  });

  describe('sample rates (issue 24, item 1)', () => {
    const auth = () => ({ headers: { Authorization: `Bearer ${key}` } });

    it('closes a native connect with an odd sample_rate with 4001, naming the rates', async () => {
      const ws = new WebSocket(`${gw.url}/?sample_rate=8001`, auth());
      const frames = framesOf(ws);
      const closed = closeOf(ws);
      expect((await closed).code).toBe(4001);
      expect(frames.find((f) => f.type === 'error')).toMatchObject({
        code: 'unsupported_sample_rate',
        message: `sample_rate "8001" is not supported: use one of ${RATES}`,
      });
      await goodSessionStillServed();
    });

    it('closes a session whose config frame asks for an odd rate mid-session', async () => {
      const ws = new WebSocket(`${gw.url}/?sample_rate=16000`, auth());
      const frames = framesOf(ws);
      const closed = closeOf(ws);
      await waitFor(() => frames.find((f) => f.type === 'session'), { what: 'session frame' });
      ws.send(JSON.stringify({ type: 'config', sample_rate: 44101 }));
      expect((await closed).code).toBe(4001);
      expect(frames.find((f) => f.type === 'error')).toMatchObject({
        code: 'unsupported_sample_rate',
      });
    });

    it("refuses Deepgram's sample_rate outside the list with 400 before the socket opens", async () => {
      const refused = await upgrade(
        `ws://127.0.0.1:${gw.config.gateway.port}/v1/listen?encoding=linear16&sample_rate=8003`,
        { headers: { Authorization: `Token ${key}` } },
      );
      expect(refused.status).toBe(400);
      expect('body' in refused && refused.body).toContain(`sample_rate must be one of ${RATES}`);
      const accepted = await upgrade(
        `ws://127.0.0.1:${gw.config.gateway.port}/v1/listen?encoding=linear16&sample_rate=44100`,
        { headers: { Authorization: `Token ${key}` } },
      );
      expect(accepted.status).toBe(101);
      if ('ws' in accepted) accepted.ws.close();
    });

    it('does not grow the gateway by a filter per WAV rate; odd-rate WAVs are still read', async () => {
      // Filters are Float32Arrays: their bytes count under arrayBuffers, not the heap.
      const held = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
      const heapBefore = held();
      for (let i = 0; i < 30; i++) {
        const rate = 383_999 - 2 * i;
        // 0.1 s of silence at a rate outside the list: read all the same (ffmpeg resamples it).
        const result = await upload(
          encodeWavBuffer(new Int16Array(Math.floor(rate / 10)), rate),
          'a.wav',
        );
        expect(result.text).toBe('');
      }
      const heapGrowth = held() - heapBefore;
      // Old code: a filter of ~6.8 MB per rate near 384 kHz in the gateway, 200 MB for these 30.
      expect(heapGrowth).toBeLessThan(60 * 1024 * 1024);
      const common = await upload(speechWav(44100, 3), 'speech.wav');
      expect(common.text.length).toBeGreaterThan(0);
      await goodSessionStillServed();
    });
  });

  describe('upload bounds (issue 24, item 2)', () => {
    const usedSeconds = async (): Promise<number> =>
      gw.running.app.get(UsageService).audioSecondsThisHour(keyId);

    it('refuses a FLAC longer than OPENAI_MAX_AUDIO_SECONDS by its header, with 413 naming the limit', async () => {
      const before = await usedSeconds();
      const error = await failure(upload(silentFile(600, 'flac'), 'long.flac'));
      expect(error.status).toBe(413);
      expect(error.message).toContain(
        `the audio (600 s) is longer than the ${MAX_AUDIO_SECONDS} s this server accepts`,
      );
      expect(await usedSeconds()).toBeCloseTo(before, 0);
      await goodSessionStillServed();
    });

    it('stops ffmpeg at the limit when the header does not tell the length', async () => {
      // FLAC's STREAMINFO with "total samples unknown": only decoding finds out.
      const flac = Buffer.from(silentFile(600, 'flac'));
      flac[21] &= 0xf0;
      flac.fill(0, 22, 26);
      const error = await failure(upload(flac, 'unknown-length.flac'));
      expect(error.status).toBe(413);
      expect(error.message).toContain(`longer than the ${MAX_AUDIO_SECONDS} s`);
      await goodSessionStillServed();
    });

    it('refuses a WAV longer than the limit from its header', async () => {
      const error = await failure(
        upload(encodeWavBuffer(new Int16Array(16000 * 90), 16000), 'a.wav'),
      );
      expect(error.status).toBe(413);
      expect(error.message).toContain('the audio (90 s) is longer than');
    });

    it('reads a long 44.1 kHz WAV while the live session keeps its finals', async () => {
      const transcribing = upload(speechWav(44100, 50), 'long.wav');
      await goodSessionStillServed();
      expect((await transcribing).text).toContain('utterance');
    });
  });

  describe('closing refused bodies (issue 24, item 21)', () => {
    it('answers a declared-too-large upload with 413 and closes instead of reading on', async () => {
      const socket = connect(gw.config.gateway.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => undefined);
      socket.write(
        [
          'POST /v1/audio/transcriptions HTTP/1.1',
          'Host: 127.0.0.1',
          `Authorization: Bearer ${key}`,
          'Content-Type: multipart/form-data; boundary=x',
          `Content-Length: ${1024 * 1024 * 1024}`,
          '',
          '',
        ].join('\r\n'),
      );
      // Keeps sending, as a client would with a gigabyte to go.
      const feed = setInterval(() => socket.writable && socket.write(Buffer.alloc(64 * 1024)), 20);
      const outcome = await Promise.race([
        closed.then(() => 'closed'),
        new Promise((resolve) => setTimeout(() => resolve('still open'), 5000)),
      ]);
      clearInterval(feed);
      socket.destroy();
      expect(answer).toMatch(/^HTTP\/1\.1 413/);
      expect(answer.toLowerCase()).toContain('connection: close');
      expect(outcome).toBe('closed');
    });
  });

  describe('internal errors (issue 24, item 20)', () => {
    it("answers a worker's failure without its internal text", async () => {
      const failing = sttDouble(gw, { failFinal: () => true });
      await stt.close();
      try {
        const error = await failure(upload(speechWav(16000, 3), 'speech.wav'));
        expect(error.status).toBe(500);
        expect(error.message).not.toContain('the test double failed this utterance');
        expect(error.message).toMatch(/could not be transcribed/);
      } finally {
        await failing.close();
        stt = sttDouble(gw, { delayMs: (job) => (job.upload ? 300 : 0) });
      }
    });
  });
});

describe('upload places and quota (issue 24, item 6; real gateway, official OpenAI client)', () => {
  let gw: GatewayApp;
  let stt: SttWorkerDouble;
  let keys: ApiKeyService;
  const base = () => `http://127.0.0.1:${gw.config.gateway.port}/v1`;
  const clientOf = (apiKey: string) => new OpenAI({ apiKey, baseURL: base(), maxRetries: 0 });
  const speech = speechWav(16000, 4);
  let longFlac: Buffer | undefined;
  // Two hours of silence (7000 s, under the 7200 s limit): seconds of ffmpeg on one thread.
  const twoHours = (): Buffer => (longFlac ??= silentFile(7000, 'flac'));
  const send = async (as: OpenAI) =>
    as.audio.transcriptions.create({
      file: await toFile(speech, 'speech.wav'),
      model: 'whisper-1',
    });

  beforeAll(async () => {
    gw = await startGateway({
      AUTH_REQUIRED: 'true',
      JWT_SECRET: SECRET,
      JWT_KID: 'k1',
      OPENAI_UPLOADS_PER_KEY: '3',
      OPENAI_MAX_CONCURRENT_UPLOADS: '1',
      OPENAI_DECODE_TIMEOUT_SECONDS: '1',
    });
    stt = sttDouble(gw, { delayMs: () => 400, uploadConcurrency: 4 });
    keys = gw.running.app.get(ApiKeyService);
  });

  afterAll(async () => {
    await stt?.close();
    await gw?.running.close();
    if (gw) await cleanupPrefix(gw.config.redis.prefix);
  });

  it('refuses a key past OPENAI_UPLOADS_PER_KEY with 429 while another key is served', async () => {
    const busy = clientOf((await keys.create({ name: 'busy' })).key);
    const other = clientOf((await keys.create({ name: 'other' })).key);
    const outcomes = await Promise.allSettled([
      send(busy),
      send(busy),
      send(busy),
      send(busy),
      send(other),
    ]);
    const statuses = outcomes.map((outcome) =>
      outcome.status === 'fulfilled' ? 200 : (outcome.reason as { status: number }).status,
    );
    expect(statuses.filter((status) => status === 429)).toHaveLength(1);
    expect(statuses[4]).toBe(200);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: 'too_many_uploads' });
  });

  it('stops ffmpeg at OPENAI_DECODE_TIMEOUT_SECONDS with a 400 saying so (item 2)', async () => {
    const client = clientOf((await keys.create({ name: 'slow file' })).key);
    const error = await client.audio.transcriptions
      .create({ file: await toFile(twoHours(), 'long.flac'), model: 'whisper-1' })
      .then(
        () => undefined,
        (caught: unknown) => caught as InstanceType<typeof OpenAI.APIError>,
      );
    expect(error?.status).toBe(400);
    expect(error?.message).toContain('could not be decoded within 1 s');
  });

  it('kills ffmpeg as soon as the client leaves mid-decode (item 2)', async () => {
    const apiKey = (await keys.create({ name: 'leaver' })).key;
    const form = new FormData();
    form.append('file', new Blob([twoHours()]), 'long.flac');
    form.append('model', 'whisper-1');
    const leaving = new AbortController();
    const request = fetch(`${base()}/audio/transcriptions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}` },
      body: form,
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    const decoders = (): string[] =>
      execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.startsWith('ffmpeg') && line.includes('s16le'));
    await waitFor(() => decoders().length > 0, { what: 'ffmpeg decoding', intervalMs: 20 });
    leaving.abort();
    await request;
    await waitFor(() => decoders().length === 0, {
      what: 'ffmpeg gone after the client left',
      timeoutMs: 1500,
      intervalMs: 50,
    });
  });

  it('serves a waiting key before the second file of a key already served', async () => {
    const heavy = clientOf((await keys.create({ name: 'heavy' })).key);
    const light = clientOf((await keys.create({ name: 'light' })).key);
    const done: string[] = [];
    const jobsBefore = stt.jobs.length;
    const first = send(heavy).then(() => done.push('heavy 1'));
    await waitFor(() => stt.jobs.slice(jobsBefore).some((job) => job.upload), {
      what: 'the first upload started',
    });
    const second = send(heavy).then(() => done.push('heavy 2'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = send(light).then(() => done.push('light 1'));
    await Promise.all([first, second, third]);
    expect(done).toEqual(['heavy 1', 'light 1', 'heavy 2']);
  });
});

describe('upload quota held atomically (issue 24, item 6; real gateway on PostgreSQL)', () => {
  let gw: GatewayApp;
  let stt: SttWorkerDouble;
  let db: TestDatabase;
  const speech = speechWav(16000, 4);

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    gw = await startGateway({
      AUTH_REQUIRED: 'true',
      JWT_SECRET: SECRET,
      JWT_KID: 'k1',
      DATABASE_URL: db.url,
      OPENAI_UPLOADS_PER_KEY: '8',
      OPENAI_MAX_CONCURRENT_UPLOADS: '8',
    });
    stt = sttDouble(gw, { uploadConcurrency: 8 });
  });

  afterAll(async () => {
    await stt?.close();
    await gw?.running.close();
    if (gw) await cleanupPrefix(gw.config.redis.prefix);
    await db?.drop();
  });

  it('lets parallel uploads of one key pass the hourly quota only as far as they fit', async () => {
    const limited = await gw.running.app
      .get(ApiKeyService)
      .create({ name: 'quota', limits: { audioSecondsPerHour: 10 } });
    const client = new OpenAI({
      apiKey: limited.key,
      baseURL: `http://127.0.0.1:${gw.config.gateway.port}/v1`,
      maxRetries: 0,
    });
    // The usage table locked: every quota read waits, as it would behind a slow database, so
    // the uploads are all between their check and their record at once.
    const locker = new Client({ connectionString: PG_ADMIN_URL });
    await locker.connect();
    await locker.query('begin');
    await locker.query(`lock table ${db.schema}.key_usage in access exclusive mode`);
    const uploads = Promise.allSettled(
      Array.from({ length: 6 }, async () =>
        client.audio.transcriptions.create({
          file: await toFile(speech, 'speech.wav'),
          model: 'whisper-1',
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await locker.query('commit');
    await locker.end();
    const outcomes = await uploads;
    // 4 s each against 10 s an hour: two fit, the other four must not.
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect(outcome.reason).toMatchObject({
        status: 429,
        code: 'quota_exceeded',
      });
    }
  });
});
