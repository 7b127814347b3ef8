import { SAMPLE_RATES, z } from '../validation/schema-parse';
import { databaseUrl, hostPorts, ipRanges, origins, roles } from './env-formats';
import {
  atBoot,
  decimal,
  flag,
  integer,
  integerOneOf,
  list,
  oneOf,
  type Range,
  text,
  url,
} from './env-value-types';
import { group, variable } from './env-variable';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

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

export const TRANSLATION_ENGINES = ['apertium', 'nllb', 'opus-mt', 'libretranslate'] as const;
/** Neural translation models the model command can fetch and the nllb engine can run. */
export const NLLB_MODELS = ['nllb-200-distilled-600M'] as const;

const PORT: Range = { min: 1, max: 65535 };
const KIB = 1024;
const MIB = 1024 * 1024;

/**
 * The environment: every variable the service reads, with its type, default, allowed values and
 * what the configuration reference says of it. Validation, error messages, the typed values
 * loadConfig builds AppConfig from, and docs/configuration.md all come from here. Entries are in
 * reference order; the first invalid one is the one reported.
 */
export const envSchema = z.object({
  ...group('General', {
    ROLE: variable(roles(), '`gateway`, `stt`, `translation`, a comma list, or `all`'),
    NODE_ENV: variable(oneOf(NODE_ENVS, 'development'), '`development`, `production` or `test`'),
    LOG_FORMAT: variable(
      oneOf(LOG_FORMATS, atBoot('`json` in production, else `pretty`')),
      'log lines as JSON objects or readable text',
    ),
    LOG_LEVEL: variable(oneOf(LOG_LEVELS, 'log'), '`error`, `warn`, `log`, `debug`, `verbose`'),
    HOST: variable(text('0.0.0.0'), 'address the HTTP and WebSocket servers bind'),
    HEALTH_PORT: variable(
      integer(PORT, atBoot('8080 for gateway or several roles, 8081 stt, 8082 translation')),
      'health and metrics port',
    ),
  }),
  ...group('Redis and queues', {
    REDIS_URL: variable(
      url(['redis://', 'rediss://'], 'redis://127.0.0.1:6379'),
      'Redis (`redis://` or `rediss://`, password in the URL is never logged)',
      { sensitive: true },
    ),
    QUEUE_PREFIX: variable(text('rt'), 'prefix of every Redis key the service writes'),
    REDIS_SENTINELS: variable(
      hostPorts(),
      'Sentinel: comma list of `host:port` sentinels; `REDIS_URL` then gives only the password, user, db and TLS of the master',
    ),
    REDIS_SENTINEL_NAME: variable(text('mymaster'), 'Sentinel: name of the monitored master'),
    REDIS_CLUSTER_NODES: variable(
      hostPorts(),
      'Cluster: comma list of `host:port` seed nodes; needs a `QUEUE_PREFIX` with a hash tag such as `{rt}`',
    ),
    REDIS_PASSWORD: variable(
      text(undefined),
      'password of the compose Redis container; checked in production when set',
      { sensitive: true },
    ),
    JOB_ATTEMPTS: variable(integer({ min: 1, max: 20 }, 3), 'attempts per queued job'),
    JOB_LOCK_MS: variable(
      integer({ min: 1000, max: 600_000 }, 10_000),
      "BullMQ job lock; a crashed worker's job is taken over after about this long",
    ),
    JOB_STALLED_INTERVAL_MS: variable(
      integer({ min: 500, max: 600_000 }, 5_000),
      'how often workers look for stalled jobs',
    ),
    // Below main.ts's 30 s shutdown deadline, so a hand-back always happens before a forced exit.
    WORKER_DRAIN_MS: variable(
      integer({ min: 0, max: 25_000 }, 20_000),
      'at SIGTERM a worker waits this long (at most 25000) for the jobs in hand, then hands them back to the queue',
    ),
    WORKER_ID: variable(
      text(atBoot('`<hostname>:<pid>`')),
      'name of this process as a queue worker (stt `final` messages, the translation directory)',
    ),
  }),
  ...group('Gateway', {
    GATEWAY_PORT: variable(integer(PORT, 5026), 'WebSocket and public HTTP port of the gateway'),
    MAX_FRAME_BYTES: variable(
      integer({ min: KIB, max: 64 * MIB }, MIB),
      'largest WebSocket frame accepted (larger closes with 1009)',
    ),
    OVERLOAD_FINAL_LATENCY_SECONDS: variable(
      decimal({ min: 0, max: 3600 }, 2),
      'also overloaded (new sessions refused, interims paused) while the median final of the last 10 s came more than this many seconds after its utterance ended; `0` = queue depth only',
    ),
    INTERIM_BACKOFF_QUEUE_DEPTH: variable(
      integer({ min: 0, max: 1_000_000 }, 2),
      'above this many waiting stt jobs every session sends interims less often (x2, x4, up to x8)',
    ),
    MAX_QUEUE_DEPTH: variable(
      integer({ min: 1, max: 1_000_000 }, 100),
      'stt queue depth above which interims are dropped and new sessions refused',
    ),
    SESSION_TTL_SECONDS: variable(
      integer({ min: 10, max: 7 * 86400 }, 300),
      'idle time after which a session and its results expire',
    ),
    RESULT_STREAM_MAXLEN: variable(
      integer({ min: 10, max: 1_000_000 }, 1000),
      'messages kept per session for resume',
    ),
  }),
  ...group('Voice activity and utterances', {
    SAMPLE_RATE: variable(
      integerOneOf(SAMPLE_RATES, 16000),
      'default input sample rate of a session that names none (resampled to 16 kHz)',
    ),
    SILENCE_THRESHOLD_SECONDS: variable(
      decimal({ min: 0.1, max: 10 }, 0.6),
      'silence that ends an utterance',
    ),
    WEBRTC_SENSITIVITY: variable(integer({ min: 0, max: 3 }, 3), 'WebRTC VAD aggressiveness, 0-3'),
    SILERO_SENSITIVITY: variable(
      decimal({ min: 0, max: 1 }, 0.4),
      'Silero VAD speech probability threshold, 0-1',
    ),
    PRE_SPEECH_BUFFER_SECONDS: variable(
      decimal({ min: 0, max: 5 }, 0.3),
      'audio kept before speech onset',
    ),
    MAX_UTTERANCE_SECONDS: variable(
      decimal({ min: 1, max: 30 }, 15),
      'longest utterance before it is split',
    ),
    SPECULATIVE_SILENCE_SECONDS: variable(
      decimal({ min: 0, max: 10 }, 0.2),
      "silence after which the final's inference starts speculatively (used if no speech comes back before `SILENCE_THRESHOLD_SECONDS`); `0` = off",
    ),
    TURN_MODE: variable(
      oneOf(['silence', 'semantic'] as const, 'silence'),
      "how an utterance ends: `silence` after `SILENCE_THRESHOLD_SECONDS`; `semantic` after `TURN_MIN_SILENCE_MS` when the speculative decode's text is a complete turn, else after `TURN_MAX_SILENCE_MS` (needs `SPECULATIVE_SILENCE_SECONDS` > 0)",
    ),
    TURN_MIN_SILENCE_MS: variable(
      integer({ min: 50, max: 10_000 }, 250),
      'semantic turns: the silence that ends a complete turn',
    ),
    TURN_MAX_SILENCE_MS: variable(
      integer({ min: 100, max: 30_000 }, 1500),
      'semantic turns: the longest silence before an incomplete turn ends anyway',
    ),
    TURN_MIN_CONFIDENCE: variable(
      decimal({ min: 0, max: 1 }, 0.5),
      "semantic turns: a speculative decode whose words' mean probability is below this is not taken as a complete turn",
    ),
    TURN_AUDIO_MODEL: variable(
      text(undefined),
      "semantic turns: an ONNX end-of-turn audio model in Smart Turn v3's shape (`npm run models -- --trust-host smart-turn`), a second signal beside the text; unset = text only",
    ),
    TURN_AUDIO_THRESHOLD: variable(
      decimal({ min: 0, max: 1 }, 0.5),
      "semantic turns: the audio model's probability from which a turn is complete",
    ),
    SPECULATION_MAX_QUEUE_DEPTH: variable(
      integer({ min: 0, max: 1_000_000 }, 16),
      'no speculative finals while more stt jobs than this wait in the queue',
    ),
    STT_SEND_INTERVAL: variable(
      decimal({ min: 0.1, max: 10 }, 0.5),
      'seconds between interim snapshots of a growing utterance',
    ),
  }),
  ...group('Speech to text', {
    MODEL_SIZE: variable(
      oneOf(MODEL_SIZES, 'base'),
      'whisper model: tiny, tiny.en, base, base.en, small, small.en, medium, large-v3, ... and quantized variants',
    ),
    WHISPER_MODEL: variable(
      text(undefined),
      'explicit path of a ggml model file (overrides `MODEL_SIZE`)',
    ),
    MODELS_DIR: variable(text('models'), 'where the model command stores model files'),
    DEVICE: variable(
      oneOf(['cpu', 'cuda'], 'cpu'),
      '`cpu` or `cuda` (needs a CUDA build of whisper.cpp)',
    ),
    BEAM_SIZE: variable(
      integer({ min: 1, max: 16 }, 5),
      'beam size for finals (interims are greedy)',
    ),
    WHISPER_THREADS: variable(
      integer(
        { min: 1, max: 256 },
        atBoot('the usable cores divided by the pool size (1 with the default pool)'),
      ),
      'threads per whisper context',
    ),
    STT_POOL_SIZE: variable(
      integer(
        { min: 1, max: 64 },
        atBoot('one per usable core, at most 8 (cores / WHISPER_THREADS when that is set)'),
      ),
      'whisper contexts per stt process (its concurrency); they share one copy of the weights',
    ),
    VAD_FILTER: variable(flag(true), 'skip segments without speech in the stt worker'),
    NORMALIZE_AUDIO: variable(flag(true), 'peak-normalise audio before inference'),
    MAX_BATCH_SIZE: variable(integer({ min: 1, max: 64 }, 1), 'queued segments one pick-up takes'),
    BATCH_TIMEOUT_MS: variable(
      integer({ min: 0, max: 10_000 }, 50),
      'how long a pick-up waits to fill a batch',
    ),
    AUDIO_CTX: variable(
      oneOf(['auto', 'full'], 'auto'),
      "`auto` sizes whisper's audio context to the segment; `full` pads to 30 s",
    ),
    NO_SPEECH_THRESHOLD: variable(
      decimal({ min: 0, max: 1 }, 0.6),
      'whisper no-speech probability above which a segment yields no text',
    ),
    WHISPER_FLASH_ATTN: variable(flag(true), 'flash attention in whisper.cpp (faster on CPU)'),
    WORD_TIMESTAMPS: variable(
      flag(true),
      'word timings in `final` messages (whisper token timestamps)',
    ),
    STT_MAX_TOKENS: variable(integer({ min: 0, max: 448 }, 0), 'tokens per segment, 0 = no limit'),
    TEMPERATURE_FALLBACK: variable(
      flag(true),
      "finals are decoded again at higher temperatures when whisper's checks fail (interims never)",
    ),
  }),
  ...group('Translation', {
    TRANSLATION_ENGINE: variable(
      oneOf(TRANSLATION_ENGINES, 'apertium'),
      '`apertium`, `nllb`, `opus-mt` or `libretranslate`; pairs it does not serve fall back to Apertium',
    ),
    TRANSLATION_URL: variable(
      url(['http://', 'https://'], undefined),
      'LibreTranslate server for the `libretranslate` engine',
    ),
    TRANSLATION_TIMEOUT_MS: variable(
      integer({ min: 100, max: 120_000 }, 5000),
      'longest a translation may take before its engine is restarted',
    ),
    MODEL_IDLE_SECONDS: variable(
      integer({ min: 10, max: 86400 }, 600),
      'idle neural translation models are unloaded, idle Apertium pipelines stopped, after this',
    ),
    MAX_LOADED_MODELS: variable(
      integer({ min: 1, max: 64 }, 2),
      'neural translation models kept in memory at once',
    ),
    APERTIUM_DATADIR: variable(
      text('/usr/share/apertium'),
      'Apertium data; its `modes/` lists the installed pairs',
    ),
    TRANSLATION_CONCURRENCY: variable(
      integer({ min: 1, max: 64 }, 4),
      'translation jobs one process works on at once',
    ),
    TRANSLATION_MAX_CHARS: variable(
      integer({ min: 1, max: 1_000_000 }, 5000),
      'longest text `POST /translate` accepts (400 above)',
    ),
    TRANSLATION_API_MAX_PENDING: variable(
      integer({ min: 1, max: 10_000 }, 32),
      '`POST /translate` requests a gateway waits for at once (503 above)',
    ),
    TRANSLATE_MAX_ITEMS: variable(
      integer({ min: 1, max: 10_000 }, atBoot('64, or `MAX_QUEUE_DEPTH` when that is lower')),
      'most texts one `POST /translate` request may carry, and with `format=html` most pieces of prose between tags (400 above); a request past `MAX_QUEUE_DEPTH` is always refused (503)',
    ),
    TRANSLATE_PENDING_PER_KEY: variable(
      integer({ min: 1, max: 10_000 }, 8),
      '`POST /translate` requests of one key (one client address without auth) a gateway waits for at once, of its `TRANSLATION_API_MAX_PENDING` (429 above)',
    ),
    TRANSLATE_REQUESTS_PER_MINUTE: variable(
      integer({ min: 1, max: 1_000_000 }, 60),
      '`POST /translate` requests per minute per key (per client address without auth); 429 above',
    ),
    NLLB_MODEL: variable(
      oneOf(NLLB_MODELS, 'nllb-200-distilled-600M'),
      'NLLB model the `nllb` engine loads from `MODELS_DIR/translation/`',
    ),
    TRANSLATION_MODEL_DTYPE: variable(
      oneOf(['q8', 'fp32'], 'q8'),
      'neural model weights: `q8` (quantized ONNX) or `fp32`',
    ),
    TRANSLATION_BEAM_SIZE: variable(
      integer({ min: 1, max: 8 }, 2),
      'beam size of the neural translation engines',
    ),
  }),
  ...group('OpenAI audio API', {
    OPENAI_MAX_FILE_BYTES: variable(
      integer({ min: KIB, max: 4 * 1024 * MIB }, 25 * MIB),
      'largest upload `POST /v1/audio/transcriptions|translations` accepts (413 above)',
    ),
    OPENAI_SEGMENTS_IN_FLIGHT: variable(
      integer({ min: 1, max: 256 }, 4),
      "segments of one uploaded file in the stt queue at once (below live speech's priority); bounds how much a long file takes of the workers",
    ),
    OPENAI_SEGMENT_TIMEOUT_MS: variable(
      integer({ min: 1000, max: 3_600_000 }, 300_000),
      'longest one segment of an upload may take, queue wait included (then 504)',
    ),
    OPENAI_MAX_AUDIO_SECONDS: variable(
      integer({ min: 1, max: 86_400 }, 7200),
      'longest audio one upload may hold, by its header or as decoded (413 above); the gateway holds it decoded, 32 KB per second',
    ),
    OPENAI_DECODE_TIMEOUT_SECONDS: variable(
      integer({ min: 1, max: 3600 }, 120),
      'longest ffmpeg may take to read one upload (then 400 and ffmpeg is killed)',
    ),
    OPENAI_UPLOADS_PER_KEY: variable(
      integer({ min: 1, max: 1000 }, 2),
      'uploads one key (one client address without auth) may have in progress or waiting on a gateway (429 above)',
    ),
    OPENAI_MAX_CONCURRENT_UPLOADS: variable(
      integer({ min: 1, max: 1000 }, 4),
      'uploads a gateway decodes and transcribes at once; more wait, taken in turn across keys',
    ),
    OPENAI_MAX_WAITING_UPLOADS: variable(
      integer({ min: 0, max: 10_000 }, 16),
      'uploads a gateway lets wait for one of those places (503 above)',
    ),
  }),
  ...group('Store of record', {
    DATABASE_URL: variable(
      databaseUrl('sqlite:data/realtime.db'),
      'store of record: `sqlite:<file>`, `sqlite::memory:` or `postgres://user:pass@host:5432/db` (optional `?schema=name`; the password is never logged)',
      { sensitive: true },
    ),
    POSTGRES_PASSWORD: variable(
      text(undefined),
      'password of the compose PostgreSQL container; checked in production (a placeholder or weak one refuses to start)',
      { sensitive: true },
    ),
    DATABASE_MIGRATE_ON_START: variable(
      flag(true),
      'apply pending migrations at start; set `false` in production and run `npm run db:migrate`',
    ),
    TRANSCRIPT_RETENTION_DAYS: variable(
      integer({ min: 0, max: 36_500 }, 30),
      'transcripts older than this are deleted; `0` stores no transcripts at all',
    ),
    RETENTION_INTERVAL_MINUTES: variable(
      integer({ min: 1, max: 10_080 }, 60),
      'how often the retention job runs (also once at start)',
    ),
    ARCHIVE_BATCH_SIZE: variable(
      integer({ min: 1, max: 10_000 }, 200),
      'delivered results that trigger an archive write before the timer',
    ),
    ARCHIVE_FLUSH_MS: variable(
      integer({ min: 10, max: 60_000 }, 1000),
      'how often delivered results and usage counters are written',
    ),
    ARCHIVE_MAX_PENDING: variable(
      integer({ min: 1, max: 1_000_000 }, 10_000),
      'results kept in memory awaiting the database; beyond it they are re-read from Redis later',
    ),
    API_KEY_CACHE_SECONDS: variable(
      integer({ min: 1, max: 3600 }, 60),
      'how long a verified API key stays cached in Redis',
    ),
    API_KEY_NEGATIVE_CACHE_SECONDS: variable(
      integer({ min: 0, max: 3600 }, 30),
      'unknown well-formed API keys are remembered this long so guesses never reach the database; `0` = off',
    ),
  }),
  ...group('Security', {
    AUTH_REQUIRED: variable(
      flag(atBoot('`true` in production, else `false`')),
      'WebSocket upgrades and `POST /v1/tokens` need an API key or session token',
    ),
    JWT_SECRET: variable(
      text(undefined),
      'HS256 key (at least 32 characters) that signs session tokens; required in production with auth on; never logged',
      { sensitive: true },
    ),
    JWT_KID: variable(text('k1'), 'key id written in the token header for `JWT_SECRET`'),
    JWT_KEYS: variable(
      list(),
      'rotation: `kid:secret,kid:secret` (the first signs, all verify; overrides `JWT_SECRET`)',
      { sensitive: true },
    ),
    JWT_JWKS_FILE: variable(
      text(undefined),
      'a JWK Set file of `oct` keys (the first signs; overrides the two above)',
    ),
    JWT_ISSUER: variable(text('realtime-transcription'), '`iss` of issued tokens, checked on use'),
    JWT_AUDIENCE: variable(
      text('realtime-transcription-ws'),
      '`aud` of issued tokens, checked on use',
    ),
    TOKEN_TTL_SECONDS: variable(
      integer({ min: 5, max: 86400 }, 60),
      'lifetime of a session token (time to connect)',
    ),
    TOKEN_SINGLE_USE: variable(
      flag(true),
      'a token opens one connection (its `jti` is kept in Redis until expiry)',
    ),
    ALLOWED_ORIGINS: variable(
      origins(),
      'exact browser origins allowed (comma list); others get 403; empty = any',
    ),
    TRUSTED_PROXIES: variable(
      ipRanges(),
      'proxies (IPs or CIDRs, comma list) whose `X-Forwarded-For` names the client for the failure limits; empty = none',
    ),
    AUTH_FAILURE_LIMIT: variable(
      integer({ min: 1, max: 100_000 }, 10),
      'failed authentications per IP and per presented key within the window before 429',
    ),
    AUTH_FAILURE_WINDOW_SECONDS: variable(
      integer({ min: 1, max: 86400 }, 60),
      'window of that limit',
    ),
    TLS_CERT: variable(
      text(undefined),
      'PEM certificate: the gateway port serves https/wss (reloaded when the file changes)',
    ),
    TLS_KEY: variable(text(undefined), 'PEM private key for `TLS_CERT`'),
    TLS_CA: variable(
      text(undefined),
      'PEM CA: clients must present a certificate it signed (mutual TLS)',
    ),
  }),
  ...group('Connection limits', {
    MAX_SESSION_SECONDS: variable(
      integer({ min: 0, max: 7 * 86400 }, 4 * 3600),
      'a connection is closed (4011) after this long; `0` = no limit',
    ),
    IDLE_TIMEOUT_SECONDS: variable(
      integer({ min: 0, max: 86400 }, 120),
      'a connection that sends nothing for this long is closed (4010); `0` = never',
    ),
    HEARTBEAT_SECONDS: variable(
      integer({ min: 0, max: 3600 }, 30),
      'ping interval; a peer that misses a pong is terminated; `0` = off',
    ),
    MAX_BUFFERED_BYTES: variable(
      integer({ min: 64 * KIB, max: 1024 * MIB }, 8 * MIB),
      'unsent output above which a slow reader is closed (4013)',
    ),
    MAX_CONTROL_BYTES: variable(
      integer({ min: 256, max: MIB }, 16 * KIB),
      "largest text frame (larger closes with 1009); OpenAI Realtime's text frames carry audio and are held to MAX_FRAME_BYTES instead",
    ),
    MESSAGES_PER_SECOND: variable(
      decimal({ min: 1, max: 100_000 }, 200),
      "frames per second per connection (a key's own limit wins); above closes with 4029",
    ),
    MAX_REALTIME_FACTOR: variable(
      decimal({ min: 1, max: 1000 }, 3),
      'audio may arrive at most this much faster than real time (after the burst) or 4029',
    ),
    AUDIO_BURST_SECONDS: variable(
      decimal({ min: 1, max: 3600 }, 30),
      'audio a client may send ahead of real time at once (e.g. a reconnect backlog)',
    ),
    MAX_PENDING_AUDIO_BYTES: variable(
      integer({ min: KIB, max: 1024 * MIB }, 4 * MIB),
      'audio bytes of one session received but not yet processed; more closes with 4029 (at least `MAX_FRAME_BYTES`)',
    ),
    MAX_BODY_BYTES: variable(
      integer({ min: KIB, max: 100 * MIB }, MIB),
      'largest HTTP request body (413 above)',
    ),
  }),
  ...group('Live rooms', {
    ROOM_MAX_LISTENERS: variable(
      integer({ min: 1, max: 1e6 }, 2000),
      'listeners of one room at once, across every gateway (more are refused with `room_full`)',
    ),
    ROOM_MAX_LISTENERS_PER_KEY: variable(
      integer({ min: 1, max: 1e7 }, 5000),
      'listeners of all rooms of one API key at once (more are refused with `key_full`)',
    ),
    ROOM_MAX_LISTENERS_PER_TOKEN: variable(
      integer({ min: 1, max: 1000 }, 4),
      'listener connections one listener token may hold open on one gateway (more are refused with `token_full`)',
    ),
    ROOM_MAX_LISTENERS_PER_ADDRESS: variable(
      integer({ min: 1, max: 1e6 }, 200),
      'listener connections one client address (IPv6: its /64) may hold open on one gateway (`address_full`); a venue behind one NAT address needs room',
    ),
    ROOM_LISTENER_CONNECTS_PER_MINUTE: variable(
      integer({ min: 1, max: 1e6 }, 300),
      'listener connection attempts per client address (IPv6: /64) per minute on one gateway (`too_many_connects`)',
    ),
    ROOM_LISTENER_BUFFER_BYTES: variable(
      integer({ min: 16 * KIB, max: 64 * MIB }, MIB),
      'unsent bytes a listener may have queued; above it is closed with 4013 (SSE: the stream ends) and resumes with `last_id`',
    ),
    ROOM_JOINS_PER_MINUTE: variable(
      integer({ min: 1, max: 1e6 }, 30),
      'join attempts per client address per minute (code or id + passcode); 429 above',
    ),
    ROOM_JOINS_PER_MINUTE_TOTAL: variable(
      integer({ min: 1, max: 1e7 }, 1200),
      'join attempts per minute from all addresses together, over every gateway (429 above): bounds guessing join codes from many addresses',
    ),
    ROOM_PASSCODE_FAILURES: variable(
      integer({ min: 1, max: 1e6 }, 10),
      'wrong passcodes for one room (from any address) before it takes no passcode for `ROOM_PASSCODE_LOCKOUT_SECONDS` (429 `room_locked`)',
    ),
    ROOM_PASSCODE_LOCKOUT_SECONDS: variable(
      integer({ min: 1, max: 86_400 }, 300),
      'window of that count, and how long the lockout lasts',
    ),
    ROOM_CREATES_PER_HOUR: variable(
      integer({ min: 1, max: 1e6 }, 30),
      'rooms one API key (one client address without auth) may create per hour, over every gateway (`POST /v1/rooms` 429, `room=new` an error frame `too_many_rooms`)',
    ),
    ROOM_LANGUAGE_GRACE_SECONDS: variable(
      integer({ min: 0, max: 3600 }, 30),
      'seconds a room language stays translated after its last listener left',
    ),
    ROOM_TTL_SECONDS: variable(
      integer({ min: 60, max: 604_800 }, 43_200),
      'seconds a room (and its listener tokens) lives after its last activity',
    ),
    ROOM_STREAM_MAXLEN: variable(
      integer({ min: 100, max: 1_000_000 }, 20_000),
      "entries kept in a room's stream: the transcript so far a joining listener gets, and resume",
    ),
  }),
});

/** The environment's values once validated (defaults applied; computed defaults still unset). */
export type EnvValues = z.output<typeof envSchema>;
