import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import QRCode from 'qrcode';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RevocationService } from '../security/revocation.service';
import { UpgradeAuthService } from '../security/upgrade-auth.service';
import { LanguagePair, TranslationDirectoryService } from '../translation';
import { addressGroup } from './listener-admission';
import { RoomPublisherService } from './room-publisher.service';
import { RoomSpeakerLink } from './room-speaker';
import { RoomOptions, RoomStoreService } from './room-store.service';

/** The served pairs are read from Redis at most this often per gateway. */
const PAIRS_CACHE_MS = 5000;

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/;

/** Entry point of the gateway into rooms: speaker links and room creation. */
@Injectable()
export class RoomsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Rooms');
  private stopRevocations?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: RoomStoreService,
    private readonly publisher: RoomPublisherService,
    private readonly auth: UpgradeAuthService,
    private readonly directory: TranslationDirectoryService,
    private readonly revocations: RevocationService,
  ) {}

  /** A revoked key's rooms end (listeners get `ended`, joins 410), as its sessions close. */
  onModuleInit(): void {
    this.stopRevocations = this.revocations.onRevoked((keyId) => {
      this.store.endRoomsOf(keyId).then(
        (ended) => {
          if (ended > 0) this.logger.log(`Ended ${ended} room(s) of revoked key ${keyId}`);
        },
        (error: unknown) =>
          this.logger.warn(`Rooms of revoked key ${keyId} not ended: ${(error as Error).message}`),
      );
    });
  }

  onModuleDestroy(): void {
    this.stopRevocations?.();
  }

  private pairs?: { at: number; pairs: Promise<LanguagePair[]> };

  /** The pairs the translation workers serve (cached a few seconds; none when unreadable). */
  servedPairs(): Promise<LanguagePair[]> {
    if (!this.pairs || Date.now() - this.pairs.at > PAIRS_CACHE_MS) {
      this.pairs = { at: Date.now(), pairs: this.directory.pairs().catch(() => []) };
    }
    return this.pairs.pairs;
  }

  /** Counts a room creation by `owner` (key id, or client address): false past the hour's cap. */
  async mayCreate(owner: string): Promise<boolean> {
    return (await this.store.countCreate(owner)) <= this.config.rooms.createsPerHour;
  }

  /** Who a room creation is counted for: the key, else the client address. */
  ownerOf(request: IncomingMessage, keyId: string | null): string {
    return keyId ?? `ip:${addressGroup(this.auth.clientAddress(request))}`;
  }

  /**
   * The origin join links are built on: the one the speaker reached the gateway with. A proxy's
   * X-Forwarded-Host/-Proto count only from a trusted proxy (TRUSTED_PROXIES): anyone else could
   * make the join link and QR code point elsewhere.
   */
  baseUrl(request: IncomingMessage): string {
    const trusted = this.auth.viaTrustedProxy(request);
    const forwarded = (name: string): string =>
      trusted ? (String(request.headers[name] ?? '').split(',')[0] ?? '').trim() : '';
    const forwardedHost = forwarded('x-forwarded-host');
    const host = [forwardedHost, request.headers.host ?? ''].find((h) => HOST.test(h));
    const proto = forwarded('x-forwarded-proto');
    const scheme =
      proto === 'https' || proto === 'http' ? proto : this.config.security.tls ? 'https' : 'http';
    return `${scheme}://${host ?? `localhost:${this.config.gateway.port}`}`;
  }

  qr(text: string): Promise<string> {
    return QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  }

  /** A speaker connection's link (it publishes or joins a room only when asked to). */
  speakerLink(request: IncomingMessage, keyId: string | null): RoomSpeakerLink {
    return new RoomSpeakerLink(
      {
        store: this.store,
        publisher: this.publisher,
        baseUrl: this.baseUrl(request),
        qr: (text) => this.qr(text),
        servedPairs: () => this.servedPairs(),
        mayCreate: () => this.mayCreate(this.ownerOf(request, keyId)),
      },
      keyId,
    );
  }

  async create(options: RoomOptions, baseUrl: string): Promise<object> {
    const { meta, speakerKey } = await this.store.create(options);
    const joinUrl = `${baseUrl}/room/${meta.id}`;
    return {
      room_id: meta.id,
      code: meta.code,
      join_url: joinUrl,
      qr_svg: await this.qr(joinUrl),
      room_key: speakerKey,
      passcode: meta.hasPasscode,
    };
  }
}
