import { Test } from '@nestjs/testing';
import { register } from 'prom-client';
import { CommonModule } from 'src/common/common.module';
import { ReadinessRegistry } from 'src/common/health/readiness.registry';
import {
  type SegmenterEvent,
  type SegmenterOptions,
  type UtteranceSegmenter,
  VadModule,
  VadService,
} from 'src/vad';
import {
  AudioWorkdir,
  type Piece,
  RATE,
  compose,
  mix,
  readWav16k,
  slice,
  trim,
} from '../helpers/audio-fixtures';
import { cleanupPrefix, fixture, testConfig } from '../helpers/test-env';

type Final = Extract<SegmenterEvent, { type: 'final' }>;

const TOLERANCE = 0.15;
const PRE = 0.3;

/**
 * jfk.wav phrases, cut where the 10 ms energy rises above / falls back to the recording's noise
 * floor (-30 dB of peak); surrounded by digital silence in the clips, so their bounds are the truth.
 */
const JFK_PHRASES: [number, number][] = [
  [0.26, 2.12], // "And so my fellow Americans"
  [5.38, 7.56], // "what your country can do for you"
  [8.17, 10.3], // "ask what you can do for your country"
];

async function run(seg: UtteranceSegmenter, pcm: Int16Array, chunk = 1600) {
  const events: SegmenterEvent[] = [];
  for (let i = 0; i < pcm.length; i += chunk) {
    events.push(...(await seg.push(pcm.subarray(i, i + chunk))));
  }
  events.push(...(await seg.finalize('close')));
  return events;
}

const finalsOf = (events: SegmenterEvent[]): Final[] =>
  events.filter((e): e is Final => e.type === 'final');

function expectMatches(finals: Final[], pieces: Piece[], describeClip: string): void {
  const got = finals.map((f) => `${f.speechStartSec.toFixed(3)}-${f.speechEndSec.toFixed(3)}`);
  const want = pieces.map((p) => `${p.startSec.toFixed(3)}-${p.endSec.toFixed(3)}`);
  expect({ clip: describeClip, segments: finals.length, got }).toEqual({
    clip: describeClip,
    segments: pieces.length,
    got: expect.any(Array),
  });
  finals.forEach((f, i) => {
    const truth = pieces[i];
    const where = `${describeClip} segment ${i}: got ${got[i]}, truth ${want[i]}`;
    expect({ where, startError: Math.abs(f.speechStartSec - truth.startSec) <= TOLERANCE }).toEqual(
      {
        where,
        startError: true,
      },
    );
    expect({ where, endError: Math.abs(f.speechEndSec - truth.endSec) <= TOLERANCE }).toEqual({
      where,
      endError: true,
    });
    // The audio handed to STT starts exactly PRE_SPEECH_BUFFER_SECONDS before the detected onset
    // (the clips leave more silence than that between pieces), so it holds the whole onset.
    expect(f.startSec).toBeCloseTo(Math.max(0, f.speechStartSec - PRE), 6);
    expect(f.startSec).toBeLessThanOrEqual(truth.startSec);
    expect(f.endSec).toBeGreaterThanOrEqual(truth.endSec - TOLERANCE);
    expect(f.audio.length).toBe(Math.round((f.endSec - f.startSec) * RATE));
    expect(f.reason).toBe('silence');
  });
}

