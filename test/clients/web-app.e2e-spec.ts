import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, screenshotDir } from '../helpers/browser';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { writeClip } from './cli-helpers';

const PHRASES = ['Good morning and welcome.', 'Every sentence becomes text.'];
/** The double "hears" a phrase per utterance, in the language the session asked for. */
const heard = (index: number): string => PHRASES[(index - 1) % PHRASES.length];

describe('web app in a real browser (chromium, fake microphone playing speech)', () => {
  let gateway: GatewayApp;
  let stt: SttWorkerDouble;
  let browser: Browser;
  let page: Page;
  let http: string;
  const sockets: string[] = [];

  let screenshots: string;

  beforeAll(async () => {
    screenshots = screenshotDir();
    gateway = await startGateway();
    stt = sttDouble(gateway, { translate: true, finalText: (job) => heard(job.index) });
    http = `http://127.0.0.1:${gateway.config.gateway.port}`;
    const { path } = writeClip([
      { language: 'en', text: 'Good morning, and welcome to the demo.' },
      { language: 'en', text: 'Every sentence is turned into text.' },
    ]);
    browser = await launchChromium(path);
    page = await browser.newPage({ viewport: { width: 1000, height: 720 } });
    page.on('websocket', (ws) => sockets.push(ws.url()));
  });

  afterAll(async () => {
    await browser?.close();
    await stt?.close();
    await gateway?.running.close();
    if (gateway) await cleanupPrefix(gateway.config.redis.prefix);
  });

  const finals = (): Promise<Array<{ seq: number; text: string }>> =>
    page.$$eval('[data-testid=finals] > li', (items) =>
      items.map((li) => ({
        seq: Number(li.getAttribute('data-seq')),
        text: li.textContent ?? '',
      })),
    );

  const waitForFinal = (match: (f: { seq: number; text: string }) => boolean, what: string) =>
    waitFor(async () => (await finals()).find(match), { timeoutMs: 30_000, what });

  it('types what is said into the editor, with translations, in Voice Typing mode; saves .txt', async () => {
    await page.goto(`${http}/?source=en&targets=es`);
    await page.click('[data-testid=mode-typing]');
    await waitFor(async () => (await page.textContent('[data-testid=connection]')) === 'Live', {
      what: 'connection live',
    });
    expect(await page.getAttribute('[data-testid=mode-typing]', 'aria-pressed')).toBe('true');
    // Interims show up in the editor first...
    await waitFor(
      async () => (await page.inputValue('[data-testid=editor]')).includes('(interim'),
      {
        what: 'an interim in the editor',
        timeoutMs: 30_000,
      },
    );
    await waitForFinal((f) => f.seq === 2, 'two finals');
    // ...and are replaced in place by the finals.
    const editor = await page.inputValue('[data-testid=editor]');
    expect(editor.startsWith(`${PHRASES[0]} ${PHRASES[1]}`)).toBe(true);
    const log = await finals();
    expect(log[0].text).toBe(`[en] ${PHRASES[0]}→ es: es: ${PHRASES[0]}`);
    // The input level meter saw the speech.
    const peak = Number(await page.evaluate('window.rtDebug.peakLevel()'));
    expect(peak).toBeGreaterThan(0.3);
    // Download .txt saves the editor as it is.
    const [txt] = await Promise.all([page.waitForEvent('download'), page.click('#download-txt')]);
    expect(txt.suggestedFilename()).toBe('transcript.txt');
    expect(readFileSync(await txt.path(), 'utf8')).toContain(`${PHRASES[0]} ${PHRASES[1]}`);
    await page.click('details.log > summary');
    await page.screenshot({ path: join(screenshots, 'voice-typing.png') });
  });

  it('switches languages mid-stream with a config frame, without reconnecting', async () => {
    const before = (await finals()).length;
    await page.selectOption('[data-testid=source]', 'es');
    await page.selectOption('[data-testid=target1]', 'de');
    const switched = await waitForFinal(
      (f) => f.seq > before && f.text.startsWith('[es]') && f.text.includes('→ de: de:'),
      'a final in Spanish translated to German',
    );
    expect(switched.text).toMatch(
      /^\[es\] (Good morning and welcome\.|Every sentence becomes text\.)/,
    );
    expect(sockets).toHaveLength(1);
  });

  it('reconnects after a dropped connection and resumes without losing or repeating text', async () => {
    const sessionId = await page.getAttribute('[data-testid=connection]', 'title');
    const seen = (await finals()).length;
    await page.evaluate('window.rtDebug.simulateDrop()');
    await waitFor(() => sockets.length === 2, { what: 'a second socket' });
    expect(sockets[1]).toContain(`resume=`);
    await waitFor(async () => (await page.textContent('[data-testid=connection]')) === 'Live', {
      what: 'live again',
    });
    expect(await page.getAttribute('[data-testid=connection]', 'title')).toBe(sessionId);
    await waitForFinal((f) => f.seq >= seen + 2, 'two more finals after the resume');
    const seqs = (await finals()).map((f) => f.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('shows two-line captions in Live Subtitle mode, pops them out, and stops on a second click', async () => {
    await page.click('[data-testid=mode-subtitle]');
    expect(await page.getAttribute('[data-testid=mode-subtitle]', 'aria-pressed')).toBe('true');
    expect(await page.getAttribute('[data-testid=mode-typing]', 'aria-pressed')).toBe('false');
    const caption = await waitFor(
      async () => {
        const t = (await page.textContent('[data-testid=caption-transcript]'))?.trim();
        const tr = (await page.textContent('[data-testid=caption-translation]'))?.trim();
        // A final's caption: the sentence and its German translation, one line each.
        return t && tr && PHRASES.includes(t) ? { t, tr } : undefined;
      },
      { timeoutMs: 30_000, what: 'caption of a final with its translation' },
    );
    expect(caption.tr).toBe(`de: ${caption.t}`);
    const background = await page.evaluate(
      "getComputedStyle(document.querySelector('[data-testid=captions]')).backgroundColor",
    );
    expect(background).toBe('rgba(0, 0, 0, 0.6)');
    await page.screenshot({ path: join(screenshots, 'live-subtitle.png') });
    // Still one session and no reconnect: switching modes keeps the stream.
    expect(sockets).toHaveLength(2);

    // Pop-out: the captions move into an always-on-top Document Picture-in-Picture window.
    await page.click('#popout');
    const popped = await waitFor(
      async () => {
        const text = await page.evaluate(
          '(documentPictureInPicture.window?.document.querySelector("[data-testid=caption-transcript]")?.textContent ?? "").trim()',
        );
        return typeof text === 'string' && text !== '' ? text : undefined;
      },
      { what: 'captions in the pop-out window' },
    );
    expect(popped.length).toBeGreaterThan(0);
    expect(await page.evaluate('document.getElementById("captions") === null')).toBe(true);
    await page.evaluate('documentPictureInPicture.window.close()');
    await waitFor(
      async () => (await page.evaluate('!!document.getElementById("captions")')) === true,
      {
        what: 'captions back in the page',
      },
    );

    await page.click('[data-testid=mode-subtitle]');
    await waitFor(async () => (await page.textContent('[data-testid=connection]')) === 'Stopped', {
      what: 'stopped',
    });
    expect(await page.getAttribute('[data-testid=mode-subtitle]', 'aria-pressed')).toBe('false');
  });

  it('exports the session as SRT and WebVTT', async () => {
    const [srtDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=download-srt]'),
    ]);
    const srt = readFileSync(await srtDownload.path(), 'utf8');
    const count = (await finals()).length;
    expect(srt.startsWith(`1\n00:00:`)).toBe(true);
    expect(srt.match(/-->/g)).toHaveLength(count);
    expect(srt).toContain(`\n${PHRASES[0]}\n`);
    const [vttDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=download-vtt]'),
    ]);
    const vtt = readFileSync(await vttDownload.path(), 'utf8');
    expect(vtt.startsWith('WEBVTT\n\n1\n00:00:')).toBe(true);
    await page.selectOption('[data-testid=export-language]', 'de');
    const [translated] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=download-srt]'),
    ]);
    expect(readFileSync(await translated.path(), 'utf8')).toContain('\nde: ');
  });

  it('serves a transparent overlay page that captions what it hears', async () => {
    const overlay = await browser.newPage({ viewport: { width: 900, height: 260 } });
    await overlay.goto(`${http}/subtitles?source=en&targets=es&show=both`);
    const caption = await waitFor(
      async () => {
        const text = (await overlay.textContent('[data-testid=caption-translation]'))?.trim();
        return text && /^es: .*\.$/.test(text) ? text : undefined;
      },
      { timeoutMs: 30_000, what: 'overlay caption with the Spanish translation of a final' },
    );
    expect(PHRASES.map((p) => `es: ${p}`)).toContain(caption);
    expect(await overlay.evaluate('getComputedStyle(document.body).backgroundColor')).toBe(
      'rgba(0, 0, 0, 0)',
    );
    await overlay.screenshot({
      path: join(screenshots, 'subtitles-overlay.png'),
      omitBackground: true,
    });
    await overlay.close();
  });

  it('shows server errors in words', async () => {
    const overlay = await browser.newPage();
    await overlay.goto(`${http}/subtitles?source=english`);
    const problem = await waitFor(
      async () =>
        (await overlay.isVisible('[data-testid=problem]')) &&
        overlay.textContent('[data-testid=problem]'),
      { what: 'problem shown' },
    );
    expect(problem).toContain('The server rejected the language or audio settings.');
    expect(problem).not.toContain('{');
    await overlay.close();
  });
});
