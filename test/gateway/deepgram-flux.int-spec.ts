import { DeepgramClient } from '@deepgram/sdk';
import { type SttJob } from 'src/contracts/job-payloads';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { concatPcm, pcmBytes, silence, trimmedSpeech } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { upgrade } from '../helpers/upgrade';

type Message = { type: string } & Record<string, unknown>;
type TurnInfo = Message & {
  event: string;
  turn_index: number;
  sequence_id: number;
  request_id: string;
  transcript: string;
  words: { word: string; start: number; end: number; confidence: number }[];
  trigger?: string;
  end_of_turn_confidence: number;
  audio_window_start: number;
  audio_window_end: number;
};

const seconds = (pcm: Int16Array): number => pcm.length / 16000;

describe('Deepgram Flux on /v2/listen, driven by @deepgram/sdk listen.v2 (real Redis, real VAD, stt double)', () => {
  let gw: GatewayApp;
  let stt: SttWorkerDouble;
  let key: string;
  /** Each connection's speculative decode text, by session (= request_id). */
  const scripts = new Map<string, (job: SttJob) => string>();
  const sockets: { close(): void }[] = [];

  beforeAll(async () => {
    gw = await startGateway({ AUTH_REQUIRED: 'true' });
    stt = sttDouble(gw, {
      words: true,
      finalText: (job) => scripts.get(job.sessionId)?.(job) ?? 'hello there',
    });
    key = (await gw.running.app.get(ApiKeyService).create({ name: 'flux' })).key;
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await stt.close();
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  async function flux(query: Record<string, string>, script: (job: SttJob) => string) {
    const client = new DeepgramClient({ apiKey: key, baseUrl: gw.url });
    const connection = await client.listen.v2.connect({
      model: 'flux-general-en',
      encoding: 'linear16',
      sample_rate: 16000,
      Authorization: `Token ${key}`,
      reconnectAttempts: 0,
      ...query,
    });
    const messages: Message[] = [];
    let closed: { code: number } | undefined;
    connection.on('message', (message) => messages.push(message as unknown as Message));
    connection.on('close', (event) => (closed = { code: event.code }));
    connection.connect();
    await connection.waitForOpen();
    sockets.push(connection.socket);
    const connected = await waitFor(() => messages.find((m) => m.type === 'Connected'), {
      what: 'Connected',
    });
    scripts.set(connected.request_id as string, script);
    const turnInfo = () => messages.filter((m): m is TurnInfo => m.type === 'TurnInfo');
    return {
      connection,
      messages,
      closed: () => closed,
      turnInfo,
      events: () => turnInfo().map((m) => m.event),
      endOfTurns: () => turnInfo().filter((m) => m.event === 'EndOfTurn'),
      /** At real-time pace, 100 ms a message: turn timing is about silences in real time. */
      async stream(pcm: Int16Array) {
        const bytes = pcmBytes(pcm);
        for (let at = 0; at < bytes.length; at += 3200) {
          connection.sendMedia(bytes.subarray(at, at + 3200));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
    };
  }

  /** The speculative text of a decode by where its speech ended: before `at` s, or after. */
  const byEnd =
    (at: number, before: string, after: string) =>
    (job: SttJob): string =>
      (job.speechEndSec ?? job.endSec) < at ? before : after;

  it('Connected, then StartOfTurn, Update, EagerEndOfTurn and EndOfTurn by model for a complete turn; CloseStream closes', async () => {
    const live = await flux({ eager_eot_threshold: '0.5', eot_timeout_ms: '4000' }, (job) =>
      job.kind === 'interim' ? 'book a table' : 'Book a table for four.',
    );
    await live.stream(
      concatPcm(silence(0.3), trimmedSpeech('book a table for four people'), silence(1.2)),
    );
    await waitFor(() => live.endOfTurns().length === 1, { what: 'EndOfTurn' });

    expect(live.messages[0]).toEqual({
      type: 'Connected',
      request_id: expect.any(String),
      sequence_id: 0,
    });
    const requestId = live.messages[0].request_id;
    expect(live.messages.map((m) => m.sequence_id)).toEqual(live.messages.map((_, i) => i));
    expect(live.turnInfo().every((m) => m.request_id === requestId && m.turn_index === 0)).toBe(
      true,
    );
    const events = live.events();
    expect(events[0]).toBe('StartOfTurn');
    expect(events).toContain('Update');
    expect(events.slice(-2)).toEqual(['EagerEndOfTurn', 'EndOfTurn']);
    const eager = live.turnInfo().find((m) => m.event === 'EagerEndOfTurn')!;
    expect(eager).toMatchObject({
      transcript: 'Book a table for four.',
      end_of_turn_confidence: 1,
    });
    const [end] = live.endOfTurns();
    expect(end).toMatchObject({
      trigger: 'model',
      transcript: 'Book a table for four.',
      end_of_turn_confidence: 1,
    });
    expect(end.words.map((w) => w.word)).toEqual(['Book', 'a', 'table', 'for', 'four.']);
    expect(end.audio_window_end).toBeGreaterThan(end.audio_window_start);

    live.connection.sendCloseStream({ type: 'CloseStream' });
    await waitFor(() => live.closed(), { what: 'the server to close' });
    expect(live.closed()).toEqual({ code: 1000 });
  });

  it('an incomplete turn does not end at a pause: speech resumes the same turn, which ends once complete', async () => {
    const first = trimmedSpeech('I would like to book a table for');
    const pauseEnd = 0.3 + seconds(first) + 0.8;
    const live = await flux(
      { eager_eot_threshold: '0.5', eot_timeout_ms: '3000' },
      byEnd(pauseEnd, "I'd like to book a table for", "I'd like to book a table for four people."),
    );
    await live.stream(
      concatPcm(silence(0.3), first, silence(0.8), trimmedSpeech('four people'), silence(1.2)),
    );
    await waitFor(() => live.endOfTurns().length === 1, { what: 'EndOfTurn' });
    // Nothing more comes for the pause: one turn.
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(live.turnInfo().every((m) => m.turn_index === 0)).toBe(true);
    expect(live.events().filter((e) => e === 'StartOfTurn')).toHaveLength(1);
    expect(live.endOfTurns()).toHaveLength(1);
    expect(live.endOfTurns()[0]).toMatchObject({
      trigger: 'model',
      transcript: "I'd like to book a table for four people.",
    });
    // Only the complete text was an eager end, so nothing was resumed.
    expect(live.events().filter((e) => e === 'EagerEndOfTurn')).toHaveLength(1);
    expect(live.events()).not.toContain('TurnResumed');
  });

  it('a high eot_threshold waits longer: speech after an eager end gives TurnResumed, then one EndOfTurn', async () => {
    const first = trimmedSpeech('book a table');
    const pauseEnd = 0.3 + seconds(first) + 0.7;
    // eot_threshold 0.9 with eot_timeout_ms 2000: a complete turn needs about 1.4 s of silence.
    const live = await flux(
      { eager_eot_threshold: '0.5', eot_threshold: '0.9', eot_timeout_ms: '2000' },
      byEnd(pauseEnd, 'Book a table.', 'Book a table for four.'),
    );
    await live.stream(
      concatPcm(silence(0.3), first, silence(0.7), trimmedSpeech('for four'), silence(2)),
    );
    await waitFor(() => live.endOfTurns().length === 1, { what: 'EndOfTurn' });

    const turnEvents = live.events().filter((e) => e !== 'Update');
    expect(turnEvents).toEqual([
      'StartOfTurn',
      'EagerEndOfTurn',
      'TurnResumed',
      'EagerEndOfTurn',
      'EndOfTurn',
    ]);
    expect(live.turnInfo().find((m) => m.event === 'TurnResumed')).toMatchObject({
      turn_index: 0,
      end_of_turn_confidence: 0,
    });
    expect(live.endOfTurns()[0]).toMatchObject({
      trigger: 'model',
      transcript: 'Book a table for four.',
    });
  });

  it('ForceEndTurn ends the turn now, with trigger manual', async () => {
    const live = await flux({}, () => 'I would like to');
    await live.stream(concatPcm(silence(0.3), trimmedSpeech('I would like to'), silence(0.5)));
    live.connection.sendForceEndTurn({ type: 'ForceEndTurn' });
    await waitFor(() => live.endOfTurns().length === 1, { what: 'EndOfTurn' });
    expect(live.endOfTurns()[0]).toMatchObject({
      trigger: 'manual',
      transcript: 'I would like to',
      turn_index: 0,
    });
    // No eager_eot_threshold: no eager events.
    expect(live.events()).not.toContain('EagerEndOfTurn');
  });

  it('answers Configure with ConfigureSuccess or ConfigureFailure, and a bad message with Error, staying open', async () => {
    const live = await flux({}, () => 'hello there');
    live.connection.sendConfigure({
      type: 'Configure',
      thresholds: { eot_threshold: 0.8, eager_eot_threshold: 0.4 },
      keyterms: ['table'],
    });
    await waitFor(() => live.messages.find((m) => m.type === 'ConfigureSuccess'), {
      what: 'ConfigureSuccess',
    });
    expect(live.messages.find((m) => m.type === 'ConfigureSuccess')).toMatchObject({
      thresholds: { eot_threshold: 0.8, eager_eot_threshold: 0.4, eot_timeout_ms: 5000 },
      keyterms: ['table'],
    });

    live.connection.sendConfigure({ type: 'Configure', thresholds: { eot_threshold: 2 } });
    live.connection.sendConfigure({ type: 'Configure', language_hints: ['es'] });
    await waitFor(() => live.messages.filter((m) => m.type === 'ConfigureFailure').length === 2, {
      what: 'two ConfigureFailure',
    });

    (live.connection.socket as unknown as { send(data: string): void }).send('{"type":"Flush"}');
    await waitFor(() => live.messages.find((m) => m.type === 'Error'), { what: 'Error' });
    expect(live.messages.find((m) => m.type === 'Error')).toMatchObject({
      code: 'UNPARSABLE_CLIENT_MESSAGE',
      description: expect.stringContaining('Configure, ForceEndTurn, CloseStream'),
    });
    expect(live.closed()).toBeUndefined();
    expect(live.messages.map((m) => m.sequence_id)).toEqual(live.messages.map((_, i) => i));
  });

  it('refuses bad options with 400 and a missing key with 401 before upgrading', async () => {
    const url = `${gw.url}/v2/listen?model=flux-general-en&encoding=linear16&sample_rate=16000`;
    const bad = await upgrade(`${gw.url}/v2/listen?model=nova-3&encoding=linear16`, {
      headers: { authorization: `Token ${key}` },
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse('body' in bad ? bad.body : '{}')).toMatchObject({
      message: expect.stringContaining('is not a Flux model'),
    });
    const range = await upgrade(`${url}&eot_timeout_ms=100`, {
      headers: { authorization: `Token ${key}` },
    });
    expect(range.status).toBe(400);
    expect((await upgrade(url)).status).toBe(401);

    const browser = await upgrade(url, { protocols: ['token', key] });
    if (!('ws' in browser)) throw new Error(`expected 101, got ${browser.status}`);
    sockets.push(browser.ws);
    expect(browser.protocol).toBe('token');
  });
});
