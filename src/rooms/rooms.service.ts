import { Inject, Injectable } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import QRCode from 'qrcode';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RoomPublisherService } from './room-publisher.service';
import { RoomSpeakerLink } from './room-speaker';
import { RoomOptions, RoomStoreService } from './room-store.service';

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/;

/** Entry point of the gateway into rooms: speaker links and room creation. */
@Injectable()
export class RoomsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: RoomStoreService,
    private readonly publisher: RoomPublisherService,
  ) {}

  /** The origin join links are built on: the one the speaker reached the gateway with. */
  baseUrl(request: IncomingMessage): string {
    const forwardedHost = String(request.headers['x-forwarded-host'] ?? '')
      .split(',')[0]
      .trim();
    const host = [forwardedHost, request.headers.host ?? ''].find((h) => HOST.test(h));
    const proto = String(request.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]
      .trim();
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
