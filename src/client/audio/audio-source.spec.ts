import { captureCommand, pacedChunks } from './audio-source';

describe('captureCommand', () => {
  const only =
    (...names: string[]) =>
    (name: string): boolean =>
      names.includes(name);

  it('prefers arecord, then sox, then parec, all at 16 kHz mono PCM16', () => {
    expect(captureCommand(only('arecord', 'sox', 'parec')).command).toBe('arecord');
    expect(captureCommand(only('sox', 'parec'))).toEqual({
      command: 'sox',
      args: ['-q', '-d', '-t', 'raw', '-r', '16000', '-e', 'signed', '-b', '16', '-c', '1', '-'],
    });
    expect(captureCommand(only('parec')).args).toContain('--rate=16000');
  });

  it('records the system monitor through parec only', () => {
    expect(captureCommand(only('arecord', 'parec'), { monitor: true }).args).toContain(
      '--device=@DEFAULT_MONITOR@',
    );
    expect(() => captureCommand(only('arecord'), { monitor: true })).toThrow(/parec/);
    expect(() => captureCommand(only())).toThrow(/arecord, sox or parec/);
  });
});

describe('pacedChunks', () => {
  it('cuts audio into chunks with their end positions', async () => {
    const pcm = new Int16Array(16000 * 0.25);
    const chunks = [];
    for await (const c of pacedChunks(pcm, { chunkMs: 100, fast: true })) chunks.push(c);
    expect(chunks.map((c) => c.pcm.length)).toEqual([1600, 1600, 800]);
    expect(chunks.map((c) => c.endSec)).toEqual([0.1, 0.2, 0.25]);
  });
});
