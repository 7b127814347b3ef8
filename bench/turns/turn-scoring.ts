import { type CorpusSentence, scriptTextOf, type Stretch } from './corpus-timeline';

/**
 * The pure half of the timed turn benchmark: what the wrapped engine "hears" for a window of a
 * sentence's audio, and how the finals a session got are scored against the sentence's layout.
 * Times are milliseconds of the sentence's file (a session streams one file from its start, so
 * session time is file time).
 */

/** Marks whisper writes at the end of a sentence it heard (closing quotes and brackets aside). */
const FINAL_PUNCTUATION = /[.?!。？！]+(?=["'”’»)\]]*$)/u;

const speechOf = (sentence: CorpusSentence): Stretch[] =>
  sentence.stretches.filter((stretch) => stretch.kind === 'speech');

const midpoint = (stretch: Stretch): number => (stretch.startMs + stretch.endMs) / 2;

/**
 * The script's words for a window of audio, as the bench's wrapped engine returns them. The
 * bench's assumption: the text has its sentence-final punctuation only when the window reaches
 * the sentence's last part (scriptTextOf takes a part when more than half of it lies inside the
 * window); a window that ends at an inner pause gives the inner part as scripted (no terminal
 * mark, a list item keeps its comma), where real whisper would often write a period.
 */
export function benchScriptText(sentence: CorpusSentence, startMs: number, endMs: number): string {
  const text = scriptTextOf(sentence, startMs, endMs);
  const speech = speechOf(sentence);
  const last = speech[speech.length - 1];
  const overlap = last ? Math.min(endMs, last.endMs) - Math.max(startMs, last.startMs) : 0;
  const reachesEnd = last !== undefined && overlap > (last.endMs - last.startMs) / 2;
  return reachesEnd ? text : text.replace(FINAL_PUNCTUATION, '');
}

/** A final as the bench's client saw it. */
export interface ReceivedFinal {
  /** Where the VAD heard its speech end (s of session time), else the end of its audio. */
  endSec: number;
  /** performance.now() at the client when it arrived. */
  receivedAt: number;
  text: string;
  /** The final's stage latencies as the server reported them (queueMs, sttMs, totalMs). */
  latency?: Record<string, number>;
}

export interface SentenceScore {
  id: string;
  /** The final that holds the sentence's end, and its arrival after the speech end was sent. */
  endFinal?: { index: number; latencyMs: number };
  /** Per inner pause (in order): its length and whether a final ended the utterance there. */
  pauses: { ms: number; cut: boolean }[];
  /** Finals that ended before the middle of the sentence's first part (a split in no pause). */
  early: number;
  /** Each final's arrival relative to the sentence's speech end being sent (negative: before). */
  finalsMs: number[];
}

/**
 * Scores one sentence's finals. The timeline is cut at the middle of each spoken part: a final
 * whose speech ends between the middle of part k and the middle of part k+1 ended its utterance
 * at the pause between them (a cut); one whose speech ends after the middle of the last part
 * holds the sentence's end (the first of those is its end final). `speechEndSentAt` is when the
 * client sent the chunk with the sentence's last speech sample (performance.now()).
 */
export function scoreSentence(
  sentence: CorpusSentence,
  finals: readonly ReceivedFinal[],
  speechEndSentAt: number,
): SentenceScore {
  const speech = speechOf(sentence);
  const mids = speech.map(midpoint);
  const pauses = sentence.pauses.map((pause) => ({ ms: pause.ms, cut: false }));
  let early = 0;
  let endFinal: SentenceScore['endFinal'];
  finals.forEach((final, index) => {
    const endMs = final.endSec * 1000;
    if (endMs >= mids[mids.length - 1]) {
      endFinal ??= { index, latencyMs: final.receivedAt - speechEndSentAt };
      return;
    }
    const part = mids.findIndex((mid, k) => endMs >= mid && endMs < mids[k + 1]);
    if (part < 0) early++;
    else pauses[part].cut = true;
  });
  return {
    id: sentence.id,
    ...(endFinal ? { endFinal } : {}),
    pauses,
    early,
    finalsMs: finals.map((final) => final.receivedAt - speechEndSentAt),
  };
}

/** Sample index just past the sentence's last speech sample. */
export function speechEndSample(sentence: CorpusSentence): number {
  const speech = speechOf(sentence);
  return speech[speech.length - 1].end;
}
