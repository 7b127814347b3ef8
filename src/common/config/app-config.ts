export const ROLES = ['gateway', 'stt', 'translation'] as const;
export type Role = (typeof ROLES)[number];

export const DEFAULT_HEALTH_PORTS: Record<Role, number> = {
  gateway: 8080,
  stt: 8081,
  translation: 8082,
};

export const MODEL_SIZES = [
  'tiny',
  'tiny.en',
  'base',
  'base.en',
  'small',
  'small.en',
  'medium',
  'medium.en',
  'large-v1',
  'large-v2',
  'large-v3',
  'large-v3-turbo',
  'tiny-q5_1',
  'tiny.en-q5_1',
  'base-q5_1',
  'base.en-q5_1',
  'small-q5_1',
  'small.en-q5_1',
  'medium-q5_0',
  'medium.en-q5_0',
  'large-v3-q5_0',
  'large-v3-turbo-q5_0',
  'large-v3-turbo-q8_0',
] as const;
export type ModelSize = (typeof MODEL_SIZES)[number];

export const TRANSLATION_ENGINES = ['apertium', 'nllb', 'opus-mt', 'libretranslate'] as const;
/** Neural translation models the model command can fetch and the nllb engine can run. */
export const NLLB_MODELS = ['nllb-200-distilled-600M'] as const;

export type TranslationEngineName = (typeof TRANSLATION_ENGINES)[number];

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** The whole validated configuration. Built once at boot by loadConfig(); read-only after. */
export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly roles: readonly Role[];
  readonly log: { readonly format: 'json' | 'pretty'; readonly level: LogLevelName };
  readonly http: { readonly host: string; readonly healthPort: number };
  readonly redis: {
    readonly url: string;
    readonly prefix: string;
    /** Sentinels to ask for the master named sentinelName; empty unless REDIS_SENTINELS is set. */
    readonly sentinels: readonly RedisNode[];
    readonly sentinelName: string;
    /** Seed nodes of a Redis Cluster; empty unless REDIS_CLUSTER_NODES is set. */
    readonly clusterNodes: readonly RedisNode[];
  };
  readonly gateway: {
    readonly port: number;
    readonly maxFrameBytes: number;
    readonly maxQueueDepth: number;
    /**
     * Median delay of the last 10 s of finals after their utterance ended above which new
     * sessions are refused (OVERLOAD_FINAL_LATENCY_SECONDS; 0 = queue depth only).
     */
    readonly overloadFinalLatencySeconds: number;
    /** Interims slow down for every session when more stt jobs wait (INTERIM_BACKOFF_QUEUE_DEPTH). */
    readonly interimBackoffQueueDepth: number;
    /** No speculative finals while the stt queue is deeper than this (SPECULATION_MAX_QUEUE_DEPTH). */
    readonly speculationMaxQueueDepth: number;
    readonly sessionTtlSeconds: number;
    readonly resultStreamMaxLen: number;
  };
  readonly vad: {
    readonly sampleRate: number;
    readonly silenceThresholdSeconds: number;
    readonly webrtcSensitivity: number;
    readonly sileroSensitivity: number;
    readonly preSpeechBufferSeconds: number;
    readonly maxUtteranceSeconds: number;
    readonly sttSendIntervalSeconds: number;
    /**
     * Silence after which the final's inference starts speculatively, before the threshold
     * passes (SPECULATIVE_SILENCE_SECONDS; 0 = off, at least the post-speech pad).
     */
    readonly speculativeSilenceSeconds: number;
  };
  readonly stt: {
    readonly modelSize: ModelSize;
    readonly modelPath: string | undefined;
    readonly modelsDir: string;
    readonly device: 'cpu' | 'cuda';
    readonly beamSize: number;
    /** Threads per whisper context (WHISPER_THREADS; default: the cores split between contexts). */
    readonly threads: number;
    /** Whisper contexts sharing one copy of the weights (STT_POOL_SIZE; default: one per core, max 8). */
    readonly poolSize: number;
    readonly vadFilter: boolean;
    readonly normalizeAudio: boolean;
    readonly maxBatchSize: number;
    readonly batchTimeoutMs: number;
    readonly audioCtx: 'auto' | 'full';
    readonly noSpeechThreshold: number;
    /** Flash attention in whisper.cpp (faster on CPU; WHISPER_FLASH_ATTN). */
    readonly flashAttn: boolean;
    /** Word timings from whisper's token timestamps (WORD_TIMESTAMPS). */
    readonly wordTimestamps: boolean;
    /** Tokens per segment, 0 = no limit (STT_MAX_TOKENS). */
    readonly maxTokens: number;
    /** Finals retry at higher temperatures when decoding fails whisper's checks. */
    readonly temperatureFallback: boolean;
  };
  readonly translation: {
    readonly engine: TranslationEngineName;
    readonly url: string | undefined;
    readonly timeoutMs: number;
    readonly modelIdleSeconds: number;
    readonly maxLoadedModels: number;
    /** Apertium's data directory (its `modes/` lists the installed pairs). */
    readonly apertiumDir: string;
    /** Longest text one translation request may carry (LibreTranslate's char limit). */
    readonly maxChars: number;
    /** Jobs one translation process works on at once. */
    readonly concurrency: number;
    readonly nllbModel: string;
    readonly modelDtype: 'q8' | 'fp32';
    readonly beamSize: number;
    /** HTTP translations the gateway waits for at once; more get 503. */
    readonly apiMaxPending: number;
  };
  /** OpenAI-compatible audio API of the gateway (src/openai-api). */
  readonly openaiApi: {
    /** Largest upload `POST /v1/audio/*` accepts (413 above). */
    readonly maxFileBytes: number;
    /** Segments of one file queued or in transcription at once (the rest wait in the gateway). */
    readonly segmentsInFlight: number;
    /** Longest one segment may take, queue wait included, before its request fails. */
    readonly segmentTimeoutMs: number;
  };
  readonly persistence: {
    /** `sqlite:<file>` (or `sqlite::memory:`) or `postgres://...` (optional `?schema=`). */
    readonly databaseUrl: string;
    readonly migrateOnStart: boolean;
    /** 0 = transcripts are not stored at all. */
    readonly transcriptRetentionDays: number;
    readonly retentionIntervalMs: number;
    readonly archiveBatchSize: number;
    readonly archiveFlushMs: number;
    /** Items kept in memory awaiting the database; past this the result streams are re-read. */
    readonly archiveMaxPending: number;
    readonly apiKeyCacheSeconds: number;
    /** Unknown (well-formed) keys are remembered this long, so guesses never reach the database. */
    readonly apiKeyNegativeCacheSeconds: number;
  };
  readonly queues: {
    readonly attempts: number;
    readonly lockDurationMs: number;
    readonly stalledIntervalMs: number;
    /** At SIGTERM a worker waits this long for its jobs, then hands them back to the queue. */
    readonly drainMs: number;
    /** This process as a queue worker (stt and translation roles): named in results. */
    readonly workerId: string;
  };
  readonly security: SecurityConfig;
  /** Live rooms (docs/rooms.md). */
  readonly rooms: RoomsConfig;
  /** Values that must never appear in logs, errors or metrics. */
  readonly secrets: readonly string[];
}

