import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RedisConnection, RedisConnectionFactory } from '../common/redis/redis-connection.factory';
import { subscribeWhenReady } from '../common/redis/subscribe-when-ready';
import { ApiKeyService } from '../persistence/api-keys/api-key.service';
import { SecurityStoreService } from './security-store.service';

/**
 * Follows key revocations (the persistence layer publishes each revoked key id): listeners close
 * the key's open sessions, and tokens issued for it stop opening new ones.
 */
@Injectable()
export class RevocationService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Revocations');
  private readonly listeners = new Set<(keyId: string) => void>();
  /** keyId -> until (ms): revoked keys this process heard of. */
  private readonly recent = new Map<string, number>();
  private subscriber?: RedisConnection;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly factory: RedisConnectionFactory,
    private readonly apiKeys: ApiKeyService,
    private readonly store: SecurityStoreService,
  ) {}

  /** Tokens outlive a revocation by at most their TTL; remember it a while longer. */
  private get memorySeconds(): number {
    return Math.max(300, this.config.security.tokenTtlSeconds * 2);
  }

  onModuleInit(): void {
    this.subscriber = this.factory.create('blocking', 'security-revocations');
    this.subscriber.on('message', (channel: string, keyId: string) => {
      if (channel === this.apiKeys.revokedChannel) this.revoked(keyId);
    });
    // Not awaited: boot must not wait for Redis; ioredis subscribes (again) once connected.
    subscribeWhenReady(this.subscriber, this.apiKeys.revokedChannel).catch((error: unknown) => {
      this.logger.warn(`Revocation channel not subscribed yet: ${(error as Error).message}`);
    });
  }

  onModuleDestroy(): void {
    this.subscriber?.disconnect();
  }

  onRevoked(listener: (keyId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async isRevoked(keyId: string): Promise<boolean> {
    const until = this.recent.get(keyId);
    if (until !== undefined && until > Date.now()) return true;
    return this.store.isRevoked(keyId);
  }

  private revoked(keyId: string): void {
    this.recent.set(keyId, Date.now() + this.memorySeconds * 1000);
    for (const [id, until] of this.recent) if (until <= Date.now()) this.recent.delete(id);
    this.store.markRevoked(keyId, this.memorySeconds).catch((error: unknown) => {
      this.logger.warn(`Could not record revocation of ${keyId}: ${(error as Error).message}`);
    });
    this.logger.log(`API key ${keyId} revoked: closing its sessions`);
    for (const listener of this.listeners) listener(keyId);
  }
}
