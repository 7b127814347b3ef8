import { DeepgramClient } from '@deepgram/sdk';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { concatPcm, espeak, pcmBytes, silence } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { PHRASE_A, PHRASE_B, phrases } from '../helpers/phrases';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { upgrade } from '../helpers/upgrade';

type Message = { type: string } & Record<string, unknown>;
type Results = Message & {
  is_final: boolean;
  speech_final: boolean;
  from_finalize: boolean;
  start: number;
  duration: number;
  channel: {
    alternatives: {
      transcript: string;
      confidence: number;
      words: {
        word: string;
        punctuated_word: string;
        start: number;
        end: number;
        confidence: number;
      }[];
    }[];
  };
};

/** PCM16 at 16 kHz to 8 kHz mu-law through sox, as a telephony line would send it. */
function muLaw8k(samples: Int16Array): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'rt-mulaw-'));
  writeFileSync(join(dir, 'in.raw'), pcmBytes(samples));
  execFileSync('sox', [
    ...[
      '-t',
      'raw',
      '-r',
      '16000',
      '-e',
      'signed-integer',
      '-b',
      '16',
      '-c',
      '1',
      join(dir, 'in.raw'),
    ],
    ...['-t', 'raw', '-r', '8000', '-e', 'mu-law', '-b', '8', '-c', '1', join(dir, 'out.raw')],
  ]);
  return readFileSync(join(dir, 'out.raw'));
}

function stereo(samples: Int16Array): Buffer {
  const out = new Int16Array(samples.length * 2);
  samples.forEach((s, i) => {
    out[2 * i] = s;
    out[2 * i + 1] = s;
  });
  return pcmBytes(out);
}

