import { AppLogger } from './app-logger';

function capture(format: 'json' | 'pretty', level: 'log' | 'verbose' | 'error' = 'verbose') {
  const lines: string[] = [];
  const logger = new AppLogger({
    format,
    level,
    base: { roles: 'stt' },
    secrets: ['hunter2'],
    write: (line) => lines.push(line),
  });
  return { logger, lines };
}

describe('AppLogger', () => {
  it('writes one JSON object per line with level, roles and context', () => {
    const { logger, lines } = capture('json');
    logger.log('hello', 'Ctx');
    const parsed = JSON.parse(lines[0]);
    expect(parsed).toMatchObject({ level: 'log', roles: 'stt', context: 'Ctx', msg: 'hello' });
    expect(typeof parsed.time).toBe('string');
  });

  it('redacts secrets in messages, stacks and extra arguments', () => {
    const { logger, lines } = capture('json');
    logger.error('failed with redis://:hunter2@host', 'Error: hunter2\n  at x', 'Ctx');
    logger.warn({ url: 'redis://:hunter2@h' }, 'Ctx');
    logger.log('extra', { token: 'hunter2' }, 'Ctx');
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(lines.join('\n')).toContain('[redacted]');
  });

  it('redacts in readable format too', () => {
    const { logger, lines } = capture('pretty');
    logger.log('token hunter2', 'Ctx');
    expect(lines[0]).toContain('[Ctx] token [redacted]');
  });

  it('drops messages below the configured level', () => {
    const { logger, lines } = capture('json', 'error');
    logger.log('no');
    logger.warn('no');
    logger.error('yes');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).msg).toBe('yes');
  });
});
