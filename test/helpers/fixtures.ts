import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureRandomWeightsModel } from '../../scripts/random-weights-model';

export const FIXTURES_DIR = resolve(__dirname, '../fixtures');

/** A committed test fixture (test/fixtures, see its README). */
export function fixture(name: string): string {
  const path = join(FIXTURES_DIR, name);
  if (!existsSync(path))
    throw new Error(`Test fixture missing: ${path} (see test/fixtures/README.md)`);
  return path;
}

/** The random-weights tiny whisper model (real tiny cost, meaningless words), written on first use. */
export function randomWeightsModel(): string {
  return ensureRandomWeightsModel();
}
