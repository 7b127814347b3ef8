import { Logger } from '@nestjs/common';
import {
  type EngineStatus,
  EngineUnavailableError,
  type LanguagePair,
  pairKey,
  type TranslateRequest,
  type TranslationEngine,
} from '../translation-engine';
import { type ApertiumMode, discoverApertiumModes, readPipeline } from './apertium-modes';
import { ApertiumPipeline, PipelineFailure } from './apertium-pipeline';

export interface ApertiumEngineOptions {
  dataDir: string;
  timeoutMs: number;
  /** Attempts per request; each failed attempt runs on a fresh pipeline. */
  attempts?: number;
  maxInFlight?: number;
  /** Pipelines unused for this long are stopped (they restart on the next sentence). */
  idleMs?: number;
  /** Called when a pipeline died and a fresh one will be started (for metrics). */
  onRestart?: (pair: string, reason: string) => void;
}

/**
 * Apertium through one long-lived null-flush pipeline per pair, started on first use. A dead or
 * stuck pipeline is killed and replaced, and the request is retried on the new one.
 */
export class ApertiumEngine implements TranslationEngine {
  readonly name = 'apertium';
  readonly handlesHtml = true;
  private readonly logger = new Logger('Apertium');
  private modes = new Map<string, ApertiumMode>();
  private readonly pipelines = new Map<string, ApertiumPipeline>();
  private readonly commands = new Map<string, string>();
  private readonly lastUsed = new Map<string, number>();
  private readonly sweeper?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: ApertiumEngineOptions) {
    if (options.idleMs !== undefined) {
      const every = Math.min(30_000, Math.max(50, options.idleMs / 4));
      this.sweeper = setInterval(() => this.stopIdle(), every);
      this.sweeper.unref();
    }
  }

  /** Stops pipelines without pending work that were not used for idleMs. */
  stopIdle(): string[] {
    const cutoff = Date.now() - (this.options.idleMs ?? Infinity);
    const stopped: string[] = [];
    for (const [key, pipeline] of this.pipelines) {
      if (pipeline.pending === 0 && (this.lastUsed.get(key) ?? 0) <= cutoff) {
        this.pipelines.delete(key);
        pipeline.kill('idle');
        stopped.push(key);
      }
    }
    if (stopped.length > 0)
      this.logger.log(`Stopped idle Apertium pipelines: ${stopped.join(', ')}`);
    return stopped;
  }

  async init(): Promise<void> {
    const modes = await discoverApertiumModes(this.options.dataDir);
    this.modes = new Map(modes.map((mode) => [pairKey(mode.source, mode.target), mode]));
    if (modes.length === 0) {
      this.logger.warn(`No Apertium pairs found under ${this.options.dataDir}/modes`);
    } else {
      this.logger.log(
        `Apertium pairs: ${modes.map((m) => `${m.source}-${m.target} (${m.mode})`).join(', ')}`,
      );
    }
  }

  supports(source: string, target: string): boolean {
    return this.modes.has(pairKey(source, target));
  }

  pairs(): LanguagePair[] {
    return [...this.modes.values()].map(({ source, target }) => ({ source, target }));
  }

  /** Process group of the running pipeline of a pair (for operators and tests). */
  pipelinePid(source: string, target: string): number | undefined {
    const pipeline = this.pipelines.get(pairKey(source, target));
    return pipeline?.alive ? pipeline.pid : undefined;
  }

  async translate(request: TranslateRequest): Promise<string> {
    const key = pairKey(request.source, request.target);
    const mode = this.modes.get(key);
    if (!mode) throw new EngineUnavailableError(`Apertium has no pair ${key}`);
    const attempts = this.options.attempts ?? 3;
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      this.lastUsed.set(key, Date.now());
      const pipeline = await this.pipeline(key, mode);
      try {
        const result = await pipeline.translate(
          request.text,
          request.priority,
          request.format ?? 'text',
        );
        this.lastUsed.set(key, Date.now());
        return result.text;
      } catch (error) {
        if (!(error instanceof PipelineFailure)) throw error;
        lastError = error;
        this.logger.warn(`${error.message} (attempt ${attempt} of ${attempts})`);
      }
    }
    throw lastError ?? new Error(`Apertium ${key} failed`);
  }

  status(): EngineStatus {
    const pairs: Record<string, string> = {};
    for (const key of this.modes.keys()) {
      const pipeline = this.pipelines.get(key);
      pairs[key] = pipeline?.alive ? 'running' : 'ready';
    }
    return {
      ready: this.modes.size > 0,
      pairs,
      detail: this.modes.size > 0 ? undefined : `no pairs under ${this.options.dataDir}/modes`,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const pipeline of this.pipelines.values()) pipeline.kill('shut down');
    this.pipelines.clear();
    return Promise.resolve();
  }

  private async pipeline(key: string, mode: ApertiumMode): Promise<ApertiumPipeline> {
    if (this.closed) throw new EngineUnavailableError('Apertium engine is shut down');
    const current = this.pipelines.get(key);
    if (current?.alive) return current;
    let command = this.commands.get(key);
    if (command === undefined) {
      command = await readPipeline(mode);
      this.commands.set(key, command);
    }
    // Another caller may have started one while we read the mode file.
    const raced = this.pipelines.get(key);
    if (raced?.alive) return raced;
    if (current) this.options.onRestart?.(key, 'pipeline died');
    const pipeline = new ApertiumPipeline(mode.mode, command, {
      timeoutMs: this.options.timeoutMs,
      maxInFlight: this.options.maxInFlight ?? 4,
      onExit: (reason) => {
        if (!this.closed && reason !== 'idle') {
          this.logger.warn(`Apertium pipeline ${mode.mode} ${reason}`);
        }
      },
    });
    this.pipelines.set(key, pipeline);
    return pipeline;
  }
}
