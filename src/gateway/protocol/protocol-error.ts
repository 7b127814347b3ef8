/** Close codes the gateway uses (docs/protocol.md lists them). */
export const CloseCode = {
  Normal: 1000,
  /** The gateway is shutting down: resume the session on another instance. */
  GoingAway: 1001,
  TooBig: 1009,
  Internal: 1011,
  TryAgainLater: 1013,
  UnsupportedSampleRate: 4001,
  UnsupportedEncoding: 4002,
  SessionNotFound: 4003,
  SessionTakenOver: 4004,
  BadRequest: 4000,
} as const;

/**
 * A client mistake. With `closeCode` the connection cannot continue (the gateway sends an `error`
 * frame, then closes with that code and the message as reason); without, it stays open.
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly closeCode?: number,
  ) {
    super(message);
  }
}
