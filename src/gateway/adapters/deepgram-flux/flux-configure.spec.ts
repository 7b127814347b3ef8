import { applyFluxConfigure } from './flux-configure';
import { type FluxOptions, FluxOptionsError } from './flux-options';

const en: FluxOptions = {
  model: 'flux-general-en',
  encoding: 'linear16',
  sampleRate: 16000,
  eotThreshold: 0.7,
  eagerEotThreshold: undefined,
  eotTimeoutMs: 5000,
  keyterms: ['old'],
  languageHints: [],
};
const multi: FluxOptions = { ...en, model: 'flux-general-multi', languageHints: ['en'] };

describe('applyFluxConfigure', () => {
  it('changes only the thresholds sent', () => {
    expect(
      applyFluxConfigure(en, { type: 'Configure', thresholds: { eagerEotThreshold: 0.4 } }),
    ).toEqual({ ...en, eagerEotThreshold: 0.4 });
    expect(applyFluxConfigure(en, { type: 'Configure', thresholds: {} })).toEqual(en);
  });

  it('replaces keyterms and, on flux-general-multi, language hints', () => {
    expect(
      applyFluxConfigure(multi, {
        type: 'Configure',
        thresholds: { eotThreshold: 0.9 },
        keyterms: ['new'],
        languageHints: ['ES', 'es-MX', 'de'],
      }),
    ).toEqual({ ...multi, eotThreshold: 0.9, keyterms: ['new'], languageHints: ['es', 'de'] });
  });

  it('refuses language hints on flux-general-en, bad hints and too many keyterms', () => {
    expect(() =>
      applyFluxConfigure(en, { type: 'Configure', thresholds: {}, languageHints: ['es'] }),
    ).toThrow(
      new FluxOptionsError(
        'Configure.language_hints is only valid with model=flux-general-multi, not flux-general-en',
      ),
    );
    expect(() =>
      applyFluxConfigure(multi, { type: 'Configure', thresholds: {}, languageHints: [''] }),
    ).toThrow(/must not be empty/);
    expect(() =>
      applyFluxConfigure(en, {
        type: 'Configure',
        thresholds: {},
        keyterms: Array.from({ length: 101 }, (_, i) => `t${i}`),
      }),
    ).toThrow(/at most 100 keyterms/);
  });

  it('does not change the options it was given', () => {
    applyFluxConfigure(multi, {
      type: 'Configure',
      thresholds: { eotThreshold: 0.9 },
      keyterms: [],
    });
    expect(multi.eotThreshold).toBe(0.7);
    expect(multi.keyterms).toEqual(['old']);
  });
});
