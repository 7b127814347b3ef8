import { type StreamAdapterRegistry } from '../gateway/ws/stream-adapter';

/** What the AsyncAPI document says about each streaming protocol, by adapter name. */
interface ProtocolDescription {
  title: string;
  description: string;
  docs: string;
  /** Messages a client sends, and messages the server sends, by name. */
  send: Record<string, string>;
  receive: Record<string, string>;
}

export const STREAM_PROTOCOLS: Record<string, ProtocolDescription> = {
  native: {
    title: 'Native streaming protocol',
    description:
      'Binary frames are audio in the configured encoding and rate; text frames are JSON control messages. Results can be resumed after a dropped connection.',
    docs: 'docs/protocol.md',
    send: {
      audio: 'Binary audio (pcm_s16le or pcm_f32le at sample_rate)',
      config:
        '{"type":"config", ...}: source, targets, sample_rate, encoding, interim_results, resume',
      finalize: '{"type":"finalize"}: end the current utterance now',
      keepalive: '{"type":"keepalive"}',
      refresh: '{"type":"refresh"}: a new session token',
      close: '{"type":"close"}: deliver everything, then close',
    },
    receive: {
      session: 'Session id, resume token and effective configuration',
      realtime: 'Interim text (committed and tentative parts) and interim translation',
      final: 'Final text of an utterance with word timings, seq and replay id',
      translation: 'A final translated into one target language',
      warning: 'Something the client should know; the session continues',
      error: 'A refused message or a lost utterance; closes when fatal',
      closed: 'Everything was delivered; the server closes next',
      room: 'Live room published from this session',
      token: 'A refreshed session token',
    },
  },
  deepgram: {
    title: "Deepgram's live API",
    description:
      'Deepgram-compatible live transcription: raw linear16, mu-law or A-law audio; options in the query string.',
    docs: 'docs/deepgram.md',
    send: {
      audio: 'Binary raw audio (encoding, sample_rate, channels from the query)',
      KeepAlive: '{"type":"KeepAlive"}',
      Finalize: '{"type":"Finalize"}: end the current utterance now',
      CloseStream: '{"type":"CloseStream"}: deliver everything, send Metadata, close',
    },
    receive: {
      Results: 'Interim or final transcript with words and confidences',
      SpeechStarted: 'The VAD heard speech begin (vad_events=true)',
      UtteranceEnd: 'An utterance ended on silence (utterance_end_ms)',
      Metadata: 'Request id, audio sha256 and duration, after CloseStream',
      Error: 'A lost utterance or a refused message; the stream stays open',
    },
  },
  'deepgram-flux': {
    title: 'Deepgram Flux (turn-aware streaming)',
    description:
      'Deepgram Flux-compatible streaming: raw linear16, mu-law or A-law audio; turns end on meaning (semantic turn detection), reported as TurnInfo events.',
    docs: 'docs/deepgram.md',
    send: {
      audio: 'Binary raw audio (encoding, sample_rate from the query)',
      Configure: '{"type":"Configure", ...}: thresholds, keyterms, language_hints mid-stream',
      ForceEndTurn: '{"type":"ForceEndTurn"}: end the current turn now',
      CloseStream: '{"type":"CloseStream"}: deliver everything, then close',
    },
    receive: {
      Connected: 'The session is open; its request_id',
      TurnInfo:
        'StartOfTurn, Update, EagerEndOfTurn, TurnResumed or EndOfTurn (transcript, words, trigger)',
      ConfigureSuccess: 'The settings now in force',
      ConfigureFailure: 'A Configure was refused; the settings are unchanged',
      Error: 'A lost turn or an unparsable message; the stream stays open',
    },
  },
  'openai-realtime': {
    title: "OpenAI's Realtime API, transcription sessions",
    description:
      'OpenAI Realtime transcription (beta and GA dialects): base64 audio in JSON events, server VAD turns or manual commits.',
    docs: 'docs/openai-realtime.md',
    send: {
      'session.update':
        'transcription_session.update or session.update: format, language, turn detection',
      'input_audio_buffer.append': 'Base64 pcm16 at 24 kHz, or G.711 at 8 kHz',
      'input_audio_buffer.commit': 'End the current turn now',
      'input_audio_buffer.clear': 'Drop the unfinished turn',
    },
    receive: {
      'session.created': 'transcription_session.created or session.created',
      'session.updated': 'transcription_session.updated or session.updated',
      'input_audio_buffer.speech_started': 'Speech began (server VAD)',
      'input_audio_buffer.speech_stopped': 'Speech ended (server VAD)',
      'input_audio_buffer.committed': 'A turn became a conversation item',
      'input_audio_buffer.cleared': 'The unfinished turn was dropped',
      'conversation.item.input_audio_transcription.delta': 'Words that will not change any more',
      'conversation.item.input_audio_transcription.completed': 'The final transcript of an item',
      'conversation.item.input_audio_transcription.failed': 'The transcription of an item failed',
      error: 'A refused event; the socket stays open',
    },
  },
};

/**
 * An AsyncAPI 3 document of the WebSocket protocols the gateway serves: one channel per
 * registered path, its messages named and described (their fields are in the linked docs).
 */
export function asyncApiDocument(routes: StreamAdapterRegistry, version: string): object {
  const channels: Record<string, object> = {};
  const operations: Record<string, object> = {};
  for (const path of routes.paths) {
    const adapter = routes.find(path)!;
    const protocol = STREAM_PROTOCOLS[adapter.name];
    if (!protocol) throw new Error(`No AsyncAPI description for the ${adapter.name} protocol`);
    const id = path === '/' ? 'root' : path.replace(/^\//, '').replace(/\//g, '-');
    const messages: Record<string, object> = {};
    const send: object[] = [];
    const receive: object[] = [];
    for (const [name, summary] of Object.entries(protocol.send)) {
      messages[`client-${name}`] = { name, summary };
      send.push({ $ref: `#/channels/${id}/messages/client-${name}` });
    }
    for (const [name, summary] of Object.entries(protocol.receive)) {
      messages[`server-${name}`] = { name, summary };
      receive.push({ $ref: `#/channels/${id}/messages/server-${name}` });
    }
    channels[id] = {
      address: path,
      title: protocol.title,
      description: protocol.description,
      externalDocs: { url: protocol.docs },
      messages,
    };
    operations[`${id}-send`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${id}` },
      messages: send,
    };
    operations[`${id}-receive`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      messages: receive,
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Realtime transcription gateway: streaming protocols',
      version,
      description: 'WebSocket endpoints on GATEWAY_PORT. Authentication: docs/security.md.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
  };
}
