/**
 * Every WebSocket close code the service's sockets end with (native streams, OpenAI Realtime,
 * Deepgram and room listeners), one name per code. docs/protocol.md, docs/rooms.md and
 * docs/security.md describe them; close-codes.spec.ts keeps the docs and this table in step.
 * No imports, no Node APIs: the web app compiles src/contracts for the browser.
 */
export const CLOSE_CODES = {
  Normal: {
    code: 1000,
    meaning: 'normal close: the client asked to end (native streams: after `closed`)',
  },
  GoingAway: {
    code: 1001,
    meaning: 'the gateway is shutting down: resume or reconnect on another instance',
  },
  InvalidPayload: {
    code: 1007,
    meaning: 'a text frame is not valid UTF-8 (sent by the ws library itself)',
  },
  PolicyViolation: {
    code: 1008,
    meaning: "the session's API key was revoked, or a room listener sent audio",
  },
  TooBig: {
    code: 1009,
    meaning: 'a frame over MAX_FRAME_BYTES, or a text frame over MAX_CONTROL_BYTES',
  },
  Internal: { code: 1011, meaning: 'internal error (resume or reconnect to continue)' },
  TryAgainLater: {
    code: 1013,
    meaning: 'overloaded, or Redis/the database unreachable: try again later',
  },
  BadRequest: { code: 4000, meaning: 'bad request (invalid resume parameters)' },
  UnsupportedSampleRate: { code: 4001, meaning: 'unsupported sample rate' },
  UnsupportedEncoding: { code: 4002, meaning: 'unsupported encoding' },
  SessionNotFound: { code: 4003, meaning: 'unknown or expired resume token' },
  SessionTakenOver: { code: 4004, meaning: 'the session was resumed by a newer connection' },
  IdleTimeout: { code: 4010, meaning: 'nothing received for IDLE_TIMEOUT_SECONDS' },
  MaxDuration: { code: 4011, meaning: 'the connection is older than MAX_SESSION_SECONDS' },
  SlowReader: { code: 4013, meaning: 'the client does not read its output (resume to continue)' },
  RoomEnded: { code: 4020, meaning: 'the room a listener follows was ended' },
  RateLimited: {
    code: 4029,
    meaning: 'too many frames a second, audio too far ahead of real time, or an audio backlog',
  },
  TooManyStreams: { code: 4102, meaning: 'the API key already has its maximum of open sessions' },
  QuotaExceeded: { code: 4103, meaning: 'the API key used its audio seconds for this hour' },
} as const satisfies Record<string, { code: number; meaning: string }>;

export type CloseCodeName = keyof typeof CLOSE_CODES;

/** `CloseCode.SlowReader` is 4013: the numbers of CLOSE_CODES by name. */
export const CloseCode = Object.fromEntries(
  Object.entries(CLOSE_CODES).map(([name, { code }]) => [name, code]),
) as { readonly [Name in CloseCodeName]: (typeof CLOSE_CODES)[Name]['code'] };
