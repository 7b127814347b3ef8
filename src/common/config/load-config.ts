import { hostname } from 'node:os';
import {
  APP_CONFIG,
  AppConfig,
  DEFAULT_HEALTH_PORTS,
  LOG_LEVELS,
  MODEL_SIZES,
  RedisNode,
  NLLB_MODELS,
  Role,
  ROLES,
  TRANSLATION_ENGINES,
} from './app-config';
import {
  ConfigError,
  Env,
  readBoolean,
  readEnum,
  readList,
  readNumber,
  readOptionalString,
  readString,
  readUrl,
} from './env-parsers';
import { readSecurityConfig, requireStrongSecret } from './security-config';
import { readSttParallelism } from './stt-parallelism';

export { APP_CONFIG };

function readRoles(env: Env): Role[] {
  const raw = readString(env, 'ROLE', 'all');
  if (raw === 'all') return [...ROLES];
  const items = raw.split(',').map((item) => item.trim());
  const allowed = `${ROLES.join(', ')}, a comma list of them, or all`;
  if (items.length === 0 || items.some((item) => !(ROLES as readonly string[]).includes(item))) {
    throw new ConfigError('ROLE', raw, allowed);
  }
  return ROLES.filter((role) => items.includes(role));
}

const DATABASE_URL_FORMS = 'sqlite:<file>, sqlite::memory: or postgres://user@host:port/db';

/** `sqlite:<path>` (default `sqlite:data/realtime.db`) or `postgres://` / `postgresql://`. */
function readDatabaseUrl(env: Env): string {
  const value = readString(env, 'DATABASE_URL', 'sqlite:data/realtime.db');
  if (value.startsWith('sqlite:')) {
    if (value.slice('sqlite:'.length).trim() === '') {
      throw new ConfigError('DATABASE_URL', value, DATABASE_URL_FORMS);
    }
    return value;
  }
  try {
    const url = new URL(value);
    if (['postgres:', 'postgresql:'].includes(url.protocol) && url.hostname) return value;
  } catch {
    // reported below
  }
  throw new ConfigError('DATABASE_URL', value, DATABASE_URL_FORMS);
}

const PORT = { min: 1, max: 65535, integer: true };

/** `host:port` items (IPv6 as `[::1]:6379`), for Redis sentinels and cluster seed nodes. */
function readRedisNodes(env: Env, name: string): RedisNode[] {
  const items = readList(env, name, []);
  return items.map((item) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(item);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new ConfigError(
        name,
        env[name] ?? '',
        'a comma list of host:port (IPv6 as [addr]:port)',
      );
    }
    return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
  });
}

/**
 * Sentinel or Cluster topology. A cluster keeps a queue's keys together only when the prefix has a
 * hash tag ({rt}): BullMQ's Lua scripts touch several keys of one queue at once.
 */
function readRedisTopology(env: Env, prefix: string) {
  const sentinels = readRedisNodes(env, 'REDIS_SENTINELS');
  const clusterNodes = readRedisNodes(env, 'REDIS_CLUSTER_NODES');
  if (sentinels.length > 0 && clusterNodes.length > 0) {
    throw new ConfigError(
      'REDIS_CLUSTER_NODES',
      env.REDIS_CLUSTER_NODES ?? '',
      'empty when REDIS_SENTINELS is set (use one of them)',
    );
  }
  if (clusterNodes.length > 0 && !/\{[^{}]+\}/.test(prefix)) {
    throw new ConfigError(
      'QUEUE_PREFIX',
      prefix,
      'a prefix with a hash tag such as {rt} when REDIS_CLUSTER_NODES is set',
    );
  }
  return {
    sentinels,
    sentinelName: readString(env, 'REDIS_SENTINEL_NAME', 'mymaster'),
    clusterNodes,
  };
}

