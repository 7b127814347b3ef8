import { DeepgramClient } from '@deepgram/sdk';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { type RunningApp } from 'src/bootstrap';
import { loadConfig } from 'src/common/config/load-config';
import { concatPcm, pcmBytes, silence, trimmedSpeech } from '../helpers/audio';
import { selfSignedCertificate } from '../helpers/certificates';
import { freePort } from '../helpers/ports';
import { ServiceProcess } from '../helpers/processes';
import { PHRASE_A, PHRASE_B, PHRASE_C } from '../helpers/phrases';
import { SttEngineDouble, startAppWithSttDouble } from '../helpers/stt-double';
import { cleanupPrefix, testEnv, uniquePrefix, waitFor } from '../helpers/test-env';

type Message = { type: string } & Record<string, unknown>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const first = trimmedSpeech(PHRASE_A);
const second = trimmedSpeech(PHRASE_B);
const third = trimmedSpeech(PHRASE_C);
const firstSeconds = first.length / 16000;
/** A sentence with a 0.9 s pause inside it (longer than a fixed 0.6 s threshold). */
const pausedSentence = concatPcm(silence(0.3), first, silence(0.9), second, silence(2.5));
/** Two short questions, 0.7 s apart; the second is longer, so the double tells them apart. */
const twoQuestions = concatPcm(silence(0.3), first, silence(0.7), second, third, silence(2.5));

/**
 * What the engine double "hears" in a decode of this many seconds: the paused sentence's first
 * part reads as unfinished, and the two questions are complete each.
 */
let hear: (seconds: number) => string = () => '';
const pausedWords = (seconds: number): string =>
  seconds < firstSeconds + 0.6 ? 'I would like to book a table for' : 'A table for four, please.';
const questionWords = (seconds: number): string =>
  seconds < firstSeconds + 0.8 ? 'What time is it?' : 'Where are we?';

/**
 * Semantic turns with the roles in separate processes: two gateways are real processes
 * (dist/main.js, ROLE=gateway; one behind TLS for the OpenAI SDK, which speaks wss only), the stt
 * role runs in this process with whisper replaced by a double whose words the test chooses, all
 * on the e2e Redis. The official clients (Deepgram's listen.v2 and OpenAI's Realtime client with
 * semantic_vad) stream at real time and must see their turn events in the documented order.
 */
