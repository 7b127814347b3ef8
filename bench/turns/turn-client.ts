import { WebSocket } from 'ws';
import { pacedChunks } from 'src/client/audio/audio-source';
import { type CorpusSentence } from './corpus-timeline';
import { type ReceivedFinal, speechEndSample } from './turn-scoring';

/** What one session (one sentence, streamed from its file's start) saw. */
export interface StreamedSentence {
  sessionId: string;
  finals: ReceivedFinal[];
  /** performance.now() when the chunk with the sentence's last speech sample was sent. */
  speechEndSentAt: number;
  /** `turn` frames by event (and end_of_turn by trigger: `end_of_turn:model`). */
  turns: Record<string, number>;
  errors: string[];
}

const CHUNK_MS = 100;
/** Silence streamed after the file while the sentence's end final is still missing. */
const MAX_EXTRA_SILENCE_MS = 3000;

interface Frame {
  type: string;
  session_id?: string;
  text?: string;
  end?: number;
  speech_end?: number;
  event?: string;
  trigger?: string;
  code?: string;
  message?: string;
  latency?: Record<string, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Streams one sentence over the native WebSocket protocol at real-time pace (100 ms chunks every
 * 100 ms, as the CLI client sends them), then silence until the final that holds the sentence's
 * end has arrived (or MAX_EXTRA_SILENCE_MS), then closes. `onSession` learns the session id
 * before any audio is sent. `isEndFinal` says whether a final holds the sentence's end.
 */
export async function streamSentence(options: {
  url: string;
  sentence: CorpusSentence;
  pcm: Int16Array;
  onSession: (sessionId: string) => void;
  isEndFinal: (final: ReceivedFinal) => boolean;
}): Promise<StreamedSentence> {
  const { sentence, pcm } = options;
  const ws = new WebSocket(
    `${options.url}/v1/stream?source=${sentence.language}&interim_results=true`,
  );
  const result: StreamedSentence = {
    sessionId: '',
    finals: [],
    speechEndSentAt: NaN,
    turns: {},
    errors: [],
  };
  let sawEnd = false;
  const session = new Promise<string>((resolve, reject) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      if (frame.type === 'session' && frame.session_id) resolve(frame.session_id);
      else if (frame.type === 'final') {
        const final: ReceivedFinal = {
          endSec: frame.speech_end ?? frame.end ?? 0,
          receivedAt: performance.now(),
          text: frame.text ?? '',
          ...(frame.latency ? { latency: frame.latency } : {}),
        };
        result.finals.push(final);
        if (options.isEndFinal(final)) sawEnd = true;
      } else if (frame.type === 'turn' && frame.event) {
        const key = frame.trigger ? `${frame.event}:${frame.trigger}` : frame.event;
        result.turns[key] = (result.turns[key] ?? 0) + 1;
      } else if (frame.type === 'error') {
        result.errors.push(`${frame.code ?? 'error'}: ${frame.message ?? ''}`);
      }
    });
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed (${code}) before the session frame`)));
  });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.on('error', (error) => result.errors.push(`socket: ${error.message}`));
  try {
    result.sessionId = await session;
    options.onSession(result.sessionId);
    const lastSpeech = speechEndSample(sentence) - 1;
    let at = 0;
    for await (const chunk of pacedChunks(pcm, { chunkMs: CHUNK_MS })) {
      if (ws.readyState !== WebSocket.OPEN) break;
      const { buffer, byteOffset, byteLength } = chunk.pcm;
      ws.send(Buffer.from(buffer, byteOffset, byteLength));
      if (at <= lastSpeech && lastSpeech < at + chunk.pcm.length) {
        result.speechEndSentAt = performance.now();
      }
      at += chunk.pcm.length;
    }
    const silence = Buffer.alloc(((16000 * CHUNK_MS) / 1000) * 2);
    // The file's last chunk went out when it was due; each silence chunk follows 100 ms later.
    const started = performance.now();
    let next = started + CHUNK_MS;
    while (!sawEnd && next - started <= MAX_EXTRA_SILENCE_MS) {
      await sleep(Math.max(0, next - performance.now()));
      if (sawEnd || ws.readyState !== WebSocket.OPEN) break;
      ws.send(silence);
      next += CHUNK_MS;
    }
  } finally {
    ws.close();
    await closed;
  }
  return result;
}
