import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  HttpException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { presentedCredential } from '../security/credentials';
import { UpgradeAuthService } from '../security/upgrade-auth.service';
import {
  JoinAnswer,
  parseRoomBody,
  RoomAccessError,
  RoomAccessService,
} from './room-access.service';
import { addressGroup } from './listener-admission';
import { CreateRoomBodySchema } from './room-bodies';
import { RoomListenersService, SseResponse } from './room-listeners.service';
import { RoomStoreService } from './room-store.service';
import { ROOM_ID, SPEAKER_KEY_PREFIX } from './room-tokens';
import { RoomsService } from './rooms.service';

function refuse(error: unknown): never {
  if (error instanceof RoomAccessError) {
    throw new HttpException(
      { statusCode: error.status, code: error.code, message: error.message },
      error.status,
    );
  }
  throw error;
}

function bearer(request: IncomingMessage): string | undefined {
  const credential = presentedCredential(request);
  return typeof credential === 'object' ? credential.value : undefined;
}

/** Rooms over HTTP (docs/rooms.md): create, join, listen over SSE, end. */
@Controller('v1/rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly access: RoomAccessService,
    private readonly listeners: RoomListenersService,
    private readonly store: RoomStoreService,
    private readonly auth: UpgradeAuthService,
  ) {}

  /** Creates a room for speakers to join with `room=<id>&room_key=` (the CLI, panels). */
  @Post()
  async create(@Req() request: IncomingMessage, @Body() body: unknown): Promise<object> {
    const decision = await this.auth.authorize(request, {
      mode: 'http',
      scope: 'stream',
      anonymousWhenAuthOff: true,
    });
    if (!decision.ok) {
      throw new HttpException(
        { statusCode: decision.status, message: decision.reason },
        decision.status,
      );
    }
    try {
      const room = parseRoomBody(CreateRoomBodySchema, body, 'invalid_room');
      if (!(await this.rooms.mayCreate(this.rooms.ownerOf(request, decision.principal.keyId)))) {
        throw new RoomAccessError(
          429,
          'too_many_rooms',
          'this key (or address) created as many rooms this hour as it may',
        );
      }
      return await this.rooms.create(
        { keyId: decision.principal.keyId, ...room },
        this.rooms.baseUrl(request),
      );
    } catch (error) {
      refuse(error);
    }
  }

  /** Code (or room id from the link) + optional passcode -> a read-only listener token. */
  @Post('join')
  @HttpCode(200)
  async join(@Req() request: IncomingMessage, @Body() body: unknown): Promise<JoinAnswer> {
    try {
      return await this.access.join(body, addressGroup(this.auth.clientAddress(request)));
    } catch (error) {
      refuse(error);
    }
  }

  /** The room as a listener sees it (listener token). */
  @Get(':id')
  async info(@Param('id') id: string, @Req() request: IncomingMessage): Promise<object> {
    try {
      const meta = await this.access.authorize(id, bearer(request));
      const [speakers, languages] = await Promise.all([
        this.store.speakers(id),
        this.store.languages(id),
      ]);
      return {
        room_id: id,
        status: meta.ended ? 'ended' : 'live',
        speakers,
        listeners: languages.listeners,
        languages: languages.active,
        interims: meta.interims,
      };
    } catch (error) {
      refuse(error);
    }
  }

  /**
   * Server-Sent Events: every frame as `data:` JSON, replayable ones with `id:` (EventSource
   * resumes with Last-Event-ID by itself). The token may be in `?token=` (EventSource sets no
   * headers): it is a read-only listener token of this room only.
   */
  @Get(':id/events')
  async events(
    @Param('id') id: string,
    @Query('language') language: string | undefined,
    @Query('last_id') lastIdQuery: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: IncomingMessage,
    @Res() res: SseResponse & { status(code: number): { json(body: unknown): void } },
  ): Promise<void> {
    try {
      await this.listeners.listenSse(
        id,
        bearer(request),
        language,
        lastEventId ?? lastIdQuery,
        this.listeners.addressOf(request),
        res,
      );
    } catch (error) {
      if (!(error instanceof RoomAccessError)) throw error;
      res
        .status(error.status)
        .json({ statusCode: error.status, code: error.code, message: error.message });
    }
  }

  /** Ends the room: its speaker key or the owning API key (or an admin key). */
  @Delete(':id')
  async end(@Param('id') id: string, @Req() request: IncomingMessage): Promise<object> {
    if (!ROOM_ID.test(id)) refuse(new RoomAccessError(404, 'room_not_found', 'no such room'));
    const meta = await this.store.get(id);
    if (!meta) refuse(new RoomAccessError(404, 'room_not_found', 'no such room'));
    const credential = bearer(request);
    let allowed = false;
    if (credential?.startsWith(SPEAKER_KEY_PREFIX)) {
      allowed = await this.store.checkSpeakerKey(id, credential);
    } else if (credential !== undefined) {
      const decision = await this.auth.authorize(request, { mode: 'http', scope: 'stream' });
      allowed =
        decision.ok &&
        meta.keyId !== null &&
        (decision.principal.keyId === meta.keyId || decision.principal.scopes.includes('admin'));
    }
    if (!allowed) {
      refuse(
        new RoomAccessError(403, 'forbidden', 'only the speaker or the room owner can end it'),
      );
    }
    const id2 = await this.store.end(id);
    return { room_id: id, status: 'ended', already: id2 === null };
  }
}
