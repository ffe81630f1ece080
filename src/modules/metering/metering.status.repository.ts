/**
 * SQL of the ingestion status: the per-source summary the ingest keeps (usage_source_totals and
 * usage_source_days), the refused deliveries (usage_rejections), and the search of raw events for the
 * metering pages. Row-level security limits every statement to the transaction's member scope.
 */
import { sql } from 'kysely';
import type { ActorKind, UsageRejectionChannel } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';

/** What one accepted request brought from one member and source (the ingest's tally). */
export interface SourceTally {
  readonly memberId: string;
  readonly source: string;
  /** New events stored. */
  readonly accepted: number;
  /** Events already known (within the request or stored before). */
  readonly duplicates: number;
  /** The latest time of use among the accepted events (ISO), or null when none was accepted. */
  readonly latestTime: string | null;
}

/**
 * Adds one accepted request to the per-source summary: one statement, one row per member and source of
 * the request in usage_source_totals and in usage_source_days (the Berlin day `day` of receipt). Both
 * upserts are sorted by their key, totals before days (the days' insert waits for the count of the
 * totals' RETURNING, so the order is fixed): concurrent ingests lock the same rows in the same order and
 * never deadlock.
 * `tallies` must hold each (member, source) once.
 */
export async function upsertSourceSummary(
  tx: Tx,
  tallies: readonly SourceTally[],
  receivedAt: Date,
  day: string,
): Promise<void> {
  if (tallies.length === 0) return;
  await sourceSummaryStatement(tallies, receivedAt, day).execute(tx.db);
}

/** The summary statement itself (exported for EXPLAIN ANALYZE and the cost measurement). */
export function sourceSummaryStatement(tallies: readonly SourceTally[], receivedAt: Date, day: string) {
  const col = <K extends keyof SourceTally>(k: K) => tallies.map((r) => r[k]);
  return sql`
    with input as (
      select * from unnest(
        ${col('memberId')}::uuid[], ${col('source')}::text[], ${col('accepted')}::bigint[],
        ${col('duplicates')}::bigint[], ${col('latestTime')}::timestamptz[]
      ) as i(member_id, source, accepted, duplicates, latest_time)
    ),
    totals as (
      insert into usage_source_totals as t
             (member_id, source, first_received_at, last_received_at, latest_time, accepted, duplicates)
      select member_id, source, ${receivedAt}::timestamptz, ${receivedAt}::timestamptz, latest_time,
             accepted, duplicates
        from input
       order by member_id, source
      on conflict (member_id, source) do update set
        last_received_at = greatest(t.last_received_at, excluded.last_received_at),
        latest_time = greatest(t.latest_time, excluded.latest_time),
        accepted = t.accepted + excluded.accepted,
        duplicates = t.duplicates + excluded.duplicates
      returning t.member_id, t.source
    )
    insert into usage_source_days as d
           (member_id, source, day, accepted, duplicates, last_received_at, latest_time)
    select i.member_id, i.source, ${day}::date, i.accepted, i.duplicates, ${receivedAt}::timestamptz,
           i.latest_time
      from input i
     -- An InitPlan: the totals' upsert runs to completion before the first day row (no join needed).
     where (select count(*) from totals) > 0
     order by i.member_id, i.source
    on conflict (member_id, source, day) do update set
      last_received_at = greatest(d.last_received_at, excluded.last_received_at),
      latest_time = greatest(d.latest_time, excluded.latest_time),
      accepted = d.accepted + excluded.accepted,
      duplicates = d.duplicates + excluded.duplicates`;
}

/** Per source, over every member in scope: the summary the status page shows. */
export interface SourceStatusRow {
  readonly source: string;
  /** Members the source delivered for. */
  readonly members: number;
  readonly lastReceived: Date;
  /** The latest time of use of an accepted event, or null (duplicates only). */
  readonly latestTime: Date | null;
  /** Accepted on `today` (Berlin day of receipt). */
  readonly today: number;
  /** Accepted in the days from `since` up to today. */
  readonly recent: number;
  /** Duplicates in the same days. */
  readonly recentDuplicates: number;
  /** Accepted ever. */
  readonly total: number;
}

/**
 * The status per source from the summary tables: the totals (one row per member and source) and the
 * days from `since` to `today` (an index range on the day). Its cost grows with members × sources × days
 * shown, never with the events.
 */
export async function selectSourceStatus(tx: Tx, today: string, since: string): Promise<SourceStatusRow[]> {
  const { rows } = await sql<{
    source: string;
    members: number | string;
    last_received: Date;
    latest_time: Date | null;
    total: number | string;
    today: number | string | null;
    recent: number | string | null;
    recent_duplicates: number | string | null;
  }>`
    with totals as (
      select source, count(*) as members, max(last_received_at) as last_received,
             max(latest_time) as latest_time, sum(accepted) as total
        from usage_source_totals
       group by source
    ),
    days as (
      select source, sum(accepted) filter (where day = ${today}::date) as today,
             sum(accepted) as recent, sum(duplicates) as recent_duplicates
        from usage_source_days
       where day >= ${since}::date and day <= ${today}::date
       group by source
    )
    select t.source, t.members, t.last_received, t.latest_time, t.total, d.today, d.recent,
           d.recent_duplicates
      from totals t
      left join days d on d.source = t.source
     order by t.source`.execute(tx.db);
  return rows.map((r) => ({
    source: r.source,
    members: Number(r.members),
    lastReceived: new Date(r.last_received),
    latestTime: r.latest_time === null ? null : new Date(r.latest_time),
    today: Number(r.today ?? 0),
    recent: Number(r.recent ?? 0),
    recentDuplicates: Number(r.recent_duplicates ?? 0),
    total: Number(r.total),
  }));
}

