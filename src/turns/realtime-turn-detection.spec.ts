import type { RealtimeAudioInputTurnDetection } from 'openai/resources/realtime/realtime';
import { EAGERNESS_FACTORS, realtimeTurnTiming } from './realtime-turn-detection';
import { type TurnTiming } from './turn-timing';

// The server's defaults (SILENCE_THRESHOLD_SECONDS, TURN_MIN/MAX_SILENCE_MS).
const configured: TurnTiming = {
  mode: 'silence',
  silenceMs: 600,
  minSilenceMs: 250,
  maxSilenceMs: 1500,
};

describe('realtimeTurnTiming', () => {
  it('server_vad keeps silence semantics, with its silence_duration_ms', () => {
    expect(
      realtimeTurnTiming({ type: 'server_vad', silence_duration_ms: 500 }, configured),
    ).toEqual({ ...configured, mode: 'silence', silenceMs: 500 });
    expect(realtimeTurnTiming({ type: 'server_vad' }, configured)).toEqual({
      ...configured,
      mode: 'silence',
    });
    expect(realtimeTurnTiming({}, configured).mode).toBe('silence');
  });

  it.each([
    ['low', 500, 3000],
    ['medium', 250, 1500],
    ['high', 125, 750],
    ['auto', 250, 1500],
    [undefined, 250, 1500],
  ] as const)('semantic_vad eagerness %s waits %i / %i ms', (eagerness, min, max) => {
    expect(realtimeTurnTiming({ type: 'semantic_vad', eagerness }, configured)).toEqual({
      ...configured,
      mode: 'semantic',
      minSilenceMs: min,
      maxSilenceMs: max,
    });
  });

  it('low waits longer than medium, medium longer than high, in OpenAI’s 8 : 4 : 2 s ratio', () => {
    expect(EAGERNESS_FACTORS.low / EAGERNESS_FACTORS.medium).toBe(8 / 4);
    expect(EAGERNESS_FACTORS.high / EAGERNESS_FACTORS.medium).toBe(2 / 4);
  });

  it('scales what the operator configured, not fixed figures', () => {
    const custom = { ...configured, minSilenceMs: 300, maxSilenceMs: 1001 };
    expect(realtimeTurnTiming({ type: 'semantic_vad', eagerness: 'high' }, custom)).toMatchObject({
      minSilenceMs: 150,
      maxSilenceMs: 501,
    });
  });

  it("takes the openai SDK's turn_detection objects as they are (tsc checks the types)", () => {
    const semantic: RealtimeAudioInputTurnDetection.SemanticVad = {
      type: 'semantic_vad',
      eagerness: 'low',
      create_response: false,
    };
    const server: RealtimeAudioInputTurnDetection.ServerVad = {
      type: 'server_vad',
      silence_duration_ms: 700,
      threshold: 0.5,
    };
    expect(realtimeTurnTiming(semantic, configured).maxSilenceMs).toBe(3000);
    expect(realtimeTurnTiming(server, configured).silenceMs).toBe(700);
  });
});
