import { audibleSpan } from './demo-audio';

describe('audibleSpan', () => {
  it('finds the first and last audible sample', () => {
    const samples = new Float32Array(100);
    samples[10] = 0.5;
    samples[42] = -0.2;
    expect(audibleSpan(samples)).toEqual([10, 43]);
    expect(audibleSpan(new Float32Array(10).fill(0.001))).toBeUndefined();
  });
});
