import { ApertiumPipeline, PipelineFailure } from './apertium-pipeline';

/**
 * The pipeline's framing, ordering and failure handling, with plain Unix tools standing in for
 * the Apertium stages (the e2e tests run the real ones): `cat` echoes each NUL-framed request.
 */
describe('ApertiumPipeline', () => {
  const pipelines: ApertiumPipeline[] = [];
  function pipeline(
    command: string,
    options: Partial<{ timeoutMs: number; maxInFlight: number }> = {},
  ) {
    const created = new ApertiumPipeline('test', command, {
      timeoutMs: 2000,
      maxInFlight: 4,
      ...options,
    });
    pipelines.push(created);
    return created;
  }
  afterEach(() => {
    for (const created of pipelines.splice(0)) created.kill('test over');
  });

  it('answers NUL-framed requests in order through one long-lived process', async () => {
    const echo = pipeline('cat');
    const answers = await Promise.all(
      ['one.', 'two [x] <y>', 'three\nlines'].map((t) => echo.translate(t)),
    );
    expect(answers.map((a) => a.text)).toEqual(['one.', 'two [x] <y>', 'three\nlines']);
    expect(echo.alive).toBe(true);
  });

  it('lets finals overtake interims that have not been written yet', async () => {
    // One request at a time in the pipe; `sleep` makes the first one stay there a moment.
    const slow = pipeline('sleep 0.2; cat', { maxInFlight: 1 });
    const order: string[] = [];
    const track = (text: string, priority: 'final' | 'interim') =>
      slow.translate(text, priority).then((r) => order.push(r.text));
    await Promise.all([
      track('first', 'interim'),
      track('interim', 'interim'),
      track('final', 'final'),
    ]);
    expect(order).toEqual(['first', 'final', 'interim']);
  });

  it('fails every pending request when a stage exits, and stays dead', async () => {
    const dying = pipeline('head -c 3 >/dev/null');
    const pending = [dying.translate('a long request'), dying.translate('another')];
    for (const request of pending) await expect(request).rejects.toBeInstanceOf(PipelineFailure);
    expect(dying.alive).toBe(false);
    await expect(dying.translate('later')).rejects.toThrow(/Apertium pipeline test/);
  });

  it('kills a pipeline that does not answer within the timeout', async () => {
    const stuck = pipeline('sleep 30', { timeoutMs: 200 });
    await expect(stuck.translate('hello')).rejects.toThrow('no answer within 200 ms');
    expect(stuck.alive).toBe(false);
  });

  it('detects an answer that belongs to another request instead of mixing them up', async () => {
    // Rewrites the id of the first answer.
    const swapped = pipeline(`sed -u -z -e 's/^\\[tr1\\]/[tr9]/'`);
    await expect(swapped.translate('first')).rejects.toThrow(
      'answer for request 9 arrived while 1 was expected',
    );
  });
});
