/**
 * Usage metering: the ingest of usage events (all or nothing per request, counted exactly once) and the
 * aggregation of a member's meter over a period from the hourly rollups, which rating calls.
 */

import type { Tx } from '../../db/tx.js';
import { addMonths, monthInBerlin } from '../../shared/dates.js';
import { ForbiddenError, InvalidStateError, type LineIssue, LinesInvalidError } from '../../shared/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { requireMemberPermission, requirePermission } from '../auth/permissions.js';
import { loadPriceBook } from '../catalog/catalog.service.js';
import { findMemberByReference, listMemberIds } from '../members/members.service.js';
import type { MeterDefinition } from '../module.js';
import {
  type Aggregated,
  type Aggregation,
  aggregateRollups,
  monthPeriod,
  type Period,
  wholeMonths,
} from './metering.aggregate.js';
import { selectClosedMonthRange } from './metering.billing.repository.js';
import {
  MAX_AGE_MONTHS,
  MAX_EVENTS_PER_REQUEST,
  payloadHash,
  type RawLine,
  readLines,
  type UsageEvent,
  validateLine,
} from './metering.events.js';
import {
  countDistinctValues,
  ensurePartitions,
  type IngestRow,
  insertUsage,
  keyOf,
  purgePartitionsBefore,
  selectHourly,
  selectHourlyBefore,
  selectStoredHashes,
} from './metering.repository.js';
import { type SourceTally, upsertSourceSummary } from './metering.status.repository.js';

/** The demo's usage (metering.demo.ts) and its pilot members, for the demo seed. */
export { DEMO_USAGE_MEMBERS, seedDemoUsage } from './metering.demo.js';

/**
 * What allows an ingest: usage.write (machines: API tokens, pull jobs) or usage.import (people of the
 * association importing a CSV file, by the same code path).
 */
export type IngestPermission = 'usage.write' | 'usage.import';

/**
 * The source of Allmende's own usage (services inside Allmende counting what they render, e.g. the
 * accounts per member): reserved — only emitOwnUsage may send it, so no machine outside can feed or
 * imitate Allmende's own meters.
 */
export const OWN_SOURCE = 'allmende';

/** The meters a module declares in its definition (`meters`), which its own emitters feed. */
export type OwnMeters = Readonly<Record<string, MeterDefinition>>;

export interface IngestOptions {
  readonly permission?: IngestPermission;
  /**
   * Allmende's own usage (emitOwnUsage): the meters the emitting module declares are accepted (instead
   * of the catalogue's), and every event must come from OWN_SOURCE. System work only.
   */
  readonly own?: OwnMeters;
  /** Every check against what is stored, nothing written (the CSV import's check step). */
  readonly dryRun?: boolean;
}

export interface IngestResult {
  /** New events stored. */
  readonly accepted: number;
  /** Events already known (same member, source, event id and payload): counted nothing. */
  readonly duplicates: number;
}

/** The meter keys of every adopted catalogue version (a meter the catalogue never named is refused). */
async function knownMeters(tx: Tx): Promise<Set<string>> {
  const book = await loadPriceBook(tx);
  const meters = new Set<string>();
  for (const p of book.periods) {
    for (const item of book.itemsOf(p.version.id)) if (item.meterKey) meters.add(item.meterKey);
  }
  return meters;
}

/**
 * Resolves member references (ids and AGS) to member ids within the caller's scope. A member outside
 * the scope is as unknown as one that does not exist (a token of member A learns nothing about B).
 */
async function resolveMembers(
  tx: Tx,
  refs: ReadonlySet<string>,
  permission: IngestPermission,
): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  const ids = [...refs].filter((r) => !/^\d{8}$/.test(r));
  if (ids.length > 0) {
    const visible = new Set(await listMemberIds(tx));
    for (const id of ids) if (visible.has(id) && canWriteFor(tx, id, permission)) resolved.set(id, id);
  }
  for (const ags of [...refs].filter((r) => /^\d{8}$/.test(r))) {
    const m = await findMemberByReference(tx, ags);
    if (m && canWriteFor(tx, m.id, permission)) resolved.set(ags, m.id);
  }
  return resolved;
}

