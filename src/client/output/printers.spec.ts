import { parseServerFrame, type ServerFrame } from '../shared/protocol';
import { HumanPrinter, JsonPrinter } from './printers';
import { renderBar } from './progress-bar';

/** A frame as the client hands it to the printers: parsed from what the gateway wrote. */
function received(wire: object): ServerFrame {
  const parsed = parseServerFrame(JSON.stringify(wire));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.frame;
}

class Sink {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(chunk: string): void {
    this.text += chunk;
  }
}

describe('HumanPrinter', () => {
  it('rewrites one line for interims on a terminal, then prints the final over it', () => {
    const out = new Sink(true);
    const err = new Sink(true);
    const p = new HumanPrinter(out, err);
    p.frame(0, received({ type: 'realtime', text: 'hello' }), {});
    p.frame(0, received({ type: 'realtime', text: 'hello wor' }), {});
    p.frame(
      0,
      received({
        type: 'final',
        utterance_id: 'u',
        seq: 1,
        text: ' Hello world. ',
        language: 'en',
        start: 0,
        end: 1.5,
      }),
      { latencyMs: 212.4 },
    );
    p.frame(
      0,
      received({ type: 'translation', utterance_id: 'u', language: 'es', text: 'Hola mundo.' }),
      {},
    );
    expect(out.text).toBe(
      '\r\x1b[2K\x1b[2mhello\x1b[0m' +
        '\r\x1b[2K\x1b[2mhello wor\x1b[0m' +
        '\r\x1b[2K[1 en 0.00-1.50s 212 ms] Hello world.\n' +
        '  -> es: Hola mundo.\n',
    );
  });

  it('prints no interims when not on a terminal, and errors in words on stderr', () => {
    const out = new Sink(false);
    const err = new Sink(false);
    const p = new HumanPrinter(out, err, true);
    p.frame(1, received({ type: 'realtime', text: 'hello' }), {});
    p.frame(1, { type: 'error', code: 'overloaded', message: '' }, {});
    expect(out.text).toBe('');
    expect(err.text).toBe(
      '#2 error: The server is busy right now. Please try again in a moment.\n',
    );
  });
});

describe('JsonPrinter', () => {
  it('writes one object per line with the client number', () => {
    const out = new Sink(false);
    new JsonPrinter(out).frame(2, { type: 'closed', last_seq: 3 }, {});
    expect(JSON.parse(out.text)).toMatchObject({ client: 2, type: 'closed', lastSeq: 3 });
    expect(out.text.endsWith('\n')).toBe(true);
  });

  it('prints the frame field names in camelCase, nested objects as received', () => {
    const out = new Sink(false);
    new JsonPrinter(out).frame(
      0,
      {
        type: 'session',
        session_id: 's1',
        resume_token: 'r',
        resumed: false,
        last_seq: 0,
        config: {
          source: 'en',
          targets: [],
          sample_rate: 16000,
          encoding: 'pcm_s16le',
          interim_results: true,
          interim_translations: false,
          realtime_finals: true,
          task: 'transcribe',
        },
      },
      {},
    );
    expect(JSON.parse(out.text)).toMatchObject({
      sessionId: 's1',
      resumeToken: 'r',
      lastSeq: 0,
      config: { sample_rate: 16000 },
    });
  });
});

describe('renderBar', () => {
  it('shows progress', () => {
    expect(renderBar(5, 10, 10, '7 finals')).toBe('[#####.....]  50% 5/10 7 finals');
    expect(renderBar(0, 0, 4)).toBe('[####] 100% 0/0');
  });
});
