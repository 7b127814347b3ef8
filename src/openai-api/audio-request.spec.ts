import { parseAudioRequest } from './audio-request';
import { sniffFormat } from './audio-decoder';
import { OpenAiError } from './openai-error';

const form = (entries: Record<string, string | string[]>) =>
  new Map(Object.entries(entries).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));

describe('parseAudioRequest', () => {
  it("applies OpenAI's defaults", () => {
    expect(parseAudioRequest(form({ model: 'whisper-1' }), 'transcribe')).toEqual({
      task: 'transcribe',
      model: 'whisper-1',
      language: 'auto',
      responseFormat: 'json',
      temperature: 0,
      granularities: ['segment'],
      stream: false,
    });
  });

  it('reads every field, repeated granularities included', () => {
    const request = parseAudioRequest(
      form({
        model: 'x',
        language: 'DE',
        prompt: 'Names: Ada',
        response_format: 'verbose_json',
        temperature: '0.2',
        'timestamp_granularities[]': ['word', 'segment'],
        stream: 'true',
      }),
      'transcribe',
    );
    expect(request).toMatchObject({
      language: 'de',
      prompt: 'Names: Ada',
      temperature: 0.2,
      granularities: ['word', 'segment'],
      stream: true,
    });
  });

  it('detects the language of translations whatever the form says', () => {
    expect(parseAudioRequest(form({ model: 'x', language: 'fr' }), 'translate').language).toBe(
      'auto',
    );
  });

  it.each([
    [{}, 'model'],
    [{ model: 'x', response_format: 'xml' }, 'response_format'],
    [{ model: 'x', language: 'english' }, 'language'],
    [{ model: 'x', temperature: '2' }, 'temperature'],
    [{ model: 'x', 'timestamp_granularities[]': 'word' }, 'timestamp_granularities[]'],
    [
      { model: 'x', response_format: 'verbose_json', 'timestamp_granularities[]': 'char' },
      'timestamp_granularities[]',
    ],
    [{ model: 'x', stream: 'yes' }, 'stream'],
    [{ model: ['x', 'y'] }, 'model'],
  ])('refuses %j with a 400 naming %s', (fields, param) => {
    let caught: unknown;
    try {
      parseAudioRequest(form(fields), 'transcribe');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OpenAiError);
    expect(caught).toMatchObject({ status: 400, param });
  });
});

describe('sniffFormat', () => {
  const head = (text: string, at = 0) => {
    const buffer = Buffer.alloc(16);
    buffer.write(text, at, 'latin1');
    return buffer;
  };
  it('names containers by their magic bytes', () => {
    const wav = head('RIFF');
    wav.write('WAVE', 8, 'latin1');
    expect(sniffFormat(wav)).toBe('wav');
    expect(sniffFormat(head('fLaC'))).toBe('flac');
    expect(sniffFormat(head('OggS'))).toBe('ogg');
    expect(sniffFormat(head('ID3'))).toBe('mp3');
    expect(sniffFormat(Buffer.from([0xff, 0xfb, 0x90, 0x64, ...new Array(12).fill(0)]))).toBe(
      'mp3',
    );
    expect(sniffFormat(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, ...new Array(12).fill(0)]))).toBe(
      'webm',
    );
    expect(sniffFormat(head('ftyp', 4))).toBe('m4a');
    expect(sniffFormat(head('%PDF-1.7'))).toBeUndefined();
    expect(sniffFormat(Buffer.from('hi'))).toBeUndefined();
  });
});
