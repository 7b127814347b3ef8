import { type StreamAdapter, StreamAdapterRegistry } from './stream-adapter';
import { NATIVE_STREAM_PATHS, streamRoutes } from './stream-routes';

const adapter = (name: string): StreamAdapter => ({
  name,
  connect: () => {
    throw new Error('not connected in this test');
  },
});

describe('StreamAdapterRegistry', () => {
  it('finds the adapter of a path and nothing for other paths', () => {
    const registry = new StreamAdapterRegistry()
      .register(['/v1/stream', '/'], adapter('native'))
      .register(['/v1/other'], adapter('other'));
    expect(registry.find('/')?.name).toBe('native');
    expect(registry.find('/v1/other')?.name).toBe('other');
    expect(registry.find('/v1/nope')).toBeUndefined();
  });

  it('refuses a path registered twice', () => {
    const registry = new StreamAdapterRegistry().register(['/v1/stream'], adapter('a'));
    expect(() => registry.register(['/v1/stream'], adapter('b'))).toThrow('registered twice');
  });

  it('serves the native protocol on /v1/stream and its aliases', () => {
    expect(NATIVE_STREAM_PATHS).toEqual(['/v1/stream', '/']);
    expect(streamRoutes().paths).toEqual([
      ...NATIVE_STREAM_PATHS,
      '/v1/listen',
      '/v2/listen',
      '/v1/realtime',
    ]);
    expect(streamRoutes().find('/v1/stream')?.name).toBe('native');
    expect(streamRoutes().find('/v1/listen')?.name).toBe('deepgram');
    expect(streamRoutes().find('/v2/listen')?.name).toBe('deepgram-flux');
    expect(streamRoutes().find('/v1/realtime')?.name).toBe('openai-realtime');
  });
});
