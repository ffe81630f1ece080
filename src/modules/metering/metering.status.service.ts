/**
 * The ingestion status of usage metering: per source what arrived (from the summary the ingest keeps,
 * metering.status.repository.ts) and the refused deliveries — a request answered 422, a failed pull, a
 * refused CSV import — recorded after the refused transaction rolled back, so that the association sees
 * why usage is missing. A refusal belongs to the sender's member (see ARCHITECTURE.md, Metering).
 */
import type { UsageRejectionChannel } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';
import { addDays } from '../../shared/effective.js';
import { ForbiddenError, type LineIssue, type LinesInvalidError } from '../../shared/errors.js';
import { actorNames, actorOf } from '../audit/audit.service.js';
import { hasPermission, requirePermission } from '../auth/permissions.js';
import { associationMemberId } from '../members/members.service.js';
import { readLines } from './metering.events.js';
import {
  countRejections,
  deleteRejectionsBefore,
  deleteSourceDaysBefore,
  insertRejection,
  type RejectionRow,
  type SourceStatusRow,
  selectRejections,
  selectSourceStatus,
} from './metering.status.repository.js';

/** Days of receipt the status page sums up as "recent" (today and the 29 days before). */
export const RECENT_DAYS = 30;
/** How long a refused delivery is kept. */
export const REJECTION_RETENTION_DAYS = 90;
/** How long the per-day summary is kept (the totals per source stay). */
export const SOURCE_DAYS_RETENTION_DAYS = 400;
/** Line issues kept per refused delivery (the sender got all of them in the answer). */
export const REJECTION_ISSUES_KEPT = 20;
/** Sources kept per refused delivery. */
const SOURCES_KEPT = 10;
const SOURCE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;

export type SourceStatus = SourceStatusRow;

/** The ingestion status per source (association area): last receipt, latest use, today, 30 days, ever. */
export async function ingestionStatus(tx: Tx): Promise<SourceStatus[]> {
  requirePermission(tx.ctx, 'usage.read');
  const today = tx.ctx.clock.today();
  return selectSourceStatus(tx, today, addDays(today, -(RECENT_DAYS - 1)));
}

/** What a refused delivery is recorded with. */
export interface RejectionInput {
  readonly channel: UsageRejectionChannel;
  /** The sources the delivery named, as far as readable (at most 10 are kept). */
  readonly sources: readonly string[];
  /** Lines (events) the delivery held. */
  readonly lines: number;
  /** Every line issue (the first 20 are kept, all are counted). */
  readonly issues?: readonly LineIssue[];
  /**
   * What failed, in the log's words: the error itself when it is no line issue (e.g. "Prometheus
   * unreachable", counted as one error), else where the issues arose (e.g. the pulled meter and hour).
   */
  readonly message?: string;
}

/** Userinfo in URLs (`https://user:secret@host`) never reaches the record. */
function withoutCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1…@').slice(0, 2000);
}

/**
 * Records a refused delivery — call it in a transaction of its own after the refused one rolled back
 * (the routes, the pull and the CSV import do). It belongs to the sender's member: the token's or the
 * person's member, the association for jobs and system work. Who sends may record: usage.write or
 * usage.import. Returns the record's id.
 */
export async function recordRejection(tx: Tx, input: RejectionInput): Promise<string> {
  if (!hasPermission(tx.ctx, 'usage.write') && !hasPermission(tx.ctx, 'usage.import'))
    throw new ForbiddenError('usage.write');
  const { actorType, actorId } = actorOf(tx.ctx);
  const memberId = tx.ctx.principal?.memberId ?? (await associationMemberId(tx));
  const issues = [...(input.issues ?? [])].sort((a, b) => a.line - b.line);
  const sources = [...new Set(input.sources.filter((s) => SOURCE.test(s)))].sort().slice(0, SOURCES_KEPT);
  return insertRejection(tx, {
    memberId,
    rejectedAt: tx.ctx.clock.now(),
    channel: input.channel,
    actorType,
    actorId: actorId.slice(0, 200),
    sources,
    lines: Math.max(0, Math.trunc(input.lines)),
    errorCount: issues.length > 0 ? issues.length : input.message ? 1 : 0,
    errors: issues.slice(0, REJECTION_ISSUES_KEPT).map((i) => ({
      line: i.line,
      ...(i.field ? { field: i.field } : {}),
      code: i.code,
    })),
    message: input.message ? withoutCredentials(input.message) : null,
  });
}

/**
 * What a refused request body tells for its record: how many lines it held and the sources it named
 * (read again only when refused, so the ingest's path stays as it is).
 */
export function describeRefusedBody(body: unknown): { lines: number; sources: string[] } {
  const lines = readLines(body);
  if ('error' in lines) return { lines: 0, sources: [] };
  const sources = new Set<string>();
  for (const l of lines) {
    const v = l.value as { source?: unknown } | null | undefined;
    if (v && typeof v === 'object' && typeof v.source === 'string' && SOURCE.test(v.source))
      sources.add(v.source);
  }
  return { lines: lines.length, sources: [...sources] };
}

/** The record of an API request refused with `err` (lines, sources, every line issue). */
export function apiRejection(body: unknown, err: LinesInvalidError): RejectionInput {
  return { channel: 'api', ...describeRefusedBody(body), issues: err.lines };
}

/** A refused delivery as the status page shows it. */
export interface Rejection extends RejectionRow {
  /** Who sent it, in words: a person's or token's name where known, else the actor id. */
  readonly actorName: string | null;
}

/** Most refused deliveries the status page lists. */
export const REJECTIONS_SHOWN = 50;

/**
 * The refused deliveries of the last REJECTION_RETENTION_DAYS in scope, newest first (at most `limit`),
 * with the senders' names, and how many there are in all.
 */
export async function listRejections(
  tx: Tx,
  limit = REJECTIONS_SHOWN,
): Promise<{ items: Rejection[]; total: number }> {
  requirePermission(tx.ctx, 'usage.read');
  const since = new Date(tx.ctx.clock.now().getTime() - REJECTION_RETENTION_DAYS * 86_400_000);
  const rows = await selectRejections(tx, { since, limit });
  const total = rows.length < limit ? rows.length : await countRejections(tx, since);
  const names = await actorNames(tx, rows);
  return {
    items: rows.map((r) => ({
      ...r,
      actorName:
        r.actorType === 'user'
          ? (names.users.get(r.actorId) ?? null)
          : r.actorType === 'token'
            ? (names.tokens.get(r.actorId) ?? null)
            : null,
    })),
    total,
  };
}

/**
 * Removes refused deliveries older than REJECTION_RETENTION_DAYS and per-day summaries older than
 * SOURCE_DAYS_RETENTION_DAYS (the totals per source stay). System work only (the daily job).
 */
export async function purgeUsageStatus(tx: Tx): Promise<{ rejections: number; days: number }> {
  if (tx.ctx.principal || !tx.ctx.system) throw new ForbiddenError('usage.purge');
  const now = tx.ctx.clock.now();
  const rejections = await deleteRejectionsBefore(
    tx,
    new Date(now.getTime() - REJECTION_RETENTION_DAYS * 86_400_000),
  );
  const days = await deleteSourceDaysBefore(tx, addDays(tx.ctx.clock.today(), -SOURCE_DAYS_RETENTION_DAYS));
  return { rejections, days };
}
