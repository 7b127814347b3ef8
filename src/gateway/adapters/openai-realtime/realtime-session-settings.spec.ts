import {
  parseRealtimeClientEvent,
  RealtimeEventError,
  type RealtimeSessionUpdate,
} from './realtime-client-events';
import {
  MANUAL_TURN_SILENCE_SECONDS,
  RealtimeSessionSettings,
  silenceSecondsOf,
} from './realtime-session-settings';

const update = (fields: Partial<RealtimeSessionUpdate>): RealtimeSessionUpdate => ({
  dialect: 'beta',
  ...fields,
});

describe('RealtimeSessionSettings', () => {
  it("starts with OpenAI's defaults: pcm16 at 24 kHz, detected language, server VAD 500 ms", () => {
    const settings = new RealtimeSessionSettings('sess_1', 'ga', 'gpt-4o-transcribe');
    expect(settings.view).toEqual({
      id: 'sess_1',
      dialect: 'ga',
      format: 'pcm16',
      model: 'gpt-4o-transcribe',
      language: null,
      prompt: '',
      turnDetection: {
        type: 'server_vad',
        threshold: 0.5,
        prefixPaddingMs: 300,
        silenceDurationMs: 500,
      },
    });
    expect(settings.format).toEqual({ encoding: 'linear16', sampleRate: 24000 });
    expect(silenceSecondsOf(settings.view.turnDetection)).toBe(0.5);
  });

  it('answers in the dialect of the update and reports what the session must change', () => {
    const settings = new RealtimeSessionSettings('sess_1', 'ga');
    const changes = settings.apply(
      update({
        model: 'whisper-1',
        language: 'de',
        prompt: 'names',
        turnDetection: { silenceDurationMs: 800 },
      }),
      false,
    );
    expect(changes).toEqual({ source: 'de', silenceSeconds: 0.8 });
    expect(settings.view).toMatchObject({
      dialect: 'beta',
      model: 'whisper-1',
      language: 'de',
      prompt: 'names',
      turnDetection: { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 800 },
    });
  });

  it('turn_detection null: manual commits, silence never ends a turn', () => {
    const settings = new RealtimeSessionSettings('sess_1', 'beta');
    expect(settings.apply(update({ turnDetection: null }), false)).toEqual({
      silenceSeconds: MANUAL_TURN_SILENCE_SECONDS,
    });
    expect(settings.manualTurns).toBe(true);
    expect(settings.apply(update({ turnDetection: null }), true)).toEqual({});
  });

  it('a transcription object without a language means "detect" again', () => {
    const settings = new RealtimeSessionSettings('sess_1', 'beta');
    settings.apply(update({ language: 'fr' }), false);
    expect(settings.apply(update({ model: 'm' }), false)).toEqual({ source: 'auto' });
    expect(settings.view.language).toBeNull();
  });

  it('refuses a bad language and a format change after audio, and changes nothing then', () => {
    const settings = new RealtimeSessionSettings('sess_1', 'beta');
    // The language is checked where the event is read (realtime-client-events.ts).
    const badLanguage = {
      type: 'transcription_session.update',
      event_id: 'e1',
      session: { input_audio_transcription: { language: 'english' } },
    };
    expect(() => parseRealtimeClientEvent(JSON.stringify(badLanguage))).toThrow(RealtimeEventError);
    const mulaw = update({ format: { encoding: 'mulaw', sampleRate: 8000 } });
    expect(() => settings.apply(mulaw, true)).toThrow(/cannot change/);
    expect(settings.view.format).toBe('pcm16');
    settings.apply(mulaw, false);
    expect(settings.view.format).toBe('g711_ulaw');
    expect(settings.format).toEqual({ encoding: 'mulaw', sampleRate: 8000 });
  });

  it('semantic_vad: asks for semantic turns with its eagerness, and back to a silence for server_vad', () => {
    const settings = new RealtimeSessionSettings('sess_1', 'ga');
    const semantic = settings.apply(
      { dialect: 'ga', turnDetection: { type: 'semantic_vad', eagerness: 'high' } },
      false,
    );
    expect(semantic).toEqual({ semantic: { eagerness: 'high' } });
    expect(settings.view.turnDetection).toEqual({ type: 'semantic_vad', eagerness: 'high' });
    expect(
      settings.apply({ dialect: 'ga', turnDetection: { type: 'semantic_vad' } }, false),
    ).toEqual({ semantic: { eagerness: 'auto' } });
    expect(settings.apply({ dialect: 'ga', turnDetection: { type: 'server_vad' } }, false)).toEqual(
      { silenceSeconds: 0.5 },
    );
  });
});
