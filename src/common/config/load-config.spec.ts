import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

describe('loadConfig', () => {
  it('defaults to every role, the seed ports and local Redis', () => {
    const config = loadConfig({});
    expect(config.roles).toEqual(['gateway', 'stt', 'translation']);
    expect(config.http.healthPort).toBe(8080);
    expect(config.gateway.port).toBe(5026);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.vad.sampleRate).toBe(16000);
    expect(config.log.format).toBe('pretty');
    expect(config.vad.speculativeSilenceSeconds).toBe(0.2);
    expect(config.gateway.speculationMaxQueueDepth).toBe(16);
    expect(config.gateway.interimBackoffQueueDepth).toBe(2);
    expect(config.openaiApi).toMatchObject({
      maxAudioSeconds: 7200,
      decodeTimeoutMs: 120_000,
      uploadsPerKey: 2,
      maxConcurrentUploads: 4,
      maxWaitingUploads: 16,
    });
    // A request of the most texts allowed fits under the queue-depth check it meets.
    expect(config.security.translateMaxItems).toBeLessThanOrEqual(config.gateway.maxQueueDepth);
    expect(config.translation.apiPendingPerKey).toBe(8);
    expect(config.security.translateMaxItems).toBe(64);
    expect(loadConfig({ MAX_QUEUE_DEPTH: '10' }).security.translateMaxItems).toBe(10);
    expect(
      loadConfig({ MAX_QUEUE_DEPTH: '10', TRANSLATE_MAX_ITEMS: '20' }).security.translateMaxItems,
    ).toBe(20);
  });

  it.each([
    ['gateway', 8080],
    ['stt', 8081],
    ['translation', 8082],
  ])('gives ROLE=%s its own default health port %d', (role, port) => {
    expect(loadConfig({ ROLE: role }).http.healthPort).toBe(port);
  });

  it('accepts a comma list and keeps a stable role order', () => {
    expect(loadConfig({ ROLE: 'translation, gateway' }).roles).toEqual(['gateway', 'translation']);
  });

  it('uses JSON logs in production', () => {
    expect(loadConfig({ NODE_ENV: 'production', AUTH_REQUIRED: 'false' }).log.format).toBe('json');
  });

  it.each([
    [{ ROLE: 'worker' }, 'ROLE', 'worker'],
    [{ ROLE: 'stt,,x' }, 'ROLE', 'stt,,x'],
    [{ GATEWAY_PORT: '0' }, 'GATEWAY_PORT', '0'],
    [{ WEBRTC_SENSITIVITY: '4' }, 'WEBRTC_SENSITIVITY', '4'],
    [{ SILERO_SENSITIVITY: 'high' }, 'SILERO_SENSITIVITY', 'high'],
    [{ BEAM_SIZE: '2.5' }, 'BEAM_SIZE', '2.5'],
    [{ SPECULATIVE_SILENCE_SECONDS: '-0.1' }, 'SPECULATIVE_SILENCE_SECONDS', '-0.1'],
    [{ SPECULATION_MAX_QUEUE_DEPTH: '1.5' }, 'SPECULATION_MAX_QUEUE_DEPTH', '1.5'],
    [{ INTERIM_BACKOFF_QUEUE_DEPTH: 'x' }, 'INTERIM_BACKOFF_QUEUE_DEPTH', 'x'],
    [{ OVERLOAD_FINAL_LATENCY_SECONDS: '-1' }, 'OVERLOAD_FINAL_LATENCY_SECONDS', '-1'],
    [{ VAD_FILTER: 'maybe' }, 'VAD_FILTER', 'maybe'],
    [{ DEVICE: 'tpu' }, 'DEVICE', 'tpu'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL', 'not a url'],
    [{ TRANSLATION_URL: 'ftp://x' }, 'TRANSLATION_URL', 'ftp://x'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV', 'staging'],
    [{ STT_MAX_TOKENS: '500' }, 'STT_MAX_TOKENS', '500'],
    [{ WHISPER_FLASH_ATTN: 'fast' }, 'WHISPER_FLASH_ATTN', 'fast'],
    [{ SAMPLE_RATE: '8001' }, 'SAMPLE_RATE', '8001'],
    [{ OPENAI_MAX_AUDIO_SECONDS: '0' }, 'OPENAI_MAX_AUDIO_SECONDS', '0'],
    [{ OPENAI_UPLOADS_PER_KEY: 'many' }, 'OPENAI_UPLOADS_PER_KEY', 'many'],
  ])('rejects %o naming the variable and the value', (env, variable, value) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.variable).toBe(variable);
    expect(error.value).toBe(value);
    expect(error.message).toContain(`${variable}="${value}"`);
    expect(error.message).toMatch(/allowed .+/);
  });

  it('collects the Redis password as a secret', () => {
    const config = loadConfig({ REDIS_URL: 'redis://user:p%40ss@redis:6379/2' });
    expect(config.secrets).toContain('p@ss');
  });

  it("collects the compose containers' passwords as secrets, so logs redact them", () => {
    const config = loadConfig({
      POSTGRES_PASSWORD: 'pg-Secret-1',
      REDIS_PASSWORD: 'redis-Secret-2',
    });
    expect(config.secrets).toEqual(expect.arrayContaining(['pg-Secret-1', 'redis-Secret-2']));
  });

  it('reads the stt engine switches', () => {
    expect(loadConfig({}).stt).toMatchObject({
      flashAttn: true,
      wordTimestamps: true,
      maxTokens: 0,
      temperatureFallback: true,
    });
    expect(
      loadConfig({
        WHISPER_FLASH_ATTN: 'false',
        WORD_TIMESTAMPS: 'false',
        STT_MAX_TOKENS: '20',
        TEMPERATURE_FALLBACK: 'false',
      }).stt,
    ).toMatchObject({
      flashAttn: false,
      wordTimestamps: false,
      maxTokens: 20,
      temperatureFallback: false,
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ GATEWAY_PORT: '  ' }).gateway.port).toBe(5026);
  });

  it('reads the per-gateway room listener limits', () => {
    expect(loadConfig({}).rooms).toMatchObject({
      maxListenersPerToken: 4,
      maxListenersPerAddress: 200,
      listenerConnectsPerMinute: 300,
      listenerBufferBytes: 2 ** 20,
    });
    expect(() => loadConfig({ ROOM_LISTENER_BUFFER_BYTES: '100' })).toThrow(
      /ROOM_LISTENER_BUFFER_BYTES/,
    );
  });

  it('bounds the audio waiting per session (4 MiB), never below one frame', () => {
    expect(loadConfig({}).security.maxPendingAudioBytes).toBe(4 * 2 ** 20);
    expect(() =>
      loadConfig({ MAX_FRAME_BYTES: String(2 ** 21), MAX_PENDING_AUDIO_BYTES: String(2 ** 20) }),
    ).toThrow(/MAX_PENDING_AUDIO_BYTES.*at least MAX_FRAME_BYTES/);
  });
});
