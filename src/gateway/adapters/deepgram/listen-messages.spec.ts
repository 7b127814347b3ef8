import {
  ListenControlError,
  listenMetadata,
  listenResults,
  listenSpeechStarted,
  listenUtteranceEnd,
  parseListenControl,
} from './listen-messages';

const context = { requestId: 'req-1', model: 'ggml-tiny' };

describe('Deepgram listen messages', () => {
  it('a final becomes Results with words, confidences and times in stream seconds', () => {
    const results = listenResults(
      {
        text: ' Hello, world.',
        start: 1.2,
        end: 2.9004,
        words: [
          { word: ' Hello,', start: 1.3, end: 1.7, probability: 0.9 },
          { word: ' world.', start: 1.8, end: 2.5, probability: 0.7 },
        ],
      },
      { isFinal: true, speechFinal: true, fromFinalize: false },
      context,
    );
    expect(results).toMatchObject({
      type: 'Results',
      channel_index: [0, 1],
      start: 1.2,
      duration: 1.7,
      is_final: true,
      speech_final: true,
      from_finalize: false,
      metadata: { request_id: 'req-1', model_uuid: 'ggml-tiny' },
    });
    expect(results.channel.alternatives[0]).toEqual({
      transcript: 'Hello, world.',
      confidence: 0.8,
      words: [
        { word: 'hello', punctuated_word: 'Hello,', start: 1.3, end: 1.7, confidence: 0.9 },
        { word: 'world', punctuated_word: 'world.', start: 1.8, end: 2.5, confidence: 0.7 },
      ],
    });
  });

  it('an interim without word timings has confidence 0 and no words', () => {
    const results = listenResults(
      { text: 'hel', start: 0, end: 0.5, words: [] },
      { isFinal: false, speechFinal: false, fromFinalize: false },
      context,
    );
    expect(results.is_final).toBe(false);
    expect(results.channel.alternatives[0]).toEqual({
      transcript: 'hel',
      confidence: 0,
      words: [],
    });
  });

  it('Metadata, SpeechStarted and UtteranceEnd carry their fields', () => {
    expect(
      listenMetadata(context, {
        sha256: 'ab',
        durationSeconds: 3.25,
        channels: 1,
        created: new Date('2026-11-30T10:00:00Z'),
      }),
    ).toMatchObject({
      type: 'Metadata',
      request_id: 'req-1',
      sha256: 'ab',
      duration: 3.25,
      channels: 1,
      created: '2026-11-30T10:00:00.000Z',
      models: ['ggml-tiny'],
    });
    expect(listenSpeechStarted(0.5)).toEqual({
      type: 'SpeechStarted',
      channel: [0],
      timestamp: 0.5,
    });
    expect(listenUtteranceEnd(2.5)).toEqual({
      type: 'UtteranceEnd',
      channel: [0, 1],
      last_word_end: 2.5,
    });
  });

  it('reads the three control messages and refuses anything else by name', () => {
    expect(parseListenControl('{"type":"KeepAlive"}')).toBe('KeepAlive');
    expect(parseListenControl('{"type":"Finalize"}')).toBe('Finalize');
    expect(parseListenControl('{"type":"CloseStream"}')).toBe('CloseStream');
    expect(() => parseListenControl('nope')).toThrow(ListenControlError);
    expect(() => parseListenControl('{"type":"Flush"}')).toThrow(/unknown message type "Flush"/);
  });
});
