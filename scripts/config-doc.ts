/**
 * npm run docs:config: writes docs/configuration.md from the configuration's one definition
 * (src/common/config). With --check it only says whether the file is up to date (exit 1 if not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderConfigurationDoc } from 'src/common/config/config-reference';

const path = resolve(__dirname, '../docs/configuration.md');
const text = renderConfigurationDoc();
if (process.argv.includes('--check')) {
  const current = readFileSync(path, 'utf8');
  if (current !== text) {
    console.error('docs/configuration.md is out of date: run npm run docs:config');
    process.exit(1);
  }
  console.log('docs/configuration.md is up to date');
} else {
  writeFileSync(path, text);
  console.log(`Wrote ${path}`);
}
