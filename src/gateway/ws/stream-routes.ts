import { listenAdapter } from '../adapters/deepgram/listen.adapter';
import { fluxListenAdapter } from '../adapters/deepgram-flux/flux-listen.adapter';
import { openAiRealtimeAdapter } from '../adapters/openai-realtime/realtime-stream.adapter';
import { nativeStreamAdapter } from '../adapters/native/native-stream.adapter';
import { StreamAdapterRegistry } from './stream-adapter';

/** Where the native protocol is served: `/v1/stream`, and `/` for existing clients. */
export const NATIVE_STREAM_PATHS = ['/v1/stream', '/'];
/** Deepgram's live API. */
export const DEEPGRAM_LISTEN_PATHS = ['/v1/listen'];
/** Deepgram Flux, turn-aware streaming. */
export const DEEPGRAM_FLUX_PATHS = ['/v2/listen'];
/** OpenAI's Realtime API, transcription sessions. */
export const OPENAI_REALTIME_PATHS = ['/v1/realtime'];

/** Every streaming protocol the gateway serves, by path: a new adapter is one more line. */
export function streamRoutes(): StreamAdapterRegistry {
  return new StreamAdapterRegistry()
    .register(NATIVE_STREAM_PATHS, nativeStreamAdapter)
    .register(DEEPGRAM_LISTEN_PATHS, listenAdapter)
    .register(DEEPGRAM_FLUX_PATHS, fluxListenAdapter)
    .register(OPENAI_REALTIME_PATHS, openAiRealtimeAdapter);
}
