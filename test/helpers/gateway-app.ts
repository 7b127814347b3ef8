import { startApp, type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { AudioStoreService } from 'src/utterance/audio-store.service';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { SttWorkerDouble, type SttWorkerDoubleOptions } from './stt-worker-double';
import { testConfig, waitFor } from './test-env';

export interface GatewayApp {
  config: AppConfig;
  running: RunningApp;
  url: string;
}

/** A listening gateway-role app, ready (Redis connected, VAD loaded). */
export async function startGateway(overrides: Record<string, string> = {}): Promise<GatewayApp> {
  const config = await testConfig({ ROLE: 'gateway', ...overrides });
  const running = await startApp(config);
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${config.http.healthPort}/health/ready`)).ok,
    { what: 'gateway ready', timeoutMs: 20_000 },
  );
  return { config, running, url: `ws://127.0.0.1:${config.gateway.port}` };
}

export function sttDouble(app: GatewayApp, options?: SttWorkerDoubleOptions): SttWorkerDouble {
  return new SttWorkerDouble(
    app.config.redis.prefix,
    app.running.app.get(ResultStreamService),
    app.running.app.get(AudioStoreService),
    options,
  );
}
