import { deflateSync } from 'node:zlib';
import { type EngineSegment } from '../engine/whisper-engine';
import { filterSegments } from './hallucination-filter';
import { compressionRatio, segmentDetails } from './segment-detail';

function segment(text: string, probabilities: number[], noSpeechProb = 0.01): EngineSegment {
  const words = text.trim().split(' ');
  return {
    start: 0.5,
    end: 2.5,
    text,
    noSpeechProb,
    tokens: [
      { text: '[_BEG_]', id: 50364, start: 0.5, end: 0.5, probability: 0.9, special: true },
      ...words.map((word, i) => ({
        text: ` ${word}`,
        id: 100 + i,
        start: 0.5 + i * 0.5,
        end: 1 + i * 0.5,
        probability: probabilities[i],
        special: false,
      })),
    ],
  };
}

describe('segmentDetails', () => {
  it('gives the kept segments stream times, text token ids and mean log probability', () => {
    const kept = filterSegments([segment(' ask not what your', [0.9, 0.8, 0.7, 0.6])]);
    const [detail] = segmentDetails(kept, 10, 5);
    expect(detail.start).toBe(10.5);
    expect(detail.end).toBe(12.5);
    expect(detail.text).toBe('ask not what your');
    expect(detail.tokens).toEqual([100, 101, 102, 103]);
    const mean = (Math.log(0.9) + Math.log(0.8) + Math.log(0.7) + Math.log(0.6)) / 4;
    expect(detail.avgLogprob).toBeCloseTo(mean, 3);
    expect(detail.noSpeechProb).toBe(0.01);
    expect(detail.compressionRatio).toBeCloseTo(compressionRatio('ask not what your'), 3);
  });

  it('keeps times within the audio when whisper points past its end', () => {
    const [detail] = segmentDetails(filterSegments([segment(' too long', [0.9, 0.9])]), 10, 1.5);
    expect(detail.start).toBe(10.5);
    expect(detail.end).toBe(11.5);
  });

  it('keeps a zero probability finite', () => {
    const [detail] = segmentDetails(filterSegments([segment(' hello there', [0, 1])]), 0, 5);
    expect(Number.isFinite(detail.avgLogprob)).toBe(true);
  });
});

describe('compressionRatio', () => {
  it('is the UTF-8 length over the deflated length, high for repetitions', () => {
    const text = 'the quick brown fox';
    expect(compressionRatio(text)).toBeCloseTo(
      Buffer.byteLength(text) / deflateSync(Buffer.from(text)).length,
    );
    expect(compressionRatio('la '.repeat(100))).toBeGreaterThan(2.4);
    expect(compressionRatio('')).toBe(0);
  });
});
