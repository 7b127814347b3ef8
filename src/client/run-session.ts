import { type AudioSource } from './audio/audio-source';
import { SendLog } from './send-log';
import {
  type ClosedFrame,
  describeError,
  type ErrorFrame,
  type FinalFrame,
  type ServerFrame,
} from './shared/protocol';
import { StreamSession, type StreamSessionOptions } from './stream-session';

export interface FinalRecord {
  frame: FinalFrame;
  receivedAt: number;
  /** End of the utterance's audio at the client to the final at the client. */
  latencyMs?: number;
  /** End of speech (the server VAD's `speech_end`) sent by the client to the final received. */
  speechEndLatencyMs?: number;
  /** Start of speech sent by the client to the utterance's first interim received. */
  firstInterimLatencyMs?: number;
}

export interface SessionReport {
  index: number;
  sessionId?: string;
  ok: boolean;
  /** Why the session failed, in words. */
  failure?: string;
  finals: FinalRecord[];
  translations: number;
  /** Interim `realtime` frames (not the echoes of finals). */
  interims: number;
  errors: ErrorFrame[];
  reconnects: number;
  durationMs: number;
}

export interface RunObserver {
  frame?(index: number, frame: ServerFrame, extra: { latencyMs?: number }): void;
  notice?(index: number, message: string): void;
}

export interface RunOptions extends StreamSessionOptions {
  index?: number;
  drainTimeoutMs?: number;
  /** Reconnect attempts (with resume) after a dropped connection. */
  maxReconnects?: number;
  signal?: AbortSignal;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Streams one audio source through one session and collects what came back. A dropped connection
 * is resumed with the resume token; audio produced meanwhile is held and sent after the resume.
 */
export async function runSession(
  options: RunOptions,
  source: AudioSource,
  observer: RunObserver = {},
): Promise<SessionReport> {
  const index = options.index ?? 0;
  const started = Date.now();
  const sendLog = new SendLog();
  const report: SessionReport = {
    index,
    ok: false,
    finals: [],
    translations: 0,
    interims: 0,
    errors: [],
    reconnects: 0,
    durationMs: 0,
  };
  let dropped: { code: number; reason: string } | undefined;
  /** When the first interim of each utterance arrived. */
  const firstInterim = new Map<string, number>();
  const since = (sec: number | undefined, at: number): number | undefined => {
    const sentAt = sec === undefined ? undefined : sendLog.sentAt(sec);
    return sentAt === undefined ? undefined : Math.max(0, at - sentAt);
  };
  const session = new StreamSession(options, {
    frame: (frame, receivedAt) => {
      const extra: { latencyMs?: number } = {};
      if (frame.type === 'final') {
        extra.latencyMs = since(frame.end, receivedAt);
        const interimAt = firstInterim.get(frame.utterance_id);
        firstInterim.delete(frame.utterance_id);
        report.finals.push({
          frame,
          receivedAt,
          latencyMs: extra.latencyMs,
          speechEndLatencyMs: since(frame.speech_end, receivedAt),
          firstInterimLatencyMs:
            interimAt === undefined ? undefined : since(frame.speech_start, interimAt),
        });
      } else if (frame.type === 'realtime' && !frame.final) {
        report.interims++;
        if (frame.utterance_id && !firstInterim.has(frame.utterance_id)) {
          firstInterim.set(frame.utterance_id, receivedAt);
        }
      } else if (frame.type === 'translation') {
        report.translations++;
      } else if (frame.type === 'error') {
        report.errors.push(frame);
      }
      observer.frame?.(index, frame, extra);
    },
    garbage: (reason) => observer.notice?.(index, `ignored a frame from the server: ${reason}`),
    dropped: (code, reason) => {
      dropped = { code, reason };
    },
  });

  const reconnect = async (): Promise<void> => {
    const maxReconnects = options.maxReconnects ?? 8;
    for (let attempt = 1; attempt <= maxReconnects; attempt++) {
      report.reconnects++;
      observer.notice?.(index, `connection lost; resuming (attempt ${attempt})`);
      await sleep(Math.min(2000, 250 * 2 ** (attempt - 1)));
      try {
        dropped = undefined;
        await session.connect();
        return;
      } catch (error) {
        if (attempt === maxReconnects) throw error;
      }
    }
  };

  try {
    const first = await session.connect();
    report.sessionId = first.session_id;
    const held: Int16Array[] = [];
    for await (const chunk of source) {
      if (options.signal?.aborted) break;
      if (dropped || !session.isOpen) {
        held.push(chunk.pcm);
        await reconnect();
        for (const pcm of held.splice(0)) session.sendAudio(pcm);
        sendLog.record(chunk.endSec, Date.now());
        continue;
      }
      session.sendAudio(chunk.pcm);
      sendLog.record(chunk.endSec, Date.now());
    }
    // A drop while draining: resume and ask again (the gateway finishes what it had).
    let closed: ClosedFrame | undefined;
    for (let round = 0; round < 3 && !closed; round++) {
      if (dropped || !session.isOpen) await reconnect();
      closed = await session.close(options.drainTimeoutMs ?? 60_000);
    }
    report.ok = closed !== undefined && report.errors.length === 0;
    const [firstError] = report.errors;
    if (!closed) {
      report.failure = `connection closed (${dropped?.code ?? 'unknown'}) before the session finished`;
    } else if (firstError) {
      report.failure = describeError(firstError.code, firstError.message);
    }
  } catch (error) {
    report.failure = error instanceof Error ? error.message : String(error);
    session.abort();
  }
  report.sessionId ??= session.sessionId;
  report.durationMs = Date.now() - started;
  return report;
}
