import { Logger } from '@nestjs/common';
import { type StoredResult } from '../../utterance/result-stream.service';
import { type ReplayableFrame, type ServerFrame } from '../../contracts/stream-frames';
import {
  type DeliverOutcome,
  type SessionStoreService,
} from '../session-store/session-store.service';
import { DeliveredSources } from './delivered-sources';
import { type DeliveryAction, DeliverySequencer } from './delivery-sequencer';
import { type ResultReaderService } from '../../utterance/result-reader.service';
import { compareStreamIds } from '../../common/stream-id';
import { SerialQueue } from '../../common/serial-queue';
import { replayStart } from './replay-start';

/** How long delivery waits for a missing final while later ones are done (its job failed). */
const MISSING_FINAL_MS = 60_000;
/** How long `close` waits for the last finals before closing anyway (they stay resumable). */
const DRAIN_FINALS_MS = 60_000;
/** Translations awaited for the drain at close, at most (the oldest are forgotten first). */
const MAX_AWAITED_TRANSLATIONS = 256;
/** How long `close` waits for the translations of the last finals. */
const DRAIN_TRANSLATIONS_MS = 15_000;

export interface DeliveryDeps {
  store: SessionStoreService;
  reader: ResultReaderService;
  /** Sends a frame; `sent` runs once it is written to the socket. */
  send(frame: ServerFrame, sent?: () => void): void;
  /** Another connection took the session over (resume elsewhere). */
  onTakenOver(): void;
  /** `resultWrittenAt`: epoch ms the worker's result was written (its stream id), when known. */
  onFinalDelivered?(index: number, resultWrittenAt: number | undefined): void;
  /** A final or final translation went to the client (outbox written): the stored result. */
  onResultDelivered?(stored: StoredResult): void;
}

export interface ResumePosition {
  lastSeq?: number;
  lastId?: string;
}

/**
 * Delivery for one connected session: replays what a resuming client missed, then turns the
 * session's result stream into frames, persisting each replayable frame (exactly once, with its
 * seq) in the session outbox before the client sees it. All work runs on one serial queue, so
 * frames leave in outbox order.
 */
export class SessionDelivery {
  private readonly logger = new Logger('SessionDelivery');
  /** Every delivery step, so frames leave in outbox order. */
  private readonly steps = new SerialQueue((error) =>
    this.logger.error(`Delivery for session ${this.sessionId} failed: ${String(error)}`),
  );
  private sequencer: DeliverySequencer;
  private stopped = false;
  private expiryTimer?: NodeJS.Timeout;
  /** Translations still to come: `${index}:${language}`. */
  private readonly awaitedTranslations = new Set<string>();
  private readonly targetsByIndex = new Map<number, string[]>();
  private lastSentId = '0';
  private readonly sources = new DeliveredSources();
  /** Waiting for every expected final to be delivered. */
  private readonly idle: (() => void)[] = [];
  /** Waiting for the awaited translations (drain). */
  private readonly translationsSettled: (() => void)[] = [];

  constructor(
    private readonly sessionId: string,
    private readonly owner: string,
    private readonly deps: DeliveryDeps,
  ) {
    this.sequencer = new DeliverySequencer(sessionId);
  }

  get seq(): number {
    return this.lastSeq;
  }

  private lastSeq = 0;

  /** Loads the session's delivery state, replays what the client missed, then goes live. */
  async start(resume?: ResumePosition): Promise<void> {
    const state = await this.deps.store.load(this.sessionId);
    this.lastSeq = state.seq;
    this.lastSentId = state.lastSentId;
    this.sequencer = new DeliverySequencer(this.sessionId, state.lastIndex);
    for (const index of await this.deps.store.expectedFinals(this.sessionId, state.lastIndex)) {
      this.sequencer.expect(index);
    }
    const outbox = await this.deps.store.outbox(this.sessionId);
    for (const entry of outbox) {
      const index = Number(entry.frame.index);
      if (entry.frame.type === 'final' && entry.id.endsWith('-0')) {
        this.sequencer.rememberDelivered(index, Number(entry.id.split('-')[0]));
      }
    }
    if (resume) {
      const from = replayStart(resume.lastSeq, resume.lastId, state.lastSentId);
      for (const entry of outbox) {
        if (compareStreamIds(entry.id, from) > 0) this.sendReplayable(entry.id, entry.frame);
      }
    }
    // Results written before this connection: settle what is ready, without stale interims.
    let lastId = '0';
    for (;;) {
      const batch = await this.deps.store.readResults(this.sessionId, lastId);
      if (batch.length === 0) break;
      lastId = batch.at(-1)?.id ?? lastId;
      for (const result of batch) this.sources.note(result);
      await this.run(batch.flatMap((r) => this.sequencer.accept(r.message, false)));
    }
    this.deps.reader.subscribe(this.sessionId, lastId, (results) => this.onResults(results));
    this.expiryTimer = setInterval(() => {
      this.steps.push(() => this.run(this.sequencer.expire(MISSING_FINAL_MS)));
    }, 1000);
    this.expiryTimer.unref();
  }

  /** The gateway enqueued the final of `index` (translations into `targets` will follow). */
  expect(index: number, targets: string[]): void {
    this.sequencer.expect(index);
    this.targetsByIndex.set(index, targets);
  }

