import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One folder per test run (RT_TEST_TMP, made by the e2e global set-up) holds the data of every
 * server the tests start, so that the tear-down can find and stop whatever a failed test left
 * running, and remove it all. Outside a run (a benchmark), the system's temp folder.
 */
export function testTempRoot(): string {
  const root = process.env.RT_TEST_TMP;
  return root && existsSync(root) ? root : tmpdir();
}

export function createTestTempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'rt-run-'));
  // Servers that run as another user (PostgreSQL as `postgres`) must reach their folders.
  chmodSync(root, 0o755);
  process.env.RT_TEST_TMP = root;
  return root;
}

/** Kills every process that works in, or names, the run's folder; then removes the folder. */
export function removeTestTempRoot(root: string): number {
  let killed = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    try {
      // redis-server rewrites its command line and environment with its title; its working
      // folder (its --dir) still tells.
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (
        cwd.startsWith(root) ||
        cmdline.includes(root) ||
        environ.includes(`RT_TEST_TMP=${root}`)
      ) {
        process.kill(Number(pid), 'SIGKILL');
        killed++;
      }
    } catch {
      // gone already, or not ours to read
    }
  }
  rmSync(root, { recursive: true, force: true });
  return killed;
}
