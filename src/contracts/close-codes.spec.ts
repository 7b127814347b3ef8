import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CLOSE_CODES, CloseCode } from './close-codes';

const DOCS = ['protocol.md', 'rooms.md', 'security.md'];

/**
 * Numbers in the ranges close codes use (1000-1015, 4000-4999) that stand alone: not part of a
 * longer number, a port (`:4000`) or a quantity (`4096 bytes`, `4000 Hz`).
 */
function documentedCodes(markdown: string): number[] {
  const codes = new Set<number>();
  const pattern =
    /(?<![\d.:,])(10(?:0\d|1[0-5])|4\d{3})(?![\d.,]|\s*(?:Hz|ms|bytes|B\b|KiB|MiB|s\b))/g;
  for (const match of markdown.matchAll(pattern)) codes.add(Number(match[1]));
  return [...codes].sort((a, b) => a - b);
}

const tableCodes = (): number[] => Object.values(CLOSE_CODES).map(({ code }) => code);

describe('close codes', () => {
  it('gives each code one name', () => {
    const codes = tableCodes();
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('gives each code a one-line meaning', () => {
    for (const { meaning } of Object.values(CLOSE_CODES)) {
      expect(meaning.trim()).not.toBe('');
      expect(meaning).not.toContain('\n');
    }
  });

  it('maps names to their numbers', () => {
    expect(CloseCode.SlowReader).toBe(4013);
    expect(Object.keys(CloseCode)).toEqual(Object.keys(CLOSE_CODES));
  });

  const docs = DOCS.map((name) => ({
    name,
    codes: documentedCodes(readFileSync(resolve(__dirname, '../../docs', name), 'utf8')),
  }));

  it.each(docs)('docs/$name names only codes of the table', ({ codes }) => {
    expect(codes.filter((code) => !tableCodes().includes(code))).toEqual([]);
  });

  it('has every code of the table described in the docs', () => {
    const described = new Set(docs.flatMap(({ codes }) => codes));
    expect(tableCodes().filter((code) => !described.has(code))).toEqual([]);
  });

  it('reads codes, not ports, sizes or rates', () => {
    expect(
      documentedCodes('closed 4013; close **1008**, (4029) :4000 4096 bytes 4000 Hz 10000 1.4000'),
    ).toEqual([1008, 4013, 4029]);
  });
});
