import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { fetchCommand, resolveModelPath } from '../models/model-catalog';
import { InstancePool, PoolPriority } from './instance-pool';
import { loadNativeBinding, NativeWhisperContext } from './native-whisper.binding';
import {
  EngineStatus,
  InferenceNotWanted,
  TranscribeRequest,
  TranscribeResult,
  WhisperEngine,
} from './whisper-engine';

/**
 * whisper.cpp through our N-API addon: one copy of the weights and STT_POOL_SIZE decoding states
 * on it (whisper.cpp's model/state split), WHISPER_THREADS threads each. The model is loaded at
 * start-up from disk only; a missing file leaves the engine not ready with the command that
 * fetches it.
 */
@Injectable()
export class NativeWhisperEngine implements WhisperEngine, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('WhisperEngine');
  private pool?: InstancePool<NativeWhisperContext>;
  private notReadyReason?: string = 'model not loaded yet';
  private readonly modelPath: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.modelPath = resolveModelPath(config);
  }

  onModuleInit(): void {
    if (!existsSync(this.modelPath)) {
      this.notReadyReason = `model file ${this.modelPath} is missing: run "${fetchCommand(this.config)}"`;
      this.logger.error(`STT not ready: ${this.notReadyReason}`);
      return;
    }
    try {
      const binding = loadNativeBinding();
      if (this.config.stt.device === 'cuda' && !binding.systemInfo().includes('CUDA')) {
        this.logger.warn(
          'DEVICE=cuda but the whisper.cpp addon was built without CUDA: running on the CPU. Rebuild with WHISPER_CUDA=1 npm run build:whisper',
        );
      }
      const started = Date.now();
      const model = new binding.WhisperModel(this.modelPath, {
        useGpu: this.config.stt.device === 'cuda',
        flashAttn: this.config.stt.flashAttn,
      });
      const contexts: NativeWhisperContext[] = [];
      try {
        for (let i = 0; i < this.config.stt.poolSize; i++) {
          contexts.push(new binding.WhisperContext(model));
        }
      } catch (error) {
        for (const context of contexts) context.free();
        throw error;
      } finally {
        // The contexts hold the weights from here on; they go with the last one freed.
        model.free();
      }
      this.pool = new InstancePool(contexts);
      this.notReadyReason = undefined;
      this.logger.log(
        `Loaded ${this.modelPath} once for ${contexts.length} context(s) in ${Date.now() - started} ms (whisper.cpp ${binding.version}, ${this.config.stt.threads} threads each)`,
      );
    } catch (error) {
      this.notReadyReason = `could not load ${this.modelPath}: ${(error as Error).message}`;
      this.logger.error(`STT not ready: ${this.notReadyReason}`);
    }
  }

  status(): EngineStatus {
    return {
      ready: this.pool !== undefined,
      reason: this.notReadyReason,
      model: this.modelPath,
      instances: this.pool?.instances.length ?? 0,
      busy: this.pool?.busy ?? 0,
      waiting: this.pool?.waiting ?? 0,
    };
  }

  async transcribe(request: TranscribeRequest, priority: PoolPriority): Promise<TranscribeResult> {
    const pool = this.pool;
    if (!pool) throw new Error(`STT engine not ready: ${this.notReadyReason ?? 'unknown'}`);
    return pool.use(priority, async (context) => {
      if (request.stillWanted && !(await request.stillWanted())) throw new InferenceNotWanted();
      const result = await context.transcribe(request.pcm, {
        language: request.language,
        translate: request.task === 'translate',
        beamSize: request.beamSize,
        threads: this.config.stt.threads,
        maxTokens: request.maxTokens,
        temperature: request.temperature ?? 0,
        temperatureInc: request.temperatureFallback ? 0.2 : 0,
        noSpeechThreshold: request.noSpeechThreshold,
        audioCtx: request.audioCtx,
        initialPrompt: request.initialPrompt,
        tokenTimestamps: request.wordTimestamps,
      });
      return {
        language: result.language,
        languageProbability:
          result.languageProbability >= 0 ? result.languageProbability : undefined,
        segments: result.segments,
        timings: { encodeMs: result.timings.encodeMs, decodeMs: result.timings.decodeMs },
      };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    this.notReadyReason = 'shutting down';
    // The worker closes at the same time and lets its jobs in hand finish; free the contexts only
    // once nothing uses or waits for them (freeing a busy context would crash the process).
    const deadline = Date.now() + 30_000;
    while ((pool.busy > 0 || pool.waiting > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (pool.busy > 0 || pool.waiting > 0) {
      this.logger.warn('Whisper contexts still busy at shutdown; leaving them to the process exit');
      return;
    }
    this.pool = undefined;
    for (const context of pool.instances) context.free();
  }
}
