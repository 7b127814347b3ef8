import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { WebSocket } from 'ws';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { concatPcm, jfk, pcmBytes, silence } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { upgrade } from '../helpers/upgrade';
import { type Frame as Event } from '../helpers/ws-client';
import { selfSignedCertificate } from '../helpers/certificates';

const RATE = 24000;
const CHUNK_SAMPLES = RATE / 10;

/** Base64 `input_audio_buffer.append` events of 100 ms each (or `chunk` samples). */
function appends(pcm: Int16Array, chunk = CHUNK_SAMPLES): Event[] {
  const events: Event[] = [];
  for (let i = 0; i < pcm.length; i += chunk) {
    const audio = pcmBytes(pcm.subarray(i, i + chunk)).toString('base64');
    events.push({ type: 'input_audio_buffer.append', audio });
  }
  return events;
}

/** Every event a connection receives, in order, with a way to wait for some. */
class EventLog {
  readonly events: Event[] = [];

  of(type: string): Event[] {
    return this.events.filter((event) => event.type === type);
  }

  async waitFor(what: string, done: (log: EventLog) => boolean, timeoutMs = 30_000) {
    await waitFor(() => done(this), { what, timeoutMs });
  }

  position(type: string, itemId: string): number {
    return this.events.findIndex((event) => event.type === type && event.item_id === itemId);
  }
}

