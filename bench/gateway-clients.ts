/**
 * The client side of the gateway benchmark, in its own process so the gateway's CPU and event
 * loop are measured alone: N WebSocket clients streaming speech in real time, plus a zero-cost
 * stt worker double that answers every job at once. Prints JSON lines: ready, then a report.
 *
 * argv: url redisUrl prefix streams seconds frameMs [sampleRate]
 * BENCH_INTERIMS=false streams without interim results (to see what interims cost).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { type SttJob } from 'src/contracts/job-payloads';
import { QueueName } from 'src/contracts/queue-names';
import { RedisKeys } from 'src/common/redis/redis-keys';
import { parseVerdict } from 'src/contracts/speculation-verdict';
import { DEFAULT_SEGMENTER_OPTIONS } from 'src/vad';
import { SILERO_CHUNK_SAMPLES } from 'src/vad/silero-vad.model';
import { answerFor, appendAnswer } from './stt-answer-double';
import { concatPcm, espeak, jfk, silence } from '../test/helpers/audio';

const [url, redisUrl, prefix, streamsText, secondsText, frameMsText, rateText] =
  process.argv.slice(2);
const keys = new RedisKeys(prefix);
/** Client sample rate: 16000, or e.g. 48000 to include the gateway's resampling. */
const rate = Number(rateText ?? 16000);
const streams = Number(streamsText);
const seconds = Number(secondsText);
const frameMs = Number(frameMsText);
const frameSamples = (rate * frameMs) / 1000;
const SILENCE_AFTER = 1.2;
/** SILENCE_THRESHOLD_SECONDS of the gateway under test (its default). */
const SILENCE_THRESHOLD = 0.6;

/** The audio every client loops: phrases with known voice ends (sample index), then jfk. */
function buildAudio(): { pcm: Int16Array; voiceEnds: number[] } {
  const parts: Int16Array[] = [];
  const voiceEnds: number[] = [];
  let offset = 0;
  for (const text of [
    'the quick brown fox jumps over the lazy dog',
    'please call me back tomorrow morning',
    'it is going to rain this afternoon',
  ]) {
    const speech = espeak(text, rate);
    let last = speech.length - 1;
    while (last > 0 && Math.abs(speech[last]) < 300) last--;
    parts.push(silence(0.4, rate), speech, silence(SILENCE_AFTER, rate));
    offset += Math.round(0.4 * rate);
    voiceEnds.push(offset + last);
    offset += speech.length + Math.round(SILENCE_AFTER * rate);
  }
  parts.push(jfk(rate), silence(SILENCE_AFTER, rate));
  return { pcm: concatPcm(...parts), voiceEnds };
}

function redisOptions(): { host: string; port: number; maxRetriesPerRequest: null } {
  const parsed = new URL(redisUrl);
  return { host: parsed.hostname, port: Number(parsed.port || 6379), maxRetriesPerRequest: null };
}

/**
 * Resolves with whether the gateway confirmed a speculative final (its verdict is announced on a
 * pub/sub channel, as the stt role learns it).
 */
let subscriber: Redis | undefined;

function verdicts(redis: Redis): (job: SttJob) => Promise<boolean> {
  subscriber = new Redis(redisUrl);
  const waiting = new Map<string, () => void>();
  const subscribed = subscriber.subscribe(keys.speculationVerdictsChannel());
  subscriber.on('message', (_channel: string, message: string) => waiting.get(message)?.());
  return async (job) => {
    await subscribed;
    const id = `${job.utteranceId}|${job.revision}`;
    const key = keys.speculationVerdict(job.utteranceId, job.revision);
    const announced = new Promise<void>((resolve) => waiting.set(id, resolve));
    let verdict = parseVerdict(await redis.get(key));
    if (!verdict) {
      await Promise.race([announced, new Promise((r) => setTimeout(r, 10_000))]);
      verdict = parseVerdict(await redis.get(key));
    }
    waiting.delete(id);
    return verdict?.kind === 'confirm';
  };
}

/**
 * Zero-cost stt: answers at once, so what is measured is the gateway path. A speculative final
 * is handled as the stt role does: offered at once (the gateway's confirm appends it), then
 * written here only if the confirm came before the offer; dropped when cancelled.
 */
function startWorkerDouble(redis: Redis): Worker<SttJob> {
  const confirmed = verdicts(redis);
  return new Worker<SttJob>(
    QueueName.Stt,
    async (job) => {
      const data = job.data;
      const message = answerFor(data, 'bench-double');
      if (data.speculative) {
        const ready = keys.speculationReady(data.utteranceId, data.revision);
        await redis.set(ready, JSON.stringify(message), 'EX', 60);
        const confirm = await confirmed(data);
        const withdrawn = (await redis.del(ready)) === 1;
        if (!confirm || !withdrawn) {
          await redis.del(data.audioKey);
          return;
        }
      }
      await appendAnswer(redis, keys, data, message, 60);
    },
    { connection: redisOptions(), prefix, concurrency: 50 },
  );
}

