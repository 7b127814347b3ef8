/** Scopes a key may carry. `admin` reads and deletes any session and all usage. */
export const API_KEY_SCOPES = ['stream', 'transcripts', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['stream', 'transcripts'];

/** null = no limit for that key (the service-wide limits still apply). */
export interface ApiKeyLimits {
  maxConcurrentSessions: number | null;
  audioSecondsPerHour: number | null;
  messagesPerSecond: number | null;
}

export const NO_LIMITS: ApiKeyLimits = {
  maxConcurrentSessions: null,
  audioSecondsPerHour: null,
  messagesPerSecond: null,
};

/** A key as stored: never the key itself, only its display prefix. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  limits: ApiKeyLimits;
  createdAt: Date;
  revokedAt: Date | null;
}

/** What the upgrade path needs about a valid key (cached in Redis). */
export interface VerifiedApiKey {
  id: string;
  name: string;
  scopes: string[];
  limits: ApiKeyLimits;
}

export function hasScope(key: { scopes: readonly string[] }, scope: ApiKeyScope): boolean {
  return key.scopes.includes(scope);
}