function canWriteFor(tx: Tx, memberId: string, permission: IngestPermission): boolean {
  try {
    requireMemberPermission(tx.ctx, memberId, permission);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ingests one request of usage events (`body`: a parsed JSON array, or NDJSON text). All or nothing:
 * any invalid line — unreadable, invalid, unknown member or meter, another member's events, the same
 * event id with another payload — and nothing is stored (LinesInvalidError with every line's reason).
 * Otherwise the new events, their dedup keys, rollups and distinct values are stored in one statement;
 * events already stored with the same payload count as duplicates. Records one audit event per member
 * that received new events.
 *
 * `dryRun`: every check the ingest makes, against what is stored, but nothing is written (not even a
 * partition) and nothing audited; the answer says what a real ingest would store now. (The CSV
 * import's preview and `--dry-run`.)
 */
export async function ingestUsage(tx: Tx, body: unknown, options: IngestOptions = {}): Promise<IngestResult> {
  const permission = options.permission ?? 'usage.write';
  requirePermission(tx.ctx, permission);
  const own = options.own;
  if (own && (tx.ctx.principal || !tx.ctx.system)) throw new ForbiddenError('usage.own');
  const lines = readLines(body);
  if ('error' in lines) throw new LinesInvalidError([{ line: 1, code: lines.error }]);
  if (lines.length > MAX_EVENTS_PER_REQUEST) {
    throw new LinesInvalidError([{ line: lines[MAX_EVENTS_PER_REQUEST]!.line, code: 'usage.too_many' }]);
  }
  if (lines.length === 0) return { accepted: 0, duplicates: 0 };

  const issues: LineIssue[] = [];
  const events: UsageEvent[] = [];
  const now = tx.ctx.clock.now();
  for (const raw of lines as RawLine[]) {
    const r = validateLine(raw, now);
    if (Array.isArray(r)) issues.push(...r);
    else events.push(r);
  }

  const meters = own
    ? new Set(Object.keys(own))
    : events.length > 0
      ? await knownMeters(tx)
      : new Set<string>();
  const members = await resolveMembers(tx, new Set(events.map((e) => e.memberRef)), permission);

  // Per key, the first line that sent it: a later line with the same payload is a duplicate within the
  // request, with another payload a conflict.
  const firstOfKey = new Map<string, { hash: string; line: number }>();
  const rows: IngestRow[] = [];
  const lineOfRow: number[] = [];
  const perMember = new Map<
    string,
    { accepted: number; duplicates: number; meters: Set<string>; sources: Set<string> }
  >();
  const tally = (memberId: string) => {
    const m = perMember.get(memberId) ?? {
      accepted: 0,
      duplicates: 0,
      meters: new Set(),
      sources: new Set(),
    };
    perMember.set(memberId, m);
    return m;
  };
  // Per member and source, for the status summary (upsertSourceSummary).
  const perSource = new Map<
    string,
    { memberId: string; source: string; accepted: number; duplicates: number; latestTime: string | null }
  >();
  const tallySource = (memberId: string, source: string) => {
    const k = `${memberId} ${source}`;
    const m = perSource.get(k) ?? { memberId, source, accepted: 0, duplicates: 0, latestTime: null };
    perSource.set(k, m);
    return m;
  };
  for (const e of events) {
    const memberId = members.get(e.memberRef);
    let bad = false;
    if (!memberId) {
      issues.push({ line: e.line, field: 'member', code: 'usage.member_unknown' });
      bad = true;
    }
    if (!meters.has(e.meter)) {
      issues.push({
        line: e.line,
        field: 'meter',
        code: own ? 'usage.meter_not_declared' : 'usage.meter_unknown',
      });
      bad = true;
    }
    // Allmende's own source is reserved for its own meters, and its own meters come from it alone.
    if ((e.source === OWN_SOURCE) !== Boolean(own)) {
      issues.push({
        line: e.line,
        field: 'source',
        code: own ? 'usage.source_not_own' : 'usage.source_reserved',
      });
      bad = true;
    }
    if (bad || !memberId) continue;
    const hash = payloadHash(e);
    const key = keyOf(memberId, e.source, e.eventId);
    const first = firstOfKey.get(key);
    if (first) {
      if (first.hash === hash) {
        tally(memberId).duplicates++;
        tallySource(memberId, e.source).duplicates++;
      } else issues.push({ line: e.line, field: 'eventId', code: 'usage.conflict' });
      continue;
    }
    firstOfKey.set(key, { hash, line: e.line });
    rows.push({
      memberId,
      source: e.source,
      eventId: e.eventId,
      meter: e.meter,
      quantity: e.quantity,
      time: e.time,
      attributes: e.attributes ? JSON.stringify(e.attributes) : null,
      payloadHash: hash,
    });
    lineOfRow.push(e.line);
  }
  if (issues.length > 0) throw new LinesInvalidError(sortIssues(issues));
  if (options.dryRun) return dryRunResult(tx, rows, lineOfRow, perMember);

  // The batch's first and last time (UTC ISO strings of one format order as the instants do).
  let first = rows[0]!.time;
  let last = first;
  for (const r of rows) {
    if (r.time < first) first = r.time;
    else if (r.time > last) last = r.time;
  }
  await ensurePartitions(tx, first, last, { forIngest: true });
  const known = await insertUsage(tx, rows);

  // Keys stored before: a duplicate when the payload is the same, else a conflict (and the whole request
  // is rolled back by the error). A key another transaction committed after this statement's snapshot is
  // not visible to it: asked again in a new statement.
  const unseen = known.filter((k) => k.storedHash === null).map((k) => rows[k.n - 1]!);
  const later = await selectStoredHashes(tx, unseen);
  for (const k of known) {
    const row = rows[k.n - 1]!;
    const stored = k.storedHash ?? later.get(keyOf(row.memberId, row.source, row.eventId));
    if (stored === row.payloadHash) {
      tally(row.memberId).duplicates++;
      tallySource(row.memberId, row.source).duplicates++;
    } else issues.push({ line: lineOfRow[k.n - 1]!, field: 'eventId', code: 'usage.conflict' });
  }
  if (issues.length > 0) throw new LinesInvalidError(sortIssues(issues));

  const knownSet = new Set(known.map((k) => k.n - 1));
  rows.forEach((r, i) => {
    if (knownSet.has(i)) return;
    const m = tally(r.memberId);
    m.accepted++;
    m.meters.add(r.meter);
    m.sources.add(r.source);
    const src = tallySource(r.memberId, r.source);
    src.accepted++;
    if (src.latestTime === null || r.time > src.latestTime) src.latestTime = r.time;
  });
  // Late events (time of use in a closed billing month, or before the first): the audit names the
  // months the next bill will correct (the ingest statement marked them).
  const closedMonths = knownSet.size < rows.length ? await selectClosedMonthRange(tx) : undefined;
  const lateFor = new Map<string, Set<string>>();
  if (closedMonths) {
    // Only a row before the end of the last closed month can be late: compared as text (both UTC with
    // microseconds), so the usual, current rows cost no date formatting.
    const end = `${monthPeriod(addMonths(closedMonths.last, 1)).from.toISOString().slice(0, 19)}.000000Z`;
    rows.forEach((r, i) => {
      if (knownSet.has(i) || r.time >= end) return;
      const month = monthInBerlin(new Date(r.time));
      const set = lateFor.get(r.memberId) ?? new Set<string>();
      set.add(month < closedMonths.first ? closedMonths.first : month);
      lateFor.set(r.memberId, set);
    });
  }
  // The status summary: one statement for every member and source of the request, sorted by key.
  const tallies: SourceTally[] = [...perSource.values()].sort((a, b) =>
    a.memberId !== b.memberId
      ? a.memberId < b.memberId
        ? -1
        : 1
      : a.source < b.source
        ? -1
        : a.source > b.source
          ? 1
          : 0,
  );
  await upsertSourceSummary(tx, tallies, now, tx.ctx.clock.today());
  let accepted = 0;
  let duplicates = 0;
  for (const [memberId, m] of [...perMember].sort(([a], [b]) => (a < b ? -1 : 1))) {
    accepted += m.accepted;
    duplicates += m.duplicates;
    // Only a change is audited: a request of nothing but duplicates stored nothing.
    if (m.accepted === 0) continue;
    recordAudit(tx, {
      action: 'usage.reported',
      memberId,
      objectType: 'member',
      objectId: memberId,
      details: {
        accepted: m.accepted,
        duplicates: m.duplicates,
        meters: [...m.meters].sort(),
        sources: [...m.sources].sort(),
        ...(lateFor.has(memberId) ? { correctsMonths: [...lateFor.get(memberId)!].sort() } : {}),
      },
    });
  }
  return { accepted, duplicates };
}

/** One event of Allmende's own usage (emitOwnUsage): member resolved, source implied. */
export interface OwnUsageEvent {
  readonly memberId: string;
  readonly meter: string;
  /** Exact decimal. */
  readonly quantity: string;
  /** Time of use, ISO 8601 with offset. */
  readonly time: string;
  /** Deterministic: the same count (e.g. a member's accounts on a day) always gets the same id. */
  readonly eventId: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/**
 * Emits Allmende's own usage — counts a module takes of what it renders, on the meters it declares in
 * its definition (`meters`) — through the ordinary ingest, with source OWN_SOURCE. System work only
 * (jobs, the demo seed). The first value of an event id wins: an event whose id is already stored (a
 * re-run that counted again, maybe after the count changed) counts as a duplicate and is not sent
 * again, never as a conflict that would refuse the whole batch.
 */
export async function emitOwnUsage(
  tx: Tx,
  meters: OwnMeters,
  events: readonly OwnUsageEvent[],
): Promise<IngestResult> {
  if (tx.ctx.principal || !tx.ctx.system) throw new ForbiddenError('usage.own');
  let accepted = 0;
  let duplicates = 0;
  for (let i = 0; i < events.length; i += MAX_EVENTS_PER_REQUEST) {
    const chunk = events.slice(i, i + MAX_EVENTS_PER_REQUEST);
    const stored = await selectStoredHashes(
      tx,
      chunk.map((e) => ({ memberId: e.memberId, source: OWN_SOURCE, eventId: e.eventId })),
    );
    const fresh = chunk.filter((e) => !stored.has(keyOf(e.memberId, OWN_SOURCE, e.eventId)));
    const r = await ingestUsage(
      tx,
      fresh.map((e) => ({
        member: e.memberId,
        meter: e.meter,
        quantity: e.quantity,
        time: e.time,
        source: OWN_SOURCE,
        eventId: e.eventId,
        ...(e.attributes ? { attributes: e.attributes } : {}),
      })),
      { own: meters },
    );
    accepted += r.accepted;
    duplicates += r.duplicates + (chunk.length - fresh.length);
  }
  return { accepted, duplicates };
}

/** What ingesting `rows` would do now: stored keys are duplicates (same payload) or conflicts. */
async function dryRunResult(
  tx: Tx,
  rows: readonly IngestRow[],
  lineOfRow: readonly number[],
  perMember: ReadonlyMap<string, { duplicates: number }>,
): Promise<IngestResult> {
  const stored = await selectStoredHashes(tx, rows);
  const issues: LineIssue[] = [];
  let accepted = 0;
  let duplicates = [...perMember.values()].reduce((n, m) => n + m.duplicates, 0);
  rows.forEach((row, i) => {
    const hash = stored.get(keyOf(row.memberId, row.source, row.eventId));
    if (hash === undefined) accepted++;
    else if (hash === row.payloadHash) duplicates++;
    else issues.push({ line: lineOfRow[i]!, field: 'eventId', code: 'usage.conflict' });
  });
  if (issues.length > 0) throw new LinesInvalidError(sortIssues(issues));
  return { accepted, duplicates };
}

function sortIssues(issues: LineIssue[]): LineIssue[] {
  return issues.sort((a, b) => a.line - b.line);
}

/**
 * The quantity of one member's meter over a period, aggregated from the hourly rollups as the catalogue
 * item says (`aggregation`). This is what rating calls. The period runs from a whole hour to a whole
 * hour; unique counts need whole Berlin months (they are kept per month).
 */
export async function aggregateUsage(
  tx: Tx,
  memberId: string,
  meter: string,
  aggregation: Aggregation,
  period: Period,
): Promise<Aggregated> {
  requireMemberPermission(tx.ctx, memberId, 'usage.read');
  const rollups = await selectHourly(tx, memberId, meter, period.from, period.to);
  const carries = aggregation === 'latest' || aggregation === 'time_weighted_avg';
  const before = carries ? await selectHourlyBefore(tx, memberId, meter, period.from) : undefined;
  let distinct = 0;
  if (aggregation === 'unique_count') {
    const months = wholeMonths(period);
    if (!months) throw new InvalidStateError('usage.period_not_months');
    distinct = await countDistinctValues(tx, memberId, meter, months.fromMonth, months.toMonth);
  }
  return aggregateRollups(aggregation, period, rollups, before, distinct);
}

/** Months of raw-event partitions kept ready ahead of the current one. */
export const PARTITION_MONTHS_AHEAD = 3;

/**
 * Creates the raw-event partitions for the current month and the next ones (the daily job); returns
 * how many it created.
 */
export async function preparePartitions(tx: Tx, monthsAhead = PARTITION_MONTHS_AHEAD): Promise<number> {
  requirePermission(tx.ctx, 'usage.write');
  const now = tx.ctx.clock.now();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + monthsAhead, 1));
  return ensurePartitions(tx, from.toISOString(), to.toISOString());
}

/**
 * Purges raw events older than the retention (ALLMENDE_USAGE_RETENTION_MONTHS, default 24 months — at
 * least the MAX_AGE_MONTHS the ingest accepts, so no month that may still receive a late event goes) by
 * dropping whole monthly partitions before the first of the month `retentionMonths` ago. The dedup keys
 * and the rollups stay: a re-sent old event still counts as a duplicate, and aggregates do not change.
 * System work only (the monthly job). Returns how many partitions were dropped.
 */
export async function purgeRawEvents(tx: Tx, retentionMonths = MAX_AGE_MONTHS): Promise<number> {
  if (tx.ctx.principal || !tx.ctx.system) throw new ForbiddenError('usage.purge');
  if (!Number.isInteger(retentionMonths) || retentionMonths < MAX_AGE_MONTHS)
    throw new RangeError(
      `usage retention must be whole months, at least ${MAX_AGE_MONTHS}: ${retentionMonths}`,
    );
  const now = tx.ctx.clock.now();
  const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - retentionMonths, 1));
  return purgePartitionsBefore(tx, cutoff.toISOString());
}
