import { type FinalResult, type ResultMessage } from '../../contracts/result-messages';
import { DeliveredSources } from './delivered-sources';
import { finalDedupe, translationDedupe } from './delivery-sequencer';

const final = (index: number): FinalResult => ({
  type: 'final',
  utteranceId: `s:${index}`,
  index,
  text: `text ${index}`,
  language: 'en',
  start: 0,
  end: 1,
  words: [],
  latency: { queueMs: 0, sttMs: 0 },
  worker: 'w',
});

const translation = (index: number, kind: 'final' | 'interim'): ResultMessage => ({
  type: 'translation',
  utteranceId: `s:${index}`,
  index,
  kind,
  language: 'es',
  source: 'en',
  text: `texto ${index}`,
  passthrough: false,
  engine: 'apertium',
  latencyMs: 1,
});

describe('DeliveredSources', () => {
  it('maps finals and final translations to their stream entries by dedupe key', () => {
    const sources = new DeliveredSources();
    sources.note({ id: '1-0', message: final(1) });
    sources.note({ id: '2-0', message: translation(1, 'final') });
    expect(sources.take(finalDedupe(1))).toEqual({ id: '1-0', message: final(1) });
    expect(sources.take(translationDedupe(1, 'es'))?.id).toBe('2-0');
    expect(sources.take(finalDedupe(1))).toBeUndefined();
  });

  it('ignores interims and keeps the first entry of a duplicate', () => {
    const sources = new DeliveredSources();
    sources.note({ id: '1-0', message: translation(1, 'interim') });
    sources.note({ id: '2-0', message: final(3) });
    sources.note({ id: '5-0', message: final(3) });
    expect(sources.size).toBe(1);
    expect(sources.take(finalDedupe(3))?.id).toBe('2-0');
  });

  it('stays bounded when results are never delivered', () => {
    const sources = new DeliveredSources();
    for (let i = 1; i <= 2500; i++) sources.note({ id: `${i}-0`, message: final(i) });
    expect(sources.size).toBe(2000);
    expect(sources.take(finalDedupe(1))).toBeUndefined();
    expect(sources.take(finalDedupe(2500))?.id).toBe('2500-0');
  });
});