/** A symmetric JWT signing key; the first of `jwtKeys` signs, all of them verify (rotation). */
export interface JwtKey {
  readonly kid: string;
  readonly secret: string;
}

export interface SecurityConfig {
  /** Upgrades and /v1/tokens need an API key or token (default: on in production). */
  readonly authRequired: boolean;
  readonly jwtKeys: readonly JwtKey[];
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly tokenTtlSeconds: number;
  /** A token connects once (its jti is remembered in Redis until it expires). */
  readonly tokenSingleUse: boolean;
  /** Exact Origin values browsers may connect from; empty = any Origin. */
  readonly allowedOrigins: readonly string[];
  /** Failed authentications per IP and per presented key within the window before 429. */
  readonly authFailureLimit: number;
  readonly authFailureWindowSeconds: number;
  readonly tls:
    | {
        readonly certFile: string;
        readonly keyFile: string;
        /** Client certificates signed by this CA are required when set. */
        readonly caFile: string | undefined;
      }
    | undefined;
  /** 0 = no limit. */
  readonly maxSessionSeconds: number;
  readonly idleTimeoutSeconds: number;
  readonly heartbeatSeconds: number;
  /** Unsent bytes a client may have queued before it is closed as a slow reader. */
  readonly maxBufferedBytes: number;
  /** Largest text (control) frame. */
  readonly maxControlBytes: number;
  /** Service-wide defaults for keys without their own limit (and anonymous sessions). */
  readonly messagesPerSecond: number;
  /** Audio may arrive at most this many times faster than real time (after a burst allowance). */
  readonly maxRealtimeFactor: number;
  readonly audioBurstSeconds: number;
  readonly maxBodyBytes: number;
  /**
   * Peers (IPs or CIDRs) whose X-Forwarded-For is believed: the client address is the rightmost
   * address in it that is not itself a trusted proxy. Empty = the TCP peer is the client.
   */
  readonly trustedProxies: readonly string[];
  /** POST /translate: most texts in one request (each one is a queued job). */
  readonly translateMaxItems: number;
  /** POST /translate: requests per minute per API key (per client address without auth). */
  readonly translateRequestsPerMinute: number;
}

export interface RoomsConfig {
  /** Listeners connected to one room at once, across every gateway. */
  readonly maxListeners: number;
  /** Listeners of every room of one API key at once (anonymous rooms count under '-'). */
  readonly maxListenersPerKey: number;
  /** Join attempts (code or id, passcode right or wrong) per client address per minute. */
  readonly joinsPerMinute: number;
  /** A language stays translated this long after its last listener left. */
  readonly languageGraceSeconds: number;
  /** Lifetime of a room (and of its listener tokens) after its last activity. */
  readonly ttlSeconds: number;
  /** Entries kept in a room's stream (the transcript a joining listener gets, and resume). */
  readonly streamMaxLen: number;
}

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export const APP_CONFIG = Symbol('APP_CONFIG');
