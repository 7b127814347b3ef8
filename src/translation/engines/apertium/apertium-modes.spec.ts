import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverApertiumModes, nullFlushPipeline } from './apertium-modes';

describe('Apertium modes', () => {
  it('adds -z to every stage that lacks it and keeps quoting and positional options', () => {
    const mode =
      "lt-proc -w '/d/eng-cat.automorf.bin' | cg-proc -w '/d/x y.rlx.bin' | apertium-tagger -g $2 '/d/p.prob' | apertium-pretransfer | lt-proc -z $1 '/d/gen.bin'\n";
    expect(nullFlushPipeline(mode)).toBe(
      "lt-proc -z -w '/d/eng-cat.automorf.bin' | cg-proc -z -w '/d/x y.rlx.bin' | " +
        "apertium-tagger -z -g $2 '/d/p.prob' | apertium-pretransfer -z | lt-proc -z $1 '/d/gen.bin'",
    );
  });

  it('rejects an empty mode file', () => {
    expect(() => nullFlushPipeline('\n')).toThrow('empty Apertium mode file');
  });

  it('maps base modes to ISO pairs, skips variants and unknown codes, prefers three-letter modes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-modes-'));
    mkdirSync(join(dir, 'modes'));
    for (const name of [
      'eng-spa',
      'spa-eng',
      'eng-cat_valencia',
      'en-es',
      'es-pt',
      'qqq-eng',
      'README',
    ]) {
      writeFileSync(join(dir, 'modes', name === 'README' ? name : `${name}.mode`), 'lt-proc x');
    }
    const modes = await discoverApertiumModes(dir);
    expect(modes.map((m) => [m.mode, m.source, m.target])).toEqual([
      ['eng-spa', 'en', 'es'],
      ['es-pt', 'es', 'pt'],
      ['spa-eng', 'es', 'en'],
    ]);
  });

  it('finds nothing (instead of failing) when the data directory does not exist', async () => {
    expect(await discoverApertiumModes('/nonexistent/apertium')).toEqual([]);
  });
});
