import { type ListenerSink, RoomFanout } from './room-fanout';
import { type RoomEntry, type RoomInterim } from './room-frames';

function sink(id: string, language: string): ListenerSink & { got: string[]; ended: boolean } {
  const s = {
    id,
    language,
    got: [] as string[],
    ended: false,
    send: (frame: string) => s.got.push(frame),
    end: () => (s.ended = true),
  };
  return s;
}

const final = (id: string, seq: number): RoomEntry => ({
  id,
  seq,
  frame: {
    type: 'final',
    speaker: 'A',
    utterance_id: `s:${seq}`,
    text: `t${seq}`,
    language: 'en',
    start: 0,
    end: 1,
  },
});
const translation = (id: string, seq: number, language: string): RoomEntry => ({
  id,
  seq,
  frame: {
    type: 'translation',
    speaker: 'A',
    utterance_id: `s:${seq}`,
    language,
    source: 'en',
    text: `${language}${seq}`,
  },
});

const interim: RoomInterim = {
  type: 'realtime',
  speaker: 'A',
  utterance_id: 'u',
  text: 'hel',
  language: 'en',
  translations: { es: 'hol' },
};

const types = (s: { got: string[] }) =>
  s.got.map((f) => {
    const o = JSON.parse(f) as { type: string; seq?: number; language?: string };
    return `${o.type}:${o.seq ?? ''}:${o.language ?? ''}`;
  });

describe('RoomFanout', () => {
  it('sends finals to everyone and translations to their language only', () => {
    const fanout = new RoomFanout({ interims: true });
    const en = sink('1', 'original');
    const es = sink('2', 'es');
    for (const s of [en, es]) {
      fanout.add(s, '0');
      fanout.replay(s.id, []);
    }
    fanout.dispatch([final('1-0', 1), translation('1-1', 1, 'es'), translation('1-2', 1, 'ca')]);
    expect(types(en)).toEqual(['final:1:en']);
    expect(types(es)).toEqual(['final:1:en', 'translation:1:es']);
    expect(JSON.parse(es.got[0])).toMatchObject({ id: '1-0', seq: 1 });
  });

  it('hands over from replay to live without losing or repeating an entry', () => {
    const fanout = new RoomFanout({ interims: true });
    const s = sink('1', 'original');
    fanout.add(s, '1-0');
    // Read live while the replay was being read: overlaps the replay.
    fanout.dispatch([final('3-0', 3), final('4-0', 4)]);
    expect(s.got).toHaveLength(0);
    fanout.replay('1', [final('2-0', 2), final('3-0', 3)]);
    expect(types(s)).toEqual(['final:2:en', 'final:3:en', 'final:4:en']);
    fanout.dispatch([final('4-0', 4), final('5-0', 5)]);
    expect(types(s)).toEqual(['final:2:en', 'final:3:en', 'final:4:en', 'final:5:en']);
  });

  it('ends every listener on the ended entry', () => {
    const fanout = new RoomFanout({ interims: true });
    const s = sink('1', 'es');
    fanout.add(s, '0');
    fanout.replay('1', []);
    fanout.dispatch([
      { id: '9-0', seq: 0, frame: { type: 'ended', reason: 'room_ended', message: 'bye' } },
    ]);
    expect(s.ended).toBe(true);
    expect(JSON.parse(s.got[0])).toMatchObject({ type: 'ended', reason: 'room_ended' });
    expect(fanout.size).toBe(0);
  });

  it('serializes an interim once per language and adds the translation where there is one', () => {
    const fanout = new RoomFanout({ interims: true });
    const en = sink('1', 'original');
    const es = sink('2', 'es');
    const de = sink('3', 'de');
    for (const s of [en, es, de]) {
      fanout.add(s, '0');
      fanout.replay(s.id, []);
    }
    fanout.dispatch([{ frame: interim }]);
    expect(JSON.parse(en.got[0])).toEqual({
      type: 'realtime',
      speaker: 'A',
      utterance_id: 'u',
      text: 'hel',
      language: 'en',
    });
    expect(JSON.parse(es.got[0])).toMatchObject({ text: 'hel', translation: 'hol' });
    expect(JSON.parse(de.got[0])).not.toHaveProperty('translation');
  });

  it('sends interims to live listeners only, and none in a room without interims', () => {
    const fanout = new RoomFanout({ interims: true });
    const replaying = sink('1', 'original');
    fanout.add(replaying, '0');
    fanout.dispatch([final('1-0', 1), { frame: interim }]);
    fanout.replay('1', []);
    expect(types(replaying)).toEqual(['final:1:en']);

    const quiet = new RoomFanout({ interims: false });
    const es = sink('2', 'es');
    quiet.add(es, '0');
    quiet.replay('2', []);
    quiet.dispatch([{ frame: interim }, final('1-0', 1)]);
    expect(types(es)).toEqual(['final:1:en']);
  });
});
