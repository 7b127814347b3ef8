import { execFile } from 'node:child_process';
import { writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/processes';
import { waitFor } from '../helpers/test-env';

const run = promisify(execFile);

/** What `docker inspect` says of a container (the parts the tests read). */
export interface ContainerState {
  id: string;
  name: string;
  service: string;
  status: string;
  health?: string;
  exitCode: number;
  restartCount: number;
  startedAt: string;
  finishedAt: string;
  user: string;
  readOnly: boolean;
  capDrop: string[];
}

interface Inspected {
  Id: string;
  Name: string;
  RestartCount: number;
  State: {
    Status: string;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: string };
  };
  Config: { User: string; Labels: Record<string, string> };
  HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] | null };
}

/** A progress line on the terminal (Jest buffers console output until a file ends). */
export function progress(line: string): void {
  writeSync(2, `[deploy] ${line}\n`);
}

/**
 * docker/compose.yaml, unchanged, as a project of the test's private engine (DOCKER_HOST, set by
 * scripts/test-deploy.sh): docker-compose with the test's env file, and the docker CLI for what
 * compose does not show.
 */
export class ComposeStack {
  constructor(
    readonly project: string,
    readonly envFile: string,
    readonly variables: Record<string, string>,
  ) {}

  private env(): NodeJS.ProcessEnv {
    // COMPOSE_DOCKER_CLI_BUILD: compose builds with the docker CLI, as scripts/test-deploy.sh
    // built the image, so `up --build` finds every layer in the cache.
    return {
      ...process.env,
      ...this.variables,
      ENV_FILE: this.envFile,
      COMPOSE_DOCKER_CLI_BUILD: '1',
    };
  }

  async compose(args: string[], timeoutMs = 300_000): Promise<string> {
    const { stdout, stderr } = await run(
      'docker-compose',
      ['-p', this.project, '-f', 'docker/compose.yaml', '--env-file', this.envFile, ...args],
      { cwd: ROOT, env: this.env(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
    ).catch(async (error: { stdout?: string; stderr?: string; message: string }) => {
      // What the containers said is usually the reason an `up` failed.
      const logs = args.includes('up') ? await this.tailLogs() : '';
      throw new Error(
        `docker-compose ${args.join(' ')} failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}${logs}`,
      );
    });
    return stdout + stderr;
  }

  private async tailLogs(): Promise<string> {
    const { stdout } = await run(
      'docker-compose',
      [
        '-p',
        this.project,
        '-f',
        'docker/compose.yaml',
        '--env-file',
        this.envFile,
        'logs',
        '--no-color',
        '--tail=15',
      ],
      { cwd: ROOT, env: this.env(), maxBuffer: 16 * 1024 * 1024 },
    ).catch(() => ({ stdout: '' }));
    return `\n--- logs ---\n${stdout}`;
  }

  async docker(args: string[], timeoutMs = 120_000): Promise<string> {
    const { stdout } = await run('docker', args, {
      cwd: ROOT,
      env: process.env,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }

  /** Containers of a service (running or not), oldest first. */
  async containers(service: string, all = false): Promise<ContainerState[]> {
    const ids = (
      await this.docker([
        'ps',
        ...(all ? ['-a'] : []),
        '-q',
        '--filter',
        `label=com.docker.compose.project=${this.project}`,
        '--filter',
        `label=com.docker.compose.service=${service}`,
      ])
    )
      .split('\n')
      .filter(Boolean);
    if (ids.length === 0) return [];
    const inspected = JSON.parse(await this.docker(['inspect', ...ids])) as Inspected[];
    return inspected
      .map((c) => ({
        id: c.Id,
        name: c.Name.replace(/^\//, ''),
        service,
        status: c.State.Status,
        health: c.State.Health?.Status,
        exitCode: c.State.ExitCode,
        restartCount: c.RestartCount,
        startedAt: c.State.StartedAt,
        finishedAt: c.State.FinishedAt,
        user: c.Config.User,
        readOnly: c.HostConfig.ReadonlyRootfs,
        capDrop: c.HostConfig.CapDrop ?? [],
      }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  }

  /** Waits until each service has `count` running containers, all healthy. */
  async waitHealthy(counts: Record<string, number>, timeoutMs = 240_000): Promise<void> {
    await waitFor(
      async () => {
        for (const [service, count] of Object.entries(counts)) {
          const running = (await this.containers(service)).filter((c) => c.status === 'running');
          if (running.length !== count || running.some((c) => c.health !== 'healthy')) {
            return false;
          }
        }
        return true;
      },
      {
        timeoutMs,
        intervalMs: 1000,
        what: `healthy ${JSON.stringify(counts)}`,
      },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await this.compose(['ps']).catch(() => '')}`);
    });
  }

  async exec(container: string, command: string[], timeoutMs = 60_000): Promise<string> {
    return this.docker(['exec', container, ...command], timeoutMs);
  }

  /** redis-cli in the redis container. */
  async redis(...args: string[]): Promise<string> {
    const [redis] = await this.containers('redis');
    return (await this.exec(redis.id, ['redis-cli', ...args])).trim();
  }

  /** A role's Prometheus text, read from inside its container (no role publishes a port). */
  async metrics(container: string, port: number): Promise<string> {
    return this.exec(container, [
      'node',
      '-e',
      `fetch('http://127.0.0.1:${port}/metrics').then(r => r.text()).then(t => process.stdout.write(t))`,
    ]);
  }

  /** A container's output, stdout and stderr, since an ISO time. */
  async containerLogs(container: string, since: string): Promise<string> {
    const { stdout, stderr } = await run('docker', ['logs', '--since', since, container], {
      env: process.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout + stderr;
  }

  async logs(service: string): Promise<string> {
    return this.compose(['logs', '--no-color', service]);
  }
}

/** The value of one series (name and exact label set) in Prometheus text, 0 when absent. */
export function sampleValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}
