import { PIPELINE_SAMPLE_RATE } from '../audio/pipeline-rate';
import { SerialQueue } from '../common/serial-queue';
import { PcmRingBuffer } from './pcm-ring-buffer';
import { type SegmenterOptions } from './segmenter-options';
import { type SpeechDetector } from './speech-detector';

export type FinalReason = 'silence' | 'finalize' | 'max-length' | 'close';

/**
 * Times are seconds from stream start (samples pushed / PIPELINE_SAMPLE_RATE). `utterance` numbers the
 * utterances of one segmenter from 0; every `speech-start` is followed by exactly one `final`
 * with the same number (unless the segmenter is disposed or `discard()` drops the utterance
 * first), interims in between.
 * `startSec`/`endSec` bound `audio` (which includes the pre-speech buffer and a short tail);
 * `speechStartSec`/`speechEndSec` are where the detector heard speech begin and end.
 *
 * With `speculativeSilenceSeconds`, a `speculative` event offers the audio of the final-to-be once
 * that much silence follows the speech; `speculation-cancelled` withdraws it when speech comes
 * back. A `final` with `speculated: true` has exactly the audio of the last `speculative` event
 * of its utterance (no speech came back), so that speculation's result may stand for the final.
 */
export type SegmenterEvent =
  | { type: 'speech-start'; utterance: number; atSec: number }
  | {
      type: 'interim';
      utterance: number;
      audio: Int16Array;
      startSec: number;
      endSec: number;
      speechStartSec: number;
    }
  | {
      type: 'speculative';
      utterance: number;
      audio: Int16Array;
      startSec: number;
      endSec: number;
      speechStartSec: number;
      speechEndSec: number;
    }
  | { type: 'speculation-cancelled'; utterance: number }
  | {
      type: 'final';
      utterance: number;
      audio: Int16Array;
      startSec: number;
      endSec: number;
      speechStartSec: number;
      speechEndSec: number;
      reason: FinalReason;
      /** A `speculative` event of this utterance had exactly this audio. */
      speculated: boolean;
    };

interface Utterance {
  readonly index: number;
  /** Absolute sample indices. */
  audioStart: number;
  speechStart: number;
  lastSpeechEnd: number;
  silenceFrames: number;
  lastSnapshotEnd: number;
  speechSinceSnapshot: boolean;
  /** A speculative event is out for the current silence. */
  speculated: boolean;
}

/** Largest slice written to the ring before classifying, so one huge push cannot overrun it. */
const MAX_SLICE_SAMPLES = 8192;
/** Extra room when the ring has to grow, so it does not grow a little on every push. */
const GROWTH_MARGIN_SAMPLES = PIPELINE_SAMPLE_RATE;

/**
 * Cuts one 16 kHz mono PCM16 stream into utterances. One per stream; not shared.
 *
 * push() and finalize() may be called without awaiting the previous call: they run one after
 * another in call order, and each resolves with the events its own call produced.
 * Memory is bounded: audio lives in a ring buffer sized for the longest utterance plus the
 * pre-speech buffer; nothing grows with the length of the stream.
 */
export class UtteranceSegmenter {
  private readonly frameSamples: number;
  private readonly ring: PcmRingBuffer;
  /** The ring starts small (idle streams are cheap) and grows up to this while an utterance grows. */
  private readonly maxCapacity: number;
  private readonly frame: Int16Array;
  /** Per-frame log over the ring's span: speech flag and mean energy (for choosing split points). */
  private readonly frameSpeech: Uint8Array;
  private readonly frameEnergy: Float32Array;
  private silenceFramesToEnd = 0;
  /** Silent frames before a speculative event (0 = no speculation). */
  private silenceFramesToSpeculate = 0;
  private readonly maxSamples: number;
  private readonly preSamples: number;
  private readonly postSamples: number;
  private readonly intervalSamples: number;
  private readonly splitSearchSamples: number;

