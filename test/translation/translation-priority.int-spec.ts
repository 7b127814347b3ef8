import { Queue } from 'bullmq';
import { startApp } from 'src/bootstrap';
import { JOB_PRIORITY } from 'src/common/queues/job-defaults';
import { type TranslationJob } from 'src/contracts/job-payloads';
import { QueueName } from 'src/contracts/queue-names';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';

describe('translation priorities', () => {
  it('takes a final before the interims queued ahead of it', async () => {
    const config = await testConfig({ ROLE: 'translation', TRANSLATION_CONCURRENCY: '2' });
    const url = new URL(config.redis.url);
    const queue = new Queue<TranslationJob>(QueueName.Translation, {
      connection: { host: url.hostname, port: Number(url.port || 6379) },
      prefix: config.redis.prefix,
    });
    const base = { sessionId: 'p1', source: 'en', targets: ['es'], enqueuedAt: Date.now() };
    try {
      // Queued before any worker runs: 30 interims, then one final.
      for (let i = 1; i <= 30; i++) {
        await queue.add(
          'interim',
          {
            ...base,
            utteranceId: `p1:${i}`,
            index: i,
            kind: 'interim',
            revision: 1,
            text: 'The house',
          },
          { priority: JOB_PRIORITY.interim },
        );
      }
      await queue.add(
        'final',
        {
          ...base,
          utteranceId: 'p1:31',
          index: 31,
          kind: 'final',
          revision: 1,
          text: 'The cat is black.',
        },
        { priority: JOB_PRIORITY.final },
      );
      const running = await startApp(config);
      try {
        const results = running.app.get(ResultStreamService);
        const messages = await waitFor(async () => {
          const all = (await results.readAfter('p1', '0')).map((entry) => entry.message);
          return all.length === 31 ? all : undefined;
        });
        const position = messages.findIndex((m) => m.type === 'translation' && m.kind === 'final');
        expect(messages[position]).toMatchObject({ text: 'El gato es negro.' });
        // At most the other jobs picked in the same first batch (concurrency 2) come before it.
        expect(position).toBeLessThan(2);
      } finally {
        await running.close();
      }
    } finally {
      await queue.close();
      await cleanupPrefix(config.redis.prefix);
    }
  });
});
