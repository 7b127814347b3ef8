import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { concatPcm, pcmBytes, silence, trimmedSpeech } from '../helpers/audio';
import { PHRASE_A, PHRASE_B, PHRASE_C } from '../helpers/phrases';
import { SttEngineDouble, startAppWithSttDouble } from '../helpers/stt-double';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';
import { type Frame, TestClient } from '../helpers/ws-client';
import { selfSignedCertificate } from '../helpers/certificates';

const CHUNK = 1600; // 100 ms at 16 kHz
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends audio as a microphone does: 100 ms every 100 ms (turn timing needs real time). Resolves
 * with the seconds of audio sent when `seen()` first held (Infinity if it never did).
 */
async function stream(
  send: (chunk: Int16Array) => void,
  pcm: Int16Array,
  seen: () => boolean = () => false,
): Promise<number> {
  const started = Date.now();
  let seenAt = Infinity;
  for (let i = 0, n = 0; i < pcm.length; i += CHUNK, n++) {
    send(pcm.subarray(i, i + CHUNK));
    const due = started + (n + 1) * 100;
    await sleep(Math.max(0, due - Date.now()));
    if (seenAt === Infinity && seen()) seenAt = (i + CHUNK) / 16000;
  }
  return seenAt;
}

/**
 * Semantic turns end to end: a gateway and a real stt role (whisper replaced by a double whose
 * words the test chooses) on real Redis with the real VAD. The stt role announces each speculation
 * with its text, the gateway judges it: a complete turn ends after TURN_MIN_SILENCE_MS, an
 * incomplete one waits up to TURN_MAX_SILENCE_MS, and a pause inside it does not cut it.
 * Stream times (the final's `end` against its `speech_end`) show which silence ended the turn.
 */
