import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Debian's chromium, headless, with the fake capture device playing `wav` (in a loop) as the
 * microphone and permission prompts answered yes.
 */
export async function launchChromium(wav: string): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (scripts/setup.sh does)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
    ],
  });
}

/**
 * Where browser e2e specs save their screenshots: test/.artifacts/screenshots, so a test run never
 * changes tracked files; UPDATE_SCREENSHOTS=1 writes docs/screenshots instead, to refresh the docs.
 */
export function screenshotDir(): string {
  const dir = join(
    resolve(__dirname, '../..'),
    process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test/.artifacts/screenshots',
  );
  mkdirSync(dir, { recursive: true });
  return dir;
}
