import { normalizeLanguage } from '../../languages/language-table';
import {
  type EngineStatus,
  EngineUnavailableError,
  type LanguagePair,
  pairKey,
  type TranslateRequest,
  type TranslationEngine,
} from '../translation-engine';

interface LibreLanguage {
  code: string;
  targets?: string[];
}

/** A LibreTranslate server the user already runs (TRANSLATION_URL). */
export class LibreTranslateEngine implements TranslationEngine {
  readonly name = 'libretranslate';
  readonly handlesHtml = true;
  private pairList: LanguagePair[] = [];
  private lastError: string | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async init(): Promise<void> {
    try {
      const response = await fetch(new URL('languages', this.url()), {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok) throw new Error(`GET /languages answered ${response.status}`);
      const languages = (await response.json()) as LibreLanguage[];
      const pairs: LanguagePair[] = [];
      for (const language of languages) {
        const source = normalizeLanguage(language.code);
        if (!source) continue;
        for (const code of language.targets ?? []) {
          const target = normalizeLanguage(code);
          if (target && target !== source) pairs.push({ source, target });
        }
      }
      this.pairList = pairs;
      this.lastError = undefined;
    } catch (error) {
      this.lastError = `LibreTranslate at ${this.safeUrl()} unreachable: ${(error as Error).message}`;
    }
  }

  supports(source: string, target: string): boolean {
    return this.pairList.some((pair) => pair.source === source && pair.target === target);
  }

  pairs(): LanguagePair[] {
    return [...this.pairList];
  }

  async translate(request: TranslateRequest): Promise<string> {
    let response: Response;
    try {
      response = await fetch(new URL('translate', this.url()), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          q: request.text,
          source: request.source,
          target: request.target,
          format: request.format ?? 'text',
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new EngineUnavailableError(
        `LibreTranslate at ${this.safeUrl()} failed: ${(error as Error).message}`,
      );
    }
    const body = (await response.json().catch(() => ({}))) as {
      translatedText?: string;
      error?: string;
    };
    if (!response.ok || typeof body.translatedText !== 'string') {
      throw new Error(
        `LibreTranslate answered ${response.status} for ${pairKey(request.source, request.target)}` +
          (body.error ? `: ${body.error}` : ''),
      );
    }
    return body.translatedText;
  }

  status(): EngineStatus {
    const pairs: Record<string, string> = {};
    for (const pair of this.pairList) pairs[pairKey(pair.source, pair.target)] = 'ready';
    return {
      ready: this.lastError === undefined && this.pairList.length > 0,
      pairs,
      detail: this.lastError,
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private url(): string {
    return this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`;
  }

  /** The URL without credentials, for messages. */
  private safeUrl(): string {
    const url = new URL(this.baseUrl);
    url.username = '';
    url.password = '';
    return url.toString();
  }
}
