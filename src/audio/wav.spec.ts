import { readFileSync } from 'node:fs';
import { fixture } from '../../test/helpers/fixtures';
import { decodeWav, encodeWav, WavFormatError } from './wav';

describe('WAV', () => {
  it('round-trips 16-bit mono', () => {
    const pcm = Int16Array.from([0, 1000, -1000, 32767, -32768]);
    const decoded = decodeWav(encodeWav(pcm, 22050));
    expect(decoded.sampleRate).toBe(22050);
    expect(decoded.channels).toBe(1);
    expect(Array.from(decoded.samples).map((s) => Math.round(s * 0x8000))).toEqual([
      0, 1000, -1000, 32767, -32768,
    ]);
  });

  it('mixes stereo float to mono', () => {
    const data = Buffer.alloc(16);
    data.writeFloatLE(0.5, 0);
    data.writeFloatLE(-0.5, 4);
    data.writeFloatLE(1, 8);
    data.writeFloatLE(0, 12);
    const fmt = Buffer.alloc(16);
    fmt.writeUInt16LE(3, 0);
    fmt.writeUInt16LE(2, 2);
    fmt.writeUInt32LE(48000, 4);
    fmt.writeUInt32LE(48000 * 8, 8);
    fmt.writeUInt16LE(8, 12);
    fmt.writeUInt16LE(32, 14);
    const file = Buffer.concat([
      Buffer.from('RIFF'),
      Buffer.from([0, 0, 0, 0]),
      Buffer.from('WAVE'),
      Buffer.from('fmt '),
      Buffer.from([16, 0, 0, 0]),
      fmt,
      Buffer.from('LIST'),
      Buffer.from([3, 0, 0, 0, 1, 2, 3, 0]),
      Buffer.from('data'),
      Buffer.from([16, 0, 0, 0]),
      data,
    ]);
    const decoded = decodeWav(file);
    expect(decoded).toMatchObject({ sampleRate: 48000, channels: 2 });
    expect(Array.from(decoded.samples)).toEqual([0, 0.5]);
  });

  it('reads the real speech fixture', () => {
    const decoded = decodeWav(readFileSync(fixture('jfk.wav')));
    expect(decoded.sampleRate).toBe(16000);
    expect(decoded.samples.length / 16000).toBeCloseTo(11, 0);
  });

  it('rejects what it cannot read with a clear error', () => {
    expect(() => decodeWav(Buffer.from('hello world!'))).toThrow(WavFormatError);
    expect(() => decodeWav(Buffer.from('hello world!'))).toThrow('not a WAV file');
  });
});
