import { readFileSync } from 'node:fs';
import { fixture } from '../../../test/helpers/fixtures';
import { BadAudioError, pcm16ToFloat32 } from './pcm';
import { analyseSpeech } from './speech-presence';

function wavSamples(path: string): Float32Array {
  const wav = readFileSync(path);
  const data = wav.indexOf('data');
  return pcm16ToFloat32(wav.subarray(data + 8));
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

describe('pcm16ToFloat32', () => {
  it.each([
    [null, /missing or expired/],
    [Buffer.alloc(0), /empty/],
    [Buffer.alloc(3), /3 bytes: PCM16 needs an even count/],
    [Buffer.alloc(16000 * 2 * 61), /longer than 60 s/],
  ])('rejects %#', (input, message) => {
    expect(() => pcm16ToFloat32(input)).toThrow(BadAudioError);
    expect(() => pcm16ToFloat32(input)).toThrow(message);
  });

  it('decodes little-endian samples to [-1, 1]', () => {
    const pcm = Buffer.alloc(6);
    pcm.writeInt16LE(-32768, 0);
    pcm.writeInt16LE(16384, 2);
    pcm.writeInt16LE(0, 4);
    expect(Array.from(pcm16ToFloat32(pcm))).toEqual([-1, 0.5, 0]);
  });
});

describe('analyseSpeech (VAD_FILTER)', () => {
  it('finds speech in real speech', () => {
    const result = analyseSpeech(wavSamples(fixture('jfk.wav')));
    expect(result.hasSpeech).toBe(true);
    expect(result.voicedMs).toBeGreaterThan(2000);
  });

  it.each([
    ['digital silence', () => 0],
    ['quiet hiss', (r: () => number) => (r() - 0.5) * 0.001],
    ['loud white noise', (r: () => number) => (r() - 0.5) * 0.8],
  ])('finds no speech in %s', (_name, sample) => {
    const random = seeded(42);
    const samples = Float32Array.from({ length: 16000 * 3 }, () => sample(random));
    expect(analyseSpeech(samples).hasSpeech).toBe(false);
  });
});
