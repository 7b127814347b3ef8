import { parseCliOptions, UsageError } from './cli-options';

describe('parseCliOptions', () => {
  it('reads a file run with languages and defaults', () => {
    const o = parseCliOptions(['talk.wav', '--source', 'EN', '--targets', 'es, de', '--fast']);
    expect(o).toMatchObject({
      file: 'talk.wav',
      url: 'ws://localhost:5026',
      source: 'en',
      targets: ['es', 'de'],
      fast: true,
      interim: true,
      clients: 1,
      batches: 1,
      chunkMs: 100,
    });
  });

  it('reads a load test', () => {
    const o = parseCliOptions([
      'a.wav',
      '--load-test',
      '--clients',
      '8',
      '--batches',
      '3',
      '--json',
    ]);
    expect(o).toMatchObject({ loadTest: true, clients: 8, batches: 3, json: true });
  });

  it('reads staggered load tests over several files with a JSON report', () => {
    const o = parseCliOptions(['a.wav', 'b.wav', '--load-test', '--stagger', '--clients', '4']);
    expect(o).toMatchObject({ files: ['a.wav', 'b.wav'], file: 'a.wav', stagger: 'file' });
    expect(parseCliOptions(['a.wav', '--load-test', '--stagger', '12.5']).stagger).toBe(12.5);
    expect(parseCliOptions(['a.wav', '--load-test', '--stagger=3']).stagger).toBe(3);
    expect(parseCliOptions(['a.wav', '--load-test', '--stagger']).stagger).toBe('file');
    expect(parseCliOptions(['a.wav', '--load-test']).stagger).toBe(0);
    const r = parseCliOptions([
      'a.wav',
      '--load-test',
      '--report',
      'r.json',
      '--silence-threshold',
      '0.8',
    ]);
    expect(r).toMatchObject({ report: 'r.json', silenceThresholdSeconds: 0.8 });
    expect(() => parseCliOptions(['a.wav', 'b.wav'])).toThrow(/need --clients or --load-test/);
    expect(() => parseCliOptions(['a.wav', '--load-test', '--stagger=-1'])).toThrow(/--stagger/);
  });

  it('turns --type-interims into typing with interims', () => {
    expect(parseCliOptions(['--mic', '--type-interims'])).toMatchObject({
      mic: true,
      type: true,
      typeInterims: true,
    });
  });

  it('explains what is wrong', () => {
    expect(() => parseCliOptions([])).toThrow(
      new UsageError('give an audio file, --mic or --monitor'),
    );
    expect(() => parseCliOptions(['a.wav', '--mic'])).toThrow(/only one/);
    expect(() => parseCliOptions(['a.wav', '--clients', '0'])).toThrow(/--clients must be/);
    expect(() => parseCliOptions(['--mic', '--clients', '2'])).toThrow(/need an audio file/);
    expect(() => parseCliOptions(['a.wav', '--url', 'http://x'])).toThrow(/ws:\/\//);
    expect(() => parseCliOptions(['a.wav', '--bogus'])).toThrow(UsageError);
  });
});

describe('room options', () => {
  it('publishes a room or joins one as a speaker', () => {
    expect(
      parseCliOptions(['a.wav', '--room', '--room-passcode', '1234', '--speaker', 'Ana']),
    ).toMatchObject({
      room: 'new',
      roomPasscode: '1234',
      speaker: 'Ana',
    });
    expect(parseCliOptions(['a.wav', '--room-id', 'r_x', '--room-key', 'rsk_y'])).toMatchObject({
      room: 'r_x',
      roomKey: 'rsk_y',
    });
    expect(() => parseCliOptions(['a.wav', '--room-id', 'r_x'])).toThrow(/--room-key/);
    expect(() => parseCliOptions(['a.wav', '--speaker', 'Ana'])).toThrow(/--room/);
  });
});
