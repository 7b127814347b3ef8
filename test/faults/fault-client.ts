import { WebSocket } from 'ws';
import { concatPcm, espeak, jfk, pcmBytes, silence } from '../helpers/audio';
import { type Frame, type TestClient } from '../helpers/ws-client';

const RATE = 16000;
const CHUNK_SAMPLES = 1600; // 100 ms

/**
 * Speech with pauses: each part followed by silence. 'jfk' stands for jfk.wav (several utterances);
 * anything else is spoken by espeak-ng (one utterance each).
 */
export function speechWithPauses(parts: string[]): Int16Array {
  return concatPcm(
    silence(0.3),
    ...parts.flatMap((part) => [part === 'jfk' ? jfk() : espeak(part), silence(1.2)]),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Streams PCM16 in 100 ms frames, `speed` times faster than real time. Stops early (returning the
 * samples sent) when the socket closes.
 */
export async function stream(
  client: TestClient,
  samples: Int16Array,
  speed = 4,
  from = 0,
): Promise<number> {
  const started = Date.now();
  let sent = from;
  while (sent < samples.length) {
    if (client.ws.readyState !== WebSocket.OPEN) return sent;
    const end = Math.min(samples.length, sent + CHUNK_SAMPLES);
    client.ws.send(pcmBytes(samples.subarray(sent, end)));
    sent = end;
    const due = (((sent - from) / RATE) * 1000) / speed;
    const wait = due - (Date.now() - started);
    if (wait > 0) await sleep(wait);
  }
  return sent;
}

/** `close` and wait for `closed` (every utterance spoken is then delivered or reported). */
export async function drain(client: TestClient, timeoutMs = 60_000): Promise<Frame> {
  client.sendJson({ type: 'close' });
  return client.next((f) => f.type === 'closed', { timeoutMs, what: 'closed' });
}

/** The session frame every connection starts with. */
export async function sessionOf(client: TestClient): Promise<Frame> {
  return client.next((f) => f.type === 'session', { what: 'session frame' });
}
