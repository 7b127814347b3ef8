import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envVariables, renderConfigurationDoc } from './config-reference';

const ROOT = resolve(__dirname, '../../..');
const read = (path: string): string => readFileSync(resolve(ROOT, path), 'utf8');

describe('configuration reference', () => {
  it('describes every variable of the schema, in a group', () => {
    const variables = envVariables();
    expect(variables.length).toBeGreaterThan(80);
    expect(variables.filter((variable) => !variable.group || !variable.description)).toEqual([]);
  });

  it('takes defaults and allowed values from the schema', () => {
    const doc = renderConfigurationDoc();
    expect(doc).toContain('| `SILENCE_THRESHOLD_SECONDS` | `0.6` | a number from 0.1 to 10 |');
    expect(doc).toContain('| `AUDIO_CTX` | `auto` | one of auto, full |');
  });

  it('is what docs/configuration.md holds (npm run docs:config rewrites it)', () => {
    const file = read('docs/configuration.md');
    expect(
      file === renderConfigurationDoc() ? 'up to date' : 'out of date: run npm run docs:config',
    ).toBe('up to date');
  });
});

describe('env.example', () => {
  const lines = read('env.example').split('\n');
  const listed = new Map<string, { value: string; commented: boolean }>();
  for (const line of lines) {
    const match = /^(#?)\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) listed.set(match[2], { value: match[3], commented: match[1] === '#' });
  }
  const variables = envVariables();
  const names = new Set(variables.map((variable) => variable.name));

  it('lists every variable of the schema', () => {
    expect(variables.map((variable) => variable.name).filter((name) => !listed.has(name))).toEqual(
      [],
    );
  });

  it('lists no variable the schema lacks, except those only docker/compose.yaml reads', () => {
    const compose = read('docker/compose.yaml');
    const unknown = [...listed.keys()].filter(
      (name) => !names.has(name) && !compose.includes(`\${${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('ships no value of a sensitive variable', () => {
    const shipped = variables
      .filter((variable) => variable.sensitive)
      .map((variable) => ({ name: variable.name, ...listed.get(variable.name)! }))
      .filter(({ value, commented }) => !commented && value !== '')
      // A URL without a password (REDIS_URL, DATABASE_URL) carries no secret.
      .filter(({ value }) => !URL.canParse(value) || new URL(value).password !== '');
    expect(shipped).toEqual([]);
  });
});
