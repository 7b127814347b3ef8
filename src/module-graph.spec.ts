import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { preProcessFile } from 'typescript';

/** Files directly in src/ (main.ts, bootstrap.ts, app.module.ts). */
const ROOT = 'src/*.ts';

/**
 * Cycles between top folders of src/ that are known and not yet broken, as their folders sorted
 * and joined with ', '. Each needs a reason; remove the entry when the cycle is gone.
 */
const ALLOWED_CYCLES: Record<string, string> = {};

type Graph = Map<string, Map<string, string>>;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.(spec|d)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The top folder of src/ a path is in, ROOT for the files directly in src/, undefined outside. */
function topFolder(src: string, path: string): string | undefined {
  const parts = relative(src, path).split(sep);
  if (parts[0] === '..' || parts[0] === '') return undefined;
  if (parts.length > 1) return parts[0];
  const isFolder = statSync(join(src, parts[0]), { throwIfNoEntry: false })?.isDirectory();
  return isFolder ? parts[0] : ROOT;
}

/** What a file imports, exports from, requires or import()s, as written. */
const importsOf = (file: string): string[] =>
  preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map(
    ({ fileName }) => fileName,
  );

/**
 * Folder -> folder it imports -> one import that shows it. Every relative import, export-from,
 * require and import() counts, type-only ones too: types that go both ways still tie two folders
 * together.
 */
function folderGraph(src: string): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(src)) {
    const from = topFolder(src, file)!;
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const fileName of importsOf(file)) {
      if (!fileName.startsWith('.')) continue;
      const to = topFolder(src, resolve(dirname(file), fileName));
      if (to === undefined || to === from || edges.has(to)) continue;
      edges.set(to, `${relative(resolve(src, '..'), file)} imports '${fileName}'`);
    }
  }
  return graph;
}

/** The strongly connected components of more than one folder (Tarjan), each sorted. */
function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found.sort((a, b) => a.join().localeCompare(b.join()));
}

/** A cycle with the imports inside it, for the failure message. */
function explain(graph: Graph, component: string[]): string {
  const imports = component.flatMap((from) =>
    [...(graph.get(from) ?? [])]
      .filter(([to]) => component.includes(to))
      .map(([to, example]) => `  ${from} -> ${to}: ${example}`),
  );
  return [component.join(', '), ...imports].join('\n');
}

describe('imports between the top folders of src/', () => {
  const graph = folderGraph(__dirname);
  const found = cycles(graph);

  it('form no cycle (beyond the allow-list)', () => {
    const unexpected = found.filter((component) => !(component.join(', ') in ALLOWED_CYCLES));
    expect(unexpected.map((component) => explain(graph, component))).toEqual([]);
  });

  it('match the allow-list: no entry for a cycle that is gone', () => {
    const present = found.map((component) => component.join(', '));
    expect(Object.keys(ALLOWED_CYCLES).filter((key) => !present.includes(key))).toEqual([]);
  });

  it('sees the imports of the source files', () => {
    expect(graph.get('gateway')?.has('common')).toBe(true);
    expect(graph.get(ROOT)?.has('gateway')).toBe(true);
  });

  it('finds cycles of two folders and longer ones', () => {
    const edges = (pairs: Record<string, string[]>): Graph =>
      new Map(
        Object.entries(pairs).map(([from, tos]) => [from, new Map(tos.map((to) => [to, '']))]),
      );
    expect(cycles(edges({ a: ['b'], b: ['a', 'c'], c: [] }))).toEqual([['a', 'b']]);
    expect(cycles(edges({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }))).toEqual([['a', 'b', 'c']]);
    expect(cycles(edges({ a: ['b'], b: ['c'], c: [] }))).toEqual([]);
  });
});
