import { layOut, type ScriptSentence } from './corpus-timeline';
import { benchScriptText, scoreSentence, speechEndSample } from './turn-scoring';

const script: ScriptSentence = {
  id: 'en-99',
  language: 'en',
  text: 'We need bread, milk, and eggs.',
  parts: ['We need bread,', 'milk,', 'and eggs.'],
  pauses: [
    { kind: 'list', ms: 400 },
    { kind: 'list', ms: 800 },
  ],
};
// Lead 0-300, parts 300-1300, 1700-2200, 3000-3800 ms, trail to 4800 ms.
const laid = layOut(script, [16000, 8000, 12800]);

describe('benchScriptText', () => {
  it('ends in the sentence-final mark only when the window holds the last part', () => {
    expect(benchScriptText(laid, 0, 4800)).toBe('We need bread, milk, and eggs.');
    expect(benchScriptText(laid, 2900, 4000)).toBe('and eggs.');
    expect(benchScriptText(laid, 0, 2500)).toBe('We need bread, milk,');
  });

  it('never gives a window that misses the last part a terminal mark', () => {
    const question = layOut(
      { ...script, parts: ['Is it ready?', 'or not?'], pauses: [{ kind: 'list', ms: 500 }] },
      [16000, 8000],
    );
    expect(benchScriptText(question, 0, 1500)).toBe('Is it ready');
    expect(benchScriptText(question, 0, 3000)).toBe('Is it ready? or not?');
  });
});

describe('scoreSentence', () => {
  const sentAt = 10_000;
  const final = (endSec: number, receivedAt: number) => ({ endSec, receivedAt, text: '' });

  it('one final at the end: no cut, its latency from the speech end', () => {
    const score = scoreSentence(laid, [final(3.8, sentAt + 640)], sentAt);
    expect(score.endFinal).toEqual({ index: 0, latencyMs: 640 });
    expect(score.pauses).toEqual([
      { ms: 400, cut: false },
      { ms: 800, cut: false },
    ]);
    expect(score.early).toBe(0);
  });

  it('a final ending in a pause cuts that pause', () => {
    const score = scoreSentence(laid, [final(2.2, 9000), final(3.8, sentAt + 300)], sentAt);
    expect(score.pauses.map((pause) => pause.cut)).toEqual([false, true]);
    expect(score.endFinal).toEqual({ index: 1, latencyMs: 300 });
    expect(score.finalsMs).toEqual([-1000, 300]);
  });

  it('finals before the first part are counted apart; no end final when none reaches it', () => {
    const score = scoreSentence(laid, [final(0.5, 1), final(1.35, 2)], sentAt);
    expect(score.early).toBe(1);
    expect(score.pauses.map((pause) => pause.cut)).toEqual([true, false]);
    expect(score.endFinal).toBeUndefined();
  });

  it('the speech end is the end of the last part', () => {
    expect(speechEndSample(laid)).toBe(3800 * 16);
  });
});