  /**
   * Resolves true once every expected final (and, for a while, its translations) was delivered,
   * or false when finals are still missing after `timeoutMs` (stt down or far behind).
   */
  async drained(timeoutMs = DRAIN_FINALS_MS): Promise<boolean> {
    await this.steps.idle();
    if (this.sequencer.pendingCount > 0) {
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([
        new Promise<boolean>((resolve) => this.idle.push(() => resolve(true))),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!done) return false;
    }
    if (this.awaitedTranslations.size > 0 && !this.stopped) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.translationsSettled.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_TRANSLATIONS_MS))),
      ]);
      clearTimeout(timer);
    }
    await this.steps.idle();
    return true;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.expiryTimer);
    this.deps.reader.unsubscribe(this.sessionId);
    for (const resolve of this.idle.splice(0)) resolve();
    for (const resolve of this.translationsSettled.splice(0)) resolve();
  }

  private onResults(results: StoredResult[]): void {
    this.steps.push(async () => {
      const gap = results.some((r) => {
        const m = r.message;
        const index = m.type === 'final' || m.type === 'error' ? m.index : undefined;
        return index !== undefined && this.sequencer.hasGapBefore(index);
      });
      if (gap) {
        const settled = this.sequencer.settledIndex;
        for (const index of await this.deps.store.expectedFinals(this.sessionId, settled)) {
          this.sequencer.expect(index);
        }
      }
      for (const result of results) this.sources.note(result);
      await this.run(results.flatMap((r) => this.sequencer.accept(r.message, true)));
    });
  }

  private async run(actions: DeliveryAction[]): Promise<void> {
    for (const action of actions) {
      if (this.stopped) return;
      if (action.kind === 'send') {
        this.deps.send(action.frame);
        continue;
      }
      let frame: object | undefined;
      if (action.kind === 'translation') {
        const seq = this.sequencer.seqOf(action.index);
        if (seq === undefined) {
          this.sources.take(action.dedupe);
          continue;
        }
        frame = { ...action.frame, seq };
      } else if (action.kind === 'final') {
        frame = action.frame;
      }
      const stored = frame ? { ...frame, index: action.index } : undefined;
      const mode = action.kind;
      const outcome = await this.persist(mode, action.index, action.dedupe, stored);
      if (!outcome) return;
      if (outcome.status === 'owner') {
        this.stop();
        this.deps.onTakenOver();
        return;
      }
      const source = this.sources.take(action.dedupe);
      if (mode === 'translation') {
        this.awaitedTranslations.delete(`${action.index}:${action.frame.language}`);
        if (this.awaitedTranslations.size === 0) {
          for (const resolve of this.translationsSettled.splice(0)) resolve();
        }
      }
      if (outcome.status === 'dup') continue;
      if (mode === 'final') {
        this.lastSeq = outcome.seq;
        this.sequencer.delivered(action.index, outcome.seq);
        if (action.frame.type === 'final') {
          for (const language of this.targetsByIndex.get(action.index) ?? []) {
            this.awaitedTranslations.add(`${action.index}:${language}`);
          }
          // A translation that never comes (e.g. a pair nobody serves) must not pile up.
          while (this.awaitedTranslations.size > MAX_AWAITED_TRANSLATIONS) {
            this.awaitedTranslations.delete(this.awaitedTranslations.values().next().value!);
          }
          this.deps.onFinalDelivered?.(action.index, source && Number(source.id.split('-')[0]));
        }
      }
      this.targetsByIndex.delete(action.index);
      if (outcome.id) this.sendReplayable(outcome.id, stored!);
      if (outcome.id && source) this.deps.onResultDelivered?.(source);
    }
    if (this.sequencer.pendingCount === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /**
   * Persists one frame in the session outbox, retrying while Redis fails (in order: the queue
   * waits). After an attempt whose fate is unknown (a timeout: it may have run), `dup` means that
   * attempt did persist the frame, so it is taken from the outbox and still sent. Undefined once
   * delivery stopped.
   */
  private async persist(
    mode: 'final' | 'translation' | 'settle',
    index: number,
    dedupe: string,
    stored: Record<string, unknown> | undefined,
  ): Promise<DeliverOutcome | undefined> {
    let uncertain = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await this.deps.store.deliver(
          this.sessionId,
          this.owner,
          mode,
          index,
          dedupe,
          stored,
        );
        if (outcome.status !== 'dup' || !uncertain || !stored) return outcome;
        return (await this.fromOutbox(index, stored)) ?? outcome;
      } catch (error) {
        if (this.stopped) return undefined;
        uncertain = true;
        if (attempt === 0) {
          this.logger.warn(
            `Delivery for session ${this.sessionId} waits for Redis: ${(error as Error).message}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
        if (this.stopped) return undefined;
      }
    }
  }

  /** The outbox entry an earlier, unanswered attempt wrote for this frame. */
  private async fromOutbox(
    index: number,
    stored: Record<string, unknown>,
  ): Promise<DeliverOutcome | undefined> {
    const entries = await this.deps.store.outbox(this.sessionId, this.lastSentId);
    const entry = entries.find(
      (e) =>
        Number(e.frame.index) === index &&
        e.frame.type === stored.type &&
        (stored.type !== 'translation' || e.frame.language === stored.language),
    );
    return entry ? { status: 'ok', id: entry.id, seq: Number(entry.id.split('-')[0]) } : undefined;
  }

  private sendReplayable(id: string, stored: object): void {
    const frame = { ...(stored as Record<string, unknown>) };
    delete frame.index;
    const seq = frame.type === 'translation' ? frame.seq : Number(id.split('-')[0]);
    this.deps.send({ ...frame, id, seq } as unknown as ReplayableFrame, () => {
      if (compareStreamIds(id, this.lastSentId) <= 0) return;
      this.lastSentId = id;
      this.deps.store.setLastSent(this.sessionId, id).catch(() => undefined);
    });
  }
}