describe('OpenAI Realtime transcription on /v1/realtime (official SDK, real Redis and VAD, stt double)', () => {
  let gw: GatewayApp;
  let stt: SttWorkerDouble;
  let dir: string;
  let ca: Buffer;
  let key: string;
  /** The stt double fails every final while set. */
  let failing = false;
  const sockets: { close(): void }[] = [];

  const httpsBase = () => `https://127.0.0.1:${gw.config.gateway.port}`;
  const wssBase = () => `wss://127.0.0.1:${gw.config.gateway.port}`;

  /** The SDK's GA client, as an OpenAI user would open it (only base URL and key changed). */
  function sdkClient(): { rt: OpenAIRealtimeWS; log: EventLog; open: Promise<void> } {
    const client = new OpenAI({ apiKey: key, baseURL: `${httpsBase()}/v1` });
    const rt = new OpenAIRealtimeWS({ model: 'gpt-4o-transcribe', options: { ca } }, client);
    const log = new EventLog();
    rt.on('event', (event) => log.events.push(event as Event));
    rt.on('error', () => undefined);
    sockets.push(rt.socket);
    const open = new Promise<void>((resolve, reject) => {
      rt.socket.once('open', () => resolve());
      rt.socket.once('error', reject);
    });
    return { rt, log, open };
  }

  /** A raw browser-style client: beta intent, key in the subprotocol. */
  async function betaClient(): Promise<{ ws: WebSocket; log: EventLog; send(e: Event): void }> {
    const outcome = await upgrade(`${wssBase()}/v1/realtime?intent=transcription`, {
      protocols: ['realtime', `openai-insecure-api-key.${key}`, 'openai-beta.realtime-v1'],
      ca,
    });
    if (!('ws' in outcome)) throw new Error(`upgrade refused: ${outcome.status}`);
    expect(outcome.protocol).toBe('realtime');
    const { ws } = outcome;
    sockets.push(ws);
    const log = new EventLog();
    ws.on('message', (data) =>
      log.events.push(JSON.parse((data as Buffer).toString('utf8')) as Event),
    );
    return { ws, log, send: (event) => ws.send(JSON.stringify(event)) };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'realtime-e2e-'));
    const files = selfSignedCertificate(dir, 'realtime-e2e');
    ca = readFileSync(files.cert);
    gw = await startGateway({
      TLS_CERT: files.cert,
      TLS_KEY: files.key,
      AUTH_REQUIRED: 'true',
      JWT_SECRET: 'realtime-e2e-secret-0123456789abcdefghij',
      JWT_KID: 'k1',
    });
    key = (await gw.running.app.get(ApiKeyService).create({ name: 'realtime-e2e' })).key;
    stt = sttDouble(gw, {
      committedInterims: true,
      failFinal: () => failing,
      finalText: (job) => `realtime words for utterance ${job.index}`,
    });
  });

  afterEach(() => {
    failing = false;
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await stt.close();
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('GA dialect with server VAD: created/updated, then speech_started, deltas, speech_stopped, committed, completed per item', async () => {
    const { rt, log, open } = sdkClient();
    await open;
    await log.waitFor('session.created', (l) => l.of('session.created').length === 1);
    expect(log.events[0]).toMatchObject({
      type: 'session.created',
      session: { type: 'transcription', audio: { input: { format: { type: 'audio/pcm' } } } },
    });
    rt.send({
      type: 'session.update',
      session: {
        type: 'transcription',
        audio: {
          input: {
            format: { type: 'audio/pcm', rate: 24000 },
            transcription: { model: 'gpt-4o-transcribe', language: 'en' },
            turn_detection: { type: 'server_vad', silence_duration_ms: 700 },
          },
        },
      },
    });
    await log.waitFor('session.updated', (l) => l.of('session.updated').length === 1);
    expect(log.of('session.updated')[0].session.audio.input).toMatchObject({
      transcription: { model: 'gpt-4o-transcribe', language: 'en' },
      turn_detection: { type: 'server_vad', silence_duration_ms: 700 },
    });
    for (const event of appends(concatPcm(jfk(RATE), silence(1.5, RATE)))) {
      rt.send(event as never);
    }
    // Commit is allowed with server VAD too; here the silence already ended every utterance, so
    // its answer (an empty-buffer error) also says that all the audio has been segmented.
    rt.send({ type: 'input_audio_buffer.commit', event_id: 'after-audio' });
    await log.waitFor('empty commit', (l) => l.of('error').length === 1);
    expect(log.of('error')[0].error).toMatchObject({ code: 'input_audio_buffer_commit_empty' });
    await log.waitFor('every item completed', (l) => {
      const committed = l.of('input_audio_buffer.committed').length;
      return (
        committed > 0 &&
        l.of('conversation.item.input_audio_transcription.completed').length === committed
      );
    });
    const started = log.of('input_audio_buffer.speech_started');
    const committed = log.of('input_audio_buffer.committed');
    expect(started.map((e) => e.item_id)).toEqual(committed.map((e) => e.item_id));
    let previous: string | null = null;
    for (const item of committed) {
      const itemId = item.item_id as string;
      expect(itemId).toMatch(/^item_/);
      expect(item.previous_item_id).toBe(previous);
      previous = itemId;
      const deltas = log
        .of('conversation.item.input_audio_transcription.delta')
        .filter((e) => e.item_id === itemId);
      const completed = log
        .of('conversation.item.input_audio_transcription.completed')
        .find((e) => e.item_id === itemId)!;
      expect(completed.transcript).toMatch(/^realtime words for utterance \d+$/);
      expect(completed.usage).toMatchObject({ type: 'duration' });
      expect(deltas.length).toBeGreaterThanOrEqual(2);
      expect(deltas.map((e) => e.delta).join('')).toBe(completed.transcript);
      const order = [
        log.position('input_audio_buffer.speech_started', itemId),
        log.position('input_audio_buffer.speech_stopped', itemId),
        log.position('input_audio_buffer.committed', itemId),
        log.position('conversation.item.input_audio_transcription.completed', itemId),
      ];
      expect(order.every((position) => position >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      // Audio sent faster than real time: interims may come back after the turn ended (as
      // OpenAI's deltas do), but always between speech start and the completed transcript.
      for (const delta of deltas) {
        const at = log.events.indexOf(delta);
        expect(at).toBeGreaterThan(order[0]);
        expect(at).toBeLessThan(order[3]);
      }
    }
  });

  it('beta dialect, key in the subprotocol, one-second appends, turn_detection null: the client commits; an empty commit is an error', async () => {
    const { ws, log, send } = await betaClient();
    await log.waitFor('created', (l) => l.of('transcription_session.created').length === 1);
    send({
      type: 'transcription_session.update',
      session: {
        input_audio_format: 'pcm16',
        input_audio_transcription: { model: 'whisper-1', language: null },
        turn_detection: null,
      },
    });
    await log.waitFor('updated', (l) => l.of('transcription_session.updated').length === 1);
    expect(log.of('transcription_session.updated')[0].session).toMatchObject({
      input_audio_format: 'pcm16',
      input_audio_transcription: { model: 'whisper-1', language: null },
      turn_detection: null,
    });
    // A second of audio per append, as many clients send it: 64 KB text frames, far above the
    // native protocol's MAX_CONTROL_BYTES.
    const large = appends(concatPcm(jfk(RATE), silence(1, RATE)), RATE);
    expect(JSON.stringify(large[0]).length).toBeGreaterThan(60_000);
    for (const event of large) send(event);
    send({ type: 'input_audio_buffer.commit', event_id: 'commit-1' });
    await log.waitFor(
      'completed',
      (l) => l.of('conversation.item.input_audio_transcription.completed').length === 1,
    );
    const [committed] = log.of('input_audio_buffer.committed');
    expect(committed.previous_item_id).toBeNull();
    expect(log.of('conversation.item.created')).toMatchObject([
      { previous_item_id: null, item: { id: committed.item_id, role: 'user' } },
    ]);
    expect(log.of('conversation.item.input_audio_transcription.completed')[0]).toMatchObject({
      item_id: committed.item_id,
      transcript: expect.stringMatching(/^realtime words for utterance \d+$/),
    });
    // No server VAD: no speech events, and silence ended nothing before the commit.
    expect(log.of('input_audio_buffer.speech_started')).toEqual([]);
    expect(log.of('input_audio_buffer.speech_stopped')).toEqual([]);
    expect(log.of('input_audio_buffer.committed')).toHaveLength(1);

    send({ type: 'input_audio_buffer.commit', event_id: 'commit-2' });
    await log.waitFor('empty commit error', (l) => l.of('error').length === 1);
    expect(log.of('error')[0].error).toMatchObject({
      type: 'invalid_request_error',
      code: 'input_audio_buffer_commit_empty',
      event_id: 'commit-2',
    });
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('input_audio_buffer.clear drops the speech so far: cleared, and only later speech is committed', async () => {
    const { log, send } = await betaClient();
    send({ type: 'transcription_session.update', session: { turn_detection: null } });
    await log.waitFor('updated', (l) => l.of('transcription_session.updated').length === 1);
    const speech = jfk(RATE);
    for (const event of appends(speech.subarray(0, 5 * RATE))) send(event);
    send({ type: 'input_audio_buffer.clear', event_id: 'clear-1' });
    await log.waitFor('cleared', (l) => l.of('input_audio_buffer.cleared').length === 1);
    expect(log.of('input_audio_buffer.committed')).toEqual([]);
    for (const event of appends(speech)) send(event);
    send({ type: 'input_audio_buffer.commit' });
    await log.waitFor(
      'completed',
      (l) => l.of('conversation.item.input_audio_transcription.completed').length === 1,
    );
    const [committed] = log.of('input_audio_buffer.committed');
    expect(log.of('input_audio_buffer.committed')).toHaveLength(1);
    // Deltas of the cleared speech may have gone out before `cleared`; none after it.
    const clearedAt = log.events.findIndex((e) => e.type === 'input_audio_buffer.cleared');
    const deltas = log.events.filter(
      (e) => e.type === 'conversation.item.input_audio_transcription.delta',
    );
    for (const event of deltas.filter((e) => log.events.indexOf(e) > clearedAt)) {
      expect(event.item_id).toBe(committed.item_id);
    }
    for (const event of deltas.filter((e) => log.events.indexOf(e) < clearedAt)) {
      expect(event.item_id).not.toBe(committed.item_id);
    }
  });

  it('an utterance the stt workers fail is reported as transcription failed for its item', async () => {
    failing = true;
    const { ws, log, send } = await betaClient();
    send({ type: 'transcription_session.update', session: { turn_detection: null } });
    for (const event of appends(jfk(RATE))) send(event);
    send({ type: 'input_audio_buffer.commit' });
    await log.waitFor(
      'failed',
      (l) => l.of('conversation.item.input_audio_transcription.failed').length === 1,
    );
    const [committed] = log.of('input_audio_buffer.committed');
    expect(log.of('conversation.item.input_audio_transcription.failed')[0]).toMatchObject({
      item_id: committed.item_id,
      error: { type: 'transcription_error', code: 'stt_failed' },
    });
    expect(log.of('conversation.item.input_audio_transcription.completed')).toEqual([]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('answers bad events with an error event in OpenAI shape and keeps the socket open', async () => {
    const { ws, log, send } = await betaClient();
    ws.send('not json');
    send({ type: 'response.create', event_id: 'e-type' });
    send({
      type: 'transcription_session.update',
      event_id: 'e-lang',
      session: { input_audio_transcription: { language: 'english' } },
    });
    send({ type: 'input_audio_buffer.append', event_id: 'e-audio', audio: '***' });
    await log.waitFor('four errors', (l) => l.of('error').length === 4);
    expect(log.of('error').map((e) => e.error)).toEqual([
      expect.objectContaining({ type: 'invalid_request_error', code: 'invalid_json', param: null }),
      expect.objectContaining({ code: 'invalid_type', param: 'type', event_id: 'e-type' }),
      expect.objectContaining({
        param: 'session.input_audio_transcription.language',
        event_id: 'e-lang',
      }),
      expect.objectContaining({ param: 'audio', event_id: 'e-audio' }),
    ]);
    send({ type: 'transcription_session.update', session: { turn_detection: null } });
    await log.waitFor(
      'updated after errors',
      (l) => l.of('transcription_session.updated').length === 1,
    );
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses an upgrade without a key or with a wrong one (401)', async () => {
    const none = await upgrade(`${wssBase()}/v1/realtime?intent=transcription`, { ca });
    expect(none.status).toBe(401);
    const wrong = await upgrade(`${wssBase()}/v1/realtime?model=gpt-4o-transcribe`, {
      ca,
      headers: { authorization: `Bearer rtk_${'x'.repeat(43)}` },
    });
    expect(wrong.status).toBe(401);
  });
});
