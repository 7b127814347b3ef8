import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { documentedVariables, readVariables, renderConfigurationDoc } from './config-reference';

describe('configuration reference', () => {
  it('documents every variable the code reads, and only those', () => {
    const read = [...readVariables().keys()].sort();
    const documented = documentedVariables().sort();
    expect(read.length).toBeGreaterThan(80);
    expect({ undocumented: read.filter((name) => !documented.includes(name)) }).toEqual({
      undocumented: [],
    });
    expect({ notReadByTheCode: documented.filter((name) => !read.includes(name)) }).toEqual({
      notReadByTheCode: [],
    });
  });

  it('takes defaults and allowed values from the readers', () => {
    const doc = renderConfigurationDoc();
    expect(doc).toContain('| `SILENCE_THRESHOLD_SECONDS` | `0.6` | a number from 0.1 to 10 |');
    expect(doc).toContain('| `AUDIO_CTX` | `auto` | one of auto, full |');
  });

  it('is what docs/configuration.md holds (npm run docs:config rewrites it)', () => {
    const file = readFileSync(resolve(__dirname, '../../../docs/configuration.md'), 'utf8');
    expect(
      file === renderConfigurationDoc() ? 'up to date' : 'out of date: run npm run docs:config',
    ).toBe('up to date');
  });
});
