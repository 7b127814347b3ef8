import { openAiRealtimeAdapter } from '../openai-realtime/realtime-stream.adapter';
import { nativeStreamAdapter } from './native-stream.adapter';
import { StreamAdapterRegistry } from './stream-adapter';

/**
 * Where the native protocol is served: `/v1/stream`, and `/` for existing clients. `/v1/listen`
 * is its old name, kept until a Deepgram-compatible adapter takes that path over.
 */
export const NATIVE_STREAM_PATHS = ['/v1/stream', '/', '/v1/listen'];

/** Every streaming protocol the gateway serves, by path: a new adapter is one more line. */
export function streamRoutes(): StreamAdapterRegistry {
  return new StreamAdapterRegistry()
    .register(NATIVE_STREAM_PATHS, nativeStreamAdapter)
    .register(['/v1/realtime'], openAiRealtimeAdapter);
}