  /** Absolute sample index up to which frames have been classified (a multiple of frameSamples). */
  private classifiedEnd = 0;
  private current: Utterance | undefined;
  private nextIndex = 0;
  /** Frames before this index never count towards an onset (they belonged to a finished utterance). */
  private onsetFloorFrame = 0;
  /** Pre-speech audio of the next utterance never reaches back before this sample. */
  private previousSpeechEnd = 0;
  private readonly queue = new SerialQueue();
  private disposed = false;

  constructor(
    private readonly detector: SpeechDetector,
    private readonly options: SegmenterOptions,
  ) {
    const sr = PIPELINE_SAMPLE_RATE;
    this.frameSamples = detector.frameSamples;
    if (!Number.isInteger(this.frameSamples) || this.frameSamples <= 0) {
      throw new RangeError(`SpeechDetector.frameSamples must be a positive integer`);
    }
    const f = this.frameSamples;
    this.maxSamples = Math.round(options.maxUtteranceSeconds * sr);
    this.preSamples = Math.round(options.preSpeechBufferSeconds * sr);
    this.postSamples = Math.round(options.postSpeechPadSeconds * sr);
    this.intervalSamples = Math.round(options.sttSendIntervalSeconds * sr);
    this.splitSearchSamples = Math.round(options.splitSearchSeconds * sr);
    this.applySilenceThreshold(options.silenceThresholdSeconds);
    const idleNeed = this.preSamples + (options.onsetWindowFrames + 2) * f + MAX_SLICE_SAMPLES + f;
    this.maxCapacity = this.maxSamples + idleNeed;
    this.ring = new PcmRingBuffer(Math.min(this.maxCapacity, idleNeed + GROWTH_MARGIN_SAMPLES));
    this.frame = new Int16Array(f);
    const frames = Math.ceil(this.maxCapacity / f) + 1;
    this.frameSpeech = new Uint8Array(frames);
    this.frameEnergy = new Float32Array(frames);
  }

  /** Seconds of audio received so far. */
  get streamSeconds(): number {
    return this.ring.end / PIPELINE_SAMPLE_RATE;
  }

  /** Whether an utterance is in progress (a speech-start without its final yet). */
  get inUtterance(): boolean {
    return this.current !== undefined;
  }

  /**
   * Feeds audio (any length, including odd chunk sizes); resolves with the events it caused.
   * The samples are copied at call time, so the caller may reuse its buffer at once.
   */
  push(pcm: Int16Array): Promise<SegmenterEvent[]> {
    if (!(pcm instanceof Int16Array)) {
      return Promise.reject(new TypeError('UtteranceSegmenter.push expects an Int16Array'));
    }
    const copy = pcm.slice();
    return this.enqueue(() => this.process(copy));
  }

  /**
   * Ends the utterance in progress now with all audio received so far (push-to-talk release,
   * client `finalize`, or `close` when draining). Resolves with [] when no utterance is open.
   */
  finalize(
    reason: Exclude<FinalReason, 'silence' | 'max-length'> = 'finalize',
  ): Promise<SegmenterEvent[]> {
    return this.enqueue(() => {
      const events: SegmenterEvent[] = [];
      if (this.current) {
        const end = this.ring.end;
        const u = this.current;
        const speechEnd = u.silenceFrames === 0 ? end : u.lastSpeechEnd;
        events.push(this.finish(u, end, speechEnd, reason));
        this.onsetFloorFrame = Math.ceil(end / this.frameSamples);
      }
      return Promise.resolve(events);
    });
  }

  /**
   * Changes the silence that ends an utterance, from the next frame on (an utterance already in
   * its silence ends as soon as the new threshold is reached).
   */
  setSilenceThreshold(seconds: number): void {
    if (!(seconds > 0) || !Number.isFinite(seconds)) {
      throw new RangeError(`silence threshold must be a positive number of seconds: ${seconds}`);
    }
    this.applySilenceThreshold(seconds);
  }