/** Reads and validates every setting once. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = readEnum(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const roles = readRoles(env);
  const defaultHealthPort = roles.length === 1 ? DEFAULT_HEALTH_PORTS[roles[0]] : 8080;
  const redisUrl = readUrl(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis://', 'rediss://']);
  const queuePrefix = readString(env, 'QUEUE_PREFIX', 'rt');
  const translationUrl = readOptionalString(env, 'TRANSLATION_URL');
  if (translationUrl !== undefined) readUrl(env, 'TRANSLATION_URL', '', ['http://', 'https://']);

  const databaseUrl = readDatabaseUrl(env);

  const security = readSecurityConfig(env, nodeEnv);
  const secrets: string[] = security.jwtKeys.map((key) => key.secret);
  const redisPassword = new URL(redisUrl).password;
  if (redisPassword) secrets.push(decodeURIComponent(redisPassword));
  const databasePassword = databaseUrl.startsWith('sqlite:') ? '' : new URL(databaseUrl).password;
  if (databasePassword) secrets.push(decodeURIComponent(databasePassword));
  // Read by the compose containers from the same .env; redacted from logs like the others.
  const containerPasswords: [string, string][] = [
    ['POSTGRES_PASSWORD', readOptionalString(env, 'POSTGRES_PASSWORD') ?? ''],
    ['REDIS_PASSWORD', readOptionalString(env, 'REDIS_PASSWORD') ?? ''],
  ];
  for (const [, value] of containerPasswords) if (value) secrets.push(value);
  if (nodeEnv === 'production') {
    // Passwords the shipped files used to carry must not reach production (docs/security.md).
    const passwords: [string, string][] = [
      ['REDIS_URL', decodeURIComponent(redisPassword)],
      ['DATABASE_URL', decodeURIComponent(databasePassword)],
      // Checked here too, so a placeholder there stops the app.
      ...containerPasswords,
    ];
    for (const [variable, value] of passwords) {
      if (value) requireStrongSecret(variable, value, 'password');
    }
  }

  return {
    nodeEnv,
    roles,
    log: {
      format: readEnum(
        env,
        'LOG_FORMAT',
        ['json', 'pretty'],
        nodeEnv === 'production' ? 'json' : 'pretty',
      ),
      level: readEnum(env, 'LOG_LEVEL', LOG_LEVELS, 'log'),
    },
    http: {
      host: readString(env, 'HOST', '0.0.0.0'),
      healthPort: readNumber(env, 'HEALTH_PORT', defaultHealthPort, PORT),
    },
    redis: {
      url: redisUrl,
      prefix: queuePrefix,
      ...readRedisTopology(env, queuePrefix),
    },
    gateway: {
      port: readNumber(env, 'GATEWAY_PORT', 5026, PORT),
      maxFrameBytes: readNumber(env, 'MAX_FRAME_BYTES', 1024 * 1024, {
        min: 1024,
        max: 64 * 1024 * 1024,
        integer: true,
      }),
      maxQueueDepth: readNumber(env, 'MAX_QUEUE_DEPTH', 100, {
        min: 1,
        max: 1_000_000,
        integer: true,
      }),
      sessionTtlSeconds: readNumber(env, 'SESSION_TTL_SECONDS', 300, {
        min: 10,
        max: 7 * 86400,
        integer: true,
      }),
      overloadFinalLatencySeconds: readNumber(env, 'OVERLOAD_FINAL_LATENCY_SECONDS', 2, {
        min: 0,
        max: 3600,
      }),
      interimBackoffQueueDepth: readNumber(env, 'INTERIM_BACKOFF_QUEUE_DEPTH', 2, {
        min: 0,
        max: 1_000_000,
        integer: true,
      }),
      speculationMaxQueueDepth: readNumber(env, 'SPECULATION_MAX_QUEUE_DEPTH', 16, {
        min: 0,
        max: 1_000_000,
        integer: true,
      }),
      resultStreamMaxLen: readNumber(env, 'RESULT_STREAM_MAXLEN', 1000, {
        min: 10,
        max: 1_000_000,
        integer: true,
      }),
    },
    vad: {
      sampleRate: readNumber(env, 'SAMPLE_RATE', 16000, { min: 8000, max: 48000, integer: true }),
      silenceThresholdSeconds: readNumber(env, 'SILENCE_THRESHOLD_SECONDS', 0.6, {
        min: 0.1,
        max: 10,
      }),
      webrtcSensitivity: readNumber(env, 'WEBRTC_SENSITIVITY', 3, {
        min: 0,
        max: 3,
        integer: true,
      }),
      sileroSensitivity: readNumber(env, 'SILERO_SENSITIVITY', 0.4, { min: 0, max: 1 }),
      preSpeechBufferSeconds: readNumber(env, 'PRE_SPEECH_BUFFER_SECONDS', 0.3, { min: 0, max: 5 }),
      maxUtteranceSeconds: readNumber(env, 'MAX_UTTERANCE_SECONDS', 15, { min: 1, max: 30 }),
      sttSendIntervalSeconds: readNumber(env, 'STT_SEND_INTERVAL', 0.5, { min: 0.1, max: 10 }),
      speculativeSilenceSeconds: readNumber(env, 'SPECULATIVE_SILENCE_SECONDS', 0.2, {
        min: 0,
        max: 10,
      }),
    },
    stt: {
      modelSize: readEnum(env, 'MODEL_SIZE', MODEL_SIZES, 'base'),
      modelPath: readOptionalString(env, 'WHISPER_MODEL'),
      modelsDir: readString(env, 'MODELS_DIR', 'models'),
      device: readEnum(env, 'DEVICE', ['cpu', 'cuda'], 'cpu'),
      beamSize: readNumber(env, 'BEAM_SIZE', 5, { min: 1, max: 16, integer: true }),
      ...readSttParallelism(env),
      vadFilter: readBoolean(env, 'VAD_FILTER', true),
      normalizeAudio: readBoolean(env, 'NORMALIZE_AUDIO', true),
      maxBatchSize: readNumber(env, 'MAX_BATCH_SIZE', 1, { min: 1, max: 64, integer: true }),
      batchTimeoutMs: readNumber(env, 'BATCH_TIMEOUT_MS', 50, {
        min: 0,
        max: 10_000,
        integer: true,
      }),
      audioCtx: readEnum(env, 'AUDIO_CTX', ['auto', 'full'], 'auto'),
      noSpeechThreshold: readNumber(env, 'NO_SPEECH_THRESHOLD', 0.6, { min: 0, max: 1 }),
      flashAttn: readBoolean(env, 'WHISPER_FLASH_ATTN', true),
      wordTimestamps: readBoolean(env, 'WORD_TIMESTAMPS', true),
      maxTokens: readNumber(env, 'STT_MAX_TOKENS', 0, { min: 0, max: 448, integer: true }),
      temperatureFallback: readBoolean(env, 'TEMPERATURE_FALLBACK', true),
    },
    translation: {
      engine: readEnum(env, 'TRANSLATION_ENGINE', TRANSLATION_ENGINES, 'apertium'),
      url: translationUrl,
      timeoutMs: readNumber(env, 'TRANSLATION_TIMEOUT_MS', 5000, {
        min: 100,
        max: 120_000,
        integer: true,
      }),
      modelIdleSeconds: readNumber(env, 'MODEL_IDLE_SECONDS', 600, {
        min: 10,
        max: 86400,
        integer: true,
      }),
      maxLoadedModels: readNumber(env, 'MAX_LOADED_MODELS', 2, { min: 1, max: 64, integer: true }),
      apertiumDir: readString(env, 'APERTIUM_DATADIR', '/usr/share/apertium'),
      maxChars: readNumber(env, 'TRANSLATION_MAX_CHARS', 5000, {
        min: 1,
        max: 1_000_000,
        integer: true,
      }),
      concurrency: readNumber(env, 'TRANSLATION_CONCURRENCY', 4, {
        min: 1,
        max: 64,
        integer: true,
      }),
      nllbModel: readEnum(env, 'NLLB_MODEL', NLLB_MODELS, 'nllb-200-distilled-600M'),
      modelDtype: readEnum(env, 'TRANSLATION_MODEL_DTYPE', ['q8', 'fp32'], 'q8'),
      beamSize: readNumber(env, 'TRANSLATION_BEAM_SIZE', 2, { min: 1, max: 8, integer: true }),
      apiMaxPending: readNumber(env, 'TRANSLATION_API_MAX_PENDING', 32, {
        min: 1,
        max: 10_000,
        integer: true,
      }),
    },
    openaiApi: {
      maxFileBytes: readNumber(env, 'OPENAI_MAX_FILE_BYTES', 25 * 1024 * 1024, {
        min: 1024,
        max: 4 * 1024 * 1024 * 1024,
        integer: true,
      }),
      segmentsInFlight: readNumber(env, 'OPENAI_SEGMENTS_IN_FLIGHT', 4, {
        min: 1,
        max: 256,
        integer: true,
      }),
      segmentTimeoutMs: readNumber(env, 'OPENAI_SEGMENT_TIMEOUT_MS', 300_000, {
        min: 1000,
        max: 3_600_000,
        integer: true,
      }),
    },
    persistence: {
      databaseUrl,
      migrateOnStart: readBoolean(env, 'DATABASE_MIGRATE_ON_START', true),
      transcriptRetentionDays: readNumber(env, 'TRANSCRIPT_RETENTION_DAYS', 30, {
        min: 0,
        max: 36_500,
        integer: true,
      }),
      retentionIntervalMs:
        readNumber(env, 'RETENTION_INTERVAL_MINUTES', 60, { min: 1, max: 10_080, integer: true }) *
        60_000,
      archiveBatchSize: readNumber(env, 'ARCHIVE_BATCH_SIZE', 200, {
        min: 1,
        max: 10_000,
        integer: true,
      }),
      archiveFlushMs: readNumber(env, 'ARCHIVE_FLUSH_MS', 1000, {
        min: 10,
        max: 60_000,
        integer: true,
      }),
      archiveMaxPending: readNumber(env, 'ARCHIVE_MAX_PENDING', 10_000, {
        min: 1,
        max: 1_000_000,
        integer: true,
      }),
      apiKeyCacheSeconds: readNumber(env, 'API_KEY_CACHE_SECONDS', 60, {
        min: 1,
        max: 3600,
        integer: true,
      }),
      apiKeyNegativeCacheSeconds: readNumber(env, 'API_KEY_NEGATIVE_CACHE_SECONDS', 30, {
        min: 0,
        max: 3600,
        integer: true,
      }),
    },
    queues: {
      attempts: readNumber(env, 'JOB_ATTEMPTS', 3, { min: 1, max: 20, integer: true }),
      lockDurationMs: readNumber(env, 'JOB_LOCK_MS', 10_000, {
        min: 1000,
        max: 600_000,
        integer: true,
      }),
      stalledIntervalMs: readNumber(env, 'JOB_STALLED_INTERVAL_MS', 5_000, {
        min: 500,
        max: 600_000,
        integer: true,
      }),
      // Below main.ts's 30 s shutdown deadline, so a hand-back always happens before a forced exit.
      drainMs: readNumber(env, 'WORKER_DRAIN_MS', 20_000, { min: 0, max: 25_000, integer: true }),
      workerId: readString(env, 'WORKER_ID', `${hostname()}:${process.pid}`),
    },
    security,
    rooms: {
      maxListeners: readNumber(env, 'ROOM_MAX_LISTENERS', 2000, {
        min: 1,
        max: 1e6,
        integer: true,
      }),
      maxListenersPerKey: readNumber(env, 'ROOM_MAX_LISTENERS_PER_KEY', 5000, {
        min: 1,
        max: 1e7,
        integer: true,
      }),
      joinsPerMinute: readNumber(env, 'ROOM_JOINS_PER_MINUTE', 30, {
        min: 1,
        max: 1e6,
        integer: true,
      }),
      languageGraceSeconds: readNumber(env, 'ROOM_LANGUAGE_GRACE_SECONDS', 30, {
        min: 0,
        max: 3600,
        integer: true,
      }),
      ttlSeconds: readNumber(env, 'ROOM_TTL_SECONDS', 43_200, {
        min: 60,
        max: 604_800,
        integer: true,
      }),
      streamMaxLen: readNumber(env, 'ROOM_STREAM_MAXLEN', 20_000, {
        min: 100,
        max: 1_000_000,
        integer: true,
      }),
    },
    secrets,
  };
}
