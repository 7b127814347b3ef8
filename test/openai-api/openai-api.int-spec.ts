import OpenAI, { toFile } from 'openai';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { TranscriptQueryService } from 'src/persistence/transcripts/transcript-query.service';
import { UsageService } from 'src/persistence/usage/usage.service';
import { type EngineSegment, type TranscribeRequest } from 'src/stt/engine/whisper-engine';
import { type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { SttEngineDouble, startAppWithSttDouble, textSegments } from '../helpers/stt-double';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';
import { convert, spokenFile, wavFile } from './openai-helpers';

const SECRET = 'openai-e2e-secret-0123456789abcdefghijkl';
const PHRASES = ['the quick brown fox', 'jumps over the lazy dog', 'and runs far away'];

/** The double "hears" three words per segment, with token ids so verbose_json has tokens. */
function heard(request: TranscribeRequest): EngineSegment[] {
  const segments = textSegments('alpha beta gamma', request.pcm.length / 16000);
  return segments.map((segment) => ({
    ...segment,
    tokens: segment.tokens.map((token, i) => ({ ...token, id: 1000 + i })),
  }));
}

describe('OpenAI audio API (official openai client, real gateway + stt role, engine double)', () => {
  let config: AppConfig;
  let running: RunningApp;
  let engine: SttEngineDouble;
  let client: OpenAI;
  let baseURL: string;
  let key: string;
  let keyId: string;
  const wav = wavFile(spokenFile(PHRASES));

  beforeAll(async () => {
    config = await testConfig({
      ROLE: 'gateway,stt',
      AUTH_REQUIRED: 'true',
      JWT_SECRET: SECRET,
      JWT_KID: 'k1',
      OPENAI_MAX_FILE_BYTES: String(2 * 1024 * 1024),
      OPENAI_SEGMENTS_IN_FLIGHT: '2',
      WORD_TIMESTAMPS: 'false',
    });
    engine = new SttEngineDouble(heard);
    running = await startAppWithSttDouble(config, engine);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${config.http.healthPort}/health/ready`)).ok,
      { what: 'app ready', timeoutMs: 30_000 },
    );
    const created = await running.app.get(ApiKeyService).create({ name: 'openai e2e' });
    key = created.key;
    keyId = created.record.id;
    baseURL = `http://127.0.0.1:${config.gateway.port}/v1`;
    client = new OpenAI({ apiKey: key, baseURL, maxRetries: 0 });
  });

  afterAll(async () => {
    await running?.close();
    await cleanupPrefix(config.redis.prefix);
  });

  const upload = (data: Buffer, name = 'speech.wav') => toFile(data, name);

  it('transcribes a WAV to json: every VAD segment, in order', async () => {
    const result = await client.audio.transcriptions.create({
      file: await upload(wav),
      model: 'whisper-1',
    });
    expect(result.text).toBe('alpha beta gamma alpha beta gamma alpha beta gamma');
  });

  it('answers text, srt and vtt', async () => {
    const text = await client.audio.transcriptions.create({
      file: await upload(wav),
      model: 'whisper-1',
      response_format: 'text',
    });
    expect(String(text).trim()).toBe('alpha beta gamma alpha beta gamma alpha beta gamma');
    const srt = String(
      await client.audio.transcriptions.create({
        file: await upload(wav),
        model: 'whisper-1',
        response_format: 'srt',
      }),
    );
    expect(srt).toMatch(
      /^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\nalpha beta gamma\n\n2\n/,
    );
    expect(srt.match(/-->/g)).toHaveLength(3);
    const vtt = String(
      await client.audio.transcriptions.create({
        file: await upload(wav),
        model: 'whisper-1',
        response_format: 'vtt',
      }),
    );
    expect(vtt.startsWith('WEBVTT\n\n')).toBe(true);
    expect(vtt.match(/\d\d:\d\d:\d\d\.\d{3} --> /g)).toHaveLength(3);
  });

  it('answers verbose_json with segments, words, duration and language as OpenAI does', async () => {
    const result = await client.audio.transcriptions.create({
      file: await upload(wav),
      model: 'any-model-name',
      language: 'en',
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    expect(result.language).toBe('english');
    expect(result.duration).toBeCloseTo(wav.length / 32000, 1);
    expect(result.segments).toHaveLength(3);
    const starts = result.segments!.map((segment) => segment.start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    for (const [id, segment] of result.segments!.entries()) {
      expect(segment).toMatchObject({ id, text: ' alpha beta gamma', tokens: [1000, 1001, 1002] });
      expect(segment.end).toBeGreaterThan(segment.start);
      expect(segment.avg_logprob).toBeCloseTo(Math.log(0.95), 3);
      expect(segment.compression_ratio).toBeGreaterThan(0);
      expect(segment.no_speech_prob).toBe(0.01);
    }
    // Words were asked for: timed although WORD_TIMESTAMPS is off for live sessions.
    expect(result.words!.map((word) => word.word)).toEqual(
      'alpha beta gamma alpha beta gamma alpha beta gamma'.split(' '),
    );
    for (const word of result.words!) expect(word.end).toBeGreaterThanOrEqual(word.start);
    expect(result.words![3].start).toBeGreaterThanOrEqual(result.segments![1].start - 0.01);
  });

  it('streams transcript.text.delta events in order, then one transcript.text.done', async () => {
    const stream = await client.audio.transcriptions.create({
      file: await upload(wav),
      model: 'whisper-1',
      stream: true,
    });
    const events: { type: string; delta?: string; text?: string }[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.type)).toEqual([
      'transcript.text.delta',
      'transcript.text.delta',
      'transcript.text.delta',
      'transcript.text.done',
    ]);
    const joined = events
      .slice(0, 3)
      .map((event) => event.delta)
      .join('');
    expect(joined).toBe('alpha beta gamma alpha beta gamma alpha beta gamma');
    expect(events[3].text).toBe(joined);
  });

  it("translates with whisper's translate task and reports English", async () => {
    const before = engine.calls.length;
    const result = (await client.audio.translations.create({
      file: await upload(wav),
      model: 'whisper-1',
      response_format: 'verbose_json',
    })) as OpenAI.Audio.TranslationVerbose;
    const calls = engine.calls.slice(before);
    expect(calls).toHaveLength(3);
    expect(calls.every((call) => call.task === 'translate' && call.language === 'auto')).toBe(true);
    expect(result.language).toBe('english');
    expect(result.text).toBe('alpha beta gamma alpha beta gamma alpha beta gamma');
  });

  it.each(['mp3', 'ogg', 'flac', 'webm', 'm4a'])('reads %s through ffmpeg', async (extension) => {
    const result = await client.audio.transcriptions.create({
      file: await upload(convert(wav, extension), `speech.${extension}`),
      model: 'whisper-1',
    });
    expect(result.text).toBe('alpha beta gamma alpha beta gamma alpha beta gamma');
  });

  it('passes the prompt and the temperature to whisper', async () => {
    const before = engine.calls.length;
    const result = await client.audio.transcriptions.create({
      file: await upload(wav),
      model: 'whisper-1',
      prompt: 'Glossary: Zyxel',
      temperature: 0.3,
      response_format: 'verbose_json',
    });
    const calls = engine.calls.slice(before);
    expect(calls).toHaveLength(3);
    expect(calls.every((call) => call.initialPrompt?.includes('Glossary: Zyxel'))).toBe(true);
    expect(calls.every((call) => call.temperature === 0.3)).toBe(true);
    expect(result.segments!.every((segment) => segment.temperature === 0.3)).toBe(true);
  });

  it("lists models in OpenAI's shape", async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((model) => model.id)).toEqual(['whisper-1', 'for-tests-ggml-tiny']);
    expect(models[0]).toMatchObject({ object: 'model', owned_by: 'system' });
    expect((await client.models.retrieve('whisper-1')).id).toBe('whisper-1');
  });

  it('refuses a file that is not audio with 400 and the supported formats', async () => {
    const error = await client.audio.transcriptions
      .create({
        file: await upload(Buffer.from('%PDF-1.7 not audio at all'), 'a.wav'),
        model: 'whisper-1',
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toMatch(/Supported formats: wav, flac, mp3, ogg, webm, m4a/);
  });

  it('refuses a broken file that looks like audio with 400', async () => {
    const broken = Buffer.concat([convert(wav, 'mp3').subarray(0, 10), Buffer.alloc(4000, 7)]);
    const error = await client.audio.transcriptions
      .create({ file: await upload(broken, 'a.mp3'), model: 'whisper-1' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('refuses a file above OPENAI_MAX_FILE_BYTES with 413', async () => {
    const big = wavFile(new Int16Array(1024 * 1024 + 1000).fill(100));
    const error = await client.audio.transcriptions
      .create({ file: await upload(big), model: 'whisper-1' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
  });

  it('refuses a missing or unknown key with 401', async () => {
    for (const apiKey of ['sk-not-a-key', '']) {
      const stranger = new OpenAI({ apiKey: apiKey || 'x', baseURL, maxRetries: 0 });
      const error = await (
        apiKey
          ? stranger.audio.transcriptions.create({ file: await upload(wav), model: 'whisper-1' })
          : fetch(`${baseURL}/audio/transcriptions`, { method: 'POST' }).then(async (response) => {
              throw Object.assign(new Error(await response.text()), { status: response.status });
            })
      ).catch((caught: unknown) => caught);
      expect((error as { status: number }).status).toBe(401);
    }
    const models = await new OpenAI({ apiKey: 'bad', baseURL, maxRetries: 0 }).models
      .list()
      .catch((caught: unknown) => caught);
    expect(models).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('counts the audio seconds under the key and archives the transcript as a session', async () => {
    const { data, response } = await client.audio.transcriptions
      .create({ file: await upload(wav), model: 'whisper-1' })
      .withResponse();
    const sessionId = response.headers.get('x-session-id')!;
    expect(sessionId).toMatch(/^file-[0-9a-f-]{36}$/);
    const archived = await running.app.get(TranscriptQueryService).find(sessionId);
    expect(archived?.keyId).toBe(keyId);
    expect(archived?.entries.map((entry) => entry.text).join(' ')).toBe(data.text);
    const usage = running.app.get(UsageService);
    await usage.flush();
    const report = await usage.report(
      keyId,
      new Date(Date.now() - 3_600_000),
      new Date(Date.now() + 60_000),
      'hour',
    );
    expect(report.totals.audioSeconds).toBeGreaterThan(wav.length / 32000);
  });
});
