/**
 * The one sample rate of the pipeline: the gateway, the OpenAI file API and the clients resample
 * to it, the VAD and whisper take it, stt jobs carry it.
 */
export const PIPELINE_SAMPLE_RATE = 16000;

/** Seconds of audio in `sampleCount` samples at the pipeline rate. */
export function pipelineSeconds(sampleCount: number): number {
  return sampleCount / PIPELINE_SAMPLE_RATE;
}
