import { Injectable } from '@nestjs/common';
import { ApiKeyService } from '../persistence/api-keys/api-key.service';
import { ApiKeyRecord } from '../persistence/api-keys/api-key.types';
import { DatabaseService } from '../persistence/database/database.service';
import {
  TRANSCRIPT_FORMATS,
  TranscriptFormat,
  TranscriptFormatService,
} from '../persistence/transcripts/transcript-format.service';
import { TranscriptQueryService } from '../persistence/transcripts/transcript-query.service';
import { TranscriptRetentionService } from '../persistence/transcripts/transcript-retention.service';
import { UsageService } from '../persistence/usage/usage.service';
import {
  allowOnly,
  AdminUsageError,
  flag,
  numberOption,
  ParsedArgs,
  stringOption,
  USAGE,
} from './admin-args';

const DAY_MS = 86_400_000;

export type Write = (text: string) => void;

function limitText(value: number | null): string {
  return value === null ? '-' : String(value);
}

function keyLine(key: ApiKeyRecord): string {
  const limits = [
    `sessions=${limitText(key.limits.maxConcurrentSessions)}`,
    `audio_s/h=${limitText(key.limits.audioSecondsPerHour)}`,
    `msg/s=${limitText(key.limits.messagesPerSecond)}`,
  ].join(' ');
  const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
  return `${key.id}  ${key.prefix}…  ${key.name}  [${key.scopes.join(',')}]  ${limits}  created ${key.createdAt.toISOString()}  ${state}`;
}

function parseDate(args: ParsedArgs, name: string, fallback: Date): Date {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) throw new AdminUsageError(`--${name} must be an ISO date`);
  return date;
}

/** One method per command; all output goes through `write` (stdout), errors are thrown. */
@Injectable()
export class AdminCommandsService {
  constructor(
    private readonly database: DatabaseService,
    private readonly keys: ApiKeyService,
    private readonly usage: UsageService,
    private readonly transcripts: TranscriptQueryService,
    private readonly formatter: TranscriptFormatService,
    private readonly retention: TranscriptRetentionService,
  ) {}

  async run(args: ParsedArgs, write: Write): Promise<void> {
    const [group, command, ...rest] = args.words;
    const route = `${group ?? ''} ${command ?? ''}`;
    switch (route) {
      case 'keys create':
        return this.keysCreate(args, write);
      case 'keys list':
        return this.keysList(args, write);
      case 'keys revoke':
        return this.keysRevoke(args, rest, write);
      case 'usage report':
        return this.usageReport(args, write);
      case 'transcripts export':
        return this.transcriptsExport(args, rest, write);
      case 'transcripts delete':
        return this.transcriptsDelete(args, rest, write);
      case 'transcripts purge':
        return this.transcriptsPurge(args, write);
      case 'db migrate':
        return this.dbMigrate(args, write);
      default:
        throw new AdminUsageError(USAGE);
    }
  }

  private async keysCreate(args: ParsedArgs, write: Write): Promise<void> {
    allowOnly(args, [
      'name',
      'scopes',
      'max-sessions',
      'audio-seconds-per-hour',
      'messages-per-second',
      'json',
    ]);
    const name = stringOption(args, 'name');
    if (!name) throw new AdminUsageError('keys create needs --name');
    const scopes = stringOption(args, 'scopes')
      ?.split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
    const created = await this.keys.create({
      name,
      scopes,
      limits: {
        maxConcurrentSessions:
          numberOption(args, 'max-sessions', { min: 1, integer: true }) ?? null,
        audioSecondsPerHour: numberOption(args, 'audio-seconds-per-hour', { min: 1 }) ?? null,
        messagesPerSecond: numberOption(args, 'messages-per-second', { min: 0.1 }) ?? null,
      },
    });
    if (flag(args, 'json')) {
      write(`${JSON.stringify({ ...created.record, key: created.key })}\n`);
      return;
    }
    write(`${keyLine(created.record)}\n`);
    write(`API key (shown once, store it now):\n${created.key}\n`);
  }

