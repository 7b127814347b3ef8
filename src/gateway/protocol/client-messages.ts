import { ProtocolError } from './protocol-error';
import { ConfigInput } from './session-config';

/** Text frames a client may send. Binary frames are audio. */
export type ClientMessage =
  | { type: 'config'; config: ConfigInput }
  | { type: 'finalize' }
  | { type: 'keepalive' }
  | { type: 'close' };

const TYPES = ['config', 'finalize', 'keepalive', 'close'];

/** Parses one text frame; throws a ProtocolError (connection stays open) when it is not valid. */
export function parseClientMessage(text: string): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError('invalid_json', 'text frames must be JSON objects');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('invalid_json', 'text frames must be JSON objects');
  }
  const { type, ...rest } = value as Record<string, unknown>;
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    throw new ProtocolError(
      'unknown_type',
      `unknown message type ${JSON.stringify(type)}; expected one of ${TYPES.join(', ')}`,
    );
  }
  if (type === 'config') {
    // Both {"type":"config","targets":[...]} and {"type":"config","config":{...}} are accepted.
    const nested = rest.config;
    const config =
      typeof nested === 'object' && nested !== null && !Array.isArray(nested)
        ? (nested as ConfigInput)
        : (rest as ConfigInput);
    return { type, config };
  }
  return { type } as ClientMessage;
}
