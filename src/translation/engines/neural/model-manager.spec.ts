import { type LoadedModel, ModelManager } from './model-manager';

/** A loader double: records what it loads and disposes; there are no model files here. */
function fakeLoader() {
  const events: string[] = [];
  const loader = async (name: string): Promise<LoadedModel<string>> => {
    events.push(`load ${name}`);
    await Promise.resolve();
    return {
      model: `model:${name}`,
      bytes: name.length * 1000,
      dispose: () => {
        events.push(`dispose ${name}`);
        return Promise.resolve();
      },
    };
  };
  return { loader, events };
}

describe('ModelManager', () => {
  let now = 0;
  const managers: ModelManager<string>[] = [];
  function manager(loader: (name: string) => Promise<LoadedModel<string>>, extra = {}) {
    const created = new ModelManager(loader, {
      idleMs: 1000,
      maxLoaded: 2,
      now: () => now,
      sweepMs: 3_600_000,
      ...extra,
    });
    managers.push(created);
    return created;
  }

  beforeEach(() => (now = 0));
  afterEach(async () => {
    for (const created of managers.splice(0)) await created.close();
  });

  it('loads once for concurrent users and hands the model to each', async () => {
    const { loader, events } = fakeLoader();
    const models = manager(loader);
    const results = await Promise.all([
      models.use('a', (m) => Promise.resolve(m)),
      models.use('a', (m) => Promise.resolve(m)),
    ]);
    expect(results).toEqual(['model:a', 'model:a']);
    expect(events).toEqual(['load a']);
    expect([...models.loaded()]).toEqual([['a', 1000]]);
  });

  it('unloads models idle longer than idleMs, runs GC and reports the change', async () => {
    const { loader, events } = fakeLoader();
    const gc = jest.fn();
    const changes: number[] = [];
    const models = manager(loader, {
      gc,
      onChange: (m: ReadonlyMap<string, number>) => changes.push(m.size),
    });
    await models.use('a', () => Promise.resolve());
    now = 500;
    await models.use('bb', () => Promise.resolve());
    now = 1200;
    expect(await models.unloadIdle()).toEqual(['a']);
    expect(events).toEqual(['load a', 'load bb', 'dispose a']);
    expect(gc).toHaveBeenCalledTimes(1);
    expect([...models.loaded().keys()]).toEqual(['bb']);
    expect(changes).toEqual([1, 2, 1]);
  });

  it('never unloads a model while it is in use', async () => {
    const { loader, events } = fakeLoader();
    const models = manager(loader);
    let release!: () => void;
    const busy = models.use('a', () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setImmediate(r));
    now = 10_000;
    expect(await models.unloadIdle()).toEqual([]);
    release();
    await busy;
    expect(events).toEqual(['load a']);
  });

  it('keeps at most maxLoaded models, evicting the least recently used idle one', async () => {
    const { loader, events } = fakeLoader();
    const models = manager(loader);
    await models.use('a', () => Promise.resolve());
    now = 1;
    await models.use('b', () => Promise.resolve());
    now = 2;
    await models.use('a', () => Promise.resolve());
    now = 3;
    await models.use('c', () => Promise.resolve());
    expect(events).toEqual(['load a', 'load b', 'dispose b', 'load c']);
    expect([...models.loaded().keys()].sort()).toEqual(['a', 'c']);
  });

  it('forgets a failed load so the next use tries again', async () => {
    let fail = true;
    const models = manager((name) =>
      fail
        ? Promise.reject(new Error('files missing'))
        : Promise.resolve({ model: name, bytes: 1, dispose: () => Promise.resolve() }),
    );
    await expect(models.use('a', (m) => Promise.resolve(m))).rejects.toThrow('files missing');
    fail = false;
    await expect(models.use('a', (m) => Promise.resolve(m))).resolves.toBe('a');
  });
});
