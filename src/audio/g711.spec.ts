import { decodeG711 } from './g711';

// Reference values from ITU-T G.711's tables (as in every telephony stack).
describe('decodeG711', () => {
  it('expands mu-law: silence, the extremes, and sign symmetry', () => {
    const out = decodeG711('mulaw', Uint8Array.from([0xff, 0x7f, 0x00, 0x80, 0xf0, 0x70]));
    expect(Array.from(out)).toEqual([0, 0, -32124, 32124, 120, -120]);
  });

  it('expands A-law: the smallest steps, the extremes, and sign symmetry', () => {
    const out = decodeG711('alaw', Uint8Array.from([0xd5, 0x55, 0xaa, 0x2a, 0xd4, 0x54]));
    expect(Array.from(out)).toEqual([8, -8, 32256, -32256, 24, -24]);
  });

  it('decodes one sample per byte, every byte value within PCM16', () => {
    for (const law of ['mulaw', 'alaw'] as const) {
      const all = decodeG711(
        law,
        Uint8Array.from({ length: 256 }, (_, i) => i),
      );
      expect(all).toHaveLength(256);
      expect(new Set(all).size).toBeGreaterThan(250);
    }
  });
});
