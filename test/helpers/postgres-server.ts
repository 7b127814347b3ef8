import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { testTempRoot } from './test-temp';

/** Debian keeps each PostgreSQL version's programs in /usr/lib/postgresql/<version>/bin. */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL server programs not found: apt-get install postgresql (npm test does)',
    );
  }
  return join(root, versions[0], 'bin');
}

/** uid and gid of Debian's `postgres` user, when running as root (the server refuses root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A throw-away PostgreSQL cluster: initdb into a temp dir, trust auth inside that cluster only,
 * listening on 127.0.0.1:<port> and a socket in the same dir. The system's clusters and their
 * configuration are never touched. As root it runs as the `postgres` user Debian's package makes.
 */
export class TestPostgresServer {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(testTempRoot(), 'rt-pg-'));
  private readonly bin = postgresBinDir();
  private readonly user = serverUser();

  constructor(readonly port: number) {}

  /** Superuser `postgres`, database `test`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/test`;
  }

  async start(): Promise<void> {
    const data = join(this.dir, 'data');
    if (this.user) chownSync(this.dir, this.user.uid, this.user.gid);
    const as = { ...this.user, cwd: this.dir };
    execFileSync(
      join(this.bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
      { ...as, stdio: 'pipe' },
    );
    const args = [
      '-D',
      data,
      '-p',
      String(this.port),
      '-k',
      this.dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ];
    const child = spawn(join(this.bin, 'postgres'), args, { ...as, stdio: 'ignore' });
    this.process = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new Client({
        connectionString: `postgres://postgres@127.0.0.1:${this.port}/postgres`,
        connectionTimeoutMillis: 2000,
      });
      let connected = false;
      try {
        await client.connect();
        connected = true;
        await client.query('create database test');
        return;
      } catch (error) {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`PostgreSQL did not start on port ${this.port}: ${String(error)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        // A client whose connect failed is already closed (end() would wait forever).
        if (connected) await client.end();
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        // SIGINT: PostgreSQL's "fast" shutdown.
        child.kill('SIGINT');
      });
    }
    this.process = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
