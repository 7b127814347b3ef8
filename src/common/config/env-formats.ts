import { isIP } from 'node:net';
import { type EnvType, envType, list, parsedBy, Refusal } from './env-value-types';

/** Value types of this service's own formats (the generic ones are in env-value-types.ts). */

export const ROLES = ['gateway', 'stt', 'translation'] as const;
export type Role = (typeof ROLES)[number];

/** ROLE: one role, a comma list of them, or `all`; in a stable order. */
export function roles(): EnvType<Role[]> {
  const allowed = `${ROLES.join(', ')}, a comma list of them, or all`;
  const schema = parsedBy<Role[]>(allowed, (value) => {
    if (value === 'all') return [...ROLES];
    const items = value.split(',').map((item) => item.trim());
    if (items.some((item) => !(ROLES as readonly string[]).includes(item))) return new Refusal();
    return ROLES.filter((role) => items.includes(role));
  });
  return envType(schema, [...ROLES], { allowed, default: 'all' });
}

/** `sqlite:<path>` or `postgres://` / `postgresql://` with a host. */
export function databaseUrl(fallback: string): EnvType<string> {
  const allowed = 'sqlite:<file>, sqlite::memory: or postgres://user@host:port/db';
  const schema = parsedBy(allowed, (value) => {
    if (value.startsWith('sqlite:')) {
      return value.slice('sqlite:'.length).trim() === '' ? new Refusal() : value;
    }
    try {
      const url = new URL(value);
      if (['postgres:', 'postgresql:'].includes(url.protocol) && url.hostname) return value;
    } catch {
      // refused below
    }
    return new Refusal();
  });
  return envType(schema, fallback, { allowed });
}

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** `host:port` items (IPv6 as `[::1]:6379`), for Redis sentinels and cluster seed nodes. */
export function hostPorts(): EnvType<RedisNode[]> {
  return list({
    allowed: 'a comma list of host:port (IPv6 as [addr]:port)',
    parse: (item) => {
      const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(item);
      const port = match ? Number(match[2]) : 0;
      const host = match?.[1];
      if (!host || port < 1 || port > 65535) return new Refusal();
      return { host: host.replace(/^\[(.*)\]$/, '$1'), port };
    },
  });
}

/** Browser origins (scheme, host, port), normalised as URL.origin writes them. */
export function origins(): EnvType<string[]> {
  const allowed = 'a comma list of origins like https://app.example.com';
  return list({
    allowed,
    parse: (origin) => {
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        return new Refusal(allowed, origin);
      }
      if (!['http:', 'https:'].includes(url.protocol) || url.origin !== origin.replace(/\/$/, '')) {
        return new Refusal(`${allowed} (scheme, host, port; no path)`, origin);
      }
      return url.origin;
    },
  });
}

/** IP addresses or CIDR ranges of either family, kept as written. */
export function ipRanges(): EnvType<string[]> {
  const allowed = 'a comma list of IP addresses or CIDR ranges, e.g. 10.0.0.0/8,::1';
  return list({
    allowed,
    parse: (item) => {
      const [address = '', bits, extra] = item.split('/');
      const family = isIP(address);
      const prefix = Number(bits);
      if (
        family === 0 ||
        extra !== undefined ||
        (bits !== undefined && (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)))
      ) {
        return new Refusal(allowed, item);
      }
      return item;
    },
  });
}