describe('semantic turns across processes: Deepgram listen.v2 and OpenAI semantic_vad clients', () => {
  const prefix = uniquePrefix();
  const gateways: ServiceProcess[] = [];
  let stt: RunningApp;
  let dir: string;
  let ca: Buffer;
  let plainPort: number;
  let tlsPort: number;

  async function startGateway(env: Record<string, string>): Promise<number> {
    const gatewayEnv = await testEnv({
      ROLE: 'gateway',
      QUEUE_PREFIX: prefix,
      TURN_MODE: 'semantic',
      SILENCE_THRESHOLD_SECONDS: '0.6',
      SPECULATIVE_SILENCE_SECONDS: '0.2',
      TURN_MIN_SILENCE_MS: '250',
      TURN_MAX_SILENCE_MS: '2000',
      ...env,
    });
    const gateway = new ServiceProcess(gatewayEnv);
    gateways.push(gateway);
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${gatewayEnv.HEALTH_PORT}/health/ready`).catch(() => null))
          ?.ok,
      { what: `gateway process ready\n${gateway.output}`, timeoutMs: 30_000 },
    );
    return Number(gatewayEnv.GATEWAY_PORT);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'turn-processes-'));
    const files = selfSignedCertificate(dir, 'turn-processes');
    ca = readFileSync(files.cert);
    const sttConfig = loadConfig(
      await testEnv({ ROLE: 'stt', QUEUE_PREFIX: prefix, HEALTH_PORT: String(await freePort()) }),
    );
    const engine = new SttEngineDouble((request) => hear(request.pcm.length / 16000));
    stt = await startAppWithSttDouble(sttConfig, engine);
    [plainPort, tlsPort] = await Promise.all([
      startGateway({}),
      startGateway({ TLS_CERT: files.cert, TLS_KEY: files.key }),
    ]);
  });

  afterAll(async () => {
    for (const gateway of gateways) gateway.kill();
    await Promise.all(gateways.map((gateway) => gateway.exited));
    await stt?.close();
    await cleanupPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  async function deepgramTurns(pcm: Int16Array): Promise<Message[]> {
    const client = new DeepgramClient({ apiKey: 'local', baseUrl: `ws://127.0.0.1:${plainPort}` });
    const connection = await client.listen.v2.connect({
      model: 'flux-general-en',
      encoding: 'linear16',
      sample_rate: 16000,
      eager_eot_threshold: '0.5',
      eot_timeout_ms: '3000',
      Authorization: 'Token local',
      reconnectAttempts: 0,
    });
    const messages: Message[] = [];
    connection.on('message', (message) => messages.push(message as unknown as Message));
    connection.connect();
    await connection.waitForOpen();
    try {
      const bytes = pcmBytes(pcm);
      const started = Date.now();
      for (let at = 0, n = 0; at < bytes.length; at += 3200, n++) {
        connection.sendMedia(bytes.subarray(at, at + 3200));
        await sleep(Math.max(0, started + (n + 1) * 100 - Date.now()));
      }
      await sleep(500);
      return messages.filter((m) => m.type === 'TurnInfo' && m.event !== 'Update');
    } finally {
      connection.close();
    }
  }

  it('Deepgram listen.v2: a sentence with an inner pause is one turn', async () => {
    hear = pausedWords;
    const turns = await deepgramTurns(pausedSentence);
    expect(turns.map((m) => `${String(m.turn_index)} ${String(m.event)}`)).toEqual([
      '0 StartOfTurn',
      '0 EagerEndOfTurn',
      '0 EndOfTurn',
    ]);
    expect(turns.at(-1)).toMatchObject({
      trigger: 'model',
      transcript: 'A table for four, please.',
    });
  });

  it('Deepgram listen.v2: two short questions are two turns', async () => {
    hear = questionWords;
    const turns = await deepgramTurns(twoQuestions);
    expect(turns.map((m) => `${String(m.turn_index)} ${String(m.event)}`)).toEqual([
      '0 StartOfTurn',
      '0 EagerEndOfTurn',
      '0 EndOfTurn',
      '1 StartOfTurn',
      '1 EagerEndOfTurn',
      '1 EndOfTurn',
    ]);
    expect(turns.filter((m) => m.event === 'EndOfTurn').map((m) => m.transcript)).toEqual([
      'What time is it?',
      'Where are we?',
    ]);
  });

  /** The input-audio events of one semantic_vad session, in order, with the transcripts. */
  async function openAiTurns(pcm: Int16Array): Promise<Message[]> {
    const client = new OpenAI({ apiKey: 'sk-local', baseURL: `https://127.0.0.1:${tlsPort}/v1` });
    const rt = new OpenAIRealtimeWS({ model: 'gpt-4o-transcribe', options: { ca } }, client);
    const events: Message[] = [];
    rt.on('event', (event) => events.push(event as unknown as Message));
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
              turn_detection: { type: 'semantic_vad', eagerness: 'medium' },
            },
          },
        },
      });
      await waitFor(() => events.some((e) => e.type === 'session.updated'), {
        what: 'session.updated',
      });
      // 24 kHz for the Realtime API: each 16 kHz sample 3 times in 2.
      const up = new Int16Array(Math.floor((pcm.length * 3) / 2));
      for (let i = 0; i < up.length; i++) up[i] = pcm[Math.floor((i * 2) / 3)];
      const started = Date.now();
      for (let i = 0, n = 0; i < up.length; i += 2400, n++) {
        rt.send({
          type: 'input_audio_buffer.append',
          audio: pcmBytes(up.subarray(i, i + 2400)).toString('base64'),
        });
        await sleep(Math.max(0, started + (n + 1) * 100 - Date.now()));
      }
      await sleep(500);
      return events.filter(
        (e) =>
          e.type.startsWith('input_audio_buffer.') ||
          e.type === 'conversation.item.input_audio_transcription.completed',
      );
    } finally {
      rt.close();
    }
  }

  const shortName = (e: Message): string =>
    e.type.replace('input_audio_buffer.', '').replace('conversation.item.input_audio_', '');

  it('OpenAI Realtime semantic_vad: a sentence with an inner pause is one turn', async () => {
    hear = pausedWords;
    const events = await openAiTurns(pausedSentence);
    expect(events.map(shortName)).toEqual([
      'speech_started',
      'speech_stopped',
      'committed',
      'transcription.completed',
    ]);
    expect(events.at(-1)).toMatchObject({ transcript: 'A table for four, please.' });
  });

  it('OpenAI Realtime semantic_vad: two short questions are two turns', async () => {
    hear = questionWords;
    const events = await openAiTurns(twoQuestions);
    const turn = ['speech_started', 'speech_stopped', 'committed', 'transcription.completed'];
    expect(events.map(shortName)).toEqual([...turn, ...turn]);
    expect(
      events
        .filter((e) => e.type === 'conversation.item.input_audio_transcription.completed')
        .map((e) => e.transcript),
    ).toEqual(['What time is it?', 'Where are we?']);
  });
});
