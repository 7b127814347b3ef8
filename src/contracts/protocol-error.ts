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
