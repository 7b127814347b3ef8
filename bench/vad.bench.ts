/**
 * VAD cost alone: microseconds of CPU (and wall time) per second of audio for the WebRTC VAD,
 * Silero VAD, and the dual gate (the full UtteranceSegmenter path), on jfk.wav.
 *
 *   npm run bench -- vad [passes=5] [streams=100]
 */
import { DualGateDetector } from '../src/vad/dual-gate.detector';
import { DEFAULT_SEGMENTER_OPTIONS } from '../src/vad/segmenter-options';
import { SILERO_CHUNK_SAMPLES, SileroVadModel } from '../src/vad/silero-vad.model';
import { UtteranceSegmenter } from '../src/vad/utterance-segmenter';
import { FvadWasm } from '../src/vad/webrtc-vad';
import { RATE, compose, readWav16k, slice } from '../test/helpers/audio-fixtures';
import { fixture } from '../test/helpers/test-env';

interface Row {
  name: string;
  audioSeconds: number;
  cpuUs: number;
  wallUs: number;
  note?: string;
}

async function measure(
  name: string,
  audioSeconds: number,
  fn: () => Promise<string | void> | string | void,
): Promise<Row> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const note = await fn();
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { name, audioSeconds, cpuUs: c.user + c.system, wallUs, note: note ?? undefined };
}

function frames(pcm: Int16Array): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i + SILERO_CHUNK_SAMPLES <= pcm.length; i += SILERO_CHUNK_SAMPLES) {
    out.push(pcm.subarray(i, i + SILERO_CHUNK_SAMPLES));
  }
  return out;
}

/** 20 ms chunks, as a real-time client sends them. */
const CHUNK = 320;

async function streamThrough(segs: UtteranceSegmenter[], pcm: Int16Array): Promise<number> {
  let finals = 0;
  for (let i = 0; i < pcm.length; i += CHUNK) {
    const chunk = pcm.subarray(i, i + CHUNK);
    const results = await Promise.all(segs.map((s) => s.push(chunk)));
    for (const events of results) for (const e of events) if (e.type === 'final') finals++;
  }
  for (const s of segs) {
    for (const e of await s.finalize('close')) if (e.type === 'final') finals++;
  }
  return finals;
}

export default async function vadBench(args: string[]): Promise<void> {
  const passes = Number(args[0] ?? 5);
  const streams = Number(args[1] ?? 100);
  const jfk = readWav16k(fixture('jfk.wav'));
  const jfkSeconds = jfk.length / RATE;
  const repeated = new Int16Array(jfk.length * passes);
  for (let p = 0; p < passes; p++) repeated.set(jfk, p * jfk.length);
  const audioSeconds = repeated.length / RATE;
  // A conversation-like clip: jfk phrases with pauses, about half speech.
  const talk = compose([
    1.5,
    slice(jfk, 0.26, 2.12),
    2.0,
    slice(jfk, 5.38, 7.56),
    2.5,
    slice(jfk, 8.17, 10.3),
    1.5,
  ]).pcm;

  const [fvad, model] = await Promise.all([FvadWasm.load(), SileroVadModel.load()]);
  const opts = DEFAULT_SEGMENTER_OPTIONS;
  const newSegmenter = () =>
    new UtteranceSegmenter(
      new DualGateDetector(
        fvad.create(opts.webrtcSensitivity),
        model.createStream(),
        opts.sileroSensitivity,
      ),
      opts,
    );

  // Warm-up (JIT, onnxruntime allocations).
  await streamThrough([newSegmenter()], jfk);

  const rows: Row[] = [];
  const jfkFrames = frames(repeated);

  rows.push(
    await measure('webrtc (libfvad wasm), 1 stream', audioSeconds, () => {
      const vad = fvad.create(opts.webrtcSensitivity);
      let voiced = 0;
      let total = 0;
      for (const f of jfkFrames) {
        const r = vad.process(f);
        voiced += r.voiced;
        total += r.frames;
      }
      vad.dispose();
      return `${((100 * voiced) / total).toFixed(0)}% of 10 ms frames voiced`;
    }),
  );

  rows.push(
    await measure('silero v5, 1 stream (batch 1)', audioSeconds, async () => {
      const s = model.createStream();
      let speech = 0;
      for (const f of jfkFrames) if ((await s.probability(f)) >= opts.sileroSensitivity) speech++;
      return `${((100 * speech) / jfkFrames.length).toFixed(0)}% of chunks speech`;
    }),
  );

  {
    const n = Math.min(streams, 64);
    const one = frames(jfk);
    const before = { ...model.stats };
    rows.push(
      await measure(`silero v5, ${n} streams (batched), per stream`, jfkSeconds * n, async () => {
        const ss = Array.from({ length: n }, () => model.createStream());
        for (const f of one) await Promise.all(ss.map((s) => s.probability(f)));
        const runs = model.stats.runs - before.runs;
        return `mean batch ${((model.stats.chunks - before.chunks) / runs).toFixed(1)}`;
      }),
    );
  }

  rows.push(
    await measure('dual gate + segmenter, 1 stream', audioSeconds, async () => {
      const seg = newSegmenter();
      const det = (seg as unknown as { detector: DualGateDetector }).detector;
      const finals = await streamThrough([seg], repeated);
      seg.dispose();
      return `${finals} finals, silero on ${((100 * det.stats.sileroFrames) / det.stats.frames).toFixed(0)}% of frames`;
    }),
  );

  rows.push(
    await measure(
      'dual gate + segmenter, 1 stream, half-silence clip',
      (talk.length / RATE) * passes,
      async () => {
        const seg = newSegmenter();
        const det = (seg as unknown as { detector: DualGateDetector }).detector;
        let finals = 0;
        for (let p = 0; p < passes; p++) finals += await streamThrough([seg], talk);
        seg.dispose();
        return `${finals} finals, silero on ${((100 * det.stats.sileroFrames) / det.stats.frames).toFixed(0)}% of frames`;
      },
    ),
  );

  {
    const before = { ...model.stats };
    rows.push(
      await measure(
        `dual gate + segmenter, ${streams} streams, per stream`,
        jfkSeconds * streams,
        async () => {
          const segs = Array.from({ length: streams }, newSegmenter);
          const finals = await streamThrough(segs, jfk);
          segs.forEach((s) => s.dispose());
          const runs = model.stats.runs - before.runs;
          return `${finals} finals, mean silero batch ${((model.stats.chunks - before.chunks) / runs).toFixed(1)}`;
        },
      ),
    );
  }
  await model.close();

  console.log(
    `\nVAD cost on ${fixture('jfk.wav')} (${jfkSeconds.toFixed(1)} s), ${passes} passes; 1 core = 1,000,000 us/s\n`,
  );
  const header = [
    'scenario',
    'audio s',
    'CPU us/audio s',
    'wall us/audio s',
    'streams/core*',
    'notes',
  ];
  const table = rows.map((r) => {
    const cpu = r.cpuUs / r.audioSeconds;
    return [
      r.name,
      r.audioSeconds.toFixed(0),
      cpu.toFixed(0),
      (r.wallUs / r.audioSeconds).toFixed(0),
      (1e6 / cpu).toFixed(0),
      r.note ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  console.log(
    '\n* real-time streams one core could carry for this stage alone (1e6 / CPU us per audio s)',
  );
}
