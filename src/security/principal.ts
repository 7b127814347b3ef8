import { type ApiKeyLimits, NO_LIMITS } from '../persistence/api-keys/api-key.types';

/** Who a connection belongs to, decided in the HTTP upgrade. */
export interface Principal {
  /** API key id; null for an anonymous session (AUTH_REQUIRED=false and no credential). */
  keyId: string | null;
  via: 'api_key' | 'token' | 'anonymous';
  scopes: readonly string[];
  limits: ApiKeyLimits;
}

export const ANONYMOUS: Principal = {
  keyId: null,
  via: 'anonymous',
  scopes: ['stream'],
  limits: NO_LIMITS,
};

/** Limits carried in a token's `lim` claim; anything malformed counts as "no limit". */
export function limitsFromClaim(claim: Record<string, unknown> | undefined): ApiKeyLimits {
  const pick = (name: keyof ApiKeyLimits): number | null => {
    const value = claim?.[name];
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
  };
  return {
    maxConcurrentSessions: pick('maxConcurrentSessions'),
    audioSecondsPerHour: pick('audioSecondsPerHour'),
    messagesPerSecond: pick('messagesPerSecond'),
  };
}

export type AuthDecision =
  { ok: true; principal: Principal } | { ok: false; status: 401 | 403 | 429 | 503; reason: string };
