import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { AppModule } from 'src/app.module';
import { createLogger, listenApp, type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { httpsOptions } from 'src/security/http-security';
import {
  type EngineSegment,
  type EngineStatus,
  type TranscribeRequest,
  type TranscribeResult,
  WHISPER_ENGINE,
  type WhisperEngine,
} from 'src/stt/engine/whisper-engine';

/** What the double says for one request: plain text, or full segments. */
export type SttScript =
  | string
  | EngineSegment[]
  | ((request: TranscribeRequest, call: number) => string | EngineSegment[]);

/**
 * A stand-in for whisper.cpp (test code only) that "hears" the words a test chooses. Everything
 * around the engine stays real: the queue, Redis, the VAD filter, the hallucination filter, the
 * result stream, translation hand-off. Words get evenly spread timings over the audio.
 *
 *   const stt = new SttEngineDouble('hello world');
 *   const running = await startAppWithSttDouble(config, stt);
 *   // or: overrideSttEngine(Test.createTestingModule({ imports: [...] }), stt)
 *   expect(stt.calls).toHaveLength(1);
 */
export class SttEngineDouble implements WhisperEngine {
  readonly calls: TranscribeRequest[] = [];
  /** Detected language reported when a request asks for 'auto'. */
  detectedLanguage = 'en';
  /** Delay per call, to make work overlap in tests. */
  delayMs = 0;

  constructor(public script: SttScript = '') {}

  status(): EngineStatus {
    return { ready: true, model: 'stt-double', instances: 1, busy: 0, waiting: 0 };
  }

  async transcribe(request: TranscribeRequest): Promise<TranscribeResult> {
    const call = this.calls.length;
    this.calls.push(request);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const out = typeof this.script === 'function' ? this.script(request, call) : this.script;
    const duration = request.pcm.length / 16000;
    const segments = typeof out === 'string' ? textSegments(out, duration) : out;
    const auto = request.language === 'auto';
    return {
      language: auto ? this.detectedLanguage : request.language,
      languageProbability: auto ? 0.97 : undefined,
      segments,
    };
  }
}

/** One confident segment whose words share the audio's duration evenly. */
export function textSegments(text: string, durationSec: number): EngineSegment[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const step = durationSec / words.length;
  return [
    {
      start: 0,
      end: durationSec,
      text: ` ${words.join(' ')}`,
      noSpeechProb: 0.01,
      tokens: words.map((word, i) => ({
        text: ` ${word}`,
        start: i * step,
        end: (i + 1) * step,
        probability: 0.95,
        special: false,
      })),
    },
  ];
}

/** Replaces only the whisper engine of a testing module. */
export function overrideSttEngine(
  builder: TestingModuleBuilder,
  engine: WhisperEngine,
): TestingModuleBuilder {
  return builder.overrideProvider(WHISPER_ENGINE).useValue(engine);
}

/** startApp() with the whisper engine replaced: same modules, ports and shutdown. */
export async function startAppWithSttDouble(
  config: AppConfig,
  engine: WhisperEngine,
): Promise<RunningApp> {
  const logger = createLogger(config);
  const moduleRef = await overrideSttEngine(
    Test.createTestingModule({ imports: [AppModule.forRoot(config)] }),
    engine,
  ).compile();
  // As bootstrap does: TLS_CERT makes the gateway's port https.
  const tls = config.roles.includes('gateway') ? httpsOptions(config) : undefined;
  const app = moduleRef.createNestApplication({
    logger,
    abortOnError: false,
    ...(tls ? { httpsOptions: tls } : {}),
  });
  return listenApp(app, config, logger);
}
