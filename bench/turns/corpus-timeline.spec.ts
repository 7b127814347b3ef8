import { SENTENCES } from './corpus-sentences';
import {
  CORPUS_LAYOUT,
  corpusDigest,
  corpusStatistics,
  layOut,
  parseScriptLine,
  PAUSE_CYCLE_MS,
  resolveScript,
  type ScriptSentence,
  scriptTextOf,
} from './corpus-timeline';

const sentence: ScriptSentence = {
  id: 'en-99',
  language: 'en',
  text: 'Book a table for four people.',
  parts: ['Book a table for', 'four people.'],
  pauses: [{ kind: 'for', ms: 700 }],
};

describe('parseScriptLine', () => {
  it('splits at the marks and names each pause', () => {
    expect(parseScriptLine('We need bread, {list} milk, {list} and eggs.')).toEqual({
      parts: ['We need bread,', 'milk,', 'and eggs.'],
      kinds: ['list', 'list'],
    });
    expect(parseScriptLine('Where is it?')).toEqual({ parts: ['Where is it?'], kinds: [] });
  });

  it('refuses unknown marks and marks without words on both sides', () => {
    expect(() => parseScriptLine('A {pause} b.')).toThrow(/unknown pause mark \{pause\}/);
    expect(() => parseScriptLine('{for} four.')).toThrow(/words on both sides/);
    expect(() => parseScriptLine('A table for {for}')).toThrow(/words on both sides/);
  });
});

describe('resolveScript', () => {
  const script = resolveScript(SENTENCES);

  it('at least 100 sentences in English and Spanish, with ids in order', () => {
    expect(script.length).toBeGreaterThanOrEqual(100);
    expect(script[0].id).toBe('en-01');
    expect(script.filter((s) => s.language === 'es')[0].id).toBe('es-01');
    expect(new Set(script.map((s) => s.id)).size).toBe(script.length);
  });

  it('some sentences straight through, some with pauses of 300-900 ms at every kind of place', () => {
    const stats = corpusStatistics(
      script.map((s) =>
        layOut(
          s,
          s.parts.map(() => 16000),
        ),
      ),
    );
    for (const row of Object.values(stats.byLanguage)) {
      expect(row.straight).toBeGreaterThanOrEqual(20);
      expect(row.paused).toBeGreaterThanOrEqual(20);
    }
    for (const count of Object.values(stats.pausesByKind)) expect(count).toBeGreaterThan(0);
    for (const s of script) {
      for (const pause of s.pauses) {
        expect(pause.ms).toBeGreaterThanOrEqual(300);
        expect(pause.ms).toBeLessThanOrEqual(900);
      }
    }
  });

  it('gives pauses the lengths of the cycle in turn, across the corpus', () => {
    const lengths = script.flatMap((s) => s.pauses.map((pause) => pause.ms));
    expect(lengths.slice(0, PAUSE_CYCLE_MS.length + 1)).toEqual([
      ...PAUSE_CYCLE_MS,
      PAUSE_CYCLE_MS[0],
    ]);
  });

  it('the text is the parts joined, without marks', () => {
    const booked = script.find((s) => s.text.startsWith("I'd like to book"));
    expect(booked?.text).toBe("I'd like to book a table for four people tonight.");
    expect(script.every((s) => !s.text.includes('{'))).toBe(true);
  });
});

