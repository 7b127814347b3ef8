import type { ClientFrame } from '../../contracts/stream-frames';
import { firstMessage, jsonText, z } from '../../common/validation/schema-parse';
import { ProtocolError } from '../../contracts/protocol-error';
import { type ConfigInput } from './session-config';

const NOT_AN_OBJECT = 'text frames must be JSON objects';

/** Every client frame type of the contract, and no other. */
const FRAME_TYPES = {
  config: 'config',
  finalize: 'finalize',
  keepalive: 'keepalive',
  refresh: 'refresh',
  close: 'close',
} as const satisfies { [T in ClientFrame['type']]: T };

const frameType = z.enum(FRAME_TYPES, {
  error: (issue) =>
    `unknown message type ${JSON.stringify(issue.input)}; expected one of ${Object.values(FRAME_TYPES).join(', ')}`,
});

/** Kept as parsed: a zod object would drop a `__proto__` key, which a config must refuse. */
const jsonObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { error: NOT_AN_OBJECT },
);

/**
 * A text frame a client may send (binary frames are audio). A config frame's fields are checked
 * when the session applies them (session-config.ts); both {"type":"config","targets":[...]} and
 * {"type":"config","config":{...}} are accepted.
 */
const clientMessageSchema = jsonText(NOT_AN_OBJECT)
  .pipe(jsonObject.check(z.property('type', frameType)))
  .transform((frame) => {
    const { type, ...rest } = frame as { type: ClientFrame['type'] } & Record<string, unknown>;
    if (type !== 'config') return { type };
    const nested = rest.config;
    const config: ConfigInput =
      typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? nested : rest;
    return { type, config };
  });

export type ClientMessage = z.output<typeof clientMessageSchema>;

/** Parses one text frame; throws a ProtocolError (connection stays open) when it is not valid. */
export function parseClientMessage(text: string): ClientMessage {
  const result = clientMessageSchema.safeParse(text);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ProtocolError(
    issue?.path[0] === 'type' ? 'unknown_type' : 'invalid_json',
    firstMessage(result.error),
  );
}
