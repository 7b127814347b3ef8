import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './ports';
import { testTempRoot } from './test-temp';
import { waitFor } from './test-env';

/** Debian's `prometheus` package (scripts/setup.sh installs it; its service stays stopped). */
export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

export interface ScrapeTarget {
  job: string;
  /** host:port serving /metrics. */
  address: string;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

/** Prometheus's HTTP API at `url` (a server of the test, or one in a container). */
export class PrometheusApi {
  constructor(readonly url: string) {}

  /** GET /api/v1/<path>; throws with Prometheus's error unless it answers success. */
  async api<T>(path: string, params: Record<string, string | string[]>): Promise<T> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      for (const one of [value].flat()) query.append(name, one);
    }
    const res = await fetch(`${this.url}/api/v1/${path}?${query.toString()}`);
    const answer = (await res.json()) as ApiAnswer<T>;
    if (answer.status !== 'success')
      throw new Error(`${path} ${query.toString()}: ${answer.error}`);
    return answer.data;
  }

  /** Series that match a selector, over everything scraped so far. */
  async series(selector: string): Promise<Record<string, string>[]> {
    return this.api<Record<string, string>[]>('series', { 'match[]': selector });
  }

  async query(expr: string): Promise<{ resultType: string; result: unknown[] }> {
    return this.api('query', { query: expr });
  }
}

/**
 * A real Prometheus server of the test: its own config, data folder and port (in the test run's
 * temp folder), scraping the given targets every second. `stop()` ends it and removes the folder.
 */
export class PrometheusServer extends PrometheusApi {
  private child?: ChildProcess;
  private output = '';
  private readonly dir = mkdtempSync(join(testTempRoot(), 'prometheus-'));

  private constructor(readonly port: number) {
    super(`http://127.0.0.1:${port}`);
  }

  static async start(targets: ScrapeTarget[], ruleFiles: string[] = []): Promise<PrometheusServer> {
    const server = new PrometheusServer(await freePort());
    await server.run(targets, ruleFiles);
    return server;
  }

  private async run(targets: ScrapeTarget[], ruleFiles: string[]): Promise<void> {
    const config = join(this.dir, 'prometheus.yml');
    writeFileSync(
      config,
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: ruleFiles,
        scrape_configs: targets.map(({ job, address }) => ({
          job_name: job,
          static_configs: [{ targets: [address] }],
        })),
      }),
    );
    execFileSync(PROMTOOL, ['check', 'config', config], { stdio: 'pipe' });
    this.child = spawn(
      PROMETHEUS,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--log.level=warn',
      ],
      { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await waitFor(
      async () => (await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok,
      { timeoutMs: 30_000, intervalMs: 200, what: `Prometheus ready\n${this.output}` },
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
