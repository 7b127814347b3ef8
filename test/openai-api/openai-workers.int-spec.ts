import OpenAI, { toFile } from 'openai';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix } from '../helpers/test-env';
import { spokenFile, wavFile } from './openai-helpers';

const PHRASES = ['first part', 'second part', 'third part', 'fourth part', 'fifth part'];

describe('OpenAI uploads spread over every stt worker', () => {
  let gw: GatewayApp;
  const workers: SttWorkerDouble[] = [];

  beforeAll(async () => {
    gw = await startGateway({ OPENAI_SEGMENTS_IN_FLIGHT: '2' });
    for (let i = 0; i < 2; i++) {
      workers.push(
        sttDouble(gw, {
          concurrency: 1,
          // Later segments finish first: the answer must still be in file order.
          delayMs: (job) => 100 + (PHRASES.length - job.index) * 60,
          finalText: (job) => `part ${job.index}`,
        }),
      );
    }
  });

  afterAll(async () => {
    for (const worker of workers) await worker.close();
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  it('two workers share one file, and its pieces come back in order', async () => {
    const created = await gw.running.app.get(ApiKeyService).create({ name: 'workers' });
    const client = new OpenAI({
      apiKey: created.key,
      baseURL: `http://127.0.0.1:${gw.config.gateway.port}/v1`,
      maxRetries: 0,
    });
    const result = await client.audio.transcriptions.create({
      file: await toFile(wavFile(spokenFile(PHRASES)), 'parts.wav'),
      model: 'whisper-1',
    });
    expect(result.text).toBe(PHRASES.map((_, i) => `part ${i + 1}`).join(' '));
    for (const worker of workers) expect(worker.finals().length).toBeGreaterThan(0);
    expect(workers.reduce((sum, worker) => sum + worker.finals().length, 0)).toBe(PHRASES.length);
  });
});
