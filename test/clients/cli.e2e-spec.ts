import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { freePort } from '../helpers/ports';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix } from '../helpers/test-env';
import { jsonLines, runCli, writeClip } from './cli-helpers';

/** What the stt double "hears" in utterance n (1-based). */
const PHRASES = ['Good morning and welcome.', 'Every sentence becomes text.'];
const heard = (index: number): string => PHRASES[(index - 1) % PHRASES.length];

describe('CLI client against a real gateway', () => {
  let gateway: GatewayApp;
  let stt: SttWorkerDouble;
  let clip: string;
  let url: string;

  beforeAll(async () => {
    gateway = await startGateway();
    stt = sttDouble(gateway, { translate: true, finalText: (job) => heard(job.index) });
    url = gateway.url;
    clip = writeClip([
      { language: 'en', text: 'Good morning, and welcome to the demo.' },
      { language: 'en', text: 'Every sentence is turned into text.' },
    ]).path;
  });

  afterAll(async () => {
    await stt?.close();
    await gateway?.running.close();
    if (gateway) await cleanupPrefix(gateway.config.redis.prefix);
  });

  it('streams a WAV at real-time pace and prints finals and translations', async () => {
    const run = await runCli([clip, '--url', url, '--source', 'en', '--targets', 'es']);
    expect(run.stderr).toMatch(/^session \S+/m);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^\[1 en \d+\.\d\d-\d+\.\d\ds \d+ ms\] Good morning and welcome\.$/),
      '  -> es: es: Good morning and welcome.',
      expect.stringMatching(/^\[2 en [\d.]+-[\d.]+s \d+ ms\] Every sentence becomes text\.$/),
      '  -> es: es: Every sentence becomes text.',
    ]);
  });

  it('prints every frame as JSON with --json, as fast as the gateway takes it with --fast', async () => {
    const run = await runCli([clip, '--url', url, '--targets', 'es,de', '--json', '--fast']);
    expect(run.code).toBe(0);
    const frames = jsonLines(run.stdout);
    expect(frames[0]).toMatchObject({
      type: 'session',
      client: 0,
      config: { targets: ['es', 'de'] },
    });
    expect(frames[frames.length - 1]).toMatchObject({ type: 'closed', lastSeq: 2 });
    const finals = frames.filter((f) => f.type === 'final');
    expect(finals.map((f) => [f.seq, f.text, f.worker])).toEqual([
      [1, PHRASES[0], 'stt-double'],
      [2, PHRASES[1], 'stt-double'],
    ]);
    expect(finals.every((f) => typeof f.latencyMs === 'number')).toBe(true);
    const translations = frames.filter((f) => f.type === 'translation');
    expect(translations.map((t) => t.text).sort()).toEqual(
      [`de: ${PHRASES[0]}`, `de: ${PHRASES[1]}`, `es: ${PHRASES[0]}`, `es: ${PHRASES[1]}`].sort(),
    );
  });

  it('reads WAV files at other sample rates and channel counts', async () => {
    const stereo = join(dirname(clip), 'stereo-44k.wav');
    execFileSync('sox', [clip, '-r', '44100', '-c', '2', stereo]);
    const run = await runCli([stereo, '--url', url, '--json', '--fast']);
    expect(run.code).toBe(0);
    const finals = jsonLines(run.stdout).filter((f) => f.type === 'final');
    expect(finals.map((f) => f.text)).toEqual(PHRASES);
  });

  it('runs several sessions at once with --clients', async () => {
    const run = await runCli([clip, '--url', url, '--clients', '3', '--json', '--fast']);
    expect(run.code).toBe(0);
    const frames = jsonLines(run.stdout);
    const sessions = frames.filter((f) => f.type === 'session');
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(3);
    for (const client of [0, 1, 2]) {
      const finals = frames.filter((f) => f.client === client && f.type === 'final');
      expect(finals.map((f) => f.text)).toEqual(PHRASES);
    }
  });

  it('reports latency percentiles, throughput, success rate and workers in a load test', async () => {
    const run = await runCli([
      clip,
      '--url',
      url,
      '--load-test',
      '--clients',
      '3',
      '--batches',
      '2',
      '--fast',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const [report] = jsonLines(run.stdout);
    expect(report).toMatchObject({
      type: 'load-test',
      clients: 3,
      batches: 2,
      sessions: 6,
      succeeded: 6,
      successRate: 1,
      finals: 12,
      translations: 0,
      workers: { 'stt-double': 12 },
    });
    expect(report.latencyMs.count).toBe(12);
    for (const p of ['p50', 'p95', 'p99']) expect(report.latencyMs[p]).toBeGreaterThanOrEqual(0);
    expect(report.latencyMs.p50).toBeLessThanOrEqual(report.latencyMs.p99);
    expect(report.throughput).toBeGreaterThan(0);
    expect(report.perSession).toHaveLength(6);
  });

  it('staggers starts over the file, takes several files and writes a JSON report', async () => {
    const reportFile = join(mkdtempSync(join(tmpdir(), 'rt-load-')), 'report.json');
    const started = Date.now();
    const run = await runCli([
      clip,
      clip,
      '--url',
      url,
      '--load-test',
      '--clients',
      '2',
      '--stagger',
      '1.5',
      '--fast',
      '--report',
      reportFile,
    ]);
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(750); // the second client starts 0.75 s later
    expect(run.stdout).toContain('starts spread over 1.5 s');
    expect(run.stdout).toMatch(/Latency, end of speech to final: p50 \d+ ms/);
    expect(run.stdout).toMatch(/minus the 0.6 s silence threshold: p50 -?\d+ ms/);
    expect(run.stdout).toMatch(/Interims: [\d.]+\/s in all/);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({
      type: 'load-test',
      sessions: 2,
      succeeded: 2,
      staggerSeconds: 1.5,
      files: [clip, clip],
    });
    expect((report.speechEndToFinalMs as { count: number }).count).toBe(4);
    expect(report.perSession).toHaveLength(2);
  });

  it('prints the load test report as text', async () => {
    const run = await runCli([clip, '--url', url, '--load-test', '--clients', '2', '--fast']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Success rate: 100.0% (2/2)');
    expect(run.stdout).toMatch(
      /Latency, end of utterance to final \(client\): p50 \d+ ms, p95 \d+ ms, p99 \d+ ms/,
    );
    expect(run.stdout).toContain('  stt-double: 4');
    expect(run.stderr).toContain('batch 1/1 done (2/2 ok)');
  });

  it('explains bad input in words', async () => {
    const closed = await freePort();
    const refused = await runCli([clip, '--url', `ws://127.0.0.1:${closed}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('failed: connect ECONNREFUSED');

    const notWav = join(dirname(clip), 'notes.wav');
    writeFileSync(notWav, 'hello');
    const bad = await runCli([notWav, '--url', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a WAV file');

    const usage = await runCli(['--url', url]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('give an audio file, --mic or --monitor');

    const language = await runCli([clip, '--url', url, '--source', 'english', '--fast']);
    expect(language.code).toBe(1);
    expect(language.stderr).toContain('The server rejected the language or audio settings.');
  });
});
