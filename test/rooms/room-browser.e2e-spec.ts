import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { QueueService } from 'src/common/queues/queue.service';
import { launchChromium, screenshotDir } from '../helpers/browser';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { writeClip } from '../clients/cli-helpers';

const PHRASES = ['The cat is black.', 'The house is red.', 'We are in the city.'];

describe('live room in a real browser: speaker page and two phone listener pages', () => {
  let gateway: GatewayApp;
  let stt: SttWorkerDouble;
  let browser: Browser;
  let http: string;
  let screenshots: string;

  beforeAll(async () => {
    screenshots = screenshotDir();
    // The gateway and the real translation role (Apertium) in one process; the stt double hears PHRASES.
    gateway = await startGateway({ ROLE: 'gateway,translation' });
    stt = sttDouble(gateway, {
      finalText: (job) => PHRASES[(job.index - 1) % PHRASES.length],
      translationQueue: gateway.running.app.get(QueueService),
    });
    http = `http://127.0.0.1:${gateway.config.gateway.port}`;
    const { path } = writeClip(PHRASES.map((text) => ({ language: 'en', text })));
    browser = await launchChromium(path);
  });

  afterAll(async () => {
    await browser?.close();
    await stt?.close();
    await gateway?.running.close();
    if (gateway) await cleanupPrefix(gateway.config.redis.prefix);
  });

  const captions = (page: Page) =>
    page.$$eval('[data-testid=captions] > p', (items) =>
      items.map((p) => ({
        seq: Number(p.getAttribute('data-seq')),
        pending: p.classList.contains('pending'),
        text: p.querySelector('.text')?.textContent ?? '',
        who: p.querySelector('.who')?.textContent ?? '',
      })),
    );

  it('publishes, shows code/link/QR and listeners per language; listeners read in their language; ending shows "room ended"', async () => {
    const speaker = await browser.newPage({ viewport: { width: 900, height: 760 } });
    await speaker.goto(`${http}/?source=en`);
    await speaker.check('[data-testid=room-publish]');
    await speaker.fill('[data-testid=room-speaker]', 'Pastor Ana');
    await speaker.click('[data-testid=mode-subtitle]');
    await waitFor(
      async () => (await speaker.textContent('[data-testid=room-code]'))?.length === 6,
      {
        what: 'room code on the speaker page',
        timeoutMs: 20_000,
      },
    );
    const code = (await speaker.textContent('[data-testid=room-code]'))!;
    const link = (await speaker.getAttribute('[data-testid=room-link]', 'href'))!;
    expect(link).toMatch(new RegExp(`^${http}/room/r_`));
    expect(await speaker.getAttribute('[data-testid=room-qr]', 'src')).toMatch(
      /^data:image\/svg\+xml/,
    );

    // Listener 1 opens the share link (Spanish); listener 2 types the code (Catalan, light theme).
    const phone = { viewport: { width: 390, height: 760 }, deviceScaleFactor: 1, isMobile: true };
    const es = await browser.newPage(phone);
    await es.goto(`${link}?language=es`);
    const ca = await browser.newPage(phone);
    await ca.goto(`${http}/room?language=ca`);
    await ca.fill('[data-testid=code]', code.toLowerCase());
    await ca.click('[data-testid=join-button]');
    await ca.click('#theme');
    await waitFor(async () => (await ca.textContent('[data-testid=status]')) === 'Live', {
      what: 'catalan listener live',
    });

    // The speaker sees both languages in the audience.
    await waitFor(
      async () => {
        const text = (await speaker.textContent('[data-testid=room-listeners]')) ?? '';
        return text.includes(': 1') && (text.match(/: 1/g) ?? []).length >= 2;
      },
      { what: 'listener counts on the speaker page', timeoutMs: 20_000 },
    );

    // Translated captions arrive on both phones (not pending, not the English text).
    for (const page of [es, ca]) {
      await waitFor(
        async () => {
          // Finals spoken before a language had a listener stay in the original (pending).
          const translated = (await captions(page)).filter((c) => !c.pending);
          return translated.length >= 2 ? translated : undefined;
        },
        { what: 'translated captions', timeoutMs: 45_000 },
      );
      const translated = (await captions(page)).filter((c) => !c.pending);
      expect(translated[0].who).toBe('Pastor Ana');
      for (const c of translated) expect(PHRASES).not.toContain(c.text);
    }
    const last = async (page: Page) => (await captions(page)).filter((c) => !c.pending).at(-1)!;
    const [esLast, caLast] = [await last(es), await last(ca)];
    if (esLast.seq === caLast.seq) expect(esLast.text).not.toBe(caLast.text);

    await speaker.screenshot({ path: join(screenshots, 'room-speaker.png') });
    await es.screenshot({ path: join(screenshots, 'room-listener-es.png') });
    await ca.screenshot({ path: join(screenshots, 'room-listener-ca.png') });
    // Side by side, as the three people see them.
    const shots = await Promise.all(
      [speaker, es, ca].map(async (p) => (await p.screenshot()).toString('base64')),
    );
    const board = await browser.newPage({ viewport: { width: 1710, height: 780 } });
    await board.setContent(
      `<body style="margin:0;background:#444;display:flex;gap:10px;padding:10px">${shots
        .map((s) => `<img src="data:image/png;base64,${s}" style="height:760px">`)
        .join('')}</body>`,
    );
    await board.screenshot({ path: join(screenshots, 'room-side-by-side.png') });

    // The speaker ends the room: both phones say so.
    await speaker.click('[data-testid=room-end]');
    for (const page of [es, ca]) {
      await page.waitForSelector('[data-testid=ended]:not([hidden])', { timeout: 15_000 });
      expect(await page.textContent('[data-testid=status]')).toBe('Ended');
    }
    await es.screenshot({ path: join(screenshots, 'room-ended.png') });
  }, 150_000);
});
