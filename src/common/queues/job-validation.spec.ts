import { type TranslationJob } from '../../contracts/job-payloads';
import { QueueName } from '../../contracts/queue-names';
import { invalidJobPayload } from './job-validation';

const good: TranslationJob = {
  sessionId: 's1',
  utteranceId: 's1:1',
  index: 1,
  kind: 'final',
  revision: 0,
  text: 'Hello',
  source: 'en',
  targets: ['es'],
  enqueuedAt: 1_700_000_000_000,
};

describe('translation job payloads', () => {
  it('accepts live and HTTP jobs', () => {
    expect(invalidJobPayload(QueueName.Translation, good)).toBeUndefined();
    expect(
      invalidJobPayload(QueueName.Translation, {
        ...good,
        text: '',
        replyKey: 'k',
        format: 'html',
      }),
    ).toBeUndefined();
  });

  it.each([
    ['null', null, 'payload is not an object'],
    ['no utterance', { ...good, utteranceId: '' }, 'utteranceId: must be a non-empty string'],
    ['negative index', { ...good, index: -1 }, 'index: must be a number >= 0'],
    ['bad kind', { ...good, kind: 'partial' }, 'kind: must be interim or final'],
    ['a target that is no string', { ...good, targets: ['es', 3] }, 'targets[1]: must be a'],
    ['format', { ...good, format: 'markdown' }, 'format: must be text or html'],
  ])('names the field and what is allowed: %s', (_name, data, message) => {
    expect(invalidJobPayload(QueueName.Translation, data)).toContain(message);
  });
});
