import { type SttJob } from '../contracts/job-payloads';
import { invalidSttJob } from './stt-job.validation';

const good: SttJob = {
  sessionId: 's1',
  utteranceId: 's1:1',
  index: 1,
  kind: 'final',
  revision: 3,
  audioKey: 'rt:audio:s1:1:3',
  sampleRate: 16000,
  startSec: 1.5,
  endSec: 3.2,
  language: 'auto',
  task: 'transcribe',
  targets: ['es'],
  interimTranslations: false,
  enqueuedAt: 1_700_000_000_000,
};

describe('invalidSttJob', () => {
  it("checks an upload's optional fields: prompt, word timings, segment detail, temperature", () => {
    const upload = { ...good, prompt: 'Names', wordTimings: true, segmentDetail: true };
    expect(invalidSttJob({ ...upload, temperature: 0.4 })).toBeUndefined();
    expect(invalidSttJob({ ...upload, temperature: 1.5 })).toMatch(/temperature/);
    expect(invalidSttJob({ ...upload, prompt: 3 })).toMatch(/prompt/);
    expect(invalidSttJob({ ...upload, segmentDetail: 'yes' })).toMatch(/segmentDetail/);
  });

  it('accepts a well-formed job', () => {
    expect(invalidSttJob(good)).toBeUndefined();
    expect(
      invalidSttJob({ ...good, kind: 'interim', language: 'en', targets: [] }),
    ).toBeUndefined();
  });

  it.each([
    ['null', null, /not an object/],
    ['no session', { ...good, sessionId: '' }, /sessionId/],
    ['no audio key', { ...good, audioKey: undefined }, /audioKey/],
    ['bad kind', { ...good, kind: 'partial' }, /kind/],
    ['negative index', { ...good, index: -1 }, /index/],
    ['revision NaN', { ...good, revision: Number.NaN }, /revision/],
    ['8 kHz', { ...good, sampleRate: 8000 }, /sampleRate/],
    ['end before start', { ...good, endSec: 1 }, /endSec/],
    ['language', { ...good, language: 'english' }, /language/],
    ['task', { ...good, task: 'summarise' }, /task/],
    ['targets', { ...good, targets: 'es' }, /targets/],
    ['enqueuedAt', { ...good, enqueuedAt: 'now' }, /enqueuedAt/],
  ])('rejects %s', (_name, data, message) => {
    expect(invalidSttJob(data)).toMatch(message);
  });
});
