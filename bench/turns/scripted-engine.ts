import { AsyncLocalStorage } from 'node:async_hooks';
import { type Job } from 'bullmq';
import { type TestingModuleBuilder } from '@nestjs/testing';
import { APP_CONFIG, type AppConfig } from 'src/common/config/app-config';
import { type SttJob } from 'src/contracts/job-payloads';
import { WHISPER_ENGINE, type WhisperEngine } from 'src/stt/engine/whisper-engine';
import { type SttJobOutcome, SttJobService } from 'src/stt/stt-job.service';
import {
  SttTranscriberService,
  type Transcription,
  type TranscriptionInput,
} from 'src/stt/stt-transcriber.service';

/**
 * Bench code only: the real whisper.cpp inference (its real cost and timing) with the script's
 * words in place of what the random-weights model writes, so the gateway's turn judge reads the
 * words that were spoken. SttTranscriberService.transcribe does not know its session, so the stt job
 * being handled is kept in an AsyncLocalStorage around SttJobService.handle; a final's text is
 * then what `scriptFor(sessionId, startSec, endSec)` says (session seconds of the job's audio).
 * Interims keep whisper's own text (the turn judge reads only speculative finals).
 */
const currentJob = new AsyncLocalStorage<SttJob>();

/** The script's text for a session's audio window, or undefined for sessions it does not know. */
export type ScriptLookup = (
  sessionId: string,
  startSec: number,
  endSec: number,
) => string | undefined;

export interface ScriptedCounters {
  /** Finals whose text was replaced by the script's. */
  replaced: number;
  /** Finals of sessions the script did not know (their text left as whisper wrote it). */
  unknown: number;
  /** Finals whose audio whisper was not run on (the VAD filter found no speech): left empty. */
  notInferred: number;
}

/** SttJobService with the job in context for the transcriber below; nothing else changes. */
class JobContextSttJobService extends SttJobService {
  override handle(
    job: Pick<Job<SttJob>, 'data' | 'id' | 'attemptsMade' | 'opts'>,
  ): Promise<SttJobOutcome> {
    return currentJob.run(job.data, () => super.handle(job));
  }
}

class ScriptedTranscriber extends SttTranscriberService {
  constructor(
    config: AppConfig,
    engine: WhisperEngine,
    private readonly script: ScriptLookup,
    private readonly counters: ScriptedCounters,
  ) {
    super(config, engine);
  }

  override async transcribe(input: TranscriptionInput): Promise<Transcription> {
    const real = await super.transcribe(input);
    const job = currentJob.getStore();
    if (input.kind !== 'final' || !job) return real;
    if (!real.inferred) {
      this.counters.notInferred++;
      return real;
    }
    const text = this.script(job.sessionId, job.startSec, job.endSec);
    if (text === undefined) {
      this.counters.unknown++;
      return real;
    }
    this.counters.replaced++;
    // No words: their probabilities would be the random model's, so the turn judge's
    // confidence floor (TURN_MIN_CONFIDENCE) is not exercised by this bench.
    return { ...real, text, words: [] };
  }
}

/** The testing module with the scripted transcriber in place of SttTranscriberService. */
export function withScriptedTranscriber(
  builder: TestingModuleBuilder,
  script: ScriptLookup,
): { builder: TestingModuleBuilder; counters: ScriptedCounters } {
  const counters: ScriptedCounters = { replaced: 0, unknown: 0, notInferred: 0 };
  return {
    builder: builder
      .overrideProvider(SttJobService)
      .useClass(JobContextSttJobService)
      .overrideProvider(SttTranscriberService)
      .useFactory({
        factory: (config: AppConfig, engine: WhisperEngine) =>
          new ScriptedTranscriber(config, engine, script, counters),
        inject: [APP_CONFIG, WHISPER_ENGINE],
      }),
    counters,
  };
}