  /**
   * Ends the utterance in progress now if its silence already reaches the threshold (after a
   * lowered one: the turn's end is known without waiting for the next audio). Resolves with the
   * final, or [] when no utterance is open or its silence is shorter.
   */
  endIfSilent(): Promise<SegmenterEvent[]> {
    return this.enqueue(() => {
      const u = this.current;
      if (!u || u.silenceFrames === 0 || u.silenceFrames < this.silenceFramesToEnd) {
        return Promise.resolve([]);
      }
      const end = this.classifiedEnd;
      const audioEnd = Math.min(end, u.lastSpeechEnd + this.postSamples);
      const final = this.finish(u, audioEnd, u.lastSpeechEnd, 'silence', u.speculated);
      this.onsetFloorFrame = end / this.frameSamples;
      return Promise.resolve([final]);
    });
  }

  /**
   * Drops the utterance in progress without a final (the client threw its audio away). Resolves
   * with its number, or undefined when none was open. Speech already in the buffer never starts
   * a new utterance; only audio pushed afterwards can.
   */
  discard(): Promise<number | undefined> {
    let discarded: number | undefined;
    return this.enqueue(() => {
      const end = this.ring.end;
      discarded = this.current?.index;
      this.current = undefined;
      this.previousSpeechEnd = end;
      this.onsetFloorFrame = Math.ceil(end / this.frameSamples);
      return Promise.resolve([]);
    }).then(() => discarded);
  }

  /** Stops the segmenter and releases its detector once any running push has finished. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.current = undefined;
    void this.queue.idle().then(() => this.detector.dispose());
  }

  private applySilenceThreshold(seconds: number): void {
    const sr = PIPELINE_SAMPLE_RATE;
    const f = this.frameSamples;
    this.silenceFramesToEnd = Math.max(1, Math.ceil((seconds * sr) / f));
    const speculate = Math.max(
      Math.ceil((this.options.speculativeSilenceSeconds * sr) / f),
      Math.ceil(this.postSamples / f),
      1,
    );
    this.silenceFramesToSpeculate =
      this.options.speculativeSilenceSeconds > 0 && speculate < this.silenceFramesToEnd
        ? speculate
        : 0;
  }

  private enqueue(task: () => Promise<SegmenterEvent[]>): Promise<SegmenterEvent[]> {
    return this.queue.run(() => {
      if (this.disposed) throw new Error('UtteranceSegmenter is disposed');
      return task();
    });
  }

  private async process(pcm: Int16Array): Promise<SegmenterEvent[]> {
    const events: SegmenterEvent[] = [];
    for (let offset = 0; offset < pcm.length; offset += MAX_SLICE_SAMPLES) {
      const slice = pcm.subarray(offset, Math.min(pcm.length, offset + MAX_SLICE_SAMPLES));
      this.makeRoom(slice.length);
      this.ring.write(slice);
      while (this.ring.end - this.classifiedEnd >= this.frameSamples) {
        if (this.disposed) return events;
        await this.classifyNextFrame(events);
      }
    }
    return events;
  }

  /** Grows the ring (up to its bound) so writing `incoming` samples keeps what is still needed. */
  private makeRoom(incoming: number): void {
    const f = this.frameSamples;
    const oldestNeeded = this.current
      ? this.current.audioStart
      : this.classifiedEnd - this.preSamples - this.options.onsetWindowFrames * f;
    const need = this.ring.end + incoming - Math.max(0, oldestNeeded);
    if (need > this.ring.capacity && this.ring.capacity < this.maxCapacity) {
      const target = Math.max(need + GROWTH_MARGIN_SAMPLES, this.ring.capacity * 2);
      this.ring.grow(Math.min(this.maxCapacity, target));
    }
  }

