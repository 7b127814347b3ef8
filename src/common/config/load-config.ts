import { hostname } from 'node:os';
import { APP_CONFIG, type AppConfig } from './app-config';
import { ConfigError } from './config-error';
import { type Role } from './env-formats';
import { envSchema, type EnvValues } from './env-schema';
import { type Env, parseEnv } from './parse-env';
import { requireStrongSecret, securityConfig } from './security-config';
import { sttParallelism } from './stt-parallelism';

export { APP_CONFIG };

const DEFAULT_HEALTH_PORTS: Record<Role, number> = {
  gateway: 8080,
  stt: 8081,
  translation: 8082,
};

/**
 * Reads and validates every setting once (envSchema), then builds AppConfig from the values.
 * Throws a ConfigError naming the first bad variable.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  return buildAppConfig(parseEnv(envSchema, env));
}

/**
 * The secret parts of the variables that hold passwords, to redact from logs; in production each
 * must be strong (docs/security.md).
 */
function passwordsOf(env: EnvValues): [variable: string, password: string][] {
  const urlPassword = (url: string) => decodeURIComponent(new URL(url).password);
  const passwords: [string, string][] = [
    ['REDIS_URL', urlPassword(env.REDIS_URL)],
    ['DATABASE_URL', env.DATABASE_URL.startsWith('sqlite:') ? '' : urlPassword(env.DATABASE_URL)],
    // Read by the compose containers from the same .env; checked here too, so a placeholder there
    // stops the app.
    ['POSTGRES_PASSWORD', env.POSTGRES_PASSWORD ?? ''],
    ['REDIS_PASSWORD', env.REDIS_PASSWORD ?? ''],
  ];
  return passwords.filter(([, password]) => password !== '');
}

/**
 * Sentinel or Cluster topology. A cluster keeps a queue's keys together only when the prefix has a
 * hash tag ({rt}): BullMQ's Lua scripts touch several keys of one queue at once.
 */
function checkRedisTopology(env: EnvValues): void {
  if (env.REDIS_SENTINELS.length > 0 && env.REDIS_CLUSTER_NODES.length > 0) {
    throw new ConfigError(
      'REDIS_CLUSTER_NODES',
      env.REDIS_CLUSTER_NODES.map(({ host, port }) =>
        host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
      ).join(','),
      'empty when REDIS_SENTINELS is set (use one of them)',
    );
  }
  if (env.REDIS_CLUSTER_NODES.length > 0 && !/\{[^{}]+\}/.test(env.QUEUE_PREFIX)) {
    throw new ConfigError(
      'QUEUE_PREFIX',
      env.QUEUE_PREFIX,
      'a prefix with a hash tag such as {rt} when REDIS_CLUSTER_NODES is set',
    );
  }
}

/** Semantic turns end on the speculative decode, so they need one, before their shortest wait. */
function checkTurns(env: EnvValues): void {
  if (env.TURN_MODE !== 'semantic') return;
  if (env.SPECULATIVE_SILENCE_SECONDS <= 0) {
    throw new ConfigError(
      'SPECULATIVE_SILENCE_SECONDS',
      String(env.SPECULATIVE_SILENCE_SECONDS),
      'greater than 0 when TURN_MODE=semantic (the turn is judged on the speculative decode)',
    );
  }
  if (env.TURN_MIN_SILENCE_MS < env.SPECULATIVE_SILENCE_SECONDS * 1000) {
    throw new ConfigError(
      'TURN_MIN_SILENCE_MS',
      String(env.TURN_MIN_SILENCE_MS),
      `at least SPECULATIVE_SILENCE_SECONDS (${env.SPECULATIVE_SILENCE_SECONDS * 1000} ms) when TURN_MODE=semantic`,
    );
  }
  if (env.TURN_MAX_SILENCE_MS < env.TURN_MIN_SILENCE_MS) {
    throw new ConfigError(
      'TURN_MAX_SILENCE_MS',
      String(env.TURN_MAX_SILENCE_MS),
      `at least TURN_MIN_SILENCE_MS (${env.TURN_MIN_SILENCE_MS})`,
    );
  }
}

