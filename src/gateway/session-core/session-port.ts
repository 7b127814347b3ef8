import type { TurnTiming } from '../../turns';
import { type ResultReaderService } from '../../utterance/result-reader.service';
import { type GatewayMetrics } from '../gateway.metrics';
import {
  type PipelineDeps,
  type SpeechStarted,
  type UtteranceEnded,
} from '../pipeline/utterance-pipeline';

export type { SpeechStarted, UtteranceEnded };
import { type SegmenterFactory } from '../pipeline/segmenter.port';
import { type ServerFrame } from '../../contracts/stream-frames';
import { type SessionConfig } from '../protocol/session-config';
import { type SessionRecordsService } from '../session-store/session-records.service';
import { type RoomSpeakerPort } from '../../rooms/room-speaker';

/** Services every live session uses (one set per gateway, built by WsServerService). */
export interface SessionDeps extends PipelineDeps {
  reader: ResultReaderService;
  segmenters: SegmenterFactory;
  metrics: GatewayMetrics;
  records: SessionRecordsService;
  defaultSampleRate: number;
  sessionTtlSeconds: number;
  /** This gateway instance (owners are `${instance}:${session object}`). */
  instanceId: string;
  /** The speech model's name as protocols report it (for example `whisper-tiny`). */
  modelName: string;
  /** TURN_MODE and its silences, SILENCE_THRESHOLD_SECONDS: how utterances end by default. */
  turnTiming: TurnTiming;
}

/** Turns a transport's audio bytes into 16 kHz mono PCM16 (PcmDecoder is the native one). */
export interface AudioDecoder {
  push(bytes: Buffer): Int16Array;
  /** The held-back tail, at the end of the stream or before the format changes. */
  flush(): Int16Array;
  /** Seconds of input audio decoded so far, in the input's own format (usage is charged by it). */
  readonly secondsIn: number;
  /** Seconds that many bytes hold in this format, before decoding them (0 when unknown). */
  secondsOf?(bytes: number): number;
}

/** Where a session charges its audio (src/security's per-connection limits). */
export interface AudioMeter {
  /** Before a frame is queued; false refuses it (the connection is being closed). */
  admit(seconds: number, pendingBytes: number): boolean;
  /** Once decoded: the decoder's seconds for a frame admitted with `estimated`. */
  decoded(seconds: number, estimated: number): void;
}

export interface FrameContext {
  /** Call once the frame is written to the transport (delivery records what the client got). */
  sent?: () => void;
  /** A final (or its error/translation) of an utterance that a `finalize()` request ended. */
  fromFinalize?: boolean;
}

/**
 * What a protocol adapter gives its session: the way out to its client. Results are frames of
 * the native vocabulary (src/contracts/stream-frames.ts), which an adapter translates
 * to its own protocol; the optional hooks carry what the native protocol does not send.
 */
export interface SessionOutput {
  send(frame: ServerFrame, context: FrameContext): void;
  /** Ends the transport with this close code; the adapter then calls `transportClosed()`. */
  close(code: number, reason: string): void;
  speechStarted?(event: SpeechStarted): void;
  utteranceEnded?(event: UtteranceEnded): void;
}

/** Per-connection choices of the adapter and the upgrade (all optional). */
export interface SessionOptions {
  /** The authenticated API key (null: anonymous); only its own sessions can be resumed. */
  principalKeyId?: string | null;
  /** Charges each frame's seconds before it is queued and again as decoded (pace, quota, usage). */
  audioMeter?: AudioMeter;
  /** Live rooms: publishes the session when asked (`room=` / config `room`), see docs/rooms.md. */
  room?: RoomSpeakerPort;
  /** The adapter's own audio format; default: PcmDecoder for the config's encoding and rate. */
  decoder?: (config: SessionConfig) => AudioDecoder;
  /** Silence that ends an utterance, for this session only (default: SILENCE_THRESHOLD_SECONDS). */
  silenceThresholdSeconds?: number;
  /** Called once the session released everything after its transport closed. */
  onEnded?: () => void;
}
