import { Logger } from '@nestjs/common';
import { ProtocolError } from '../contracts/protocol-error';
import {
  type InterimFrame,
  type RoomFrame,
  type ServerFrame,
  type SessionConfig,
} from '../contracts/stream-frames';
import { type LanguagePair } from '../translation';
import { type RoomPublisherService } from './room-publisher.service';
import { type RoomRequest, roomRequestFromConfig, roomRequestFromQuery } from './room-request';
import { type RoomMeta, type RoomStoreService } from './room-store.service';

/** How often a speaker's gateway reads the room's listener languages (and whether it ended). */
export const LANGUAGE_POLL_MS = 1000;
/** Most languages a room translates into at once (each is one translation per final). */
export const MAX_ROOM_LANGUAGES = 16;

/**
 * The session's translation targets in a room: the speaker's own, plus every language a listener
 * reads (the original needs none). Translation is per final and language, never per listener.
 */
export function roomTargets(
  own: string[],
  active: string[],
  source: string,
  served: (source: string, target: string) => boolean = () => true,
): string[] {
  const targets = [...own];
  for (const language of active) {
    if (targets.length >= MAX_ROOM_LANGUAGES) break;
    if (language === source || targets.includes(language) || !served(source, language)) continue;
    targets.push(language);
  }
  return targets;
}

/** Whether a translation worker serves source -> target (any source when it is `auto`). */
export function servedBy(pairs: readonly LanguagePair[]) {
  return (source: string, target: string): boolean =>
    pairs.some((p) => p.target === target && (source === 'auto' || p.source === source));
}

/** What LiveSession calls (src/gateway/session-core/live-session.ts); all of it is optional. */
export interface RoomSpeakerPort {
  /** After the socket's session is opened or resumed: publishes or rejoins per the query. */
  attach(
    sessionId: string,
    params: URLSearchParams,
    send: (frame: ServerFrame) => void,
  ): Promise<void>;
  /** A config frame's `room` field. */
  configure(value: unknown): Promise<void>;
  /** The configuration utterances are enqueued with (room languages added to the targets). */
  effective(config: SessionConfig): SessionConfig;
  /**
   * An interim caption of this speaker (RoomPublisherService.publish, like its finals); `config`
   * is the session's own, whose effective first target the interim's translation is in.
   */
  interim(frame: InterimFrame, config: SessionConfig): void;
  stop(): void;
}

export interface RoomSpeakerDeps {
  store: RoomStoreService;
  publisher: RoomPublisherService;
  /** `https://host` the join link is built on. */
  baseUrl: string;
  qr(text: string): Promise<string>;
  /** The pairs translation workers serve now (listener languages outside them are no target). */
  servedPairs(): Promise<LanguagePair[]>;
  /** Counts a room creation of this connection's owner; false past ROOM_CREATES_PER_HOUR. */
  mayCreate(): Promise<boolean>;
}

/** One speaker connection's link to its room. */
export class RoomSpeakerLink implements RoomSpeakerPort {
  private readonly logger = new Logger('RoomSpeaker');
  private sessionId = '';
  private send: (frame: ServerFrame) => void = () => undefined;
  private room?: RoomMeta;
  private label = 'Speaker';
  private roomKey?: string;
  private qrSvg = '';
  private active: string[] = [];
  private served: LanguagePair[] = [];
  private listeners: Record<string, number> = {};
  private timer?: NodeJS.Timeout;
  private lastSent = '';
  private stopped = false;

  constructor(
    private readonly deps: RoomSpeakerDeps,
    /** The API key of the connection (rooms it creates belong to it). */
    private readonly keyId: string | null,
  ) {}

  async attach(
    sessionId: string,
    params: URLSearchParams,
    send: (frame: ServerFrame) => void,
  ): Promise<void> {
    this.sessionId = sessionId;
    this.send = send;
    let request: RoomRequest | undefined;
    try {
      request = roomRequestFromQuery(params);
    } catch (error) {
      send({
        type: 'error',
        code: (error as ProtocolError).code,
        message: (error as Error).message,
      });
      return;
    }
    if (this.room) return;
    // A resumed session keeps speaking in its room (a repeated `room=new` creates no other one).
    const previous = await this.deps.store.speakerOf(sessionId);
    if (previous) {
      const room = await this.deps.store.get(previous.roomId);
      if (room && !room.ended) await this.start(room, previous.label);
      return;
    }
    if (request) await this.link(request);
  }