/**
 * The client frame whose arrival let the VAD end the utterance: the segmenter counts the silence
 * in whole VAD windows after the last one with speech (`speech_end`), so it decides when the
 * window that completes SILENCE_THRESHOLD is complete, up to a window later than the threshold
 * itself (and so often one client frame later). Older gateways send no speech_end: their final's
 * end minus its tail pad is the same point.
 */
function decidingFrame(final: { end: number; speech_end?: number }): number {
  const speechEnd = final.speech_end ?? final.end - DEFAULT_SEGMENTER_OPTIONS.postSpeechPadSeconds;
  const windows = Math.ceil((SILENCE_THRESHOLD * 16000) / SILERO_CHUNK_SAMPLES);
  const decided16k = Math.round(speechEnd * 16000) + windows * SILERO_CHUNK_SAMPLES;
  return Math.floor(((decided16k - 1) * rate) / 16000 / frameSamples);
}

async function main(): Promise<void> {
  const { pcm, voiceEnds } = buildAudio();
  const redis = new Redis(redisUrl);
  const worker = startWorkerDouble(redis);
  const overheads: number[] = [];
  /** Same, from where the VAD itself put the end of speech (final end minus its tail pad). */
  const pipelineOverheads: number[] = [];
  let finals = 0;
  let frames = 0;
  const started = Date.now();
  const sockets: WebSocket[] = [];

  /**
   * Frame k of a stream is always samples [k, k + 1) x frameSamples of the looped audio (wrapping
   * across the loop's end), so a sample position the gateway reports maps to the frame that
   * carried it.
   */
  const loopedFrame = (from: number): Int16Array => {
    const start = from % pcm.length;
    const head = pcm.subarray(start, Math.min(start + frameSamples, pcm.length));
    if (head.length === frameSamples) return head;
    const frame = new Int16Array(frameSamples);
    frame.set(head);
    frame.set(pcm.subarray(0, frameSamples - head.length), head.length);
    return frame;
  };
  const pacers = new Set<() => void>();
  const paceBase = performance.now();
  const pacing = setInterval(() => pacers.forEach((pace) => pace()), 1);
  function stream(i: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(
        `${url}/?interim_results=${process.env.BENCH_INTERIMS ?? 'true'}&sample_rate=${rate}`,
      );
      sockets.push(ws);
      // Stagger starts so utterance ends do not all line up.
      const offset = Math.floor((i / streams) * pcm.length);
      /** Wall time each frame was sent, by frame number in this stream. */
      const sentAt: number[] = [];
      ws.on('open', () => {
        resolve();
        // Each stream keeps its own 20 ms clock at its own phase, as independent microphones do.
        const phase = (i / streams) * frameMs;
        const now = performance.now();
        const t0 = paceBase + phase + frameMs * Math.ceil((now - paceBase - phase) / frameMs);
        pacers.add(() => {
          if (ws.readyState !== WebSocket.OPEN) return;
          const due = Math.floor((performance.now() - t0) / frameMs) + 1;
          while (sentAt.length < due) {
            const frame = loopedFrame(offset + sentAt.length * frameSamples);
            ws.send(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
            sentAt.push(performance.now());
            frames++;
          }
        });
      });
      ws.on('message', (data) => {
        const frame = JSON.parse((data as Buffer).toString('utf8')) as {
          type: string;
          start: number;
          end: number;
          speech_end?: number;
        };
        if (frame.type !== 'final') return;
        finals++;
        const arrived = performance.now();
        const decidedAt = sentAt[decidingFrame(frame)];
        if (decidedAt !== undefined) pipelineOverheads.push(arrived - decidedAt);
        // Which known phrase ended in this final? Its end is voice end + silence threshold.
        for (const end of voiceEnds) {
          for (let loop = 0; loop < 1000; loop++) {
            const voiceEnd = end - offset + loop * pcm.length;
            if (voiceEnd < 0) continue;
            const sec = voiceEnd / rate;
            if (sec > frame.end + 0.1) break;
            if (sec < frame.start) continue;
            const endFrame = Math.floor((voiceEnd + SILENCE_THRESHOLD * rate) / frameSamples);
            const endedAt = sentAt[endFrame];
            if (endedAt !== undefined) overheads.push(arrived - endedAt);
          }
        }
      });
      ws.on('error', reject);
    });
  }

  await Promise.all(Array.from({ length: streams }, (_, i) => stream(i)));
  // The clients' own event-loop delay: a frame's arrival is timed in this process, so its lag
  // is in the measured overhead too.
  const clientLoop = monitorEventLoopDelay({ resolution: 5 });
  clientLoop.enable();
  process.stdout.write(`${JSON.stringify({ type: 'ready' })}\n`);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  clientLoop.disable();
  const report = {
    type: 'report',
    clientLoopLagP99Ms: clientLoop.percentile(99) / 1e6,
    clientLoopLagMaxMs: clientLoop.max / 1e6,
    finals,
    frames,
    wallMs: Date.now() - started,
    overheads,
    pipelineOverheads,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  clearInterval(pacing);
  for (const ws of sockets) ws.terminate();
  await worker.close();
  subscriber?.disconnect();
  redis.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
