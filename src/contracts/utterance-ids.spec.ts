import {
  finalResultId,
  interimResultId,
  sttJobId,
  translationJobId,
  utteranceId,
  utteranceIndex,
} from './utterance-ids';

describe('utterance ids', () => {
  it('round-trips the index and keeps job ids to three colon-separated parts', () => {
    const id = utteranceId('3f2a-session', 12);
    expect(utteranceIndex(id)).toBe(12);
    for (const jobId of [
      sttJobId(id, 4),
      translationJobId(id, 'final', 9),
      translationJobId(id, 'interim', 3),
    ]) {
      expect(jobId.split(':')).toHaveLength(3);
    }
    expect(translationJobId(id, 'interim', 3)).not.toBe(translationJobId(id, 'interim', 4));
    expect(finalResultId(id)).not.toBe(interimResultId(id, 1));
  });
});
