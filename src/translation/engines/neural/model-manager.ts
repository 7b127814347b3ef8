import { Logger } from '@nestjs/common';

/** A model in memory, as a loader returns it. */
export interface LoadedModel<T> {
  model: T;
  /** Memory the model holds, as far as we can tell (its weight files' size). */
  bytes: number;
  dispose(): Promise<void>;
}

export type ModelLoader<T> = (name: string) => Promise<LoadedModel<T>>;

export interface ModelManagerOptions {
  idleMs: number;
  maxLoaded: number;
  /** How often idle models are looked for; defaults to a quarter of idleMs, at most 30 s. */
  sweepMs?: number;
  now?: () => number;
  /** Runs after unloading, when the process was started with --expose-gc. */
  gc?: () => void;
  onChange?: (loaded: ReadonlyMap<string, number>) => void;
}

interface Entry<T> {
  loading: Promise<LoadedModel<T>>;
  loaded?: LoadedModel<T>;
  inUse: number;
  lastUsed: number;
}

/**
 * Keeps neural models in memory while they are used: loads on first use (concurrent users share
 * one load), unloads models idle for longer than idleMs, and never holds more than maxLoaded
 * models, evicting the least recently used idle one. When every loaded model is busy the new one
 * still loads (the cap is exceeded briefly) rather than making a live request wait; the cap is
 * restored as soon as one is released.
 */
export class ModelManager<T> {
  private readonly logger = new Logger('Models');
  private readonly entries = new Map<string, Entry<T>>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    private readonly loader: ModelLoader<T>,
    private readonly options: ModelManagerOptions,
  ) {
    this.now = options.now ?? Date.now;
    const sweepMs = options.sweepMs ?? Math.min(30_000, Math.max(1000, options.idleMs / 4));
    this.timer = setInterval(() => void this.unloadIdle(), sweepMs);
    this.timer.unref();
  }

  /** Runs `use` with the model loaded and marked busy, so it cannot be unloaded meanwhile. */
  async use<R>(name: string, use: (model: T) => Promise<R>): Promise<R> {
    let entry = this.entries.get(name);
    if (!entry) {
      entry = { loading: this.load(name), inUse: 0, lastUsed: this.now() };
      this.entries.set(name, entry);
    }
    entry.inUse++;
    try {
      const loaded = await entry.loading;
      return await use(loaded.model);
    } finally {
      entry.inUse--;
      entry.lastUsed = this.now();
      await this.enforceCap();
    }
  }

  loaded(): ReadonlyMap<string, number> {
    const result = new Map<string, number>();
    for (const [name, entry] of this.entries)
      if (entry.loaded) result.set(name, entry.loaded.bytes);
    return result;
  }

  /** Unloads models idle for longer than idleMs; returns their names. */
  async unloadIdle(): Promise<string[]> {
    const cutoff = this.now() - this.options.idleMs;
    const idle = [...this.entries]
      .filter(([, entry]) => entry.loaded && entry.inUse === 0 && entry.lastUsed <= cutoff)
      .map(([name]) => name);
    for (const name of idle) await this.unload(name, 'idle');
    return idle;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const name of [...this.entries.keys()]) await this.unload(name, 'shutdown');
  }

  private async load(name: string): Promise<LoadedModel<T>> {
    await this.enforceCap(1);
    try {
      const loaded = await this.loader(name);
      const entry = this.entries.get(name);
      if (entry) entry.loaded = loaded;
      this.logger.log(
        `Loaded translation model ${name} (${Math.round(loaded.bytes / 2 ** 20)} MiB)`,
      );
      this.changed();
      return loaded;
    } catch (error) {
      this.entries.delete(name); // the next request tries again (files may have arrived)
      throw error;
    }
  }

  /** Evicts least recently used idle models until `room` more fit under the cap. */
  private async enforceCap(room = 0): Promise<void> {
    const loaded = [...this.entries].filter(([, entry]) => entry.loaded);
    let excess = loaded.length + room - this.options.maxLoaded;
    const idle = loaded
      .filter(([, entry]) => entry.inUse === 0)
      .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [name] of idle) {
      if (excess <= 0) break;
      await this.unload(name, 'cap');
      excess--;
    }
  }

  private async unload(name: string, why: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    const loaded = entry.loaded ?? (await entry.loading.catch(() => undefined));
    if (!loaded) return;
    try {
      await loaded.dispose();
    } catch (error) {
      this.logger.warn(`Unloading ${name} failed: ${(error as Error).message}`);
    }
    this.logger.log(`Unloaded translation model ${name} (${why})`);
    this.options.gc?.();
    this.changed();
  }

  private changed(): void {
    this.options.onChange?.(this.loaded());
  }
}
