import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { RoomAccessError } from './room-access.service';

export interface AdmissionLimits {
  /** Listener connections one listener token may hold open on this gateway. */
  perToken: number;
  /** Listener connections one client address (IPv6: its /64) may hold open on this gateway. */
  perAddress: number;
  /** Listener connection attempts per client address per minute on this gateway. */
  connectsPerMinute: number;
}

const WINDOW_MS = 60_000;
/** Attempt windows of this many addresses are kept before stale ones are swept. */
const SWEEP_AT = 10_000;

/**
 * The address a limit counts: an IPv6 client may hold a whole /64 (one customer's prefix), so
 * those count as one; an IPv4-mapped IPv6 address is its IPv4 address.
 */
export function addressGroup(address: string): string {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (!isIPv6(plain)) return plain;
  const [head = '', tail = ''] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = plain.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Per-gateway places of listener connections, without I/O: by listener token (one token may
 * not take every place of a room or of its owner's key), by client address, and a connect rate
 * per address. The room's and the key's caps over all gateways are kept in Redis
 * (RoomStoreService.join).
 */
export class ListenerAdmission {
  private readonly byToken = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();
  private readonly attempts = new Map<string, { since: number; count: number }>();

  constructor(private readonly limits: AdmissionLimits) {}

  /** An attempt to connect (counted whether or not it succeeds); 429 past the rate. */
  attempt(address: string, now = Date.now()): void {
    let window = this.attempts.get(address);
    if (!window || now - window.since >= WINDOW_MS) {
      if (this.attempts.size >= SWEEP_AT) this.sweep(now);
      window = { since: now, count: 0 };
      this.attempts.set(address, window);
    }
    window.count++;
    if (window.count > this.limits.connectsPerMinute) {
      throw new RoomAccessError(
        429,
        'too_many_connects',
        `more than ${this.limits.connectsPerMinute} listener connections a minute from this address: wait a minute`,
      );
    }
  }

  /** Takes a place for `token` from `address`; the returned function gives it back (once). */
  take(token: string, address: string): () => void {
    const tokenKey = createHash('sha256').update(token).digest('base64url').slice(0, 22);
    if ((this.byToken.get(tokenKey) ?? 0) >= this.limits.perToken) {
      throw new RoomAccessError(
        429,
        'token_full',
        `this listener token has ${this.limits.perToken} connections open: close one first`,
      );
    }
    if ((this.byAddress.get(address) ?? 0) >= this.limits.perAddress) {
      throw new RoomAccessError(
        429,
        'address_full',
        `${this.limits.perAddress} listener connections are open from this address`,
      );
    }
    increment(this.byToken, tokenKey, 1);
    increment(this.byAddress, address, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      increment(this.byToken, tokenKey, -1);
      increment(this.byAddress, address, -1);
    };
  }

  private sweep(now: number): void {
    for (const [address, window] of this.attempts) {
      if (now - window.since >= WINDOW_MS) this.attempts.delete(address);
    }
  }
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
