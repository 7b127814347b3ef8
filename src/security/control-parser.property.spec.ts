import fc from 'fast-check';
import { parseClientMessage } from '../gateway/protocol/client-messages';
import { ProtocolError } from '../contracts/protocol-error';
import { applyConfig, defaultSessionConfig } from '../gateway/protocol/session-config';
import { ConnectionPolicy, isRefreshRequest } from './connection-policy';
import { JwtCodec, TokenError } from './jwt';

const TYPES = ['config', 'finalize', 'keepalive', 'refresh', 'close'];

/** Text a client could send: any string, any JSON, and near-valid messages with random fields. */
const frames = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        type: fc.oneof(
          fc.constantFrom(...TYPES, 'Config', '', 'toString', '__proto__'),
          fc.anything(),
        ),
        sample_rate: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
        encoding: fc.oneof(fc.constantFrom('pcm_s16le', 'pcm_f32le', 'mp3'), fc.anything()),
        source: fc.anything(),
        targets: fc.oneof(fc.array(fc.string(), { maxLength: 5 }), fc.anything()),
        interim: fc.anything(),
        config: fc.anything(),
        resume: fc.anything(),
        last_seq: fc.anything(),
      },
      { requiredKeys: ['type'] },
    )
    .map((value) => JSON.stringify(value)),
);

/** The defined answers: a known message, or a ProtocolError that names a code. */
function answer(text: string): string {
  try {
    const message = parseClientMessage(text);
    if (message.type === 'config') applyConfig(defaultSessionConfig(16000), message.config);
    return `ok:${message.type}`;
  } catch (error) {
    if (error instanceof ProtocolError && typeof error.code === 'string' && error.code) {
      return `error:${error.code}`;
    }
    throw error;
  }
}

describe('control message parsing (property-based)', () => {
  it('gives every text frame a defined answer: a known message type or a ProtocolError', () => {
    fc.assert(
      fc.property(frames, (text) => {
        const result = answer(text);
        const parsedType = result.startsWith('ok:') ? result.slice(3) : undefined;
        if (parsedType !== undefined) expect(TYPES).toContain(parsedType);
        // The same frame always gets the same answer.
        expect(answer(text)).toBe(result);
      }),
      { numRuns: 3000 },
    );
  });

  it('recognises a refresh request exactly when the frame is a JSON object of type refresh', () => {
    fc.assert(
      fc.property(frames, (text) => {
        const expected = (() => {
          try {
            const value = JSON.parse(text) as { type?: unknown } | null;
            return text.length <= 256 && typeof value === 'object' && value?.type === 'refresh';
          } catch {
            return false;
          }
        })();
        expect(isRefreshRequest(text)).toBe(expected && !Array.isArray(JSON.parse(text)));
      }),
      { numRuns: 2000 },
    );
    expect(isRefreshRequest('{"type":"refresh"}')).toBe(true);
  });

  it('rejects every mutated token with a TokenError and nothing else', async () => {
    const codec = new JwtCodec([{ kid: 'k', secret: 's'.repeat(32) }], 'i', 'a');
    const { token } = await codec.issue('key_1', 'stream', 60);
    const original = await codec.verify(token);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: token.length - 1 }),
        fc.string({ minLength: 1, maxLength: 3 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        async (at, insert, garbage) => {
          for (const candidate of [token.slice(0, at) + insert + token.slice(at + 1), garbage]) {
            if (candidate === token) continue;
            let accepted;
            try {
              accepted = await codec.verify(candidate);
            } catch (error) {
              expect(error).toBeInstanceOf(TokenError);
              continue;
            }
            // Accepted: only possible when base64url decoding maps the change to the same bytes.
            expect(accepted).toEqual(original);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps the connection policy total: any frame sequence gives a verdict or nothing, never a throw', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.nat({ max: 5000 }),
            bytes: fc.nat({ max: 1 << 22 }),
            audio: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
          }),
          { maxLength: 200 },
        ),
        (events) => {
          const policy = new ConnectionPolicy(
            {
              messagesPerSecond: 50,
              maxRealtimeFactor: 3,
              audioBurstSeconds: 10,
              maxControlBytes: 16384,
              idleTimeoutMs: 10_000,
              maxSessionMs: 60_000,
              maxBufferedBytes: 1 << 20,
              maxPendingAudioBytes: 1 << 22,
              audioSecondsPerHour: 100,
            },
            0,
          );
          let now = 0;
          for (const event of events) {
            now += event.dt;
            const verdict = policy.onFrame(now, event.bytes, event.audio) ?? policy.check(now, 0);
            if (verdict) {
              expect([1009, 4010, 4011, 4029, 4103]).toContain(verdict.code);
              expect(verdict.message.length).toBeLessThanOrEqual(120);
              return;
            }
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