  private async classifyNextFrame(events: SegmenterEvent[]): Promise<void> {
    const f = this.frameSamples;
    const start = this.classifiedEnd;
    const end = start + f;
    this.ring.copyInto(start, end, this.frame);
    const result = this.detector.classify(this.frame, this.current !== undefined);
    const verdict = result instanceof Promise ? await result : result;
    if (this.disposed) return;

    const frameIndex = start / f;
    const slot = frameIndex % this.frameSpeech.length;
    this.frameSpeech[slot] = verdict.speech ? 1 : 0;
    this.frameEnergy[slot] = meanSquare(this.frame);
    this.classifiedEnd = end;

    if (!this.current) {
      this.detectOnset(frameIndex, events);
      return;
    }
    const u = this.current;
    if (verdict.speech) {
      u.lastSpeechEnd = end;
      u.silenceFrames = 0;
      u.speechSinceSnapshot = true;
      if (u.speculated) {
        u.speculated = false;
        events.push({ type: 'speculation-cancelled', utterance: u.index });
      }
    } else {
      u.silenceFrames++;
    }
    if (u.silenceFrames >= this.silenceFramesToEnd) {
      const audioEnd = Math.min(end, u.lastSpeechEnd + this.postSamples);
      events.push(this.finish(u, audioEnd, u.lastSpeechEnd, 'silence', u.speculated));
      this.onsetFloorFrame = frameIndex + 1;
    } else if (
      this.silenceFramesToSpeculate > 0 &&
      !u.speculated &&
      u.silenceFrames >= this.silenceFramesToSpeculate
    ) {
      // The same audio the final will have if no speech comes back (the post-speech pad is in).
      u.speculated = true;
      const audioEnd = Math.min(end, u.lastSpeechEnd + this.postSamples);
      events.push({
        type: 'speculative',
        utterance: u.index,
        audio: this.ring.read(u.audioStart, audioEnd),
        startSec: sec(u.audioStart),
        endSec: sec(audioEnd),
        speechStartSec: sec(u.speechStart),
        speechEndSec: sec(u.lastSpeechEnd),
      });
    } else if (end - u.audioStart >= this.maxSamples) {
      this.split(u, events);
    } else if (
      this.options.emitInterims &&
      u.speechSinceSnapshot &&
      end - u.lastSnapshotEnd >= this.intervalSamples
    ) {
      u.lastSnapshotEnd = end;
      u.speechSinceSnapshot = false;
      events.push({
        type: 'interim',
        utterance: u.index,
        audio: this.ring.read(u.audioStart, end),
        startSec: sec(u.audioStart),
        endSec: sec(end),
        speechStartSec: sec(u.speechStart),
      });
    }
  }

  private detectOnset(frameIndex: number, events: SegmenterEvent[]): void {
    const { onsetWindowFrames: w, onsetSpeechFrames: k } = this.options;
    const first = Math.max(this.onsetFloorFrame, frameIndex - w + 1);
    let count = 0;
    let firstSpeech = -1;
    for (let i = first; i <= frameIndex; i++) {
      if (this.speechAt(i)) {
        count++;
        if (firstSpeech < 0) firstSpeech = i;
      }
    }
    if (count < k || !this.speechAt(frameIndex)) return;
    const f = this.frameSamples;
    const speechStart = firstSpeech * f;
    const end = (frameIndex + 1) * f;
    this.open(speechStart, Math.max(speechStart - this.preSamples, this.previousSpeechEnd), end);
    this.current!.lastSpeechEnd = end;
    events.push({ type: 'speech-start', utterance: this.current!.index, atSec: sec(speechStart) });
  }

  private open(speechStart: number, audioStart: number, now: number): void {
    this.current = {
      index: this.nextIndex++,
      audioStart: Math.max(0, this.ring.start, audioStart),
      speechStart,
      lastSpeechEnd: speechStart,
      silenceFrames: 0,
      lastSnapshotEnd: now,
      speechSinceSnapshot: false,
      speculated: false,
    };
  }

