import { type Provider } from '@nestjs/common';
import { VadModule, VadService } from '../vad';
import { SEGMENTER_FACTORY, type SegmenterFactory } from './pipeline/segmenter.port';

export { VadModule };

/** Binds the pipeline's segmenter port to the dual-VAD segmenter of src/vad. */
export const SEGMENTER_PROVIDER: Provider = {
  provide: SEGMENTER_FACTORY,
  inject: [VadService],
  useFactory: (vad: VadService): SegmenterFactory => ({
    create: (options) =>
      vad.createSegmenter({
        emitInterims: options.emitInterims,
        silenceThresholdSeconds: options.silenceThresholdSeconds,
      }),
  }),
};