describe('VAD accuracy on real audio (libfvad + Silero v5)', () => {
  let vad: VadService;
  let readiness: ReadinessRegistry;
  let close: () => Promise<void>;
  let work: AudioWorkdir;
  let jfk: Int16Array;

  beforeAll(async () => {
    work = new AudioWorkdir();
    jfk = readWav16k(fixture('jfk.wav'));
    const config = await testConfig({ PRE_SPEECH_BUFFER_SECONDS: String(PRE) });
    const moduleRef = await Test.createTestingModule({
      imports: [CommonModule.forRoot(config), VadModule],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    vad = app.get(VadService);
    readiness = app.get(ReadinessRegistry);
    close = async () => {
      await app.close();
      await cleanupPrefix(config.redis.prefix);
    };
  });

  afterAll(async () => {
    await close?.();
    work?.dispose();
  });

  const segmenter = (o: Partial<SegmenterOptions> = {}) => vad.createSegmenter(o);

  it('reports the vad component ready', async () => {
    const vadCheck = readiness.entries().find(([name]) => name === 'vad');
    expect(vadCheck).toBeDefined();
    await expect(Promise.resolve(vadCheck![1]())).resolves.toMatchObject({ ready: true });
  });

  it('finds jfk phrases separated by known silences', async () => {
    const phrases = JFK_PHRASES.map(([a, b]) => slice(jfk, a, b));
    const { pcm, pieces } = compose([0.8, phrases[0], 1.2, phrases[1], 1.0, phrases[2], 1.0]);
    const seg = segmenter();
    const events = await run(seg, pcm);
    seg.dispose();
    expectMatches(finalsOf(events), pieces, 'jfk phrases');
    expect(events.filter((e) => e.type === 'speech-start')).toHaveLength(pieces.length);
    expect(events.some((e) => e.type === 'interim')).toBe(true);
  });

  it('finds espeak-ng sentences separated by known silences', async () => {
    const a = trim(work.espeak('The quick brown fox jumps over the lazy dog.'));
    const b = trim(work.espeak('Speech recognition works in real time.', 'en-gb', 175));
    const c = trim(work.espeak('Hello there.'));
    const { pcm, pieces } = compose([0.5, a, 0.9, b, 1.5, c, 1.0]);
    const seg = segmenter();
    const events = await run(seg, pcm, 777);
    seg.dispose();
    expectMatches(finalsOf(events), pieces, 'espeak sentences');
  });

  it('keeps finding speech over a steady pink-noise background', async () => {
    const phrases = [
      slice(jfk, ...JFK_PHRASES[0]),
      trim(work.espeak('Please translate this sentence into Spanish.')),
      slice(jfk, ...JFK_PHRASES[2]),
    ];
    const { pcm, pieces } = compose([1.0, phrases[0], 1.2, phrases[1], 1.2, phrases[2], 1.0]);
    const noisy = mix(pcm, work.noise('pinknoise', 5, -40));
    const seg = segmenter();
    const events = await run(seg, noisy);
    seg.dispose();
    expectMatches(finalsOf(events), pieces, 'speech over pink noise');
  });

  it.each([
    [0, 0.4],
    [1, 0.4],
    [2, 0.5],
    [3, 0.3],
    [3, 0.6],
  ])(
    'holds its boundaries at WEBRTC_SENSITIVITY=%p, SILERO_SENSITIVITY=%p',
    async (webrtc, silero) => {
      const a = trim(work.espeak('Turn left at the next corner.'));
      const b = slice(jfk, ...JFK_PHRASES[1]);
      const { pcm, pieces } = compose([0.7, a, 1.3, b, 1.0]);
      const seg = segmenter({ webrtcSensitivity: webrtc, sileroSensitivity: silero });
      const events = await run(seg, pcm);
      seg.dispose();
      expectMatches(finalsOf(events), pieces, `webrtc ${webrtc} silero ${silero}`);
    },
  );

  it('finds quiet speech (20 dB down) as well', async () => {
    const quiet = (pcm: Int16Array) => pcm.map((v) => Math.round(v / 10));
    const phrases = [slice(jfk, ...JFK_PHRASES[0]), trim(work.espeak('This is said quietly.'))];
    const { pcm, pieces } = compose([1.0, quiet(phrases[0]), 1.0, quiet(phrases[1]), 1.0]);
    const seg = segmenter();
    const events = await run(seg, pcm);
    seg.dispose();
    expectMatches(finalsOf(events), pieces, 'quiet speech');
  });

  it.each([
    ['white noise', 'whitenoise', -10],
    ['pink noise', 'pinknoise', -10],
    ['brown noise', 'brownnoise', -6],
    ['quiet white noise', 'whitenoise', -40],
  ] as const)('finds no speech in %s', async (_name, kind, gain) => {
    const seg = segmenter();
    const events = await run(seg, work.noise(kind, 6, gain));
    seg.dispose();
    expect(events).toEqual([]);
  });

  it('finds no speech in digital silence', async () => {
    const seg = segmenter();
    expect(await run(seg, new Int16Array(10 * RATE))).toEqual([]);
    expect(seg.streamSeconds).toBe(10);
    seg.dispose();
  });

  it('gives every stream its own state on the shared Silero session', async () => {
    const phrases = JFK_PHRASES.map(([a, b]) => slice(jfk, a, b));
    const speech = compose([0.8, phrases[0], 1.2, phrases[1], 1.0]);
    const noise = work.noise('whitenoise', speech.pcm.length / RATE, -10);
    const alone = finalsOf(await run(segmenter(), speech.pcm));
    // Interleave three streams chunk by chunk: their Silero chunks share batches.
    const segs = [segmenter(), segmenter(), segmenter()];
    const inputs = [speech.pcm, noise, speech.pcm];
    const outs: SegmenterEvent[][] = [[], [], []];
    for (let i = 0; i < speech.pcm.length; i += 1600) {
      const results = await Promise.all(
        segs.map((s, k) => s.push(inputs[k].subarray(i, i + 1600))),
      );
      results.forEach((r, k) => outs[k].push(...r));
    }
    for (let k = 0; k < 3; k++) outs[k].push(...(await segs[k].finalize('close')));
    segs.forEach((s) => s.dispose());
    const strip = (fs: Final[]) =>
      fs.map((f) => [f.speechStartSec, f.speechEndSec, f.audio.length]);
    expect(strip(finalsOf(outs[0]))).toEqual(strip(alone));
    expect(strip(finalsOf(outs[2]))).toEqual(strip(alone));
    expect(outs[1]).toEqual([]);
    expect(vad.sileroStats.chunks).toBeGreaterThan(vad.sileroStats.runs);
    // Prometheus sees the batching too.
    const text = await register.getSingleMetricAsString('rt_vad_silero_batch_size');
    const read = (series: string) => Number(new RegExp(`^${series} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(read('rt_vad_silero_batch_size_count')).toBe(vad.sileroStats.runs);
    expect(read('rt_vad_silero_batch_size_sum')).toBe(vad.sileroStats.chunks);
  });

  it('splits speech longer than the limit at a pause, not mid-word', async () => {
    // "what your country can do for you" + 0.25 s pause + "ask what you can do ..." (5 s):
    // with a 4 s limit the cut must land in the pause.
    const first = slice(jfk, ...JFK_PHRASES[1]);
    const second = slice(jfk, ...JFK_PHRASES[2]);
    const { pcm, pieces } = compose([0.5, first, 0.25, second, 1.0]);
    const seg = segmenter({ maxUtteranceSeconds: 4 });
    const finals = finalsOf(await run(seg, pcm));
    seg.dispose();
    expect(finals.map((f) => f.reason)).toEqual(['max-length', 'silence']);
    const [cut, next] = finals;
    expect(cut.endSec).toBeGreaterThanOrEqual(pieces[0].endSec);
    expect(cut.endSec).toBeLessThanOrEqual(pieces[1].startSec);
    expect(next.startSec).toBe(cut.endSec);
    expect(Math.abs(cut.speechEndSec - pieces[0].endSec)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(next.speechEndSec - pieces[1].endSec)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('rejects invalid per-stream options with a clear error', () => {
    expect(() => segmenter({ webrtcSensitivity: 7 })).toThrow(/webrtcSensitivity=7/);
    expect(() => segmenter({ sileroSensitivity: -0.1 })).toThrow(/sileroSensitivity/);
  });
});
