import { type FinalResult, type TranslationResult } from '../../contracts/result-messages';
import { type DeliveryAction, DeliverySequencer } from './delivery-sequencer';

const final = (index: number, text = `text ${index}`): FinalResult => ({
  type: 'final',
  utteranceId: `s:${index}`,
  index,
  text,
  language: 'en',
  start: index,
  end: index + 1,
  words: [],
  latency: { queueMs: 1, sttMs: 2 },
  worker: 'w',
});

const translation = (index: number, language = 'es'): TranslationResult => ({
  type: 'translation',
  utteranceId: `s:${index}`,
  index,
  kind: 'final',
  language,
  source: 'en',
  text: `${language} ${index}`,
  passthrough: false,
  engine: 'e',
  latencyMs: 1,
});

/** Runs actions the way the runner does: finals take the next seq. */
function deliver(seq: DeliverySequencer, actions: DeliveryAction[], log: string[]): void {
  for (const action of actions) {
    if (action.kind === 'final') {
      const next = log.filter((l) => l.startsWith('final') || l.startsWith('error')).length + 1;
      seq.delivered(action.index, next);
      log.push(`${action.frame.type} ${action.index}`);
    } else if (action.kind === 'translation') {
      log.push(`translation ${action.index} ${action.frame.language}`);
    } else if (action.kind === 'settle') {
      log.push(`settle ${action.index}`);
    } else {
      log.push(`send ${action.frame.type}`);
    }
  }
}

describe('DeliverySequencer', () => {
  it('delivers finals in utterance order when workers finish out of order', () => {
    const seq = new DeliverySequencer('s');
    const log: string[] = [];
    [1, 2, 3].forEach((i) => seq.expect(i));
    deliver(seq, seq.accept(final(3)), log);
    deliver(seq, seq.accept(final(2)), log);
    expect(log).toEqual([]);
    deliver(seq, seq.accept(final(1)), log);
    expect(log).toEqual(['final 1', 'final 2', 'final 3']);
    expect(seq.settledIndex).toBe(3);
  });

  it('holds translations until their final and drops duplicates of a final', () => {
    const seq = new DeliverySequencer('s');
    const log: string[] = [];
    seq.expect(1);
    deliver(seq, seq.accept(translation(1)), log);
    expect(log).toEqual([]);
    deliver(seq, seq.accept(final(1)), log);
    deliver(seq, seq.accept(final(1)), log);
    deliver(seq, seq.accept(translation(1, 'de')), log);
    expect(log).toEqual(['final 1', 'translation 1 es', 'translation 1 de']);
  });

  it('keeps a translation read in the same batch as its final (before the final ran)', () => {
    const seq = new DeliverySequencer('s');
    seq.expect(1);
    const actions = [...seq.accept(final(1)), ...seq.accept(translation(1))];
    expect(actions.map((a) => a.kind)).toEqual(['final', 'translation']);
  });

  it('settles a final without speech silently and drops its translations', () => {
    const seq = new DeliverySequencer('s');
    const log: string[] = [];
    seq.expect(1);
    seq.expect(2);
    deliver(seq, seq.accept(final(2)), log);
    deliver(seq, seq.accept(final(1, '  ')), log);
    deliver(seq, seq.accept(translation(1)), log);
    expect(log).toEqual(['settle 1', 'final 2']);
  });

  it('lets an error with an utterance take that final place in order', () => {
    const seq = new DeliverySequencer('s');
    const log: string[] = [];
    seq.expect(1);
    seq.expect(2);
    deliver(seq, seq.accept(final(2)), log);
    deliver(
      seq,
      seq.accept({ type: 'error', code: 'x', message: 'm', utteranceId: 's:1', index: 1 }),
      log,
    );
    deliver(seq, seq.accept(final(1)), log);
    expect(log).toEqual(['error 1', 'final 2']);
  });

  it('sends interims only for the newest utterance not yet final, newest revision only', () => {
    const seq = new DeliverySequencer('s');
    const interim = (index: number, revision: number) =>
      seq.accept({
        type: 'interim',
        utteranceId: `s:${index}`,
        index,
        revision,
        text: `i${index}.${revision}`,
        language: 'en',
        worker: 'w',
      });
    expect(interim(1, 2)).toHaveLength(1);
    expect(interim(1, 1)).toHaveLength(0);
    expect(interim(2, 1)).toHaveLength(1);
    expect(interim(1, 3)).toHaveLength(0);
    seq.expect(2);
    seq.accept(final(2));
    expect(interim(2, 5)).toHaveLength(0);
    // Replayed history (not ephemeral) never produces interims.
    expect(seq.accept({ ...final(3), type: 'final' }, false)).toHaveLength(1);
  });

  it('passes the committed and tentative parts of an interim on, and only when the worker sent them', () => {
    const seq = new DeliverySequencer('s');
    const [withParts] = seq.accept({
      type: 'interim',
      utteranceId: 's:1',
      index: 1,
      revision: 1,
      text: 'and so my fellow',
      committed: 'and so',
      tentative: 'my fellow',
      language: 'en',
      worker: 'w',
    });
    expect(withParts).toMatchObject({
      kind: 'send',
      frame: { text: 'and so my fellow', committed: 'and so', tentative: 'my fellow' },
    });
    const [plain] = seq.accept({
      type: 'interim',
      utteranceId: 's:1',
      index: 1,
      revision: 2,
      text: 'and so my fellow americans',
      language: 'en',
      worker: 'w',
    });
    expect(plain.kind === 'send' && 'committed' in plain.frame).toBe(false);
  });

  it('gives up on a missing final after the limit when later ones are waiting', () => {
    let now = 0;
    const seq = new DeliverySequencer('s', 0, () => now);
    const log: string[] = [];
    seq.expect(1);
    seq.expect(2);
    deliver(seq, seq.accept(final(2)), log);
    now = 59_000;
    deliver(seq, seq.expire(60_000), log);
    expect(log).toEqual([]);
    now = 61_000;
    deliver(seq, seq.expire(60_000), log);
    expect(log).toEqual(['error 1', 'final 2']);
    // The late final is ignored: its place was taken.
    deliver(seq, seq.accept(final(1)), log);
    expect(log).toHaveLength(2);
  });

  it('reports utterances it knows nothing about before a final, so the runner can reload', () => {
    const seq = new DeliverySequencer('s', 2);
    seq.expect(4);
    expect(seq.hasGapBefore(3)).toBe(false);
    expect(seq.hasGapBefore(5)).toBe(true);
    seq.expect(3);
    expect(seq.hasGapBefore(5)).toBe(false);
  });

  it('treats a final it was not told about as expected (enqueued by another gateway)', () => {
    const seq = new DeliverySequencer('s', 4);
    const log: string[] = [];
    deliver(seq, seq.accept(final(5)), log);
    deliver(seq, seq.accept(final(3)), log);
    expect(log).toEqual(['final 5']);
  });
});
