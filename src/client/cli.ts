#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import {
  type AudioSource,
  captureCommand,
  commandChunks,
  commandExists,
  loadAudioFile,
  pacedChunks,
} from './audio/audio-source';
import { type CliOptions, parseCliOptions, USAGE, UsageError } from './cli-options';
import { formatLoadReport, runLoadTest } from './load-test';
import { HumanPrinter, JsonPrinter } from './output/printers';
import { ProgressBar } from './output/progress-bar';
import { type RunObserver, type RunOptions, runSession } from './run-session';
import { type ServerFrame, typableInterim } from './shared/protocol';
import { XdotoolTyper } from './typing/xdotool-typer';

function runOptions(options: CliOptions, index: number, signal: AbortSignal): RunOptions {
  return {
    url: options.url,
    source: options.source,
    targets: options.targets,
    interim: options.interim,
    interimTranslations: options.interimTranslations || undefined,
    token: options.token,
    // One room per run: with --clients, only the first client publishes it.
    ...(index === 0
      ? {
          room: options.room,
          roomKey: options.roomKey,
          roomPasscode: options.roomPasscode,
          speaker: options.speaker,
        }
      : {}),
    index,
    drainTimeoutMs: options.timeoutSeconds * 1000,
    signal,
  };
}

function audioFor(
  options: CliOptions,
  pcm: Int16Array | undefined,
  signal: AbortSignal,
): AudioSource {
  if (pcm) return pacedChunks(pcm, { chunkMs: options.chunkMs, fast: options.fast, signal });
  const capture = captureCommand(commandExists, {
    monitor: options.monitor,
    device: options.device,
  });
  return commandChunks(capture, { chunkMs: options.chunkMs, signal });
}

/** Passes frames on and types them into the focused window. */
function withTyping(observer: RunObserver, typer: XdotoolTyper): RunObserver {
  return {
    notice: (i, m) => observer.notice?.(i, m),
    frame: (i, frame: ServerFrame, extra) => {
      if (frame.type === 'realtime') typer.interim(typableInterim(frame));
      if (frame.type === 'final') typer.final(frame.text);
      observer.frame?.(i, frame, extra);
    },
  };
}

async function streamClients(
  options: CliOptions,
  audio: { name: string; pcm: Int16Array }[],
  signal: AbortSignal,
): Promise<number> {
  const multi = options.clients > 1;
  let observer: RunObserver = options.json
    ? new JsonPrinter(process.stdout)
    : new HumanPrinter(process.stdout, process.stderr, multi);
  const typer = options.type
    ? new XdotoolTyper(options.typeInterims, options.typeDelayMs)
    : undefined;
  if (typer) observer = withTyping(observer, typer);
  const reports = await Promise.all(
    Array.from({ length: options.clients }, (_, i) =>
      runSession(
        runOptions(options, i, signal),
        audioFor(options, audio[i % audio.length]?.pcm, signal),
        observer,
      ),
    ),
  );
  if (typer) await typer.flush();
  for (const r of reports.filter((x) => !x.ok)) {
    process.stderr.write(`${multi ? `#${r.index + 1} ` : ''}failed: ${r.failure ?? 'unknown'}\n`);
  }
  return reports.every((r) => r.ok) ? 0 : 1;
}

async function loadTest(
  options: CliOptions,
  audio: { name: string; pcm: Int16Array }[],
  signal: AbortSignal,
): Promise<number> {
  const total = options.clients * options.batches;
  const bar = new ProgressBar(process.stderr, total);
  let done = 0;
  let finals = 0;
  const label = (): string => `${finals} finals`;
  bar.update(0, label());
  const ticker = setInterval(() => bar.update(done, label()), 250);
  const perSession: unknown[] = [];
  let report;
  try {
    report = await runLoadTest({
      clients: options.clients,
      batches: options.batches,
      audio,
      stagger: options.stagger,
      silenceThresholdSeconds: options.silenceThresholdSeconds,
      session: (index) => runOptions(options, index, signal),
      source: (pcm) => pacedChunks(pcm, { chunkMs: options.chunkMs, fast: options.fast, signal }),
      observer: {
        frame: (_i, frame) => {
          if (frame.type === 'final') finals++;
        },
      },
      onSessionDone: (r) => {
        done++;
        bar.update(done, label());
        perSession.push({
          client: r.index,
          sessionId: r.sessionId,
          ok: r.ok,
          failure: r.failure,
          interims: r.interims,
          finals: r.finals.map((f) => ({
            seq: f.frame.seq,
            text: f.frame.text,
            worker: f.frame.worker,
            latencyMs: f.latencyMs,
            speechEndLatencyMs: f.speechEndLatencyMs,
            firstInterimLatencyMs: f.firstInterimLatencyMs,
          })),
        });
      },
      onBatchDone: (batch, results) => {
        if (!process.stderr.isTTY && !options.json) {
          process.stderr.write(
            `batch ${batch + 1}/${options.batches} done (${results.filter((r) => r.ok).length}/${results.length} ok)\n`,
          );
        }
      },
      signal,
    });
  } finally {
    clearInterval(ticker);
    bar.finish();
  }
  const json = { type: 'load-test', ...report, perSession };
  if (options.report) writeFileSync(options.report, `${JSON.stringify(json, null, 2)}\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } else {
    process.stdout.write(formatLoadReport(report));
    if (options.report) process.stdout.write(`JSON report: ${options.report}\n`);
  }
  return report.succeeded === report.sessions ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliOptions(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  let audio: { name: string; pcm: Int16Array }[];
  try {
    audio = options.files.map((name) => ({ name, pcm: loadAudioFile(name) }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (options.loadTest && audio.length > 0) return loadTest(options, audio, controller.signal);
  return streamClients(options, audio, controller.signal);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