describe('semantic turns (gateway + stt role, real Redis and VAD, engine double)', () => {
  let config: AppConfig;
  let running: RunningApp;
  /** What the double "hears" in a request of this many seconds of audio. */
  let words: (seconds: number) => string = () => '';
  const engine = new SttEngineDouble((request) => words(request.pcm.length / 16000));
  const clients: TestClient[] = [];
  const first = trimmedSpeech(PHRASE_A);
  const second = trimmedSpeech(PHRASE_B);
  const firstSeconds = first.length / 16000;

  beforeAll(async () => {
    config = await testConfig({
      ROLE: 'gateway,stt',
      SILENCE_THRESHOLD_SECONDS: '0.6',
      SPECULATIVE_SILENCE_SECONDS: '0.2',
      TURN_MODE: 'semantic',
      TURN_MIN_SILENCE_MS: '250',
      TURN_MAX_SILENCE_MS: '2000',
    });
    running = await startAppWithSttDouble(config, engine);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${config.http.healthPort}/health/ready`)).ok,
      { what: 'app ready', timeoutMs: 30_000 },
    );
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.ws.terminate();
  });

  afterAll(async () => {
    await running.close();
    await cleanupPrefix(config.redis.prefix);
  });

  async function connect(query = ''): Promise<TestClient> {
    const client = await TestClient.connect(`ws://127.0.0.1:${config.gateway.port}/${query}`);
    clients.push(client);
    return client;
  }

  const send = (client: TestClient) => (chunk: Int16Array) => client.sendPcm(chunk, CHUNK);
  const turnEvents = (client: TestClient) => client.of('turn').map((f: Frame) => f.event);

  it('ends a complete turn after the short silence, with eager and end-of-turn frames', async () => {
    words = () => 'That is all for today.';
    const client = await connect();
    const finalAt = await stream(
      send(client),
      concatPcm(silence(0.3), first, silence(2.5)),
      () => client.of('final').length > 0,
    );
    const [final] = await client.waitCount('final', 1);
    expect(final.text).toBe('That is all for today.');
    // Ended well before TURN_MAX_SILENCE_MS (2 s) of silence was sent: by the judge.
    expect(finalAt - (0.3 + firstSeconds)).toBeLessThan(1.2);
    await waitFor(() => turnEvents(client).includes('end_of_turn'), { what: 'end_of_turn' });
    expect(client.of('turn')).toEqual([
      expect.objectContaining({
        event: 'eager_end_of_turn',
        index: 1,
        text: 'That is all for today.',
      }),
      expect.objectContaining({ event: 'end_of_turn', index: 1, trigger: 'model' }),
    ]);
  });

  it('keeps an incomplete sentence open through a pause longer than the old threshold', async () => {
    // The first part alone reads as unfinished; with the second it is a complete sentence.
    words = (seconds) =>
      seconds < firstSeconds + 0.6
        ? 'I would like to book a table for'
        : 'A table for four, please.';
    const client = await connect();
    await stream(send(client), concatPcm(silence(0.3), first, silence(0.9), second, silence(2.5)));
    const [final] = await client.waitCount('final', 1);
    expect(final.text).toBe('A table for four, please.');
    await sleep(500);
    // One final for the whole sentence: the 0.9 s pause did not cut it.
    expect(client.of('final')).toHaveLength(1);
    expect((final.end as number) - (final.start as number)).toBeGreaterThan(
      firstSeconds + 0.9 + second.length / 16000 - 0.2,
    );
    expect(turnEvents(client).filter((e) => e === 'eager_end_of_turn')).toHaveLength(1);
    expect(client.of('turn').at(-1)).toMatchObject({ event: 'end_of_turn', trigger: 'model' });
  });

  it('two short questions with a pause between them are two turns', async () => {
    // The second question is longer than the first: the double tells them apart by length.
    const longer = concatPcm(second, trimmedSpeech(PHRASE_C));
    words = (seconds) => (seconds < firstSeconds + 0.8 ? 'What time is it?' : 'Where are we?');
    const client = await connect();
    await stream(send(client), concatPcm(silence(0.3), first, silence(0.7), longer, silence(2.5)));
    const finals = await client.waitCount('final', 2);
    expect(finals.map((f) => f.text)).toEqual(['What time is it?', 'Where are we?']);
    await waitFor(() => turnEvents(client).filter((e) => e === 'end_of_turn').length === 2, {
      what: 'two end_of_turn frames',
    });
    expect(client.of('turn').map((f) => `${f.index} ${f.event} ${f.trigger ?? ''}`.trim())).toEqual(
      ['1 eager_end_of_turn', '1 end_of_turn model', '2 eager_end_of_turn', '2 end_of_turn model'],
    );
  });

  it('a session that asks for silence turns is cut at the same pause, as before', async () => {
    words = () => 'I would like to book a table for';
    const client = await connect('?turn_detection=silence');
    await stream(send(client), concatPcm(silence(0.3), first, silence(0.9), second, silence(1.2)));
    await client.waitCount('final', 2);
    expect(client.of('turn')).toEqual([]);
  });

  it('a resumed session keeps its turn detection: semantic, then silence', async () => {
    words = (seconds) =>
      seconds < firstSeconds + 0.6
        ? 'I would like to book a table for'
        : 'A table for four, please.';
    const paused = concatPcm(silence(0.3), first, silence(0.9), second, silence(2.5));
    for (const mode of ['semantic', 'silence'] as const) {
      const opened = await connect(`?turn_detection=${mode}`);
      const token = (await opened.waitCount('session', 1))[0].resume_token as string;
      opened.ws.close();
      const resumed = await connect(`?resume=${encodeURIComponent(token)}&last_seq=0`);
      await resumed.waitCount('session', 1);
      expect(resumed.of('session')[0]).toMatchObject({ resumed: true });
      await stream(send(resumed), paused);
      await waitFor(() => resumed.of('final').length > 0, { what: 'a final' });
      await sleep(800);
      // semantic: one final for the sentence and turn frames; silence: cut at the pause, none.
      expect([mode, resumed.of('final').length, resumed.of('turn').length > 0]).toEqual(
        mode === 'semantic' ? [mode, 1, true] : [mode, 2, false],
      );
    }
  });

  it('an incomplete turn still ends at TURN_MAX_SILENCE_MS, triggered by the timeout', async () => {
    words = () => 'and then we went to the';
    const client = await connect();
    const finalAt = await stream(
      send(client),
      concatPcm(silence(0.3), first, silence(3)),
      () => client.of('final').length > 0,
    );
    await client.waitCount('final', 1);
    // Not before TURN_MAX_SILENCE_MS (2 s) of silence was sent.
    expect(finalAt - (0.3 + firstSeconds)).toBeGreaterThan(1.9);
    await waitFor(() => turnEvents(client).includes('end_of_turn'), { what: 'end_of_turn' });
    expect(client.of('turn')).toEqual([
      expect.objectContaining({ event: 'end_of_turn', trigger: 'timeout' }),
    ]);
  });
});

/** The OpenAI SDK's Realtime client speaks wss only: the same service behind TLS. */
describe("semantic turns through OpenAI Realtime's semantic_vad (official SDK)", () => {
  let tlsConfig: AppConfig;
  let running: RunningApp;
  let dir: string;
  let ca: Buffer;
  const words: (seconds: number) => string = () => 'That is all for today.';
  const engine = new SttEngineDouble((request) => words(request.pcm.length / 16000));
  const first = trimmedSpeech(PHRASE_A);
  const firstSeconds = first.length / 16000;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'semantic-turns-'));
    const files = selfSignedCertificate(dir, 'semantic-turns');
    ca = readFileSync(files.cert);
    tlsConfig = await testConfig({
      ROLE: 'gateway,stt',
      TLS_CERT: files.cert,
      TLS_KEY: files.key,
      SPECULATIVE_SILENCE_SECONDS: '0.2',
    });
    running = await startAppWithSttDouble(tlsConfig, engine);
  });

  afterAll(async () => {
    await running.close();
    await cleanupPrefix(tlsConfig.redis.prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps semantic_vad and its eagerness onto semantic turns: a complete turn ends early', async () => {
    const client = new OpenAI({
      apiKey: 'sk-local',
      baseURL: `https://127.0.0.1:${tlsConfig.gateway.port}/v1`,
    });
    const rt = new OpenAIRealtimeWS({ model: 'gpt-4o-transcribe', options: { ca } }, client);
    const events: { type: string; [key: string]: unknown }[] = [];
    rt.on('event', (event) => events.push(event as unknown as (typeof events)[number]));
    rt.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        rt.socket.once('open', () => resolve());
        rt.socket.once('error', reject);
      });
      rt.send({
        type: 'session.update',
        session: {
          type: 'transcription',
          audio: {
            input: {
              format: { type: 'audio/pcm', rate: 24000 },
              transcription: { model: 'gpt-4o-transcribe', language: 'en' },
              turn_detection: { type: 'semantic_vad', eagerness: 'low' },
            },
          },
        },
      });
      await waitFor(() => events.some((e) => e.type === 'session.updated'), {
        what: 'session.updated',
      });
      expect(events.find((e) => e.type === 'session.updated')).toMatchObject({
        session: {
          audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'low' } } },
        },
      });
      // 24 kHz for the Realtime API: repeat each 16 kHz sample 3 times in 2.
      const pcm = concatPcm(silence(0.3), first, silence(3.5));
      const up = new Int16Array(Math.floor((pcm.length * 3) / 2));
      for (let i = 0; i < up.length; i++) up[i] = pcm[Math.floor((i * 2) / 3)];
      const started = Date.now();
      let stoppedAt = Infinity;
      for (let i = 0, n = 0; i < up.length; i += 2400, n++) {
        rt.send({
          type: 'input_audio_buffer.append',
          audio: pcmBytes(up.subarray(i, i + 2400)).toString('base64'),
        });
        await sleep(Math.max(0, started + (n + 1) * 100 - Date.now()));
        if (
          stoppedAt === Infinity &&
          events.some((e) => e.type === 'input_audio_buffer.speech_stopped')
        ) {
          stoppedAt = (i + 2400) / 24000;
        }
      }
      await waitFor(
        () =>
          events.some((e) => e.type === 'conversation.item.input_audio_transcription.completed'),
        { what: 'a completed transcription' },
      );
      expect(
        events.find((e) => e.type === 'conversation.item.input_audio_transcription.completed'),
      ).toMatchObject({ transcript: 'That is all for today.' });
      // eagerness low doubles the waits (3 s for an incomplete turn, 0.5 s for a complete one):
      // the turn ended long before 3 s of silence had been sent, so the judge ended it.
      expect(stoppedAt - (0.3 + firstSeconds)).toBeLessThan(2);
    } finally {
      rt.close();
    }
  });
});
