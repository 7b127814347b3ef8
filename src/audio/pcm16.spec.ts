import { floatToPcm16, pcm16LeBytesToFloat, pcm16ToFloat, toInt16 } from './pcm16';

describe('PCM16', () => {
  it('converts and clips', () => {
    expect(Array.from(floatToPcm16(Float32Array.from([0, 1, -1, 2, -2, 0.5])))).toEqual([
      0, 32767, -32768, 32767, -32768, 16384,
    ]);
    expect(pcm16ToFloat(Int16Array.from([-32768, 16384]))[1]).toBeCloseTo(0.5);
  });

  it('scales both signs by 32768 on the server side, clipping the result', () => {
    expect(Array.from(toInt16(Float32Array.from([0.5, -0.25, 2, -2, 1])))).toEqual([
      16384, -8192, 32767, -32768, 32767,
    ]);
    const pcm = Int16Array.from([-32768, -1, 0, 1, 32767]);
    expect(Array.from(toInt16(pcm16ToFloat(pcm)))).toEqual(Array.from(pcm));
  });

  it('reads little-endian bytes at any offset', () => {
    const bytes = Uint8Array.from([0xff, 0x00, 0x80, 0x00, 0x40, 0x00, 0x00]);
    expect(Array.from(pcm16LeBytesToFloat(bytes.subarray(1)))).toEqual([-1, 0.5, 0]);
  });
});
