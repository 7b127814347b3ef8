import { createLogger, startApp } from 'src/bootstrap';
import { cleanupPrefix, REDIS_URL, testConfig } from '../helpers/test-env';

/**
 * Issue 24 item 14: the boot log named REDIS_URL with its password still percent-encoded, which
 * the redaction of the decoded password did not match. A real gateway boots with such a URL.
 */
describe('passwords in logged URLs (issue 24, item 14)', () => {
  it('the boot line names Redis without its password, encoded or decoded', async () => {
    const url = new URL(REDIS_URL);
    url.password = encodeURIComponent('p@ss/w0rd:Zx9');
    const config = await testConfig({
      ROLE: 'gateway',
      LOG_LEVEL: 'log',
      REDIS_URL: url.toString(),
    });
    const lines: string[] = [];
    const running = await startApp(
      config,
      createLogger(config, (line) => lines.push(line)),
    );
    try {
      const boot = lines.find((line) => line.includes('Started roles'));
      expect(boot).toBeDefined();
      expect(boot).toContain(`Redis redis://:redacted@${url.host}`);
      const all = lines.join('\n');
      expect(all).not.toContain('p%40ss');
      expect(all).not.toContain('p@ss');
      expect(config.secrets).toEqual(expect.arrayContaining(['p@ss/w0rd:Zx9', url.password]));
    } finally {
      await running.close();
      await cleanupPrefix(config.redis.prefix);
    }
  });
});
