import { parseRealtimeClientEvent, RealtimeEventError } from './realtime-client-events';
import {
  errorEvent,
  itemCreated,
  sessionEvent,
  TranscriptDeltas,
  transcriptionCompleted,
} from './realtime-server-events';

const parse = (event: object) => parseRealtimeClientEvent(JSON.stringify(event));

describe('OpenAI Realtime client events', () => {
  it('reads the beta transcription_session.update', () => {
    expect(
      parse({
        type: 'transcription_session.update',
        event_id: 'e1',
        session: {
          input_audio_format: 'pcm16',
          input_audio_transcription: {
            model: 'gpt-4o-transcribe',
            language: 'EN',
            prompt: 'names',
          },
          turn_detection: {
            type: 'server_vad',
            threshold: 0.5,
            prefix_padding_ms: 300,
            silence_duration_ms: 500,
          },
        },
      }),
    ).toEqual({
      type: 'session.update',
      eventId: 'e1',
      update: {
        dialect: 'beta',
        format: { encoding: 'linear16', sampleRate: 24000 },
        language: 'en',
        prompt: 'names',
        model: 'gpt-4o-transcribe',
        turnDetection: {
          type: 'server_vad',
          threshold: 0.5,
          prefixPaddingMs: 300,
          silenceDurationMs: 500,
        },
      },
    });
  });

  it('reads the GA session.update of type transcription, and turn_detection null', () => {
    const parsed = parse({
      type: 'session.update',
      session: {
        type: 'transcription',
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            transcription: { model: 'whisper-1' },
            turn_detection: null,
          },
        },
      },
    });
    expect(parsed).toMatchObject({
      type: 'session.update',
      update: {
        dialect: 'ga',
        format: { encoding: 'mulaw', sampleRate: 8000 },
        model: 'whisper-1',
        turnDetection: null,
      },
    });
  });

  it('decodes appended base64 audio; commit and clear carry nothing else', () => {
    const audio = Buffer.from([1, 2, 3, 4]);
    expect(parse({ type: 'input_audio_buffer.append', audio: audio.toString('base64') })).toEqual({
      type: 'input_audio_buffer.append',
      eventId: undefined,
      audio,
    });
    expect(parse({ type: 'input_audio_buffer.commit', event_id: 'c' })).toEqual({
      type: 'input_audio_buffer.commit',
      eventId: 'c',
    });
    expect(parse({ type: 'input_audio_buffer.clear' }).type).toBe('input_audio_buffer.clear');
  });

  it.each([
    ['not json', /JSON objects/, null],
    [
      JSON.stringify({ type: 'response.create' }),
      /not supported in transcription sessions/,
      'type',
    ],
    [JSON.stringify({ type: 'input_audio_buffer.append', audio: '***' }), /base64/, 'audio'],
    [
      JSON.stringify({
        type: 'transcription_session.update',
        session: { input_audio_format: 'opus' },
      }),
      /pcm16, g711_ulaw or g711_alaw/,
      'session.input_audio_format',
    ],
    [
      JSON.stringify({
        type: 'session.update',
        session: {
          type: 'transcription',
          audio: { input: { format: { type: 'audio/pcm', rate: 16000 } } },
        },
      }),
      /rate must be 24000/,
      'session.audio.input.format.rate',
    ],
    [
      JSON.stringify({
        type: 'session.update',
        session: { type: 'realtime', audio: { input: {} } },
      }),
      /type "transcription"/,
      'session.type',
    ],
    [
      JSON.stringify({
        type: 'transcription_session.update',
        session: { turn_detection: { silence_duration_ms: -1 } },
      }),
      /silence_duration_ms must be a number from 10/,
      'session.turn_detection.silence_duration_ms',
    ],
  ])('refuses %s, naming the parameter', (text, message, param) => {
    let error: unknown;
    try {
      parseRealtimeClientEvent(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RealtimeEventError);
    expect((error as RealtimeEventError).message).toMatch(message);
    expect((error as RealtimeEventError).param).toBe(param);
  });
});

