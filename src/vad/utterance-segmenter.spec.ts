import {
  DEFAULT_SEGMENTER_OPTIONS,
  type SegmenterOptions,
  resolveSegmenterOptions,
} from './segmenter-options';
import { type FrameVerdict, type SpeechDetector } from './speech-detector';
import { type SegmenterEvent, UtteranceSegmenter } from './utterance-segmenter';

const F = 512;

/**
 * Test detector: a frame is speech when its mean magnitude is at least 100. The audio the tests
 * build makes that unambiguous, so the segmentation logic is tested on its own.
 */
class LevelDetector implements SpeechDetector {
  readonly frameSamples = F;
  disposed = 0;
  calls: boolean[] = [];
  constructor(private readonly async = false) {}
  classify(frame: Int16Array, inSpeech: boolean): FrameVerdict | Promise<FrameVerdict> {
    this.calls.push(inSpeech);
    let sum = 0;
    for (const v of frame) sum += Math.abs(v);
    const verdict = { speech: sum / frame.length >= 100 };
    return this.async ? new Promise((r) => setTimeout(() => r(verdict), 0)) : verdict;
  }
  dispose(): void {
    this.disposed++;
  }
}

type Part = ['speech' | 'silence' | 'quiet', number];

/** Audio made of whole frames; speech samples are position-coded so copies can be checked exactly. */
function signal(parts: Part[]): Int16Array {
  const total = parts.reduce((n, [, frames]) => n + frames * F, 0);
  const out = new Int16Array(total);
  let i = 0;
  for (const [kind, frames] of parts) {
    for (let k = 0; k < frames * F; k++, i++) {
      const code = i % 997;
      out[i] = kind === 'speech' ? 1000 + code : kind === 'quiet' ? 150 + (code % 50) : 0;
    }
  }
  return out;
}

const OPTS: SegmenterOptions = {
  ...DEFAULT_SEGMENTER_OPTIONS,
  silenceThresholdSeconds: 0.3, // 10 frames
  preSpeechBufferSeconds: 0.1, // 1600 samples
  postSpeechPadSeconds: 0.2, // 3200 samples
  sttSendIntervalSeconds: 0.5, // 8000 samples
  maxUtteranceSeconds: 15,
  splitSearchSeconds: 1,
};

const s = (samples: number): number => samples / 16000;

function make(options: Partial<SegmenterOptions> = {}, async = false) {
  const detector = new LevelDetector(async);
  const seg = new UtteranceSegmenter(detector, resolveSegmenterOptions(OPTS, options));
  return { detector, seg };
}

async function pushAll(seg: UtteranceSegmenter, pcm: Int16Array, chunk = 4000) {
  const events: SegmenterEvent[] = [];
  for (let i = 0; i < pcm.length; i += chunk) {
    events.push(...(await seg.push(pcm.subarray(i, i + chunk))));
  }
  return events;
}

const finals = (events: SegmenterEvent[]) =>
  events.filter((e): e is Extract<SegmenterEvent, { type: 'final' }> => e.type === 'final');
const summary = (events: SegmenterEvent[]) =>
  events.map((e) =>
    e.type === 'speech-start'
      ? [e.type, e.atSec]
      : e.type === 'speculation-cancelled'
        ? [e.type]
        : [e.type, e.startSec, e.endSec],
  );

