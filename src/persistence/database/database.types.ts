import { type Kysely } from 'kysely';

/** Timestamps are epoch milliseconds (bigint in PostgreSQL, integer in SQLite) on both engines. */
export interface ApiKeysTable {
  id: string;
  name: string;
  /** The first characters of the key, for people to recognise it; never enough to use it. */
  prefix: string;
  /** sha256 of the whole key, hex. The key itself is never stored. */
  hash: string;
  /** JSON array of scope names. */
  scopes: string;
  max_concurrent_sessions: number | null;
  audio_seconds_per_hour: number | null;
  messages_per_second: number | null;
  created_at: number;
  revoked_at: number | null;
}

export interface KeyUsageTable {
  key_id: string;
  /** Start of the UTC hour, epoch ms. */
  hour_start: number;
  audio_seconds: number;
  sessions: number;
}

export interface TranscriptsTable {
  session_id: string;
  key_id: string;
  utterance_id: string;
  seq: number;
  kind: 'final' | 'translation';
  language: string;
  /** The language translated from (translations only). */
  source_language: string | null;
  text: string;
  /** Seconds from the start of the session (finals only; translations take their final's). */
  start_sec: number | null;
  end_sec: number | null;
  created_at: number;
}

export interface DatabaseSchema {
  api_keys: ApiKeysTable;
  key_usage: KeyUsageTable;
  transcripts: TranscriptsTable;
}

export type Db = Kysely<DatabaseSchema>;