describe('OpenAI Realtime client event edges', () => {
  const refusal = (event: object): RealtimeEventError => {
    try {
      parse(event);
    } catch (error) {
      if (error instanceof RealtimeEventError) return error;
      throw error;
    }
    throw new Error('not refused');
  };

  // The language used to be checked when the update was applied, naming the GA nested param even
  // for a flat GA session.update; the schema names where the language really was.
  it('refuses a bad language where it is read, naming its place in the event', () => {
    const flat = refusal({
      type: 'session.update',
      event_id: 'e2',
      session: { input_audio_transcription: { language: 'english' } },
    });
    expect(flat).toMatchObject({
      message: 'language "english" is not an ISO-639-1 code like "en"',
      param: 'session.input_audio_transcription.language',
      eventId: 'e2',
      code: 'invalid_value',
    });
    const nested = refusal({
      type: 'session.update',
      session: { audio: { input: { transcription: { language: 'EN-us', model: 5 } } } },
    });
    expect(nested.param).toBe('session.audio.input.transcription.language');
  });

  it('reads audio and audio.input that are not objects as empty, and ignores a bad event_id', () => {
    expect(parse({ type: 'session.update', event_id: 5, session: { audio: 'x' } })).toEqual({
      type: 'session.update',
      eventId: undefined,
      update: { dialect: 'ga', turnDetection: undefined },
    });
  });
});

describe('OpenAI Realtime server events', () => {
  const view = {
    id: 'sess_1',
    dialect: 'beta' as const,
    format: 'pcm16' as const,
    model: 'whisper-1',
    language: 'en',
    prompt: '',
    turnDetection: {
      type: 'server_vad' as const,
      threshold: 0.5,
      prefixPaddingMs: 300,
      silenceDurationMs: 600,
    },
  };

  it('describes the session in the dialect the client speaks', () => {
    expect(sessionEvent(view, 'created')).toMatchObject({
      type: 'transcription_session.created',
      session: { input_audio_format: 'pcm16', turn_detection: { silence_duration_ms: 600 } },
    });
    expect(sessionEvent({ ...view, dialect: 'ga', turnDetection: null }, 'updated')).toMatchObject({
      type: 'session.updated',
      session: {
        type: 'transcription',
        audio: { input: { format: { type: 'audio/pcm', rate: 24000 }, turn_detection: null } },
      },
    });
  });

  it('names the committed item as the dialect does', () => {
    expect(itemCreated('beta', 'item_2', 'item_1')).toMatchObject({
      type: 'conversation.item.created',
      previous_item_id: 'item_1',
      item: { id: 'item_2', type: 'message', role: 'user', content: [{ type: 'input_audio' }] },
    });
    expect(itemCreated('ga', 'item_1', null)).toMatchObject({
      type: 'conversation.item.added',
      previous_item_id: null,
      item: { id: 'item_1' },
    });
  });

  it('errors and completions have OpenAI fields and unique event ids', () => {
    const error = errorEvent(new RealtimeEventError('bad', 'audio', 'e9'));
    expect(error).toMatchObject({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'invalid_value',
        param: 'audio',
        event_id: 'e9',
      },
    });
    const unavailable = errorEvent(
      new RealtimeEventError('later', null, undefined, 'x'),
      'server_error',
    );
    expect(unavailable.error).toMatchObject({ type: 'server_error', code: 'x', event_id: null });
    const done = transcriptionCompleted('item_1', 'Hello.', 1.23456);
    expect(done).toMatchObject({
      item_id: 'item_1',
      transcript: 'Hello.',
      usage: { type: 'duration', seconds: 1.235 },
    });
    expect(done.event_id).not.toBe(error.event_id);
  });

  it('deltas only append: committed growth is sent once, revisions are not', () => {
    const deltas = new TranscriptDeltas();
    expect(deltas.next('a', '')).toBeUndefined();
    expect(deltas.next('a', 'Hello')).toBe('Hello');
    expect(deltas.next('a', 'Hello')).toBeUndefined();
    expect(deltas.next('a', 'Hello world')).toBe(' world');
    expect(deltas.next('a', 'Help')).toBeUndefined();
    expect(deltas.next('b', 'Other')).toBe('Other');
    deltas.done('a');
    expect(deltas.next('a', 'Again')).toBe('Again');
  });
});