  private async keysList(args: ParsedArgs, write: Write): Promise<void> {
    allowOnly(args, ['active', 'json']);
    const keys = await this.keys.list(!flag(args, 'active'));
    if (flag(args, 'json')) {
      write(`${JSON.stringify(keys)}\n`);
      return;
    }
    write(keys.length === 0 ? 'No API keys.\n' : keys.map((key) => `${keyLine(key)}\n`).join(''));
  }

  private async keysRevoke(args: ParsedArgs, rest: string[], write: Write): Promise<void> {
    allowOnly(args, []);
    const [id] = rest;
    if (!id || rest.length > 1) throw new AdminUsageError('keys revoke needs exactly one KEY_ID');
    if (!(await this.keys.revoke(id))) throw new Error(`No API key with id ${id}`);
    write(`Revoked ${id}\n`);
  }

  private async usageReport(args: ParsedArgs, write: Write): Promise<void> {
    allowOnly(args, ['key', 'from', 'to', 'granularity', 'json']);
    const to = parseDate(args, 'to', new Date(Date.now() + 1));
    const from = parseDate(args, 'from', new Date(to.getTime() - 30 * DAY_MS));
    const granularity = stringOption(args, 'granularity') ?? 'day';
    if (granularity !== 'hour' && granularity !== 'day') {
      throw new AdminUsageError('--granularity must be hour or day');
    }
    const report = await this.usage.report(stringOption(args, 'key'), from, to, granularity);
    if (flag(args, 'json')) {
      write(`${JSON.stringify(report)}\n`);
      return;
    }
    write(`Usage ${report.from} .. ${report.to} per ${granularity}\n`);
    for (const bucket of report.buckets) {
      write(
        `${bucket.start}  ${bucket.keyId}  ${bucket.audioSeconds} s audio  ${bucket.sessions} session(s)\n`,
      );
    }
    write(`Total: ${report.totals.audioSeconds} s audio, ${report.totals.sessions} session(s)\n`);
  }

  private async transcriptsExport(args: ParsedArgs, rest: string[], write: Write): Promise<void> {
    allowOnly(args, ['format', 'language']);
    const [sessionId] = rest;
    if (!sessionId || rest.length > 1) {
      throw new AdminUsageError('transcripts export needs exactly one SESSION_ID');
    }
    const format = (stringOption(args, 'format') ?? 'txt') as TranscriptFormat;
    if (!TRANSCRIPT_FORMATS.includes(format)) {
      throw new AdminUsageError(`--format must be one of ${TRANSCRIPT_FORMATS.join(', ')}`);
    }
    const stored = await this.transcripts.find(sessionId);
    if (!stored) throw new Error(`No transcript for session ${sessionId}`);
    const body = this.formatter.format(
      sessionId,
      stored.entries,
      format,
      stringOption(args, 'language'),
    ).body;
    write(format === 'json' ? `${body}\n` : body);
  }

  private async transcriptsDelete(args: ParsedArgs, rest: string[], write: Write): Promise<void> {
    allowOnly(args, []);
    const [sessionId] = rest;
    if (!sessionId || rest.length > 1) {
      throw new AdminUsageError('transcripts delete needs exactly one SESSION_ID');
    }
    const deleted = await this.transcripts.delete(sessionId);
    write(`Deleted ${deleted} line(s) of session ${sessionId}\n`);
  }

  private async transcriptsPurge(args: ParsedArgs, write: Write): Promise<void> {
    allowOnly(args, ['older-than-days']);
    const days = numberOption(args, 'older-than-days', { min: 0, integer: true });
    if (days === undefined)
      throw new AdminUsageError('transcripts purge needs --older-than-days N');
    const cutoff = new Date(Date.now() - days * DAY_MS);
    const deleted = await this.retention.purgeOlderThan(cutoff);
    write(`Deleted ${deleted} transcript line(s) archived before ${cutoff.toISOString()}\n`);
  }

  private async dbMigrate(args: ParsedArgs, write: Write): Promise<void> {
    allowOnly(args, []);
    const outcome = await this.database.migrate();
    write(
      outcome.applied.length > 0
        ? `Applied ${outcome.applied.join(', ')}\n`
        : `Up to date (${outcome.current.length} migration(s))\n`,
    );
  }
}
