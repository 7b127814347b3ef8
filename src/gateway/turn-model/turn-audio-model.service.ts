import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import type { TurnAudioSignal } from '../../turns';
import { SmartTurnModel } from './smart-turn.model';

/**
 * TURN_AUDIO_MODEL, loaded at boot (a missing or misshapen file stops the boot with the fix):
 * the audio signal semantic turns weigh beside the speculative decode's text. `signal` is
 * undefined when no model is configured.
 */
@Injectable()
export class TurnAudioModelService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('TurnAudioModel');
  private model?: SmartTurnModel;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get threshold(): number {
    return this.config.vad.turns.audioThreshold;
  }

  get signal(): TurnAudioSignal | undefined {
    return this.model;
  }

  async onModuleInit(): Promise<void> {
    const path = this.config.vad.turns.audioModel;
    if (!path) return;
    this.model = await SmartTurnModel.load(path);
    this.logger.log(`Audio turn model ${path} loaded (threshold ${this.threshold})`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.model?.close();
  }
}
