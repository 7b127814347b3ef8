import { smartTurnInput } from './smart-turn-input';
import { HOP, melFilters, N_FFT, whisperLogMel } from './whisper-log-mel';

/** The same spectrogram by a plain DFT, for comparison. */
function slowLogMel(samples: Float32Array, frames: number): Float64Array {
  const filters = melFilters(80);
  const at = (i: number): number => {
    let j = Math.abs(i);
    if (j >= samples.length) j = 2 * (samples.length - 1) - j;
    return samples[j];
  };
  const out = new Float64Array(80 * frames);
  for (let t = 0; t < frames; t++) {
    const power = new Float64Array(N_FFT / 2 + 1);
    for (let k = 0; k < power.length; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < N_FFT; i++) {
        const x = at(t * HOP - N_FFT / 2 + i) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N_FFT));
        re += x * Math.cos((2 * Math.PI * k * i) / N_FFT);
        im -= x * Math.sin((2 * Math.PI * k * i) / N_FFT);
      }
      power[k] = re * re + im * im;
    }
    for (let m = 0; m < 80; m++) {
      let energy = 0;
      for (let k = 0; k < power.length; k++) energy += filters[m][k] * power[k];
      out[m * frames + t] = Math.log10(Math.max(energy, 1e-10));
    }
  }
  const max = Math.max(...out);
  return out.map((v) => (Math.max(v, max - 8) + 4) / 4);
}

const tone = (hz: number, seconds: number, amplitude = 0.25): Float32Array =>
  Float32Array.from(
    { length: seconds * 16000 },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / 16000),
  );

describe('whisperLogMel', () => {
  it('equals a plain DFT of the same frames (Hann, reflect padding, Slaney mel, log10 clip)', () => {
    let seed = 7;
    const noise = Float32Array.from({ length: 4000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 30 - 1;
    });
    const fast = whisperLogMel(noise, 24);
    const slow = slowLogMel(noise, 24);
    const worst = Math.max(...Array.from(fast, (v, i) => Math.abs(v - slow[i])));
    expect(worst).toBeLessThan(1e-5);
  });

  it('puts a tone in the mel bin of its frequency', () => {
    const peakBin = (hz: number): number => {
      const mel = whisperLogMel(tone(hz, 1), 50);
      let best = 0;
      for (let m = 0; m < 80; m++) if (mel[m * 50 + 25] > mel[best * 50 + 25]) best = m;
      return best;
    };
    // Slaney's scale is linear below 1 kHz: 80 bins up to 8 kHz, 1 kHz near bin 26.
    expect(peakBin(1000)).toBe(26);
    expect(peakBin(480)).toBe(12);
    expect(peakBin(4000)).toBeGreaterThan(60);
  });

  it('computes the frames of a constant lead once, with the same values', () => {
    const audio = new Float32Array(16000);
    audio.fill(0.1, 0, 8000);
    audio.set(tone(700, 0.5), 8000);
    const plain = whisperLogMel(audio, 100);
    const shortcut = whisperLogMel(audio, 100, 80, 8000);
    expect(Array.from(shortcut)).toEqual(Array.from(plain));
  });
});

describe('smartTurnInput', () => {
  const pcm = (seconds: number): Int16Array =>
    Int16Array.from(tone(1000, seconds, 0.5), (v) => Math.round(v * 32767));

  it('is [80 x 800] of the last 8 s, left-padded when the turn is shorter', () => {
    const input = smartTurnInput(pcm(3));
    expect(input).toHaveLength(80 * 800);
    // The tone fills the last 3 s (frames 500-799); the padding before it is flat.
    expect(input[26 * 800 + 700]).toBeGreaterThan(input[26 * 800 + 100]);
    expect(input[26 * 800 + 100]).toBe(input[26 * 800 + 300]);
  });

  it('reads only the last 8 s of a longer turn', () => {
    const long = pcm(10);
    expect(Array.from(smartTurnInput(long))).toEqual(
      Array.from(smartTurnInput(long.subarray(2 * 16000))),
    );
  });
});
