import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { ReadinessRegistry } from '../common/health/readiness.registry';
import { DualGateDetector } from './dual-gate.detector';
import {
  SegmenterOptions,
  resolveSegmenterOptions,
  segmenterOptionsFromConfig,
} from './segmenter-options';
import { SileroVadModel } from './silero-vad.model';
import { UtteranceSegmenter } from './utterance-segmenter';
import { VadMetrics } from './vad.metrics';
import { FvadWasm } from './webrtc-vad';

/** Loads both VADs once per process and hands out one segmenter per stream. */
@Injectable()
export class VadService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(VadService.name);
  private readonly defaults: SegmenterOptions;
  private fvad: FvadWasm | undefined;
  private silero: SileroVadModel | undefined;
  private loadError: string | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.defaults = segmenterOptionsFromConfig(config.vad);
  }

  async onModuleInit(): Promise<void> {
    this.readiness.register('vad', () => ({
      ready: this.fvad !== undefined && this.silero !== undefined,
      details: this.loadError ? { error: this.loadError } : undefined,
    }));
    try {
      const metrics = new VadMetrics();
      [this.fvad, this.silero] = await Promise.all([
        FvadWasm.load(),
        SileroVadModel.load(undefined, (batch, seconds) => metrics.observeRun(batch, seconds)),
      ]);
    } catch (error) {
      this.loadError = error instanceof Error ? error.message : String(error);
      throw error;
    }
    this.logger.log('WebRTC VAD (libfvad wasm) and Silero VAD v5 (onnxruntime) loaded');
  }

  async onModuleDestroy(): Promise<void> {
    const model = this.silero;
    this.silero = undefined;
    await model?.close();
  }

  /** Effective defaults (from AppConfig.vad). */
  get options(): SegmenterOptions {
    return this.defaults;
  }

  /** Silero calls and chunks so far (chunks / runs = mean batch size). */
  get sileroStats(): { runs: number; chunks: number } {
    return { ...(this.silero?.stats ?? { runs: 0, chunks: 0 }) };
  }

  /**
   * A segmenter for one stream. Overrides are validated (RangeError naming the option).
   * Call dispose() on it when the stream ends.
   */
  createSegmenter(overrides: Partial<SegmenterOptions> = {}): UtteranceSegmenter {
    if (!this.fvad || !this.silero)
      throw new Error('VAD is not loaded (VadModule not initialised)');
    const options = resolveSegmenterOptions(this.defaults, overrides);
    const webrtc = this.fvad.create(options.webrtcSensitivity);
    const detector = new DualGateDetector(
      webrtc,
      this.silero.createStream(),
      options.sileroSensitivity,
    );
    return new UtteranceSegmenter(detector, options);
  }
}