describe('UtteranceSegmenter', () => {
  it('emits nothing for silence', async () => {
    const { seg } = make();
    expect(await pushAll(seg, signal([['silence', 200]]))).toEqual([]);
    expect(await seg.finalize()).toEqual([]);
    expect(seg.streamSeconds).toBeCloseTo(s(200 * F), 9);
  });

  it('cuts one utterance with the pre-speech buffer, a short tail and exact audio', async () => {
    const pcm = signal([
      ['silence', 20],
      ['speech', 30],
      ['silence', 20],
    ]);
    const { seg } = make();
    const events = await pushAll(seg, pcm);
    expect(summary(events)).toEqual([
      ['speech-start', s(20 * F)],
      ['interim', s(20 * F - 1600), s(39 * F)],
      ['interim', s(20 * F - 1600), s(55 * F)],
      ['final', s(20 * F - 1600), s(50 * F + 3200)],
    ]);
    const [final] = finals(events);
    expect(final).toMatchObject({
      utterance: 0,
      reason: 'silence',
      speechStartSec: s(20 * F),
      speechEndSec: s(50 * F),
    });
    expect(Array.from(final.audio)).toEqual(Array.from(pcm.subarray(20 * F - 1600, 50 * F + 3200)));
    expect(seg.inUtterance).toBe(false);
  });

  it('gives the same events whatever the chunk sizes', async () => {
    const pcm = signal([
      ['silence', 7],
      ['speech', 40],
      ['silence', 5],
      ['speech', 12],
      ['silence', 30],
      ['speech', 9],
      ['silence', 12],
    ]);
    const whole = await make().seg.push(pcm);
    const { seg } = make();
    const pieces: SegmenterEvent[] = [];
    const sizes = [1, 7, 333, 4096, 2, 511, 513, 10000];
    for (let i = 0, k = 0; i < pcm.length; k++) {
      const n = sizes[k % sizes.length];
      pieces.push(...(await seg.push(pcm.subarray(i, i + n))));
      i += n;
    }
    expect(pieces).toEqual(whole);
    expect(finals(whole)).toHaveLength(2);
  });

  it('needs 3 speech frames within 5 to start', async () => {
    const { seg } = make();
    const events = await pushAll(
      seg,
      signal([
        ['silence', 10],
        ['speech', 1],
        ['silence', 3],
        ['speech', 2],
        ['silence', 3],
        ['speech', 1],
        ['silence', 1],
        ['speech', 1],
        ['silence', 1],
        ['speech', 1],
        ['silence', 20],
      ]),
    );
    // Frames 10, 14-15 and 19, 21 never make 3 of 5; 19, 21, 23 do; speech starts at 19.
    expect(summary(events)).toEqual([
      ['speech-start', s(19 * F)],
      ['final', s(19 * F - 1600), s(24 * F + 3200)],
    ]);
  });

  it('keeps a pause shorter than the silence threshold inside the utterance', async () => {
    const { seg } = make({ emitInterims: false });
    const events = await pushAll(
      seg,
      signal([
        ['silence', 10],
        ['speech', 20],
        ['silence', 9],
        ['speech', 20],
        ['silence', 15],
      ]),
    );
    expect(summary(events)).toEqual([
      ['speech-start', s(10 * F)],
      ['final', s(10 * F - 1600), s(59 * F + 3200)],
    ]);
  });

  it('splits at a pause as long as the threshold; pre-speech never reaches into the previous speech', async () => {
    const { seg } = make({ emitInterims: false, preSpeechBufferSeconds: 0.5 });
    const events = await pushAll(
      seg,
      signal([
        ['silence', 30],
        ['speech', 20],
        ['silence', 10],
        ['speech', 20],
        ['silence', 15],
      ]),
    );
    expect(summary(events)).toEqual([
      ['speech-start', s(30 * F)],
      ['final', s(30 * F - 8000), s(50 * F + 3200)],
      ['speech-start', s(60 * F)],
      // 0.5 s before 60*F would reach back to 44.4*F, inside the first utterance's speech.
      ['final', s(50 * F), s(80 * F + 3200)],
    ]);
    expect(finals(events).map((e) => e.utterance)).toEqual([0, 1]);
  });

  it('sends interims only when new speech arrived since the last one', async () => {
    const { seg } = make({ silenceThresholdSeconds: 3, sttSendIntervalSeconds: 0.25 });
    const events = await pushAll(
      seg,
      signal([
        ['silence', 5],
        ['speech', 10],
        ['silence', 100],
      ]),
    );
    const interims = events.filter((e) => e.type === 'interim');
    // Onset confirmed at the end of frame 7; interval 7.8 frames -> one interim at 16*F,
    // which includes the last speech frame (14); nothing new after that.
    expect(summary(interims)).toEqual([['interim', s(5 * F - 1600), s(16 * F)]]);
    expect(interims[0]).toMatchObject({ utterance: 0, speechStartSec: s(5 * F) });
    expect(finals(events)).toHaveLength(1);
  });

  it('emits no interims when they are off', async () => {
    const { seg } = make({ emitInterims: false });
    const events = await pushAll(seg, signal([['speech', 200]]));
    expect(events.map((e) => e.type)).toEqual(['speech-start']);
  });

  it('splits an over-long utterance at its quietest recent point and carries the rest over', async () => {
    const pcm = signal([
      ['silence', 10],
      ['speech', 75],
      ['quiet', 3],
      ['speech', 30],
    ]);
    const { seg } = make({ maxUtteranceSeconds: 3, emitInterims: false });
    const events = await pushAll(seg, pcm);
    const audioStart = 10 * F - 1600;
    const cut = 86 * F + F / 2; // middle of the quiet stretch (frames 85-87)
    expect(summary(events)).toEqual([
      ['speech-start', s(10 * F)],
      ['final', s(audioStart), s(cut)],
      ['speech-start', s(cut)],
    ]);
    const [first] = finals(events);
    expect(first).toMatchObject({ reason: 'max-length', speechEndSec: s(cut) });
    const rest = await seg.finalize();
    expect(summary(rest)).toEqual([['final', s(cut), s(pcm.length)]]);
    // Nothing lost, nothing doubled: the two finals are contiguous audio.
    const joined = [...first.audio, ...finals(rest)[0].audio];
    expect(joined).toEqual(Array.from(pcm.subarray(audioStart)));
  });

  it('prefers a short silent gap to cut at; the next utterance starts where speech resumes', async () => {
    const { seg } = make({ maxUtteranceSeconds: 3, emitInterims: false });
    const events = await pushAll(
      seg,
      signal([
        ['silence', 10],
        ['speech', 80],
        ['silence', 5],
        ['speech', 60],
      ]),
    );
    expect(summary(events)).toEqual([
      ['speech-start', s(10 * F)],
      ['final', s(10 * F - 1600), s(92 * F + F / 2)],
      ['speech-start', s(95 * F)],
    ]);
    expect(finals(events)[0]).toMatchObject({ speechEndSec: s(90 * F) });
  });

  it('keeps splitting continuous speech into utterances no longer than the limit', async () => {
    const { seg } = make({ maxUtteranceSeconds: 2, emitInterims: false });
    const pcm = signal([['speech', 2000]]); // 64 s
    const events = await pushAll(seg, pcm, 16000);
    const fs = finals(events);
    expect(fs.length).toBeGreaterThanOrEqual(31);
    for (const f of fs) {
      expect(f.reason).toBe('max-length');
      expect(f.endSec - f.startSec).toBeLessThanOrEqual(2 + 1e-9);
      expect(f.endSec - f.startSec).toBeGreaterThan(0.9);
    }
    for (let i = 1; i < fs.length; i++) expect(fs[i].startSec).toBe(fs[i - 1].endSec);
    expect(events.filter((e) => e.type === 'speech-start')).toHaveLength(fs.length + 1);
  });

  it('discard() drops the open utterance without a final; later speech starts a new one', async () => {
    const { seg } = make({ emitInterims: false });
    const started = await seg.push(
      signal([
        ['silence', 10],
        ['speech', 20],
      ]),
    );
    expect(started.map((e) => e.type)).toEqual(['speech-start']);
    expect(await seg.discard()).toBe(0);
    expect(await seg.discard()).toBeUndefined();
    expect(await seg.finalize()).toEqual([]);
    const more = await pushAll(
      seg,
      signal([
        ['silence', 5],
        ['speech', 20],
        ['silence', 20],
      ]),
    );
    expect(more.map((e) => e.type)).toEqual(['speech-start', 'final']);
    expect(finals(more)[0]).toMatchObject({ utterance: 1, reason: 'silence' });
  });

  it('setSilenceThreshold() changes the silence that ends an utterance', async () => {
    const { seg } = make({ emitInterims: false });
    seg.setSilenceThreshold(3);
    const long = await pushAll(
      seg,
      signal([
        ['silence', 10],
        ['speech', 20],
        ['silence', 30],
      ]),
    );
    expect(long.map((e) => e.type)).toEqual(['speech-start']);
    seg.setSilenceThreshold(0.3);
    const ended = await pushAll(seg, signal([['silence', 1]]));
    expect(finals(ended)).toMatchObject([{ utterance: 0, reason: 'silence' }]);
    expect(() => seg.setSilenceThreshold(0)).toThrow(RangeError);
  });

  it('endIfSilent() ends an utterance whose silence already reaches a lowered threshold, without more audio', async () => {
    const { seg } = make({ emitInterims: false });
    seg.setSilenceThreshold(3);
    await pushAll(
      seg,
      signal([
        ['silence', 10],
        ['speech', 20],
        ['silence', 5],
      ]),
    );
    // 5 frames of silence: short of 3 s, and of 0.3 s as well.
    expect(await seg.endIfSilent()).toEqual([]);
    await pushAll(seg, signal([['silence', 25]]));
    expect(await seg.endIfSilent()).toEqual([]);
    seg.setSilenceThreshold(0.3);
    const [final] = await seg.endIfSilent();
    expect(final).toMatchObject({ type: 'final', utterance: 0, reason: 'silence' });
    expect(seg.inUtterance).toBe(false);
    expect(await seg.endIfSilent()).toEqual([]);
    // What the same audio gives when the frames end it: the same final.
    const { seg: framed } = make({ emitInterims: false });
    framed.setSilenceThreshold(0.3);
    const ended = await pushAll(
      framed,
      signal([
        ['silence', 10],
        ['speech', 20],
        ['silence', 30],
      ]),
    );
    expect(final).toMatchObject({
      startSec: finals(ended)[0].startSec,
      endSec: finals(ended)[0].endSec,
      speechEndSec: finals(ended)[0].speechEndSec,
    });
  });

  it('finalize() ends the open utterance with everything received, then starts afresh', async () => {
    const pcm = signal([
      ['silence', 10],
      ['speech', 20],
    ]);
    const { seg } = make({ emitInterims: false });
    await seg.push(pcm);
    await seg.push(new Int16Array(100).fill(2000)); // less than a frame: not yet classified
    const [final] = await seg.finalize();
    expect(final).toMatchObject({
      type: 'final',
      reason: 'finalize',
      startSec: s(10 * F - 1600),
      endSec: s(30 * F + 100),
      speechEndSec: s(30 * F + 100),
    });
    expect(await seg.finalize('close')).toEqual([]);
    // Speech that goes on after finalize opens a new utterance only with a fresh onset.
    const more = await seg.push(signal([['speech', 4]]));
    expect(summary(more)).toEqual([['speech-start', s(30 * F + 100 + 412)]]);
    expect(await seg.finalize('close')).toMatchObject([{ utterance: 1, reason: 'close' }]);
  });

  it('runs un-awaited push/finalize calls in order', async () => {
    const pcm = signal([
      ['silence', 10],
      ['speech', 30],
      ['silence', 15],
      ['speech', 30],
    ]);
    const expected = await (async () => {
      const { seg } = make({}, true);
      const out = await pushAll(seg, pcm, 3000);
      return [...out, ...(await seg.finalize())];
    })();
    const { seg } = make({}, true);
    const calls: Promise<SegmenterEvent[]>[] = [];
    for (let i = 0; i < pcm.length; i += 3000) calls.push(seg.push(pcm.subarray(i, i + 3000)));
    calls.push(seg.finalize());
    const got = (await Promise.all(calls)).flat();
    expect(got).toEqual(expected);
    expect(finals(got).map((e) => e.reason)).toEqual(['silence', 'finalize']);
  });

  it('copies pushed audio at call time, so callers may reuse their buffer', async () => {
    const pcm = signal([
      ['silence', 10],
      ['speech', 20],
    ]);
    const { seg } = make({ emitInterims: false }, true);
    const buffer = new Int16Array(2000);
    const calls: Promise<SegmenterEvent[]>[] = [];
    for (let i = 0; i < pcm.length; i += 2000) {
      const n = Math.min(2000, pcm.length - i);
      buffer.set(pcm.subarray(i, i + n));
      calls.push(seg.push(buffer.subarray(0, n)));
    }
    buffer.fill(0);
    calls.push(seg.finalize());
    const [final] = finals((await Promise.all(calls)).flat());
    expect(Array.from(final.audio)).toEqual(Array.from(pcm.subarray(10 * F - 1600)));
  });

  it('tells the detector whether an utterance is open', async () => {
    const { seg, detector } = make();
    await seg.push(
      signal([
        ['silence', 2],
        ['speech', 4],
        ['silence', 1],
      ]),
    );
    expect(detector.calls).toEqual([false, false, false, false, false, true, true]);
  });

  it('rejects bad input and use after dispose, and disposes the detector once', async () => {
    const { seg, detector } = make();
    await expect(seg.push(new Float32Array(10) as unknown as Int16Array)).rejects.toThrow(
      TypeError,
    );
    await expect(seg.push(new Int16Array(10))).resolves.toEqual([]); // still usable
    seg.dispose();
    seg.dispose();
    await expect(seg.push(new Int16Array(10))).rejects.toThrow(/disposed/);
    await expect(seg.finalize()).rejects.toThrow(/disposed/);
    await new Promise((r) => setImmediate(r));
    expect(detector.disposed).toBe(1);
  });

  it('keeps memory bounded over a long stream: small while idle, never above the bound', async () => {
    const { seg } = make({ maxUtteranceSeconds: 2, emitInterims: false });
    const ring = (seg as unknown as { ring: { capacity: number } }).ring;
    const idle = ring.capacity;
    expect(idle).toBeLessThan(16000 * 2);
    await seg.push(signal([['silence', 1000]])); // 32 s of silence: no growth
    expect(ring.capacity).toBe(idle);
    const block = signal([
      ['silence', 40],
      ['speech', 50],
    ]);
    let count = 0;
    for (let i = 0; i < 100; i++) count += finals(await seg.push(block)).length; // ~5 min
    expect(count).toBe(99);
    expect(ring.capacity).toBeLessThan(16000 * 4);
  });

  it('grows for a long utterance and hands back every sample of it', async () => {
    const pcm = signal([
      ['silence', 5],
      ['speech', 400],
      ['silence', 15],
    ]);
    const { seg } = make({ maxUtteranceSeconds: 30, emitInterims: false });
    const ring = (seg as unknown as { ring: { capacity: number } }).ring;
    const idle = ring.capacity;
    const [final] = finals(await pushAll(seg, pcm, 3000));
    expect(ring.capacity).toBeGreaterThan(idle);
    expect(ring.capacity).toBeLessThan(16000 * 33);
    expect(Array.from(final.audio)).toEqual(Array.from(pcm.subarray(5 * F - 1600, 405 * F + 3200)));
  });
});

