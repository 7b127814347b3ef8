import { type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { RedisClient } from 'src/common/redis/redis.module';
import { type InterimResult } from 'src/contracts/result-messages';
import { SttEngineDouble, startAppWithSttDouble } from '../helpers/stt-double';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';
import { FakeGatewayProducer, jfkPcm } from './stt-harness';

/**
 * Interims with LocalAgreement-2 in the stt role (engine double, real Redis): what two consecutive
 * interims agree on is committed, and the next interim decodes only the audio after it, with the
 * committed words as its prompt.
 */
describe('interims: LocalAgreement-2 over the uncommitted tail (engine double, real Redis)', () => {
  let config: AppConfig;
  let running: RunningApp;
  let gateway: FakeGatewayProducer;
  const engine = new SttEngineDouble();

  beforeAll(async () => {
    config = await testConfig({ ROLE: 'stt', WORD_TIMESTAMPS: 'false' });
    running = await startAppWithSttDouble(config, engine);
    gateway = await new FakeGatewayProducer(running, config).ready();
  });

  afterAll(async () => {
    await gateway.close();
    await running.close();
    await cleanupPrefix(config.redis.prefix);
  });

  async function interim(revision: number, seconds: number, heard: string): Promise<InterimResult> {
    engine.script = heard;
    const calls = engine.calls.length;
    await gateway.enqueue(
      { sessionId: 'la', index: 1, kind: 'interim', revision },
      jfkPcm(0, seconds),
    );
    const message = await waitFor(
      async () =>
        (await gateway.results('la')).find(
          (m): m is InterimResult => m.type === 'interim' && m.revision === revision,
        ),
      { what: `interim ${revision}` },
    );
    expect(engine.calls).toHaveLength(calls + 1);
    return message;
  }

  it('commits the agreed prefix, decodes only the rest, and carries the committed words as prompt', async () => {
    const first = await interim(1, 2, 'and so my');
    expect(first).toMatchObject({ text: 'and so my', committed: '', tentative: 'and so my' });
    expect(engine.calls[0].pcm.length).toBe(2 * 16000);

    // The double spreads words evenly: over 3 s, "my" (3rd of 4) ends at 2.25 s.
    const second = await interim(2, 3, 'and so my fellow');
    expect(second).toMatchObject({
      text: 'and so my fellow',
      committed: 'and so my',
      tentative: 'fellow',
    });

    const third = await interim(3, 4, 'fellow americans');
    const tail = engine.calls[2];
    expect(tail.pcm.length).toBe(Math.round((4 - 2.25) * 16000));
    expect(tail.initialPrompt).toBe('and so my');
    expect(tail.beamSize).toBe(1);
    expect(third).toMatchObject({
      text: 'and so my fellow americans',
      committed: 'and so my fellow',
      tentative: 'americans',
    });

    // The final decodes the whole utterance as before, and the agreement state is gone after it.
    engine.script = 'and so my fellow americans ask not';
    await gateway.enqueue({ sessionId: 'la', index: 1, kind: 'final', revision: 4 }, jfkPcm(0, 5));
    await waitFor(async () => (await gateway.results('la')).some((m) => m.type === 'final'), {
      what: 'final',
    });
    expect(engine.calls[3].pcm.length).toBe(5 * 16000);
    const client = running.app.get(RedisClient);
    expect(await client.redis.exists(client.keys.utteranceAgreement('la:1'))).toBe(0);
  });
});
