import { type ServerFrame } from '../../contracts/stream-frames';
import { FinalizeEndedUtterances } from './finalize-ended-utterances';

const errorFor = (utteranceId?: string): ServerFrame => ({
  type: 'error',
  code: 'enqueue_failed',
  message: 'm',
  ...(utteranceId ? { utterance_id: utteranceId } : {}),
});

describe('FinalizeEndedUtterances', () => {
  it('knows the frames about the utterances a finalize ended', () => {
    const finalized = new FinalizeEndedUtterances();
    finalized.add(2);
    expect(finalized.includes(errorFor('sid:2'))).toBe(true);
    expect(finalized.includes(errorFor('sid:3'))).toBe(false);
    expect(finalized.includes(errorFor())).toBe(false);
    expect(finalized.includes({ type: 'closed', last_seq: 0 })).toBe(false);
  });

  it('forgets the indices on request (or past its bound), and keeps counting', () => {
    const finalized = new FinalizeEndedUtterances();
    for (let index = 1; index <= 65; index++) finalized.add(index);
    expect(finalized.includes(errorFor('sid:1'))).toBe(false);
    expect(finalized.includes(errorFor('sid:2'))).toBe(true);
    finalized.forgetIndices();
    expect(finalized.includes(errorFor('sid:2'))).toBe(false);
    expect(finalized.count).toBe(65);
  });
});