describe('UtteranceSegmenter speculation', () => {
  // Threshold 10 frames (0.3 s); speculation after 0.1 s is raised to the 0.2 s pad: 7 frames.
  const SPEC = { speculativeSilenceSeconds: 0.1, emitInterims: false };

  it('offers the final audio once the pad of silence has passed; the final then says it is the same', async () => {
    const { seg } = make(SPEC);
    const events = await pushAll(
      seg,
      signal([
        ['silence', 10],
        ['speech', 20],
        ['silence', 15],
      ]),
    );
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speculative', 'final']);
    const spec = events[1] as Extract<SegmenterEvent, { type: 'speculative' }>;
    const final = finals(events)[0];
    expect(final.speculated).toBe(true);
    expect(spec.audio).toEqual(final.audio);
    expect([spec.startSec, spec.endSec, spec.speechEndSec]).toEqual([
      final.startSec,
      final.endSec,
      final.speechEndSec,
    ]);
    // Emitted after 7 silent frames, 3 before the threshold.
    expect(spec.endSec).toBeCloseTo(s(30 * F) + 0.2, 5);
  });

  it('withdraws the speculation when speech comes back, and speculates again at the next silence', async () => {
    const { seg } = make(SPEC);
    const events = await pushAll(
      seg,
      signal([
        ['silence', 10],
        ['speech', 20],
        ['silence', 8],
        ['speech', 10],
        ['silence', 15],
      ]),
    );
    expect(events.map((e) => e.type)).toEqual([
      'speech-start',
      'speculative',
      'speculation-cancelled',
      'speculative',
      'final',
    ]);
    type Speculative = Extract<SegmenterEvent, { type: 'speculative' }>;
    const [first, second] = events.filter((e): e is Speculative => e.type === 'speculative');
    const final = finals(events)[0];
    expect(final.speculated).toBe(true);
    expect(second.audio).toEqual(final.audio);
    expect(first.audio.length).toBeLessThan(final.audio.length);
  });

  it('a pause shorter than the speculation delay speculates nothing', async () => {
    const { seg } = make(SPEC);
    const events = await pushAll(
      seg,
      signal([
        ['silence', 10],
        ['speech', 20],
        ['silence', 5],
        ['speech', 10],
        ['silence', 15],
      ]),
    );
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speculative', 'final']);
  });

  it('finalize() during a speculation ends the utterance with other audio: not speculated', async () => {
    const { seg } = make(SPEC);
    const events = await pushAll(
      seg,
      signal([
        ['silence', 10],
        ['speech', 20],
        ['silence', 8],
      ]),
    );
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speculative']);
    const [final] = await seg.finalize();
    expect(final).toMatchObject({ type: 'final', reason: 'finalize', speculated: false });
  });

  it('is off by default, and when the delay is not below the threshold', async () => {
    for (const options of [{}, { speculativeSilenceSeconds: 0.3 }]) {
      const { seg } = make(options);
      const events = await pushAll(
        seg,
        signal([
          ['silence', 10],
          ['speech', 20],
          ['silence', 15],
        ]),
      );
      expect(events.some((e) => e.type === 'speculative')).toBe(false);
      expect(finals(events)[0].speculated).toBe(false);
    }
    expect(() => make({ speculativeSilenceSeconds: -1 })).toThrow(/speculativeSilenceSeconds/);
  });
});

