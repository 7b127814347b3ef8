import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from '../test/helpers/processes';

/** The service as users run it (`npm start`): dist/main.js. */
export const SERVICE_ENTRY = resolve(ROOT, 'dist/main.js');

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const ms = entry.isDirectory() ? newestSourceMs(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, ms);
  }
  return newest;
}

/**
 * Builds dist/ when it is missing or older than src/, so a benchmark of the built service never
 * measures yesterday's code.
 */
export function ensureBuilt(): void {
  const built = existsSync(SERVICE_ENTRY) ? statSync(SERVICE_ENTRY).mtimeMs : 0;
  if (built >= newestSourceMs(resolve(ROOT, 'src'))) return;
  console.log('building dist/ (npx tsc -p tsconfig.build.json) ...');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}
