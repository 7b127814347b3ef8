import {
  type FileTranscript,
  renderTranscript,
  toSrt,
  toVerboseJson,
  toVtt,
  transcriptText,
} from './transcript-formats';

const transcript: FileTranscript = {
  task: 'transcribe',
  duration: 3725.4,
  requestedLanguage: 'auto',
  temperature: 0,
  pieces: [
    {
      start: 0.5,
      end: 2,
      text: 'hello world',
      language: 'en',
      words: [
        { word: 'hello', start: 0.5, end: 1.2, probability: 0.9 },
        { word: 'world', start: 1.2, end: 2, probability: 0.8 },
      ],
      segments: [
        {
          start: 0.5,
          end: 2,
          text: 'hello world',
          tokens: [1, 2],
          avgLogprob: -0.2,
          compressionRatio: 0.9,
          noSpeechProb: 0.01,
        },
      ],
    },
    { start: 3, end: 4, text: '', language: 'en', words: [] },
    { start: 3723.25, end: 3725, text: 'bye now', language: 'en', words: [] },
  ],
};

describe('transcript formats', () => {
  it('joins the pieces with text, in order', () => {
    expect(transcriptText(transcript.pieces)).toBe('hello world bye now');
  });

  it('writes SRT cues numbered from 1 with comma milliseconds, hours past 59 minutes', () => {
    expect(toSrt(transcript.pieces)).toBe(
      '1\n00:00:00,500 --> 00:00:02,000\nhello world\n\n2\n01:02:03,250 --> 01:02:05,000\nbye now\n',
    );
  });

  it('writes WebVTT with its header and dot milliseconds', () => {
    expect(toVtt(transcript.pieces)).toBe(
      'WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nhello world\n\n01:02:03.250 --> 01:02:05.000\nbye now\n',
    );
  });

  it("gives verbose_json OpenAI's field names, the language's English name and words on request", () => {
    const verbose = toVerboseJson(transcript, ['segment', 'word']);
    expect(verbose).toMatchObject({
      task: 'transcribe',
      language: 'english',
      duration: 3725.4,
      text: 'hello world bye now',
      usage: { type: 'duration', seconds: 3726 },
    });
    expect(verbose.segments).toEqual([
      {
        id: 0,
        seek: 50,
        start: 0.5,
        end: 2,
        text: ' hello world',
        tokens: [1, 2],
        temperature: 0,
        avg_logprob: -0.2,
        compression_ratio: 0.9,
        no_speech_prob: 0.01,
      },
      expect.objectContaining({ id: 1, start: 3723.25, end: 3725, text: ' bye now' }),
    ]);
    expect(verbose.words).toEqual([
      { word: 'hello', start: 0.5, end: 1.2 },
      { word: 'world', start: 1.2, end: 2 },
    ]);
    expect(toVerboseJson(transcript, ['segment']).words).toBeUndefined();
  });

  it('reports English for translations and the requested language when one was given', () => {
    expect(toVerboseJson({ ...transcript, task: 'translate' }, ['segment']).language).toBe(
      'english',
    );
    expect(toVerboseJson({ ...transcript, requestedLanguage: 'de' }, ['segment']).language).toBe(
      'german',
    );
  });

  it('renders each response format with its content type', () => {
    const render = (responseFormat: 'json' | 'text' | 'srt' | 'vtt' | 'verbose_json') =>
      renderTranscript(transcript, { responseFormat, granularities: ['segment'] });
    expect(JSON.parse(render('json').body)).toEqual({
      text: 'hello world bye now',
      usage: { type: 'duration', seconds: 3726 },
    });
    expect(render('text')).toEqual({ contentType: 'text/plain', body: 'hello world bye now\n' });
    expect(render('srt').contentType).toBe('application/x-subrip');
    expect(render('vtt').contentType).toBe('text/vtt');
    expect(render('verbose_json').contentType).toBe('application/json');
  });
});