describe('resolveSegmenterOptions', () => {
  it.each([
    [{ webrtcSensitivity: 4 }, /webrtcSensitivity=4: an integer 0-3/],
    [{ webrtcSensitivity: 1.5 }, /webrtcSensitivity/],
    [{ sileroSensitivity: 1.2 }, /sileroSensitivity=1.2/],
    [{ silenceThresholdSeconds: 0 }, /silenceThresholdSeconds=0/],
    [{ sttSendIntervalSeconds: Number.NaN }, /sttSendIntervalSeconds=NaN/],
    [{ maxUtteranceSeconds: 0.5 }, /maxUtteranceSeconds=0.5: at least 1/],
    [{ preSpeechBufferSeconds: -1 }, /preSpeechBufferSeconds=-1/],
    [{ onsetSpeechFrames: 6 }, /onsetSpeechFrames=6/],
  ])('rejects %p', (overrides, message) => {
    expect(() => resolveSegmenterOptions(DEFAULT_SEGMENTER_OPTIONS, overrides)).toThrow(message);
  });

  it('merges valid overrides and ignores undefined ones', () => {
    const o = resolveSegmenterOptions(DEFAULT_SEGMENTER_OPTIONS, {
      sileroSensitivity: 0.7,
      webrtcSensitivity: undefined,
    });
    expect(o.sileroSensitivity).toBe(0.7);
    expect(o.webrtcSensitivity).toBe(DEFAULT_SEGMENTER_OPTIONS.webrtcSensitivity);
  });
});
