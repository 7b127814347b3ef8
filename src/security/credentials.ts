import { type IncomingMessage } from 'node:http';
import { type BlockList, isIP } from 'node:net';

/** Where a client put its credential (never the credential itself in a log). */
export type CredentialSource = 'query' | 'protocol' | 'authorization';

export interface PresentedCredential {
  value: string;
  source: CredentialSource;
}

/** Subprotocol prefix carrying a token: `Sec-WebSocket-Protocol: rt, bearer.<token>`. */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';
/** OpenAI's browser Realtime clients: `Sec-WebSocket-Protocol: realtime, openai-insecure-api-key.<key>`. */
export const OPENAI_KEY_PROTOCOL_PREFIX = 'openai-insecure-api-key.';
const CREDENTIAL_PREFIXES = [BEARER_PROTOCOL_PREFIX, OPENAI_KEY_PROTOCOL_PREFIX];

/** The credential in a prefixed subprotocol, or undefined when it has no credential prefix. */
function prefixedCredential(protocol: string): string | undefined {
  const lower = protocol.toLowerCase();
  const prefix = CREDENTIAL_PREFIXES.find((item) => lower.startsWith(item));
  return prefix === undefined ? undefined : protocol.slice(prefix.length);
}

/**
 * Subprotocols announcing that the next one is a credential, as Deepgram's browser SDK sends
 * them: `Sec-WebSocket-Protocol: token, <API key>` (or `bearer, <token>`).
 */
const CREDENTIAL_MARKERS = new Set(['token', 'bearer']);
const MAX_CREDENTIAL_LENGTH = 4096;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function protocols(request: IncomingMessage): string[] {
  const header = first(request.headers['sec-websocket-protocol']);
  return header ? header.split(',').map((item) => item.trim()) : [];
}

/** Subprotocols offered, each marked as a credential or not. */
function classifiedProtocols(
  offered: Iterable<string>,
): { protocol: string; credential: boolean }[] {
  const out: { protocol: string; credential: boolean }[] = [];
  let markerSeen = false;
  for (const protocol of offered) {
    const lower = protocol.toLowerCase();
    out.push({ protocol, credential: markerSeen || prefixedCredential(protocol) !== undefined });
    markerSeen = !markerSeen && CREDENTIAL_MARKERS.has(lower);
  }
  return out;
}

/**
 * The credential of an upgrade request: `Authorization: Bearer` (or Deepgram's `Token`), a
 * `bearer.<token>` or `openai-insecure-api-key.<key>` subprotocol or a `token, <key>` pair of
 * them, or `?token=`. More than one
 * (different) credential is ambiguous and refused (`conflict`).
 */
export function presentedCredential(
  request: IncomingMessage,
): PresentedCredential | undefined | 'conflict' | 'malformed' {
  const found: PresentedCredential[] = [];
  const authorization = first(request.headers.authorization);
  if (authorization !== undefined) {
    const [, value] = /^(?:Bearer|Token)\s+(\S+)\s*$/i.exec(authorization) ?? [];
    if (value === undefined) return 'malformed';
    found.push({ value, source: 'authorization' });
  }
  for (const { protocol, credential } of classifiedProtocols(protocols(request))) {
    if (!credential) continue;
    found.push({ value: prefixedCredential(protocol) ?? protocol, source: 'protocol' });
  }
  const query = new URL(request.url ?? '/', 'http://gateway').searchParams.getAll('token');
  for (const value of query) found.push({ value, source: 'query' });
  const [chosen] = found;
  if (!chosen) return undefined;
  if (new Set(found.map((item) => item.value)).size > 1) return 'conflict';
  if (chosen.value === '' || chosen.value.length > MAX_CREDENTIAL_LENGTH) return 'malformed';
  return chosen;
}

/**
 * Picks the subprotocol the server answers: the first one offered that is not a credential. A
 * token offered as a subprotocol is never echoed back (it would land in proxies' logs).
 */
export function selectProtocol(offered: Set<string>): string | false {
  return classifiedProtocols(offered).find((item) => !item.credential)?.protocol ?? false;
}

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack socket) is `10.0.0.1`. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

function isTrusted(address: string, trusted: BlockList): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** True when the TCP peer is a trusted proxy (TRUSTED_PROXIES), whose X-Forwarded-* may be believed. */
export function fromTrustedProxy(request: IncomingMessage, trusted?: BlockList): boolean {
  const peer = plainAddress(request.socket.remoteAddress ?? 'unknown');
  return trusted !== undefined && isTrusted(peer, trusted);
}

/**
 * The client address. The TCP peer, unless the peer is a trusted proxy (TRUSTED_PROXIES): then
 * the rightmost X-Forwarded-For address that is not itself a trusted proxy (addresses further
 * left were written by the client and prove nothing). A malformed entry stops the walk at the
 * last trusted hop.
 */
export function clientIp(request: IncomingMessage, trusted?: BlockList): string {
  const peer = plainAddress(request.socket.remoteAddress ?? 'unknown');
  if (!trusted || !isTrusted(peer, trusted)) return peer;
  const header = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => plainAddress(hop.trim()))
    .filter((hop) => hop !== '');
  let client = peer;
  for (const hop of [...hops].reverse()) {
    if (isIP(hop) === 0) break;
    client = hop;
    if (!isTrusted(client, trusted)) break;
  }
  return client;
}
