import OpenAI, { toFile } from 'openai';
import { readFileSync } from 'node:fs';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { type GatewayApp, startGateway } from '../helpers/gateway-app';
import { cleanupPrefix, fixture, randomWeightsModel } from '../helpers/test-env';
import { convert } from './openai-helpers';

describe('OpenAI audio API with the real stt role (whisper.cpp, random-weights tiny model)', () => {
  let gw: GatewayApp;
  let client: OpenAI;

  beforeAll(async () => {
    gw = await startGateway({
      ROLE: 'gateway,stt',
      WHISPER_MODEL: randomWeightsModel(),
      // Random weights never stop on their own: keep each decode short.
      STT_MAX_TOKENS: '16',
      TEMPERATURE_FALLBACK: 'false',
    });
    const created = await gw.running.app.get(ApiKeyService).create({ name: 'whisper e2e' });
    client = new OpenAI({
      apiKey: created.key,
      baseURL: `http://127.0.0.1:${gw.config.gateway.port}/v1`,
      maxRetries: 0,
      timeout: 120_000,
    });
  }, 60_000);

  afterAll(async () => {
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  it('transcribes an MP3 of jfk.wav end to end through ffmpeg, the VAD, the queue and whisper.cpp', async () => {
    const mp3 = convert(readFileSync(fixture('jfk.wav')), 'mp3');
    const result = await client.audio.transcriptions.create({
      file: await toFile(mp3, 'jfk.mp3'),
      model: 'whisper-1',
      language: 'en',
      response_format: 'verbose_json',
      timestamp_granularities: ['segment', 'word'],
    });
    expect(result.language).toBe('english');
    expect(result.duration).toBeGreaterThan(10.5);
    expect(result.duration).toBeLessThan(11.5);
    expect(typeof result.text).toBe('string');
    // Meaningless words, but whisper's own segments with its token ids and statistics.
    expect(result.segments!.length).toBeGreaterThan(0);
    for (const segment of result.segments ?? []) {
      expect(segment.start).toBeGreaterThanOrEqual(0);
      expect(segment.end).toBeLessThanOrEqual(result.duration + 1);
      expect(segment.tokens.every((token) => Number.isInteger(token) && token >= 0)).toBe(true);
      expect(Number.isFinite(segment.avg_logprob)).toBe(true);
      expect(segment.no_speech_prob).toBeGreaterThanOrEqual(0);
    }
    expect(Array.isArray(result.words)).toBe(true);
  }, 180_000);
});