/** The summary rows of one member (for tests and the tenancy checks), by source and day. */
export async function selectSourceDays(tx: Tx, memberId?: string) {
  let q = tx.db
    .selectFrom('usage_source_days')
    .select(['member_id', 'source', 'day', 'accepted', 'duplicates', 'last_received_at', 'latest_time']);
  if (memberId !== undefined) q = q.where('member_id', '=', memberId);
  const rows = await q.orderBy('member_id').orderBy('source').orderBy('day').execute();
  return rows.map((r) => ({ ...r, accepted: Number(r.accepted), duplicates: Number(r.duplicates) }));
}

/** The totals rows (for tests and the tenancy checks). */
export async function selectSourceTotals(tx: Tx, memberId?: string) {
  let q = tx.db
    .selectFrom('usage_source_totals')
    .select([
      'member_id',
      'source',
      'first_received_at',
      'last_received_at',
      'latest_time',
      'accepted',
      'duplicates',
    ]);
  if (memberId !== undefined) q = q.where('member_id', '=', memberId);
  const rows = await q.orderBy('member_id').orderBy('source').execute();
  return rows.map((r) => ({ ...r, accepted: Number(r.accepted), duplicates: Number(r.duplicates) }));
}

/** Removes the per-day summary of days before `before` (the totals stay); returns how many. */
export async function deleteSourceDaysBefore(tx: Tx, before: string): Promise<number> {
  const r = await tx.db.deleteFrom('usage_source_days').where('day', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---- refused deliveries ----

export interface RejectionIssue {
  readonly line: number;
  readonly field?: string;
  readonly code: string;
}

export interface NewRejection {
  readonly memberId: string;
  readonly rejectedAt: Date;
  readonly channel: UsageRejectionChannel;
  readonly actorType: ActorKind;
  readonly actorId: string;
  readonly sources: readonly string[];
  readonly lines: number;
  readonly errorCount: number;
  readonly errors: readonly RejectionIssue[];
  readonly message: string | null;
}

export interface RejectionRow extends NewRejection {
  readonly id: string;
}

export async function insertRejection(tx: Tx, r: NewRejection): Promise<string> {
  const row = await tx.db
    .insertInto('usage_rejections')
    .values({
      member_id: r.memberId,
      rejected_at: r.rejectedAt,
      channel: r.channel,
      actor_type: r.actorType,
      actor_id: r.actorId,
      sources: [...r.sources],
      lines: r.lines,
      error_count: r.errorCount,
      errors: JSON.stringify(r.errors),
      message: r.message,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The latest refused deliveries in scope, newest first. */
export async function selectRejections(
  tx: Tx,
  filter: { since?: Date; limit: number },
): Promise<RejectionRow[]> {
  let q = tx.db
    .selectFrom('usage_rejections')
    .select([
      'id',
      'member_id',
      'rejected_at',
      'channel',
      'actor_type',
      'actor_id',
      'sources',
      'lines',
      'error_count',
      'errors',
      'message',
    ]);
  if (filter.since) q = q.where('rejected_at', '>=', filter.since);
  const rows = await q.orderBy('rejected_at', 'desc').orderBy('id').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    memberId: r.member_id,
    rejectedAt: new Date(r.rejected_at),
    channel: r.channel,
    actorType: r.actor_type,
    actorId: r.actor_id,
    sources: r.sources,
    lines: Number(r.lines),
    errorCount: Number(r.error_count),
    errors: r.errors as RejectionIssue[],
    message: r.message,
  }));
}

/** How many refused deliveries are in scope since `since`. */
export async function countRejections(tx: Tx, since: Date): Promise<number> {
  const row = await tx.db
    .selectFrom('usage_rejections')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('rejected_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Removes the refused deliveries recorded before `before`; returns how many. */
export async function deleteRejectionsBefore(tx: Tx, before: Date): Promise<number> {
  const r = await tx.db.deleteFrom('usage_rejections').where('rejected_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export interface StoredEventRow {
  readonly memberId: string;
  readonly time: Date;
  readonly source: string;
  readonly eventId: string;
  readonly meter: string;
  readonly quantity: string;
  readonly attributes: Record<string, string> | null;
  readonly receivedAt: Date;
}

/** Raw events matching the filter, latest time of use first, at most `limit`. */
export async function selectEvents(
  tx: Tx,
  filter: { memberId?: string; meter?: string; from?: Date; to?: Date; limit: number },
): Promise<StoredEventRow[]> {
  let q = tx.db
    .selectFrom('usage_events')
    .select([
      'member_id',
      'time',
      'source',
      'event_id',
      'meter_key',
      'quantity',
      'attributes',
      'received_at',
    ]);
  if (filter.memberId) q = q.where('member_id', '=', filter.memberId);
  if (filter.meter) q = q.where('meter_key', '=', filter.meter);
  if (filter.from) q = q.where('time', '>=', filter.from);
  if (filter.to) q = q.where('time', '<', filter.to);
  const rows = await q
    .orderBy('time', 'desc')
    .orderBy('source')
    .orderBy('event_id')
    .limit(filter.limit)
    .execute();
  return rows.map((r) => ({
    memberId: r.member_id,
    time: new Date(r.time),
    source: r.source,
    eventId: r.event_id,
    meter: r.meter_key,
    quantity: r.quantity,
    attributes: r.attributes,
    receivedAt: new Date(r.received_at),
  }));
}
