import OpenAI, { toFile } from 'openai';
import { type SttJob } from 'src/contracts/job-payloads';
import { QueueName } from 'src/contracts/queue-names';
import { QueueService } from 'src/common/queues/queue.service';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { concatPcm, espeak, silence } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { TestClient } from '../helpers/ws-client';
import { spokenFile, wavFile } from './openai-helpers';

const FILE_PHRASES = [
  'one little phrase',
  'two little phrases',
  'three little phrases',
  'four little phrases',
  'five little phrases',
  'six little phrases',
];

describe('OpenAI uploads beside live speech (stt worker double: one live slot, one upload slot; real queues)', () => {
  let gw: GatewayApp;
  let stt: SttWorkerDouble;
  /** Jobs in the order the workers picked them up, with when. */
  const pickups: (SttJob & { pickedAt: number })[] = [];
  const isFile = (job: SttJob): boolean => job.sessionId.startsWith('file-');

  beforeAll(async () => {
    gw = await startGateway({ OPENAI_SEGMENTS_IN_FLIGHT: '3' });
    stt = sttDouble(gw, {
      concurrency: 1,
      delayMs: (job) => {
        pickups.push({ ...job, pickedAt: Date.now() });
        return isFile(job) ? 600 : 0;
      },
      finalText: (job) => `piece ${job.index}`,
    });
  });

  afterAll(async () => {
    await stt.close();
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  it('a live final never waits for the file: it is taken while a file segment is in hand; the file still comes back whole and in order', async () => {
    const created = await gw.running.app.get(ApiKeyService).create({ name: 'priority' });
    const client = new OpenAI({
      apiKey: created.key,
      baseURL: `http://127.0.0.1:${gw.config.gateway.port}/v1`,
      maxRetries: 0,
    });
    const upload = client.audio.transcriptions.create({
      file: await toFile(wavFile(spokenFile(FILE_PHRASES)), 'long.wav'),
      model: 'whisper-1',
      response_format: 'verbose_json',
    });
    // The worker is busy with the file and more of its segments wait behind it.
    await waitFor(() => pickups.some((job) => job.sessionId.startsWith('file-')), {
      what: 'first file segment picked up',
    });

    const live = await TestClient.connect(gw.url);
    live.sendPcm(concatPcm(espeak('hello from a live session'), silence(1.5)));
    const final = await live.next((frame) => frame.type === 'final', { what: 'live final' });
    expect(final.text).toMatch(/^piece \d+$/);

    const transcript = await upload;
    live.ws.terminate();

    const liveFinal = pickups.findIndex((job) => !isFile(job) && job.kind === 'final');
    const liveJob = pickups[liveFinal];
    const fileJobs = pickups.filter(isFile);
    expect(fileJobs).toHaveLength(FILE_PHRASES.length);
    // Segments queued before the live final was, but picked up after it: the live final jumped
    // the queue...
    // The live final was taken while the upload slot was busy with a segment (600 ms each): live
    // speech has worker slots of its own.
    const inHand = fileJobs.filter(
      (job) => job.pickedAt <= liveJob.pickedAt && liveJob.pickedAt < job.pickedAt + 600,
    );
    expect(inHand.length).toBeGreaterThan(0);
    // Uploads go to their own queue: no file segment ever sat in the live queue.
    expect(fileJobs.every((job) => job.upload === true)).toBe(true);
    // Never more than OPENAI_SEGMENTS_IN_FLIGHT segments of the file queued or in hand at once.
    for (const job of fileJobs) {
      const inFlight = fileJobs.filter(
        (other) => other.enqueuedAt <= job.pickedAt && other.pickedAt >= job.pickedAt,
      );
      expect(inFlight.length).toBeLessThanOrEqual(3);
    }

    // Reassembled in file order whatever the worker did meanwhile.
    expect(transcript.text).toBe(FILE_PHRASES.map((_, i) => `piece ${i + 1}`).join(' '));
    expect(transcript.segments!.map((segment) => segment.text.trim())).toEqual(
      FILE_PHRASES.map((_, i) => `piece ${i + 1}`),
    );
  });

  it('withdraws the waiting segments of an upload whose client went away', async () => {
    const created = await gw.running.app.get(ApiKeyService).create({ name: 'abort' });
    const client = new OpenAI({
      apiKey: created.key,
      baseURL: `http://127.0.0.1:${gw.config.gateway.port}/v1`,
      maxRetries: 0,
    });
    const before = pickups.filter(isFile).length;
    const aborted = new AbortController();
    const upload = client.audio.transcriptions
      .create(
        { file: await toFile(wavFile(spokenFile(FILE_PHRASES)), 'gone.wav'), model: 'whisper-1' },
        { signal: aborted.signal },
      )
      .catch((error: unknown) => error);
    await waitFor(() => pickups.filter(isFile).length > before, { what: 'upload picked up' });
    aborted.abort();
    expect(await upload).toBeInstanceOf(OpenAI.APIUserAbortError);
    const queues = gw.running.app.get(QueueService);
    await waitFor(async () => (await queues.depth(QueueName.SttUpload)) === 0, {
      what: 'queue emptied',
    });
    // A live final after the abort is the next job the worker takes: nothing of the file is left.
    const live = await TestClient.connect(gw.url);
    live.sendPcm(concatPcm(espeak('after the upload'), silence(1.5)));
    await live.next((frame) => frame.type === 'final', { what: 'live final' });
    live.ws.terminate();
    const fileJobsOfUpload = pickups.filter(isFile).length - before;
    expect(fileJobsOfUpload).toBeLessThan(FILE_PHRASES.length);
    const lastPickup = pickups[pickups.length - 1];
    expect(isFile(lastPickup)).toBe(false);
  });
});