describe('layOut', () => {
  // Parts of 1.5 s and 0.8 s at 16 kHz.
  const laid = layOut(sentence, [24000, 12800]);

  it('lead silence, part, pause, part, trailing silence, tiling the file', () => {
    expect(laid.stretches.map((s) => [s.kind, s.start, s.end])).toEqual([
      ['silence', 0, 4800],
      ['speech', 4800, 28800],
      ['pause', 28800, 40000],
      ['speech', 40000, 52800],
      ['silence', 52800, 68800],
    ]);
    expect(laid.samples).toBe(68800);
    expect(laid.durationMs).toBe(4300);
    expect(laid.file).toBe('en-99.wav');
  });

  it('milliseconds beside the samples', () => {
    expect(laid.stretches.map((s) => [s.startMs, s.endMs])).toEqual([
      [0, 300],
      [300, 1800],
      [1800, 2500],
      [2500, 3300],
      [3300, 4300],
    ]);
    expect(layOut(sentence, [16001, 1]).stretches[1].endMs).toBe(300 + 16001 / 16);
  });

  it("the script's words for each stretch, and what has been said by its end", () => {
    expect(laid.stretches.map((s) => s.words)).toEqual([
      [],
      ['Book', 'a', 'table', 'for'],
      [],
      ['four', 'people.'],
      [],
    ]);
    expect(laid.stretches.map((s) => s.spokenSoFar)).toEqual([
      '',
      'Book a table for',
      'Book a table for',
      'Book a table for four people.',
      'Book a table for four people.',
    ]);
  });

  it('a sentence without pauses has one speech stretch', () => {
    const straight = layOut({ ...sentence, parts: ['Hi.'], pauses: [] }, [8000]);
    expect(straight.stretches.map((s) => s.kind)).toEqual(['silence', 'speech', 'silence']);
    expect(straight.durationMs).toBe(300 + 500 + 1000);
  });

  it('refuses lengths that do not match the parts', () => {
    expect(() => layOut(sentence, [1])).toThrow(/1 lengths for 2 parts/);
  });

  it('follows the layout it is given', () => {
    const other = layOut(sentence, [800, 800], { sampleRate: 8000, leadMs: 0, trailMs: 500 });
    expect(other.stretches.map((s) => [s.start, s.end])).toEqual([
      [0, 0],
      [0, 800],
      [800, 6400],
      [6400, 7200],
      [7200, 11200],
    ]);
  });
});

describe('scriptTextOf', () => {
  const laid = layOut(sentence, [24000, 12800]);

  it('the parts more than half inside a window of audio', () => {
    expect(scriptTextOf(laid, 0, 4300)).toBe('Book a table for four people.');
    expect(scriptTextOf(laid, 200, 2100)).toBe('Book a table for');
    expect(scriptTextOf(laid, 2400, 3600)).toBe('four people.');
    expect(scriptTextOf(laid, 1000, 2900)).toBe('Book a table for');
    expect(scriptTextOf(laid, 1900, 2400)).toBe('');
  });
});

describe('corpusDigest', () => {
  const script = resolveScript(SENTENCES);
  const digest = corpusDigest(script, CORPUS_LAYOUT, { en: 'en-us' }, 'espeak 1');

  it('is stable and changes with the script, the layout, the voices and the engine', () => {
    expect(digest).toMatch(/^[0-9a-f]{16}$/);
    expect(corpusDigest(resolveScript(SENTENCES), CORPUS_LAYOUT, { en: 'en-us' }, 'espeak 1')).toBe(
      digest,
    );
    const changed = [
      corpusDigest(script.slice(1), CORPUS_LAYOUT, { en: 'en-us' }, 'espeak 1'),
      corpusDigest(script, { ...CORPUS_LAYOUT, trailMs: 900 }, { en: 'en-us' }, 'espeak 1'),
      corpusDigest(script, CORPUS_LAYOUT, { en: 'en-gb' }, 'espeak 1'),
      corpusDigest(script, CORPUS_LAYOUT, { en: 'en-us' }, 'espeak 2'),
    ];
    expect(new Set([digest, ...changed]).size).toBe(5);
  });
});

describe('corpusStatistics', () => {
  it('counts sentences, pauses by place and length, and audio', () => {
    const a = layOut(sentence, [16000, 16000]);
    const b = layOut(
      { ...sentence, id: 'es-99', language: 'es', parts: ['Hola.'], pauses: [] },
      [8000],
    );
    const stats = corpusStatistics([a, b]);
    expect(stats).toMatchObject({
      sentences: 2,
      byLanguage: { en: { straight: 0, paused: 1 }, es: { straight: 1, paused: 0 } },
      innerPauses: 1,
      pausesByKind: { for: 1, and: 0, because: 0, list: 0, number: 0 },
      pausesByMs: { 700: 1 },
    });
    expect(stats.pausesLongerThan(600)).toBe(1);
    expect(stats.pausesLongerThan(700)).toBe(0);
    expect(stats.audioSeconds).toBeCloseTo(
      (300 + 1000 + 700 + 1000 + 1000 + 300 + 500 + 1000) / 1000,
    );
  });
});