/** AppConfig from validated values: computed defaults, rules across variables, nesting. */
export function buildAppConfig(env: EnvValues) {
  checkTurns(env);
  const security = securityConfig(env);
  const passwords = passwordsOf(env);
  if (env.NODE_ENV === 'production') {
    for (const [variable, password] of passwords) {
      requireStrongSecret(variable, password, 'password');
    }
  }
  checkRedisTopology(env);
  const roles = env.ROLE;
  return {
    nodeEnv: env.NODE_ENV,
    roles,
    log: {
      format: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
      level: env.LOG_LEVEL,
    },
    http: {
      host: env.HOST,
      healthPort:
        env.HEALTH_PORT ?? (roles.length === 1 && roles[0] ? DEFAULT_HEALTH_PORTS[roles[0]] : 8080),
    },
    redis: {
      url: env.REDIS_URL,
      prefix: env.QUEUE_PREFIX,
      /** Sentinels to ask for the master named sentinelName; empty unless REDIS_SENTINELS is set. */
      sentinels: env.REDIS_SENTINELS,
      sentinelName: env.REDIS_SENTINEL_NAME,
      /** Seed nodes of a Redis Cluster; empty unless REDIS_CLUSTER_NODES is set. */
      clusterNodes: env.REDIS_CLUSTER_NODES,
    },
    gateway: {
      port: env.GATEWAY_PORT,
      maxFrameBytes: env.MAX_FRAME_BYTES,
      maxQueueDepth: env.MAX_QUEUE_DEPTH,
      sessionTtlSeconds: env.SESSION_TTL_SECONDS,
      /**
       * Median delay of the last 10 s of finals after their utterance ended above which new
       * sessions are refused (OVERLOAD_FINAL_LATENCY_SECONDS; 0 = queue depth only).
       */
      overloadFinalLatencySeconds: env.OVERLOAD_FINAL_LATENCY_SECONDS,
      /** Interims slow down for every session when more stt jobs wait (INTERIM_BACKOFF_QUEUE_DEPTH). */
      interimBackoffQueueDepth: env.INTERIM_BACKOFF_QUEUE_DEPTH,
      /** No speculative finals while the stt queue is deeper than this (SPECULATION_MAX_QUEUE_DEPTH). */
      speculationMaxQueueDepth: env.SPECULATION_MAX_QUEUE_DEPTH,
      resultStreamMaxLen: env.RESULT_STREAM_MAXLEN,
    },
    vad: {
      sampleRate: env.SAMPLE_RATE,
      silenceThresholdSeconds: env.SILENCE_THRESHOLD_SECONDS,
      webrtcSensitivity: env.WEBRTC_SENSITIVITY,
      sileroSensitivity: env.SILERO_SENSITIVITY,
      preSpeechBufferSeconds: env.PRE_SPEECH_BUFFER_SECONDS,
      maxUtteranceSeconds: env.MAX_UTTERANCE_SECONDS,
      sttSendIntervalSeconds: env.STT_SEND_INTERVAL,
      /**
       * Silence after which the final's inference starts speculatively, before the threshold
       * passes (SPECULATIVE_SILENCE_SECONDS; 0 = off, at least the post-speech pad).
       */
      speculativeSilenceSeconds: env.SPECULATIVE_SILENCE_SECONDS,
      /** When an utterance ends: a fixed silence, or on the meaning of its speculative text. */
      turns: {
        mode: env.TURN_MODE,
        minSilenceMs: env.TURN_MIN_SILENCE_MS,
        maxSilenceMs: env.TURN_MAX_SILENCE_MS,
        minConfidence: env.TURN_MIN_CONFIDENCE,
        /** TURN_AUDIO_MODEL: the audio end-of-turn model's file, or undefined (text only). */
        audioModel: env.TURN_AUDIO_MODEL,
        audioThreshold: env.TURN_AUDIO_THRESHOLD,
      },
    },
    stt: {
      modelSize: env.MODEL_SIZE,
      modelPath: env.WHISPER_MODEL,
      modelsDir: env.MODELS_DIR,
      device: env.DEVICE,
      beamSize: env.BEAM_SIZE,
      /** poolSize: whisper contexts sharing one copy of the weights; threads: per context. */
      ...sttParallelism({ poolSize: env.STT_POOL_SIZE, threads: env.WHISPER_THREADS }),
      vadFilter: env.VAD_FILTER,
      normalizeAudio: env.NORMALIZE_AUDIO,
      maxBatchSize: env.MAX_BATCH_SIZE,
      batchTimeoutMs: env.BATCH_TIMEOUT_MS,
      audioCtx: env.AUDIO_CTX,
      noSpeechThreshold: env.NO_SPEECH_THRESHOLD,
      /** Flash attention in whisper.cpp (faster on CPU). */
      flashAttn: env.WHISPER_FLASH_ATTN,
      /** Word timings from whisper's token timestamps. */
      wordTimestamps: env.WORD_TIMESTAMPS,
      /** Tokens per segment, 0 = no limit. */
      maxTokens: env.STT_MAX_TOKENS,
      /** Finals retry at higher temperatures when decoding fails whisper's checks. */
      temperatureFallback: env.TEMPERATURE_FALLBACK,
    },
    translation: {
      engine: env.TRANSLATION_ENGINE,
      url: env.TRANSLATION_URL,
      timeoutMs: env.TRANSLATION_TIMEOUT_MS,
      modelIdleSeconds: env.MODEL_IDLE_SECONDS,
      maxLoadedModels: env.MAX_LOADED_MODELS,
      /** Apertium's data directory (its `modes/` lists the installed pairs). */
      apertiumDir: env.APERTIUM_DATADIR,
      /** Longest text one translation request may carry (LibreTranslate's char limit). */
      maxChars: env.TRANSLATION_MAX_CHARS,
      /** Jobs one translation process works on at once. */
      concurrency: env.TRANSLATION_CONCURRENCY,
      nllbModel: env.NLLB_MODEL,
      modelDtype: env.TRANSLATION_MODEL_DTYPE,
      beamSize: env.TRANSLATION_BEAM_SIZE,
      /** HTTP translations the gateway waits for at once; more get 503. */
      apiMaxPending: env.TRANSLATION_API_MAX_PENDING,
      /** Of those, the most one caller may hold. */
      apiPendingPerKey: env.TRANSLATE_PENDING_PER_KEY,
    },
    /** OpenAI-compatible audio API of the gateway (src/openai-api). */
    openaiApi: {
      /** Largest upload `POST /v1/audio/*` accepts (413 above). */
      maxFileBytes: env.OPENAI_MAX_FILE_BYTES,
      /** Segments of one file queued or in transcription at once (the rest wait in the gateway). */
      segmentsInFlight: env.OPENAI_SEGMENTS_IN_FLIGHT,
      /** Longest one segment may take, queue wait included, before its request fails. */
      segmentTimeoutMs: env.OPENAI_SEGMENT_TIMEOUT_MS,
      /** Longest audio an upload may hold (413 above). */
      maxAudioSeconds: env.OPENAI_MAX_AUDIO_SECONDS,
      decodeTimeoutMs: env.OPENAI_DECODE_TIMEOUT_SECONDS * 1000,
      uploadsPerKey: env.OPENAI_UPLOADS_PER_KEY,
      maxConcurrentUploads: env.OPENAI_MAX_CONCURRENT_UPLOADS,
      maxWaitingUploads: env.OPENAI_MAX_WAITING_UPLOADS,
    },
    persistence: {
      /** `sqlite:<file>` (or `sqlite::memory:`) or `postgres://...` (optional `?schema=`). */
      databaseUrl: env.DATABASE_URL,
      migrateOnStart: env.DATABASE_MIGRATE_ON_START,
      /** 0 = transcripts are not stored at all. */
      transcriptRetentionDays: env.TRANSCRIPT_RETENTION_DAYS,
      retentionIntervalMs: env.RETENTION_INTERVAL_MINUTES * 60_000,
      archiveBatchSize: env.ARCHIVE_BATCH_SIZE,
      archiveFlushMs: env.ARCHIVE_FLUSH_MS,
      /** Items kept in memory awaiting the database; past this the result streams are re-read. */
      archiveMaxPending: env.ARCHIVE_MAX_PENDING,
      apiKeyCacheSeconds: env.API_KEY_CACHE_SECONDS,
      /** Unknown (well-formed) keys are remembered this long, so guesses never reach the database. */
      apiKeyNegativeCacheSeconds: env.API_KEY_NEGATIVE_CACHE_SECONDS,
    },
    queues: {
      attempts: env.JOB_ATTEMPTS,
      lockDurationMs: env.JOB_LOCK_MS,
      stalledIntervalMs: env.JOB_STALLED_INTERVAL_MS,
      /** At SIGTERM a worker waits this long for its jobs, then hands them back to the queue. */
      drainMs: env.WORKER_DRAIN_MS,
      /** This process as a queue worker (stt and translation roles): named in results. */
      workerId: env.WORKER_ID ?? `${hostname()}:${process.pid}`,
    },
    security,
    /** Live rooms (docs/rooms.md). */
    rooms: {
      /** Listeners connected to one room at once, across every gateway. */
      maxListeners: env.ROOM_MAX_LISTENERS,
      /** Listeners of every room of one API key at once (anonymous rooms count under '-'). */
      maxListenersPerKey: env.ROOM_MAX_LISTENERS_PER_KEY,
      /** Per gateway: listener connections of one listener token / one client address. */
      maxListenersPerToken: env.ROOM_MAX_LISTENERS_PER_TOKEN,
      maxListenersPerAddress: env.ROOM_MAX_LISTENERS_PER_ADDRESS,
      /** Per gateway: listener connection attempts per client address per minute. */
      listenerConnectsPerMinute: env.ROOM_LISTENER_CONNECTS_PER_MINUTE,
      /** Unsent bytes a listener may have queued before it is closed as a slow reader. */
      listenerBufferBytes: env.ROOM_LISTENER_BUFFER_BYTES,
      /** Join attempts (code or id, passcode right or wrong) per client address per minute. */
      joinsPerMinute: env.ROOM_JOINS_PER_MINUTE,
      /** Join attempts per minute from all addresses together, over every gateway. */
      joinsPerMinuteTotal: env.ROOM_JOINS_PER_MINUTE_TOTAL,
      /** Wrong passcodes for one room within the window before it is locked for that window. */
      passcodeFailures: env.ROOM_PASSCODE_FAILURES,
      passcodeLockoutSeconds: env.ROOM_PASSCODE_LOCKOUT_SECONDS,
      /** Rooms one key (one client address without auth) may create per hour. */
      createsPerHour: env.ROOM_CREATES_PER_HOUR,
      /** A language stays translated this long after its last listener left. */
      languageGraceSeconds: env.ROOM_LANGUAGE_GRACE_SECONDS,
      /** Lifetime of a room (and of its listener tokens) after its last activity. */
      ttlSeconds: env.ROOM_TTL_SECONDS,
      /** Entries kept in a room's stream (the transcript a joining listener gets, and resume). */
      streamMaxLen: env.ROOM_STREAM_MAXLEN,
    },
    /** Values that must never appear in logs, errors or metrics. */
    secrets: [
      ...security.jwtKeys.map((key) => key.secret),
      ...passwords.map(([, password]) => password),
      // As a URL carries them (percent-encoded), so a URL that is logged whole is redacted too.
      ...[env.REDIS_URL, env.DATABASE_URL].flatMap((url) => {
        const encoded = url.startsWith('sqlite:') ? '' : new URL(url).password;
        return encoded !== '' ? [encoded] : [];
      }),
    ],
  };
}
