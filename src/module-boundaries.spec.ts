import { readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * The module boundaries eslint.config.mjs enforces, checked on the files themselves: this also
 * sees `require()` and `import()`, which no-restricted-imports does not.
 */

interface SourceImport {
  /** The importing file, relative to src/ (`gateway/audio/pcm-decoder.ts`). */
  file: string;
  specifier: string;
  /** What it points to, relative to src/ (`../node_modules/...` outside); undefined for packages. */
  target: string | undefined;
}

const SRC = __dirname;
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)'([^']+)'/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = resolve(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function importsOf(source: string, file: string): SourceImport[] {
  return [...source.matchAll(IMPORT)].map(([, specifier]) => ({
    file: relative(SRC, file).split(sep).join('/'),
    specifier,
    target: specifier.startsWith('.')
      ? relative(SRC, resolve(dirname(file), specifier))
          .split(sep)
          .join('/')
      : undefined,
  }));
}

const topFolder = (path: string): string => path.split('/')[0];

const allImports = sourceFiles(SRC).flatMap((file) => importsOf(readFileSync(file, 'utf8'), file));
const from = (folder: string): SourceImport[] =>
  allImports.filter(({ file }) => topFolder(file) === folder);
const describeImport = ({ file, specifier }: SourceImport): string => `${file}: '${specifier}'`;

describe('module boundaries of src/', () => {
  it('finds the imports it checks', () => {
    const found = importsOf(
      "import { a } from '../audio/wav';\nimport './side-effect';\nconst b = require('node:fs');\nawait import('../client/cli');",
      resolve(SRC, 'gateway', 'x.ts'),
    );
    expect(found.map(({ specifier, target }) => [specifier, target])).toEqual([
      ['../audio/wav', 'audio/wav'],
      ['./side-effect', 'gateway/side-effect'],
      ['node:fs', undefined],
      ['../client/cli', 'client/cli'],
    ]);
  });

  it('server code does not import src/client', () => {
    const bad = allImports.filter(
      ({ file, target }) =>
        topFolder(file) !== 'client' && target !== undefined && topFolder(target) === 'client',
    );
    expect(bad.map(describeImport)).toEqual([]);
  });

  it('src/audio imports only its own files (no packages, no node: modules)', () => {
    const bad = from('audio').filter(
      ({ target }) => target === undefined || topFolder(target) !== 'audio',
    );
    expect(bad.map(describeImport)).toEqual([]);
  });

  it('src/audio uses no Node globals', () => {
    const bad = sourceFiles(resolve(SRC, 'audio'))
      .filter((file) => /\b(Buffer|process|__dirname)\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(bad).toEqual([]);
  });

  it('src/contracts imports only src/contracts, src/audio and zod', () => {
    // zod: the queue payloads are declared as schemas (pure, browser-safe).
    const bad = from('contracts').filter(({ specifier, target }) =>
      target === undefined
        ? specifier !== 'zod'
        : !['contracts', 'audio'].includes(topFolder(target)),
    );
    expect(bad.map(describeImport)).toEqual([]);
  });
});
