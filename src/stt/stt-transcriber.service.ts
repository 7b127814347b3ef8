import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { SegmentDetail, WordTiming } from '../contracts/result-messages';
import { normalizePeak } from '../audio/level';
import { pipelineSeconds } from '../audio/pipeline-rate';
import { audioCtxFor } from './audio/audio-ctx';
import { analyseSpeech } from './audio/speech-presence';
import { WHISPER_ENGINE, WhisperEngine } from './engine/whisper-engine';
import { DEFAULT_FILTER, filterSegments } from './text/hallucination-filter';
import { buildPrompt } from './text/prompt-builder';
import { segmentDetails } from './text/segment-detail';
import { tokensToWords } from './text/words';

export interface TranscriptionInput {
  samples: Float32Array;
  kind: 'interim' | 'final';
  language: string;
  task: 'transcribe' | 'translate';
  previousText?: string | null;
  /** Stream time of the first sample, added to word timings. */
  offsetSec: number;
  /** Word timings even when WORD_TIMESTAMPS is off (interims need them to cut their audio). */
  wordTimings?: boolean;
  /** Per-segment detail (tokens, log probability, compression ratio) in the result. */
  segmentDetail?: boolean;
  /** Sampling temperature of the first decode (uploads may ask; live speech decodes at 0). */
  temperature?: number;
  /** Uploaded files: served after live speech that waits for a whisper context. */
  background?: boolean;
  /** See TranscribeRequest.stillWanted. */
  stillWanted?: () => Promise<boolean>;
}

export interface Transcription {
  text: string;
  language: string;
  languageProbability?: number;
  words: WordTiming[];
  /** Set when the input asked for segmentDetail (empty when whisper was not run). */
  segments?: SegmentDetail[];
  /** False when the audio had no speech and whisper was not run. */
  inferred: boolean;
  sttMs: number;
  /** Seconds of audio given to whisper (0 when it was not run). */
  audioSeconds: number;
}

/**
 * Audio in, cleaned text out: normalisation, the VAD filter, whisper parameters per kind (beam
 * search for finals, greedy for interims), then the hallucination filter and word timings.
 */
@Injectable()
export class SttTranscriberService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WHISPER_ENGINE) private readonly engine: WhisperEngine,
  ) {}

  async transcribe(input: TranscriptionInput): Promise<Transcription> {
    const stt = this.config.stt;
    const fixedLanguage = input.language === 'auto' ? undefined : input.language;
    const silent: Transcription = {
      text: '',
      language: fixedLanguage ?? 'und',
      words: [],
      ...(input.segmentDetail ? { segments: [] } : {}),
      inferred: false,
      sttMs: 0,
      audioSeconds: 0,
    };
    if (stt.vadFilter && !analyseSpeech(input.samples).hasSpeech) return silent;

    const samples = stt.normalizeAudio ? normalizePeak(input.samples) : input.samples;
    const final = input.kind === 'final';
    const started = performance.now();
    const timings = input.wordTimings ?? stt.wordTimestamps;
    const result = await this.engine.transcribe(
      {
        pcm: samples,
        language: input.language,
        task: input.task,
        beamSize: final ? stt.beamSize : 1,
        initialPrompt: buildPrompt(input.previousText) || undefined,
        audioCtx: audioCtxFor(pipelineSeconds(samples.length), stt.audioCtx),
        maxTokens: stt.maxTokens,
        ...(input.temperature ? { temperature: input.temperature } : {}),
        temperatureFallback: final && stt.temperatureFallback,
        noSpeechThreshold: stt.noSpeechThreshold,
        wordTimestamps: timings,
        ...(input.stillWanted ? { stillWanted: input.stillWanted } : {}),
      },
      input.background ? 'background' : input.kind,
    );
    const sttMs = performance.now() - started;

    const kept = filterSegments(result.segments, {
      ...DEFAULT_FILTER,
      noSpeechThreshold: stt.noSpeechThreshold,
    });
    const text = kept
      .map((segment) => segment.text)
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    const words = timings
      ? kept.flatMap(({ segment, text: cleaned, rewritten }) => {
          const all = tokensToWords(segment.tokens, input.offsetSec);
          // A cleaned segment keeps the timings of the words it still has.
          return rewritten ? all.slice(0, cleaned.split(/\s+/).filter(Boolean).length) : all;
        })
      : [];
    return {
      text,
      // The language of the text: whisper's translate task always writes English.
      language: input.task === 'translate' ? 'en' : result.language || fixedLanguage || 'und',
      languageProbability: fixedLanguage ? undefined : result.languageProbability,
      words,
      ...(input.segmentDetail
        ? { segments: segmentDetails(kept, input.offsetSec, pipelineSeconds(input.samples.length)) }
        : {}),
      inferred: true,
      sttMs,
      audioSeconds: pipelineSeconds(samples.length),
    };
  }
}