describe("Deepgram's live API on /v1/listen, driven by @deepgram/sdk (real Redis, real VAD, stt double)", () => {
  let gw: GatewayApp;
  let stt: SttWorkerDouble;
  let key: string;
  const sockets: { close(): void }[] = [];

  beforeAll(async () => {
    gw = await startGateway({ AUTH_REQUIRED: 'true' });
    stt = sttDouble(gw, { words: true, finalText: (job) => `spoken words ${job.index}` });
    key = (await gw.running.app.get(ApiKeyService).create({ name: 'deepgram' })).key;
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await stt.close();
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  async function listen(query: Record<string, string>) {
    const client = new DeepgramClient({ apiKey: key, baseUrl: gw.url });
    const connection = await client.listen.v1.connect({
      model: 'nova-3',
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
    return {
      connection,
      messages,
      closed: () => closed,
      results: () => messages.filter((m): m is Results => m.type === 'Results'),
      finals: () =>
        messages.filter((m): m is Results => m.type === 'Results' && m.is_final === true),
    };
  }

  it('streams linear16: SpeechStarted, interim and final Results with words, UtteranceEnd, then Metadata on CloseStream', async () => {
    const live = await listen({
      encoding: 'linear16',
      sample_rate: '16000',
      language: 'en-US',
      interim_results: 'true',
      vad_events: 'true',
      utterance_end_ms: '1000',
      endpointing: '500',
      smart_format: 'true',
    });
    const audio = pcmBytes(phrases(PHRASE_A, PHRASE_B));
    for (let at = 0; at < audio.length; at += 3200)
      live.connection.sendMedia(audio.subarray(at, at + 3200));
    await waitFor(() => live.finals().length === 2, { what: 'two final Results' });

    const types = live.messages.map((m) => m.type);
    expect(types.indexOf('SpeechStarted')).toBeLessThan(types.indexOf('Results'));
    expect(live.results().some((r) => !r.is_final)).toBe(true);
    const [first, second] = live.finals();
    expect(first.channel.alternatives[0].transcript).toBe('spoken words 1');
    expect(second.channel.alternatives[0].transcript).toBe('spoken words 2');
    expect(first).toMatchObject({ is_final: true, speech_final: true, from_finalize: false });
    expect(first.channel.alternatives[0].confidence).toBeCloseTo(0.9);
    expect(first.channel.alternatives[0].words.map((w) => w.word)).toEqual([
      'spoken',
      'words',
      '1',
    ]);
    expect(second.start).toBeGreaterThan(first.start + first.duration);
    // Each final's UtteranceEnd follows it, at its last word.
    const ends = live.messages.filter((m) => m.type === 'UtteranceEnd');
    expect(ends).toHaveLength(2);
    expect(live.messages.indexOf(ends[0])).toBeGreaterThan(live.messages.indexOf(first));
    expect(ends[0].last_word_end).toBeCloseTo(first.channel.alternatives[0].words[2].end, 2);

    live.connection.sendCloseStream({ type: 'CloseStream' });
    await waitFor(() => live.closed(), { what: 'the server to close' });
    expect(live.closed()).toEqual({ code: 1000 });
    const metadata = live.messages.find((m) => m.type === 'Metadata');
    expect(metadata).toMatchObject({
      sha256: createHash('sha256').update(audio).digest('hex'),
      channels: 1,
      request_id: expect.any(String),
    });
    expect(metadata!.duration).toBeCloseTo(audio.length / 2 / 16000, 2);
  });

  it('Finalize ends the utterance at once: its Results say from_finalize', async () => {
    const live = await listen({ encoding: 'linear16', sample_rate: '16000', language: 'en' });
    live.connection.sendMedia(pcmBytes(concatPcm(silence(0.3), espeak(PHRASE_A))));
    live.connection.sendFinalize({ type: 'Finalize' });
    await waitFor(() => live.finals().length === 1, { what: 'the finalized Results' });
    expect(live.finals()[0]).toMatchObject({ from_finalize: true, speech_final: true });
    expect(live.results().filter((r) => !r.is_final)).toHaveLength(0); // interim_results off
  });

  it('decodes 8 kHz mu-law and mixes two linear16 channels down', async () => {
    const speech = phrases(PHRASE_B);
    const telephony = await listen({ encoding: 'mulaw', sample_rate: '8000' });
    const twoChannels = await listen({ encoding: 'linear16', sample_rate: '16000', channels: '2' });
    telephony.connection.sendMedia(muLaw8k(speech));
    twoChannels.connection.sendMedia(stereo(speech));
    await waitFor(() => telephony.finals().length === 1 && twoChannels.finals().length === 1, {
      what: 'a final on each connection',
    });
    // The same speech, so the same utterance boundaries within the VAD's resolution.
    const [a, b] = [telephony.finals()[0], twoChannels.finals()[0]];
    expect(Math.abs(a.start - b.start)).toBeLessThan(0.1);
    expect(Math.abs(a.duration - b.duration)).toBeLessThan(0.2);
  });

  it('answers a bad control message with an Error message and keeps the stream open', async () => {
    const live = await listen({ encoding: 'linear16', sample_rate: '16000' });
    (live.connection.socket as unknown as { send(data: string): void }).send('{"type":"Flush"}');
    await waitFor(() => live.messages.find((m) => m.type === 'Error'), {
      what: 'an Error message',
    });
    expect(live.messages.find((m) => m.type === 'Error')).toMatchObject({
      variant: 'invalid_message',
      description: expect.stringContaining('KeepAlive, Finalize or CloseStream'),
    });
    live.connection.sendKeepAlive({ type: 'KeepAlive' });
    live.connection.sendMedia(pcmBytes(phrases(PHRASE_A)));
    await waitFor(() => live.finals().length === 1, { what: 'a final after the error' });
    expect(live.closed()).toBeUndefined();
  });

  it("refuses bad options with 400 and a missing key with 401 before upgrading; takes the browser SDK's `token, <key>` subprotocol", async () => {
    const listenUrl = `${gw.url}/v1/listen?encoding=linear16&sample_rate=16000`;
    const bad = await upgrade(`${gw.url}/v1/listen?encoding=opus&sample_rate=16000`, {
      headers: { authorization: `Token ${key}` },
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse('body' in bad ? bad.body : '{}')).toMatchObject({
      message: 'encoding "opus" is not supported: use linear16, mulaw, alaw',
    });
    expect((await upgrade(listenUrl)).status).toBe(401);

    const browser = await upgrade(listenUrl, { protocols: ['token', key] });
    if (!('ws' in browser)) throw new Error(`expected 101, got ${browser.status}`);
    sockets.push(browser.ws);
    expect(browser.protocol).toBe('token');
  });
});
