import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const DEVELOPMENT_MD = resolve(__dirname, '../docs/development.md');

/** The `src/<folder>/` paths named in the first column of development.md's layout table. */
function layoutFolders(markdown: string): string[] {
  const section = markdown.split(/^## Project layout$/m)[1]?.split(/^## /m)[0];
  if (section === undefined) throw new Error('docs/development.md has no "## Project layout"');
  const folders = new Set<string>();
  for (const line of section.split('\n')) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const match of firstCell.matchAll(/`src\/([^/`]+)\/`/g)) folders.add(match[1]);
  }
  return [...folders].sort();
}

const srcFolders = (): string[] =>
  readdirSync(__dirname, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

describe('docs/development.md project layout', () => {
  const listed = layoutFolders(readFileSync(DEVELOPMENT_MD, 'utf8'));

  it('lists every top folder of src/', () => {
    expect(srcFolders().filter((folder) => !listed.includes(folder))).toEqual([]);
  });

  it('lists no src/ folder that does not exist', () => {
    const present = srcFolders();
    expect(listed.filter((folder) => !present.includes(folder))).toEqual([]);
  });

  it('reads the folders from the first column only', () => {
    const table = [
      '## Project layout',
      '| path | what |',
      '| --- | --- |',
      '| `src/a/`, `src/b/`, `src/main.ts` | see `src/c/` |',
      '## Next',
      '| `src/d/` | outside the section |',
    ].join('\n');
    expect(layoutFolders(table)).toEqual(['a', 'b']);
  });
});
