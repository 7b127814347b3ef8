import { type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WebSocket } from 'ws';
import { type AppConfig } from 'src/common/config/app-config';
import { ConfigModule } from 'src/common/config/config.module';
import { loadConfig } from 'src/common/config/load-config';
import { QueuesModule } from 'src/common/queues/queues.module';
import { QueueService } from 'src/common/queues/queue.service';
import { RedisClient, RedisModule } from 'src/common/redis/redis.module';
import { AudioStoreService } from 'src/utterance/audio-store.service';
import { UtteranceModule } from 'src/utterance/utterance.module';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { PersistenceModule } from 'src/persistence/persistence.module';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ServiceProcess } from '../helpers/processes';
import { SttWorkerDouble, type SttWorkerDoubleOptions } from '../helpers/stt-worker-double';
import { testEnv, uniquePrefix, waitFor } from '../helpers/test-env';
import { type RoomFrame } from './room-clients';

export const JWT_SECRET = 'rooms-e2e-secret-0123456789abcdefghijklmnopqrstuvwxyz';

export interface RoomProcess {
  name: string;
  env: Record<string, string>;
  proc: ServiceProcess;
  /** http://127.0.0.1:<gateway port> */
  base: string;
  health: string;
}

/**
 * Rooms e2e deployment: real gateway and translation processes (dist/main.js) on the e2e Redis
 * and a PostgreSQL schema of their own, with auth on; in the test process the stt worker double
 * (words made up per utterance) and the persistence services (API keys).
 */
export class RoomCluster {
  readonly prefix = uniquePrefix();
  readonly processes: RoomProcess[] = [];
  db!: TestDatabase;
  context!: INestApplicationContext;
  config!: AppConfig;
  stt?: SttWorkerDouble;
  key = '';

  async start(env: Record<string, string> = {}): Promise<void> {
    this.db = await createTestDatabase('postgres');
    this.config = loadConfig(
      await testEnv({ QUEUE_PREFIX: this.prefix, DATABASE_URL: this.db.url, ...env }),
    );
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(this.config),
        RedisModule,
        UtteranceModule,
        QueuesModule,
        PersistenceModule,
      ],
    }).compile();
    this.context = moduleRef.createNestApplication({ logger: ['error'] });
    await this.context.init();
    const redis = this.context.get(RedisClient).redis;
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    await waitFor(
      async () => {
        try {
          this.key = (
            await this.context.get(ApiKeyService).create({
              name: 'rooms-e2e',
              scopes: ['stream', 'transcripts'],
            })
          ).key;
          return true;
        } catch {
          return false;
        }
      },
      { what: 'database migrated', timeoutMs: 20_000, intervalMs: 200 },
    );
  }

  async spawn(
    role: 'gateway' | 'translation',
    env: Record<string, string> = {},
  ): Promise<RoomProcess> {
    const full = await testEnv({
      ROLE: role,
      QUEUE_PREFIX: this.prefix,
      DATABASE_URL: this.db.url,
      AUTH_REQUIRED: 'true',
      JWT_SECRET,
      ARCHIVE_FLUSH_MS: '200',
      ...env,
    });
    const proc = new ServiceProcess(full);
    const p: RoomProcess = {
      name: `${role}-${this.processes.length}`,
      env: full,
      proc,
      base: `http://127.0.0.1:${full.GATEWAY_PORT}`,
      health: `http://127.0.0.1:${full.HEALTH_PORT}`,
    };
    this.processes.push(p);
    await waitFor(
      async () => {
        try {
          return (await fetch(`${p.health}/health/ready`)).ok;
        } catch {
          return false;
        }
      },
      { what: `${p.name} ready\n${proc.output.slice(-2000)}`, timeoutMs: 40_000, intervalMs: 200 },
    );
    return p;
  }

  sttDouble(options: SttWorkerDoubleOptions): SttWorkerDouble {
    this.stt = new SttWorkerDouble(
      this.prefix,
      this.context.get(ResultStreamService),
      this.context.get(AudioStoreService),
      { ...options, translationQueue: this.context.get(QueueService) },
    );
    return this.stt;
  }

  get results(): ResultStreamService {
    return this.context.get(ResultStreamService);
  }

  async stop(): Promise<void> {
    await this.stt?.close();
    for (const p of this.processes) p.proc.kill('SIGKILL');
    await Promise.all(this.processes.map((p) => p.proc.exited));
    await this.context?.close();
    await this.db?.drop().catch(() => undefined);
  }
}

/** A speaker connection with an API key (Authorization header, as servers and the CLI send it). */
export class Speaker {
  readonly frames: RoomFrame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  /** `room`: a config frame's room request, sent on open (room keys and passcodes go there). */
  constructor(url: string, key: string, room?: Record<string, unknown>) {
    this.ws = new WebSocket(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        if (room) this.ws.send(JSON.stringify({ type: 'config', room }));
        resolve();
      });
      this.ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) =>
      this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as RoomFrame),
    );
  }

  last(type: string): RoomFrame | undefined {
    return this.frames.filter((f) => f.type === type).at(-1);
  }

  async until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
    return waitFor(probe, {
      what: `${what}: ${JSON.stringify(this.frames.slice(-3)).slice(0, 800)}`,
      timeoutMs,
      intervalMs: 50,
    });
  }
}
