import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { Xvfb } from '../helpers/xvfb';
import { runCli, writeClip } from './cli-helpers';

const PHRASES = ['Good morning and welcome.', 'Every sentence becomes text.'];

/** What a text field shows after these keystrokes: DEL or BS erases one character. */
function applyKeystrokes(raw: string): string {
  const out: string[] = [];
  for (const ch of raw) {
    if (ch === '\x7f' || ch === '\b') out.pop();
    else out.push(ch);
  }
  return out.join('');
}

describe('CLI voice typing into a real X window (Xvfb, xterm, xdotool)', () => {
  let gateway: GatewayApp;
  let stt: SttWorkerDouble;
  let x: Xvfb;
  let terminal: ChildProcess | undefined;
  let clip: string;

  beforeAll(async () => {
    gateway = await startGateway();
    stt = sttDouble(gateway, { finalText: (job) => PHRASES[(job.index - 1) % PHRASES.length] });
    clip = writeClip([
      { language: 'en', text: 'Good morning, and welcome to the demo.' },
      { language: 'en', text: 'Every sentence is turned into text.' },
    ]).path;
    x = new Xvfb();
    await x.start();
  });

  afterAll(async () => {
    terminal?.kill('SIGTERM');
    await x?.stop();
    await stt?.close();
    await gateway?.running.close();
    if (gateway) await cleanupPrefix(gateway.config.redis.prefix);
  });

  /** An xterm whose terminal records every byte it is sent (raw mode, no echo) into a file. */
  async function recordingWindow(title: string): Promise<string> {
    const file = join(mkdtempSync(join(tmpdir(), 'rt-typed-')), 'typed.raw');
    terminal = x.spawn('xterm', [
      '-title',
      title,
      '-e',
      'sh',
      '-c',
      `stty raw -echo; exec cat > '${file}'`,
    ]);
    const id = await waitFor(
      () => {
        try {
          return x.xdotool('search', '--name', title).split('\n')[0] || undefined;
        } catch {
          return undefined;
        }
      },
      { what: 'xterm window', timeoutMs: 10_000 },
    );
    await waitFor(() => existsSync(file), { what: 'recording started' });
    x.xdotool('windowfocus', '--sync', id);
    return file;
  }

  it('types finals, replacing interims in place with backspaces', async () => {
    const file = await recordingWindow('rt-typing-target');
    const run = await runCli(
      [clip, '--url', gateway.url, '--source', 'en', '--type-interims', '--type-delay', '2'],
      x.env,
    );
    expect(run.stderr).not.toContain('failed');
    expect(run.code).toBe(0);
    const expected = `${PHRASES[0]} ${PHRASES[1]}`;
    const raw = await waitFor(
      () => {
        const text = readFileSync(file, 'utf8');
        return applyKeystrokes(text) === expected ? text : undefined;
      },
      { what: 'typed text in the window', timeoutMs: 15_000 },
    );
    // Interims were typed and then erased: the raw keystrokes hold them and the erasures.
    expect(raw).toContain('(interim');
    expect(/[\x7f\b]/.test(raw)).toBe(true);
  });
});
