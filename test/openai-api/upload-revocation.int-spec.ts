import OpenAI, { toFile } from 'openai';
import { encodeWavBuffer } from 'src/common/audio/wav-buffer';
import { AudioUploadsService } from 'src/openai-api/audio-uploads.service';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { jfk } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';

/**
 * Issue 24 item 19, uploads: revoking a key ends its uploads in progress with 401 (in
 * transcription, here), through a real gateway, Redis and the SQLite key store, with the official
 * OpenAI client; another key's upload in the same queue is served. The stt worker double takes
 * one upload job at a time and holds each for a while, so the revoked upload is mid-transcription.
 */
describe('revoking a key ends its uploads in progress (issue 24, item 19)', () => {
  let gw: GatewayApp;
  let stt: SttWorkerDouble;

  beforeAll(async () => {
    gw = await startGateway({
      AUTH_REQUIRED: 'true',
      JWT_SECRET: 'upload-revocation-e2e-secret-0123456789abcdef',
    });
    stt = sttDouble(gw, { delayMs: (job) => (job.upload ? 1500 : 0) });
  });

  afterAll(async () => {
    await stt?.close();
    await gw?.running.close();
    if (gw) await cleanupPrefix(gw.config.redis.prefix);
  });

  const clientFor = (apiKey: string) =>
    new OpenAI({
      apiKey,
      baseURL: `http://127.0.0.1:${gw.config.gateway.port}/v1`,
      maxRetries: 0,
    });

  it("answers the revoked key's upload 401 at once and still serves the other key's", async () => {
    const apiKeys = gw.running.app.get(ApiKeyService);
    const uploads = gw.running.app.get(AudioUploadsService);
    const revoked = await apiKeys.create({ name: 'revoked' });
    const kept = await apiKeys.create({ name: 'kept' });
    const wav = encodeWavBuffer(jfk(), 16000);
    const send = async (key: string) =>
      clientFor(key).audio.transcriptions.create({
        file: await toFile(wav, 'jfk.wav'),
        model: 'whisper-1',
      });

    const revokedUpload = send(revoked.key).then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitFor(() => stt.jobs.some((job) => job.upload), {
      what: "the first upload's first segment in the stt double's hands",
      timeoutMs: 20_000,
    });
    const keptUpload = send(kept.key);
    await waitFor(() => uploads.inProgressFor(kept.record.id) === 1, {
      what: "the other key's upload in progress",
    });
    const segmentsBefore = stt.jobs.length;

    await apiKeys.revoke(revoked.record.id);
    const error = await revokedUpload;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    expect((error as Error).message).toMatch(/revoked while this upload was in progress/);
    expect(uploads.inProgressFor(revoked.record.id)).toBe(0);

    const transcript = await keptUpload;
    expect(transcript.text).toMatch(/utterance 1/);
    // The revoked upload's later segments left the queue instead of being transcribed: every
    // job after the revocation is the other key's.
    const revokedSession = stt.jobs[0].sessionId;
    const after = stt.jobs.slice(segmentsBefore);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((job) => job.sessionId === revokedSession)).toEqual([]);

    const again = await send(revoked.key).catch((caught: unknown) => caught);
    expect((again as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
  });
});
