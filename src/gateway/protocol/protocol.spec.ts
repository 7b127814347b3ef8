import { parseClientMessage } from './client-messages';
import { ProtocolError } from '../../contracts/protocol-error';
import {
  applyConfig,
  type ConfigInput,
  configFromQuery,
  defaultSessionConfig,
} from './session-config';
import { parseResume } from '../session-core/resume-request';

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
    for (const rate of [7999, 48001, 'fast', 16000.5, 8001, 44101, '96000']) {
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

describe('config edges', () => {
  const base = defaultSessionConfig(16000);
  const fields = (input: Record<string, unknown>): ConfigInput => input;

  it('reports the field the client wrote first when several are wrong', () => {
    expect(error(() => applyConfig(base, fields({ colour: 'blue', sample_rate: 1 }))).code).toBe(
      'invalid_config',
    );
    expect(error(() => applyConfig(base, fields({ sample_rate: 1, colour: 'blue' }))).code).toBe(
      'unsupported_sample_rate',
    );
  });

  it('keeps the messages clients read: the value as sent and what is allowed', () => {
    expect(error(() => applyConfig(base, { sample_rate: 'abc' })).message).toBe(
      'sample_rate "abc" is not supported: use one of 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000',
    );
    expect(error(() => applyConfig(base, { encoding: 'mp3' })).message).toBe(
      'encoding "mp3" is not supported: use pcm_s16le or pcm_f32le',
    );
    expect(error(() => applyConfig(base, fields({ colour: 'blue' }))).message).toBe(
      'unknown config field "colour"; known: source, targets, sample_rate, encoding, ' +
        'interim_results, interim_translations, realtime_finals, task, turn_detection',
    );
    expect(error(() => applyConfig(base, { targets: ['en', 'e1'] })).message).toBe(
      'targets must be a language code like "en"',
    );
  });

  it('refuses a __proto__ key in a config frame like any unknown field', () => {
    const message = parseClientMessage('{"type":"config","__proto__":{"source":"de"}}');
    expect(message.type === 'config' && error(() => applyConfig(base, message.config)).code).toBe(
      'invalid_config',
    );
  });

  it('names a missing type as undefined', () => {
    expect(error(() => parseClientMessage('{}')).message).toBe(
      'unknown message type undefined; expected one of config, finalize, keepalive, refresh, close',
    );
  });
});

describe('resume parameters', () => {
  it('reads the query string and config frame forms', () => {
    expect(parseResume('t', '7', null)).toEqual({ token: 't', lastSeq: 7, lastId: undefined });
    expect(parseResume('t', 7, '12-0')).toEqual({ token: 't', lastSeq: 7, lastId: '12-0' });
    expect(parseResume(undefined, undefined, undefined)).toEqual({
      token: undefined,
      lastSeq: undefined,
      lastId: undefined,
    });
  });

  it('refuses bad values with invalid_resume and the given close code', () => {
    for (const [token, lastSeq, lastId, message] of [
      ['', null, null, /resume token/],
      ['t', '-1', null, /last_seq/],
      ['t', '', null, /last_seq/],
      ['t', null, '12', /last_id/],
    ] as const) {
      const e = error(() => parseResume(token, lastSeq, lastId));
      expect(e.code).toBe('invalid_resume');
      expect(e.message).toMatch(message);
      expect(e.closeCode).toBe(4000);
    }
  });

  // The hand-written parser read last_seq with Number(): true was 1, " " was 0, [] was 0.
  it('takes last_seq only as a number or the text of one (a safe integer)', () => {
    for (const lastSeq of [true, ' ', [], 2 ** 53]) {
      expect(error(() => parseResume('t', lastSeq, null)).message).toBe(
        'last_seq must be an integer >= 0',
      );
    }
  });
});
