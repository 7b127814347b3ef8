import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromApertiumCode } from '../../languages/language-table';

/** An installed Apertium translation direction usable for an ISO 639-1 pair. */
export interface ApertiumMode {
  /** Mode name, e.g. 'eng-spa'. */
  mode: string;
  source: string;
  target: string;
  file: string;
}

const BASE_MODE = /^([a-z]{2,3})-([a-z]{2,3})$/;

/**
 * The translation directions installed under `<dataDir>/modes`, mapped to ISO 639-1 pairs.
 * Variant modes (`eng-cat_valencia`) and codes the language table does not know are skipped;
 * when a legacy two-letter mode and a three-letter one give the same pair, the newer
 * three-letter one wins.
 */
export async function discoverApertiumModes(dataDir: string): Promise<ApertiumMode[]> {
  const dir = join(dataDir, 'modes');
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return [];
  }
  const byPair = new Map<string, ApertiumMode>();
  for (const file of files.sort()) {
    if (!file.endsWith('.mode')) continue;
    const mode = file.slice(0, -'.mode'.length);
    const [, sourceCode, targetCode] = BASE_MODE.exec(mode) ?? [];
    if (sourceCode === undefined || targetCode === undefined) continue;
    const source = fromApertiumCode(sourceCode);
    const target = fromApertiumCode(targetCode);
    if (!source || !target || source === target) continue;
    const key = `${source}-${target}`;
    const existing = byPair.get(key);
    if (existing && existing.mode.length >= mode.length) continue;
    byPair.set(key, { mode, source, target, file: join(dir, file) });
  }
  return [...byPair.values()];
}

/**
 * The mode file's pipeline with null-flush (`-z`) on every stage, so one long-lived pipeline can
 * answer request after request: each stage flushes its output when it reads a NUL. `$1` (the
 * generator's option) and `$2` (the tagger's) stay as positional parameters for bash.
 */
export function nullFlushPipeline(modeText: string): string {
  const stages = modeText
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' ')
    .split('|')
    .map((stage) => stage.trim())
    .filter((stage) => stage.length > 0);
  if (stages.length === 0) throw new Error('empty Apertium mode file');
  return stages
    .map((stage) => (/\s-z(\s|$)/.test(stage) ? stage : stage.replace(/^(\S+)/, '$1 -z')))
    .join(' | ');
}

export async function readPipeline(mode: ApertiumMode): Promise<string> {
  return nullFlushPipeline(await readFile(mode.file, 'utf8'));
}