  async configure(value: unknown): Promise<void> {
    const request = roomRequestFromConfig(value);
    if (!request) return;
    if (this.room) throw new ProtocolError('invalid_room', 'this session already speaks in a room');
    await this.link(request);
  }

  private async link(request: RoomRequest): Promise<void> {
    if (this.room) return;
    let room: RoomMeta | undefined;
    if (request.create) {
      if (!(await this.deps.mayCreate())) {
        this.send({
          type: 'error',
          code: 'too_many_rooms',
          message: 'this key (or address) created as many rooms this hour as it may',
        });
        return;
      }
      const created = await this.deps.store.create({
        keyId: this.keyId,
        passcode: request.passcode,
        interims: request.interims,
      });
      room = created.meta;
      this.roomKey = created.speakerKey;
    } else {
      room = await this.deps.store.get(request.id!);
      const allowed = room && (await this.deps.store.checkSpeakerKey(room.id, request.key!));
      if (!room || !allowed || room.ended) {
        this.send({
          type: 'error',
          code: room?.ended ? 'room_ended' : 'room_not_found',
          message: room?.ended ? 'the room has ended' : 'no room with this id and key',
        });
        return;
      }
    }
    await this.start(room, request.speaker ?? (request.create ? 'Speaker' : 'Speaker 2'));
  }

  private async start(room: RoomMeta, label: string): Promise<void> {
    this.room = room;
    this.label = label;
    await this.deps.store.addSpeaker(room.id, this.sessionId, label);
    this.deps.publisher.register(this.sessionId, room.id, label);
    this.qrSvg = await this.deps.qr(this.joinUrl);
    await this.poll();
    this.timer = setInterval(() => void this.poll(), LANGUAGE_POLL_MS);
    this.timer.unref();
  }

  private get joinUrl(): string {
    return `${this.deps.baseUrl}/room/${this.room!.id}`;
  }

  effective(config: SessionConfig): SessionConfig {
    if (!this.room || this.room.ended || this.active.length === 0) return config;
    const targets = roomTargets(config.targets, this.active, config.source, servedBy(this.served));
    return targets.length === config.targets.length ? config : { ...config, targets };
  }

  interim(frame: InterimFrame, config: SessionConfig): void {
    if (!this.room || this.room.ended) return;
    // The pipeline translates interims into the first target of the effective config.
    const [translationLanguage] = this.effective(config).targets;
    this.deps.publisher.publish(this.sessionId, { kind: 'interim', frame, translationLanguage });
  }

  private async poll(): Promise<void> {
    if (!this.room || this.stopped) return;
    try {
      const [languages, meta, served] = await Promise.all([
        this.deps.store.languages(this.room.id),
        this.deps.store.get(this.room.id),
        this.deps.servedPairs(),
      ]);
      this.served = served;
      this.active = languages.active;
      this.listeners = languages.listeners;
      if (!meta || meta.ended) {
        this.room = { ...this.room, ended: true };
        clearInterval(this.timer);
        this.deps.publisher.unregister(this.sessionId);
      }
      this.report();
    } catch (error) {
      this.logger.warn(`Room ${this.room.id} languages not read: ${(error as Error).message}`);
    }
  }

  private report(): void {
    const room = this.room!;
    const frame: RoomFrame = {
      type: 'room',
      room_id: room.id,
      code: room.code,
      join_url: this.joinUrl,
      qr_svg: this.qrSvg,
      ...(this.roomKey ? { room_key: this.roomKey } : {}),
      speaker: this.label,
      passcode: room.hasPasscode,
      status: room.ended ? 'ended' : 'live',
      listeners: this.listeners,
      languages: this.active,
    };
    const key = JSON.stringify([frame.status, frame.listeners, frame.languages]);
    if (key === this.lastSent) return;
    this.lastSent = key;
    this.send(frame);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.sessionId) this.deps.publisher.unregister(this.sessionId);
  }
}
