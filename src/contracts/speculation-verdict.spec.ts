import { formatVerdict, parseVerdict } from './speculation-verdict';

describe('speculation verdicts', () => {
  it('round-trips confirm (with the time the threshold passed) and cancel', () => {
    expect(parseVerdict(formatVerdict({ kind: 'confirm', at: 1764480000123 }))).toEqual({
      kind: 'confirm',
      at: 1764480000123,
    });
    expect(parseVerdict(formatVerdict({ kind: 'cancel' }))).toEqual({ kind: 'cancel' });
  });

  it('reads no verdict from nothing or from anything else', () => {
    expect(parseVerdict(null)).toBeNull();
    expect(parseVerdict('confirm:')).toBeNull();
    expect(parseVerdict('maybe')).toBeNull();
  });
});
