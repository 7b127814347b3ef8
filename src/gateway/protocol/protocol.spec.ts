import { parseClientMessage } from './client-messages';
import { ProtocolError } from './protocol-error';
import { applyConfig, configFromQuery, defaultSessionConfig } from './session-config';

function error(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('client messages', () => {
  it('parses control frames and both config shapes', () => {
    expect(parseClientMessage('{"type":"finalize"}')).toEqual({ type: 'finalize' });
    expect(parseClientMessage('{"type":"config","targets":["es"]}')).toEqual({
      type: 'config',
      config: { targets: ['es'] },
    });
    expect(parseClientMessage('{"type":"config","config":{"source":"de"}}')).toEqual({
      type: 'config',
      config: { source: 'de' },
    });
  });

  it('answers invalid JSON and unknown types with errors that keep the connection', () => {
    for (const [text, code] of [
      ['{nope', 'invalid_json'],
      ['[1,2]', 'invalid_json'],
      ['"text"', 'invalid_json'],
      ['{"type":"dance"}', 'unknown_type'],
      ['{}', 'unknown_type'],
    ]) {
      const e = error(() => parseClientMessage(text));
      expect(e.code).toBe(code);
      expect(e.closeCode).toBeUndefined();
    }
  });
});

describe('session config', () => {
  const base = defaultSessionConfig(16000);

  it('reads the query string: languages, rate, encoding, flags', () => {
    const params = new URLSearchParams(
      'source=EN&targets=es,de&sample_rate=48000&encoding=pcm_f32le&interim_results=false&resume=x',
    );
    expect(applyConfig(base, configFromQuery(params))).toEqual({
      ...base,
      source: 'en',
      targets: ['es', 'de'],
      sample_rate: 48000,
      encoding: 'pcm_f32le',
      interim_results: false,
    });
    expect(applyConfig(base, configFromQuery(new URLSearchParams('language=fr'))).source).toBe(
      'fr',
    );
  });

  it('closes with 4001 for an unsupported rate and 4002 for an unsupported encoding', () => {
    for (const rate of [7999, 48001, 'fast', 16000.5]) {
      expect(error(() => applyConfig(base, { sample_rate: rate })).closeCode).toBe(4001);
    }
    expect(error(() => applyConfig(base, { encoding: 'mp3' })).closeCode).toBe(4002);
  });

  it('rejects bad values and unknown fields without closing, leaving the config as it was', () => {
    for (const input of [
      { source: 'english' },
      { targets: 'e1' },
      { targets: 5 },
      { interim_results: 'maybe' },
      { task: 'sing' },
      { colour: 'blue' },
    ]) {
      const e = error(() => applyConfig(base, input));
      expect(e.code).toBe('invalid_config');
      expect(e.closeCode).toBeUndefined();
    }
    expect(base.targets).toEqual([]);
  });
});