  private finish(
    u: Utterance,
    audioEnd: number,
    speechEnd: number,
    reason: FinalReason,
    speculated = false,
  ): SegmenterEvent {
    this.current = undefined;
    this.previousSpeechEnd = speechEnd;
    return {
      type: 'final',
      utterance: u.index,
      audio: this.ring.read(u.audioStart, audioEnd),
      startSec: sec(u.audioStart),
      endSec: sec(audioEnd),
      speechStartSec: sec(u.speechStart),
      speechEndSec: sec(speechEnd),
      reason,
      speculated,
    };
  }

  /**
   * The utterance reached the length limit: end it at the quietest point of its last few seconds
   * (preferring frames the detector called silence) and carry the rest into the next utterance.
   */
  private split(u: Utterance, events: SegmenterEvent[]): void {
    const f = this.frameSamples;
    const endFrame = this.classifiedEnd / f; // exclusive
    const firstFrame = Math.max(
      Math.floor(u.speechStart / f) + 1,
      Math.ceil((this.classifiedEnd - this.splitSearchSamples) / f),
    );
    let candidatesSilent = false;
    for (let i = firstFrame; i < endFrame; i++) if (!this.speechAt(i)) candidatesSilent = true;
    const isCandidate = (i: number): boolean => !(candidatesSilent && this.speechAt(i));
    const energyAround = (i: number): number => {
      let sum = 0;
      let n = 0;
      for (let j = Math.max(firstFrame, i - 1); j <= Math.min(endFrame - 1, i + 1); j++) {
        sum += this.frameEnergy[j % this.frameEnergy.length]!;
        n++;
      }
      return sum / n;
    };
    let best = endFrame - 1;
    let bestEnergy = Infinity;
    for (let i = firstFrame; i < endFrame; i++) {
      if (!isCandidate(i)) continue;
      const energy = energyAround(i);
      if (energy <= bestEnergy) {
        bestEnergy = energy;
        best = i;
      }
    }
    // Equally quiet neighbours (a pause): cut in the middle of the pause, not at its edge.
    let runStart = best;
    while (
      runStart > firstFrame &&
      isCandidate(runStart - 1) &&
      energyAround(runStart - 1) <= bestEnergy
    ) {
      runStart--;
    }
    best = Math.floor((runStart + best) / 2);
    const splitAt = best * f + Math.floor(f / 2);
    let speechEnd = splitAt;
    if (!this.speechAt(best)) {
      let j = best - 1;
      while (j * f > u.speechStart && !this.speechAt(j)) j--;
      speechEnd = Math.max(u.speechStart, (j + 1) * f);
    }
    events.push(this.finish(u, splitAt, speechEnd, 'max-length'));

    let firstSpeech = -1;
    let lastSpeech = -1;
    for (let i = best; i < endFrame; i++) {
      if (this.speechAt(i)) {
        if (firstSpeech < 0) firstSpeech = i;
        lastSpeech = i;
      }
    }
    if (firstSpeech < 0) {
      // Only silence after the split: wait for a fresh onset, with the usual pre-speech buffer.
      this.onsetFloorFrame = endFrame;
      return;
    }
    const speechStart = Math.max(splitAt, firstSpeech * f);
    this.open(speechStart, splitAt, this.classifiedEnd);
    const next = this.current!;
    next.lastSpeechEnd = (lastSpeech + 1) * f;
    next.silenceFrames = endFrame - 1 - lastSpeech;
    next.speechSinceSnapshot = true;
    events.push({ type: 'speech-start', utterance: next.index, atSec: sec(speechStart) });
  }

  private speechAt(frameIndex: number): boolean {
    return this.frameSpeech[frameIndex % this.frameSpeech.length] === 1;
  }
}

function sec(samples: number): number {
  return samples / PIPELINE_SAMPLE_RATE;
}

function meanSquare(frame: Int16Array): number {
  let sum = 0;
  for (const sample of frame) sum += sample * sample;
  return sum / frame.length;
}
