import { defaultSessionConfig } from '../gateway/protocol/session-config';
import type { InterimFrame } from '../contracts/stream-frames';
import type { SpeakerCaption } from './speaker-caption';
import { type RoomSpeakerDeps, RoomSpeakerLink } from './room-speaker';
import type { RoomMeta } from './room-store.service';

const room: RoomMeta = {
  id: 'r1',
  code: 'ABCD',
  secret: 's',
  keyId: null,
  hasPasscode: false,
  ended: false,
  interims: true,
  createdAt: 0,
};

/** A speaker already in room r1, whose listeners want `active`; captions as published. */
async function speakerIn(active: string[]) {
  const published: SpeakerCaption[] = [];
  const deps = {
    store: {
      speakerOf: () => Promise.resolve({ roomId: 'r1', label: 'Ana' }),
      get: () => Promise.resolve(room),
      addSpeaker: () => Promise.resolve(),
      languages: () => Promise.resolve({ active, listeners: {} }),
    },
    publisher: {
      register: () => undefined,
      unregister: () => undefined,
      publish: (_sessionId: string, caption: SpeakerCaption) => published.push(caption),
    },
    baseUrl: 'https://host',
    qr: () => Promise.resolve('<svg/>'),
    servedPairs: () =>
      Promise.resolve(['de', 'en', 'fr'].map((target) => ({ source: 'es', target }))),
    mayCreate: () => Promise.resolve(true),
  } as unknown as RoomSpeakerDeps;
  const link = new RoomSpeakerLink(deps, null);
  await link.attach('s1', new URLSearchParams(), () => undefined);
  return { link, published };
}

const interim: InterimFrame = {
  type: 'realtime',
  utterance_id: 's1:1',
  text: 'hola a todos',
  language: 'es',
  translation: 'hallo zusammen',
};

describe('RoomSpeakerLink.interim', () => {
  it("labels the interim's translation with the session's first effective target", async () => {
    const { link, published } = await speakerIn(['en', 'fr']);
    // The speaker's own target (de) comes first, so the interim translation is German.
    const config = { ...defaultSessionConfig(16000), source: 'es', targets: ['de'] };
    link.interim(interim, config);
    expect(published).toEqual([{ kind: 'interim', frame: interim, translationLanguage: 'de' }]);
    // Without targets of its own, the first listener language is the first target.
    link.interim(interim, { ...config, targets: [] });
    expect(published[1]).toMatchObject({ translationLanguage: 'en' });
    link.stop();
  });
});
