/**
 * The configuration reference: what each variable is for, grouped as docs/configuration.md shows
 * them. Allowed values and defaults are not written here: they come from the readers in
 * load-config.ts and security-config.ts (recordReads), so they cannot drift from the code.
 * A variable the code reads that is missing here (or the reverse) fails config-reference.spec.ts.
 */
export interface VariableDoc {
  description: string;
  /** Only where the default is computed at boot (depends on role, environment or host). */
  computedDefault?: string;
}

export const CONFIG_GROUPS: Record<string, Record<string, VariableDoc>> = {
  General: {
    ROLE: { description: '`gateway`, `stt`, `translation`, a comma list, or `all`' },
    NODE_ENV: { description: '`development`, `production` or `test`' },
    LOG_FORMAT: {
      description: 'log lines as JSON objects or readable text',
      computedDefault: '`json` in production, else `pretty`',
    },
    LOG_LEVEL: { description: '`error`, `warn`, `log`, `debug`, `verbose`' },
    HOST: { description: 'address the HTTP and WebSocket servers bind' },
    HEALTH_PORT: {
      description: 'health and metrics port',
      computedDefault: '8080 for gateway or several roles, 8081 stt, 8082 translation',
    },
  },
  'Redis and queues': {
    REDIS_URL: {
      description: 'Redis (`redis://` or `rediss://`, password in the URL is never logged)',
    },
    QUEUE_PREFIX: { description: 'prefix of every Redis key the service writes' },
    REDIS_SENTINELS: {
      description:
        'Sentinel: comma list of `host:port` sentinels; `REDIS_URL` then gives only the password, user, db and TLS of the master',
    },
    REDIS_SENTINEL_NAME: { description: 'Sentinel: name of the monitored master' },
    REDIS_CLUSTER_NODES: {
      description:
        'Cluster: comma list of `host:port` seed nodes; needs a `QUEUE_PREFIX` with a hash tag such as `{rt}`',
    },
    REDIS_PASSWORD: {
      description: 'password of the compose Redis container; checked in production when set',
    },
    JOB_ATTEMPTS: { description: 'attempts per queued job' },
    JOB_LOCK_MS: {
      description: "BullMQ job lock; a crashed worker's job is taken over after about this long",
    },
    JOB_STALLED_INTERVAL_MS: { description: 'how often workers look for stalled jobs' },
    WORKER_DRAIN_MS: {
      description:
        'at SIGTERM a worker waits this long (at most 25000) for the jobs in hand, then hands them back to the queue',
    },
    WORKER_ID: {
      description:
        'name of this process as a queue worker (stt `final` messages, the translation directory)',
      computedDefault: '`<hostname>:<pid>`',
    },
  },
  Gateway: {
    GATEWAY_PORT: { description: 'WebSocket and public HTTP port of the gateway' },
    MAX_FRAME_BYTES: { description: 'largest WebSocket frame accepted (larger closes with 1009)' },
    OVERLOAD_FINAL_LATENCY_SECONDS: {
      description:
        'also overloaded (new sessions refused, interims paused) while the median final of the last 10 s came more than this many seconds after its utterance ended; `0` = queue depth only',
    },
    INTERIM_BACKOFF_QUEUE_DEPTH: {
      description:
        'above this many waiting stt jobs every session sends interims less often (x2, x4, up to x8)',
    },
    MAX_QUEUE_DEPTH: {
      description: 'stt queue depth above which interims are dropped and new sessions refused',
    },
    SESSION_TTL_SECONDS: { description: 'idle time after which a session and its results expire' },
    RESULT_STREAM_MAXLEN: { description: 'messages kept per session for resume' },
  },
  'Voice activity and utterances': {
    SAMPLE_RATE: { description: 'default input sample rate (8000-48000; resampled to 16 kHz)' },
    SILENCE_THRESHOLD_SECONDS: { description: 'silence that ends an utterance' },
    WEBRTC_SENSITIVITY: { description: 'WebRTC VAD aggressiveness, 0-3' },
    SILERO_SENSITIVITY: { description: 'Silero VAD speech probability threshold, 0-1' },
    PRE_SPEECH_BUFFER_SECONDS: { description: 'audio kept before speech onset' },
    MAX_UTTERANCE_SECONDS: { description: 'longest utterance before it is split' },
    SPECULATIVE_SILENCE_SECONDS: {
      description:
        "silence after which the final's inference starts speculatively (used if no speech comes back before `SILENCE_THRESHOLD_SECONDS`); `0` = off",
    },
    SPECULATION_MAX_QUEUE_DEPTH: {
      description: 'no speculative finals while more stt jobs than this wait in the queue',
    },
    STT_SEND_INTERVAL: { description: 'seconds between interim snapshots of a growing utterance' },
  },
  'Speech to text': {
    MODEL_SIZE: {
      description:
        'whisper model: tiny, tiny.en, base, base.en, small, small.en, medium, large-v3, ... and quantized variants',
    },
    WHISPER_MODEL: { description: 'explicit path of a ggml model file (overrides `MODEL_SIZE`)' },
    MODELS_DIR: { description: 'where the model command stores model files' },
    DEVICE: { description: '`cpu` or `cuda` (needs a CUDA build of whisper.cpp)' },
    BEAM_SIZE: { description: 'beam size for finals (interims are greedy)' },
    WHISPER_THREADS: {
      description: 'threads per whisper context',
      computedDefault: 'the usable cores divided by the pool size (1 with the default pool)',
    },
    STT_POOL_SIZE: {
      description:
        'whisper contexts per stt process (its concurrency); they share one copy of the weights',
      computedDefault: 'one per usable core, at most 8 (cores / WHISPER_THREADS when that is set)',
    },
    VAD_FILTER: { description: 'skip segments without speech in the stt worker' },
    NORMALIZE_AUDIO: { description: 'peak-normalise audio before inference' },
    MAX_BATCH_SIZE: { description: 'queued segments one pick-up takes' },
    BATCH_TIMEOUT_MS: { description: 'how long a pick-up waits to fill a batch' },
    AUDIO_CTX: {
      description: "`auto` sizes whisper's audio context to the segment; `full` pads to 30 s",
    },
    NO_SPEECH_THRESHOLD: {
      description: 'whisper no-speech probability above which a segment yields no text',
    },
    WHISPER_FLASH_ATTN: { description: 'flash attention in whisper.cpp (faster on CPU)' },
    WORD_TIMESTAMPS: { description: 'word timings in `final` messages (whisper token timestamps)' },
    STT_MAX_TOKENS: { description: 'tokens per segment, 0 = no limit' },
    TEMPERATURE_FALLBACK: {
      description:
        "finals are decoded again at higher temperatures when whisper's checks fail (interims never)",
    },
  },
  Translation: {
    TRANSLATION_ENGINE: {
      description:
        '`apertium`, `nllb`, `opus-mt` or `libretranslate`; pairs it does not serve fall back to Apertium',
    },
    TRANSLATION_URL: { description: 'LibreTranslate server for the `libretranslate` engine' },
    TRANSLATION_TIMEOUT_MS: {
      description: 'longest a translation may take before its engine is restarted',
    },
    MODEL_IDLE_SECONDS: {
      description:
        'idle neural translation models are unloaded, idle Apertium pipelines stopped, after this',
    },
    MAX_LOADED_MODELS: { description: 'neural translation models kept in memory at once' },
    APERTIUM_DATADIR: { description: 'Apertium data; its `modes/` lists the installed pairs' },
    TRANSLATION_CONCURRENCY: { description: 'translation jobs one process works on at once' },
    TRANSLATION_MAX_CHARS: { description: 'longest text `POST /translate` accepts (400 above)' },
    TRANSLATION_API_MAX_PENDING: {
      description: '`POST /translate` requests a gateway waits for at once (503 above)',
    },
    TRANSLATE_MAX_ITEMS: {
      description: 'most texts one `POST /translate` request may carry (400 above)',
    },
    TRANSLATE_REQUESTS_PER_MINUTE: {
      description:
        '`POST /translate` requests per minute per key (per client address without auth); 429 above',
    },
    NLLB_MODEL: {
      description: 'NLLB model the `nllb` engine loads from `MODELS_DIR/translation/`',
    },
    TRANSLATION_MODEL_DTYPE: {
      description: 'neural model weights: `q8` (quantized ONNX) or `fp32`',
    },
    TRANSLATION_BEAM_SIZE: { description: 'beam size of the neural translation engines' },
  },
  'OpenAI audio API': {
    OPENAI_MAX_FILE_BYTES: {
      description:
        'largest upload `POST /v1/audio/transcriptions|translations` accepts (413 above)',
    },
    OPENAI_SEGMENTS_IN_FLIGHT: {
      description:
        "segments of one uploaded file in the stt queue at once (below live speech's priority); bounds how much a long file takes of the workers",
    },
    OPENAI_SEGMENT_TIMEOUT_MS: {
      description: 'longest one segment of an upload may take, queue wait included (then 504)',
    },
  },
  'Store of record': {
    DATABASE_URL: {
      description:
        'store of record: `sqlite:<file>`, `sqlite::memory:` or `postgres://user:pass@host:5432/db` (optional `?schema=name`; the password is never logged)',
    },
    POSTGRES_PASSWORD: {
      description:
        'password of the compose PostgreSQL container; checked in production (a placeholder or weak one refuses to start)',
    },
    DATABASE_MIGRATE_ON_START: {
      description:
        'apply pending migrations at start; set `false` in production and run `npm run db:migrate`',
    },
    TRANSCRIPT_RETENTION_DAYS: {
      description: 'transcripts older than this are deleted; `0` stores no transcripts at all',
    },
    RETENTION_INTERVAL_MINUTES: {
      description: 'how often the retention job runs (also once at start)',
    },
    ARCHIVE_BATCH_SIZE: {
      description: 'delivered results that trigger an archive write before the timer',
    },
    ARCHIVE_FLUSH_MS: { description: 'how often delivered results and usage counters are written' },
    ARCHIVE_MAX_PENDING: {
      description:
        'results kept in memory awaiting the database; beyond it they are re-read from Redis later',
    },
    API_KEY_CACHE_SECONDS: { description: 'how long a verified API key stays cached in Redis' },
    API_KEY_NEGATIVE_CACHE_SECONDS: {
      description:
        'unknown well-formed API keys are remembered this long so guesses never reach the database; `0` = off',
    },
  },
  Security: {
    AUTH_REQUIRED: {
      description: 'WebSocket upgrades and `POST /v1/tokens` need an API key or session token',
      computedDefault: '`true` in production, else `false`',
    },
    JWT_SECRET: {
      description:
        'HS256 key (at least 32 characters) that signs session tokens; required in production with auth on; never logged',
    },
    JWT_KID: { description: 'key id written in the token header for `JWT_SECRET`' },
    JWT_KEYS: {
      description:
        'rotation: `kid:secret,kid:secret` (the first signs, all verify; overrides `JWT_SECRET`)',
    },
    JWT_JWKS_FILE: {
      description: 'a JWK Set file of `oct` keys (the first signs; overrides the two above)',
    },
    JWT_ISSUER: { description: '`iss` of issued tokens, checked on use' },
    JWT_AUDIENCE: { description: '`aud` of issued tokens, checked on use' },
    TOKEN_TTL_SECONDS: { description: 'lifetime of a session token (time to connect)' },
    TOKEN_SINGLE_USE: {
      description: 'a token opens one connection (its `jti` is kept in Redis until expiry)',
    },
    ALLOWED_ORIGINS: {
      description: 'exact browser origins allowed (comma list); others get 403; empty = any',
    },
    TRUSTED_PROXIES: {
      description:
        'proxies (IPs or CIDRs, comma list) whose `X-Forwarded-For` names the client for the failure limits; empty = none',
    },
    AUTH_FAILURE_LIMIT: {
      description:
        'failed authentications per IP and per presented key within the window before 429',
    },
    AUTH_FAILURE_WINDOW_SECONDS: { description: 'window of that limit' },
    TLS_CERT: {
      description:
        'PEM certificate: the gateway port serves https/wss (reloaded when the file changes)',
    },
    TLS_KEY: { description: 'PEM private key for `TLS_CERT`' },
    TLS_CA: { description: 'PEM CA: clients must present a certificate it signed (mutual TLS)' },
  },
  'Connection limits': {
    MAX_SESSION_SECONDS: {
      description: 'a connection is closed (4011) after this long; `0` = no limit',
    },
    IDLE_TIMEOUT_SECONDS: {
      description: 'a connection that sends nothing for this long is closed (4010); `0` = never',
    },
    HEARTBEAT_SECONDS: {
      description: 'ping interval; a peer that misses a pong is terminated; `0` = off',
    },
    MAX_BUFFERED_BYTES: { description: 'unsent output above which a slow reader is closed (4013)' },
    MAX_CONTROL_BYTES: {
      description:
        "largest text frame (larger closes with 1009); OpenAI Realtime's text frames carry audio and are held to MAX_FRAME_BYTES instead",
    },
    MESSAGES_PER_SECOND: {
      description:
        "frames per second per connection (a key's own limit wins); above closes with 4029",
    },
    MAX_REALTIME_FACTOR: {
      description:
        'audio may arrive at most this much faster than real time (after the burst) or 4029',
    },
    AUDIO_BURST_SECONDS: {
      description: 'audio a client may send ahead of real time at once (e.g. a reconnect backlog)',
    },
    MAX_BODY_BYTES: { description: 'largest HTTP request body (413 above)' },
  },
  'Live rooms': {
    ROOM_MAX_LISTENERS: {
      description:
        'listeners of one room at once, across every gateway (more are refused with `room_full`)',
    },
    ROOM_MAX_LISTENERS_PER_KEY: {
      description:
        'listeners of all rooms of one API key at once (more are refused with `key_full`)',
    },
    ROOM_JOINS_PER_MINUTE: {
      description: 'join attempts per client address per minute (code or id + passcode); 429 above',
    },
    ROOM_LANGUAGE_GRACE_SECONDS: {
      description: 'seconds a room language stays translated after its last listener left',
    },
    ROOM_TTL_SECONDS: {
      description: 'seconds a room (and its listener tokens) lives after its last activity',
    },
    ROOM_STREAM_MAXLEN: {
      description:
        "entries kept in a room's stream: the transcript so far a joining listener gets, and resume",
    },
  },
};
