import { performance } from 'node:perf_hooks';
import { type FinalResult, type TranslationResult } from 'src/contracts/result-messages';
import { TranscriptArchiveService } from 'src/persistence/transcripts/transcript-archive.service';
import { TranscriptStore } from 'src/persistence/transcripts/transcript.store';
import { UsageService } from 'src/persistence/usage/usage.service';
import { createTestDatabase, ENGINES, persistenceContext } from '../test/helpers/database';
import { cleanupPrefix, testConfig } from '../test/helpers/test-env';

const SESSIONS = 200;
const UTTERANCES = 50; // per session; each gives a final and a translation

function final(index: number): FinalResult {
  return {
    type: 'final',
    utteranceId: `u${index}`,
    index,
    text: 'The quick brown fox jumps over the lazy dog, again and again.',
    language: 'en',
    start: index * 3,
    end: index * 3 + 2.5,
    words: [],
    latency: { queueMs: 1, sttMs: 100 },
    worker: 'bench',
  };
}

function translation(index: number): TranslationResult {
  return {
    type: 'translation',
    utteranceId: `u${index}`,
    index,
    kind: 'final',
    language: 'es',
    source: 'en',
    text: 'El rápido zorro marrón salta sobre el perro perezoso, una y otra vez.',
    passthrough: false,
    engine: 'apertium',
    latencyMs: 5,
  };
}

/**
 * What archiving costs the delivery path (record(): in-memory only) and how fast a batch reaches
 * each engine (SQLite file, local PostgreSQL), for SESSIONS x UTTERANCES x 2 lines.
 */
export default async function archiveBench(): Promise<void> {
  const lines = SESSIONS * UTTERANCES * 2;
  process.stdout.write(`archive: ${lines} lines (${SESSIONS} sessions)\n`);
  for (const engine of ENGINES) {
    const database = await createTestDatabase(engine);
    const config = await testConfig({
      DATABASE_URL: database.url,
      ARCHIVE_FLUSH_MS: '60000',
      ARCHIVE_BATCH_SIZE: '10000',
      ARCHIVE_MAX_PENDING: '1000000',
      LOG_LEVEL: 'error',
    });
    const app = await persistenceContext(config);
    try {
      const archive = app.get(TranscriptArchiveService);
      const usage = app.get(UsageService);
      const recordStart = performance.now();
      for (let u = 0; u < UTTERANCES; u++) {
        for (let s = 0; s < SESSIONS; s++) {
          const sessionId = `bench-${s}`;
          archive.record({ sessionId, keyId: 'k', streamId: `${u + 1}-0`, message: final(u) });
          archive.record({
            sessionId,
            keyId: 'k',
            streamId: `${u + 1}-1`,
            message: translation(u),
          });
          usage.recordAudio(`key-${s}`, 2.5);
        }
      }
      const recordMs = performance.now() - recordStart;

      const flushStart = performance.now();
      await archive.flush();
      const flushMs = performance.now() - flushStart;
      const usageStart = performance.now();
      await usage.flush();
      const usageMs = performance.now() - usageStart;

      const stored = await app.get(TranscriptStore).countAll();
      if (stored !== lines) throw new Error(`${engine}: stored ${stored} of ${lines} lines`);
      process.stdout.write(
        `  ${engine.padEnd(8)} record(): ${((recordMs * 1e6) / (lines + lines / 2) / 1e3).toFixed(2)} µs/call` +
          `  write: ${flushMs.toFixed(0)} ms = ${Math.round(lines / (flushMs / 1000))} lines/s` +
          `  usage upsert of ${SESSIONS} keys: ${usageMs.toFixed(0)} ms\n`,
      );
    } finally {
      await app.close();
      await database.drop();
      await cleanupPrefix(config.redis.prefix);
    }
  }
}
