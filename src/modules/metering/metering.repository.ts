/**
 * SQL of usage metering. Row-level security limits every statement to the transaction's member scope.
 * The ingest is one statement per request (after the partition check): array parameters → unnest →
 * dedup keys → raw events → hourly rollups and distinct values, each insert ordered by its unique key so
 * that concurrent ingests lock rows in the same order and never deadlock.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/tx.js';

/** One event ready for the ingest statement (member resolved, payload hashed). */
export interface IngestRow {
  readonly memberId: string;
  readonly source: string;
  readonly eventId: string;
  readonly meter: string;
  readonly quantity: string;
  readonly time: string;
  /** JSON text of the attributes, or null. */
  readonly attributes: string | null;
  readonly payloadHash: string;
}

/** An input row that was not new: its position (1-based) and the hash stored under its key, if visible. */
export interface KnownRow {
  readonly n: number;
  readonly storedHash: string | null;
}

/**
 * The advisory lock between ingests and voids (shared) and the close of a billing month (exclusive):
 * a close waits for the writes in flight and sees all of them; a write that starts during a close
 * waits, then sees the month closed and marks its events as late. Held to the end of the transaction.
 */
const CLOSE_LOCK = sql`hashtext('allmende.usage.close')`;

/** Takes the close lock shared (ingests and voids). */
export async function lockUsageShared(tx: Tx): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${CLOSE_LOCK})`.execute(tx.db);
}

/** Takes the close lock exclusively (closing a billing month). */
export async function lockUsageExclusive(tx: Tx): Promise<void> {
  await sql`select pg_advisory_xact_lock(${CLOSE_LOCK})`.execute(tx.db);
}

/**
 * Makes sure the monthly partitions for [from, to] exist (a no-op, without locks, when they do). With
 * `forIngest`, it takes the close lock shared in the same round trip, before the ingest statement.
 */
export async function ensurePartitions(
  tx: Tx,
  from: string,
  to: string,
  options: { forIngest?: boolean } = {},
): Promise<number> {
  const lock = options.forIngest ? sql`pg_advisory_xact_lock_shared(${CLOSE_LOCK}),` : sql``;
  const { rows } = await sql<{ created: number }>`
    select ${lock} usage_events_ensure_partitions(${from}::timestamptz, ${to}::timestamptz) as created`.execute(
    tx.db,
  );
  return Number(rows[0]?.created ?? 0);
}

/** Drops the raw-event partitions that end on or before `cutoff`; keys and rollups stay. */
export async function purgePartitionsBefore(tx: Tx, cutoff: string): Promise<number> {
  const { rows } = await sql<{ dropped: number }>`
    select usage_events_purge_before(${cutoff}::timestamptz) as dropped`.execute(tx.db);
  return Number(rows[0]?.dropped ?? 0);
}

/**
 * Stores the new events of `rows` and keeps the rollups current, in one statement. Returns the rows that
 * were not new (their key was stored before): the caller tells duplicates from conflicts by the hash.
 * `rows` must hold each (member, source, event id) at most once.
 */
export async function insertUsage(tx: Tx, rows: readonly IngestRow[]): Promise<KnownRow[]> {
  if (rows.length === 0) return [];
  const { rows: known } = await ingestStatement(rows).execute(tx.db);
  return known.map((r) => ({ n: Number(r.n), storedHash: r.stored_hash }));
}

/** The ingest statement itself (exported for EXPLAIN ANALYZE in development). */
export function ingestStatement(rows: readonly IngestRow[]) {
  const col = <K extends keyof IngestRow>(k: K) => rows.map((r) => r[k]);
  return sql<{ n: string | number; stored_hash: string | null }>`
    with input as (
      select * from unnest(
        ${col('memberId')}::uuid[], ${col('source')}::text[], ${col('eventId')}::text[],
        ${col('meter')}::text[], ${col('quantity')}::numeric[], ${col('time')}::timestamptz[],
        ${col('attributes')}::jsonb[], ${col('payloadHash')}::text[]
      ) with ordinality as i(member_id, source, event_id, meter_key, quantity, time, attributes, payload_hash, n)
    ),
    new_keys as (
      insert into usage_event_keys as k (member_id, source, event_id, payload_hash, time)
      select member_id, source, event_id, payload_hash, time from input
      order by member_id, source, event_id
      on conflict do nothing
      returning k.member_id, k.source, k.event_id
    ),
    -- No ON CONFLICT here: new_keys lets each (member, source, event id) through once ever, so its raw
    -- row is new; a conflict would be a broken invariant and fails the request (its pre-check cost ~7 %).
    inserted as (
      insert into usage_events as e (member_id, time, source, event_id, meter_key, quantity, attributes)
      select i.member_id, i.time, i.source, i.event_id, i.meter_key, i.quantity, i.attributes
        from input i
        join new_keys k on k.member_id = i.member_id and k.source = i.source and k.event_id = i.event_id
      order by i.member_id, i.time, i.source, i.event_id
      returning e.member_id, e.meter_key, e.time, e.source, e.event_id, e.quantity, e.attributes
    ),
    hourly as (
      select member_id, meter_key, date_trunc('hour', time, 'UTC') as hour,
             sum(quantity) as quantity_sum, count(*) as event_count, max(quantity) as quantity_max
        from inserted
       group by 1, 2, 3
    ),
    latest as (
      select distinct on (member_id, meter_key, date_trunc('hour', time, 'UTC'))
             member_id, meter_key, date_trunc('hour', time, 'UTC') as hour,
             time, source, event_id, quantity
        from inserted
       order by member_id, meter_key, date_trunc('hour', time, 'UTC'),
                time desc, source collate "C" desc, event_id collate "C" desc
    ),
    rolled as (
      insert into usage_hourly as r (member_id, meter_key, hour, quantity_sum, event_count, quantity_max,
                                     latest_time, latest_source, latest_event_id, latest_quantity)
      select h.member_id, h.meter_key, h.hour, h.quantity_sum, h.event_count, h.quantity_max,
             l.time, l.source, l.event_id, l.quantity
        from hourly h join latest l on l.member_id = h.member_id and l.meter_key = h.meter_key and l.hour = h.hour
      order by h.member_id, h.meter_key, h.hour
      on conflict (member_id, meter_key, hour) do update set
        quantity_sum = r.quantity_sum + excluded.quantity_sum,
        event_count = r.event_count + excluded.event_count,
        quantity_max = greatest(r.quantity_max, excluded.quantity_max),
        latest_time = case when ${LATER} then excluded.latest_time else r.latest_time end,
        latest_source = case when ${LATER} then excluded.latest_source else r.latest_source end,
        latest_event_id = case when ${LATER} then excluded.latest_event_id else r.latest_event_id end,
        latest_quantity = case when ${LATER} then excluded.latest_quantity else r.latest_quantity end
      returning 1
    ),
    distinct_values as (
      insert into usage_distinct_values as d (member_id, meter_key, month, value_key, first_time)
      select member_id, meter_key, date_trunc('month', time at time zone 'Europe/Berlin')::date,
             attributes::text, min(time)
        from inserted
       where attributes is not null
       group by 1, 2, 3, 4
      order by 1, 2, 3, 4
      on conflict (member_id, meter_key, month, value_key) do update set first_time = excluded.first_time
        where excluded.first_time < d.first_time
      returning 1
    ),
    -- Late events: their time of use lies before the end of the last closed billing month (months close
    -- in order). The member's meter and month are marked for the next close, which turns the change
    -- into a correction; the closed month's totals stay as billed. An event before the first closed
    -- month marks that first month (a gauge's value carries into it).
    closed as (
      select min(month)::timestamp as first_day, (max(month) + interval '1 month')::timestamp as after_day
        from usage_billing_months
    ),
    stale as (
      insert into usage_stale as s (member_id, meter_key, month)
      select distinct i.member_id, i.meter_key,
             greatest(date_trunc('month', i.time at time zone 'Europe/Berlin'), c.first_day)::date
        from inserted i, closed c
       where i.time at time zone 'Europe/Berlin' < c.after_day
      order by 1, 2, 3
      on conflict do nothing
      returning 1
    )
    select i.n,
           -- A correlated look-up per known row (primary-key index), never a scan of the key table.
           (select old.payload_hash from usage_event_keys old
             where old.member_id = i.member_id and old.source = i.source and old.event_id = i.event_id) as stored_hash
      from input i
     where not exists (select 1 from new_keys k
                        where k.member_id = i.member_id and k.source = i.source and k.event_id = i.event_id)
     order by i.n`;
}

// The row in excluded is later than the stored latest (time, then source and event id in byte order).
const LATER = sql.raw(
  '(excluded.latest_time, excluded.latest_source, excluded.latest_event_id) > (r.latest_time, r.latest_source, r.latest_event_id)',
);

/** The stored payload hashes of keys (for rows whose key another transaction committed meanwhile). */
export async function selectStoredHashes(
  tx: Tx,
  keys: readonly { memberId: string; source: string; eventId: string }[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const { rows } = await sql<{ member_id: string; source: string; event_id: string; payload_hash: string }>`
    select k.member_id, k.source, k.event_id, k.payload_hash
      from unnest(${keys.map((k) => k.memberId)}::uuid[], ${keys.map((k) => k.source)}::text[],
                  ${keys.map((k) => k.eventId)}::text[]) as i(member_id, source, event_id)
      join usage_event_keys k on k.member_id = i.member_id and k.source = i.source and k.event_id = i.event_id`.execute(
    tx.db,
  );
  return new Map(rows.map((r) => [keyOf(r.member_id, r.source, r.event_id), r.payload_hash]));
}

/**
 * A map key for (member, source, event id). Neither a member id nor a source can contain a line feed
 * (uuid; the source format), so the joined text is unambiguous — and cheaper than JSON per event.
 */
export function keyOf(memberId: string, source: string, eventId: string): string {
  return `${memberId}\n${source}\n${eventId}`;
}

/** An hourly rollup as aggregation reads it. */
export interface HourlyRollup {
  readonly hour: Date;
  readonly quantitySum: string;
  readonly eventCount: number;
  readonly quantityMax: string;
  readonly latestTime: Date;
  readonly latestQuantity: string;
}

/** The hourly rollups of a member's meter with from ≤ hour < to, in time order. */
export async function selectHourly(
  tx: Tx,
  memberId: string,
  meter: string,
  from: Date,
  to: Date,
): Promise<HourlyRollup[]> {
  const rows = await tx.db
    .selectFrom('usage_hourly')
    .select(['hour', 'quantity_sum', 'event_count', 'quantity_max', 'latest_time', 'latest_quantity'])
    .where('member_id', '=', memberId)
    .where('meter_key', '=', meter)
    .where('hour', '>=', from)
    .where('hour', '<', to)
    .orderBy('hour')
    .execute();
  return rows.map(toRollup);
}

/** The last hourly rollup before `before` (the value a gauge carries into a period), if any. */
export async function selectHourlyBefore(
  tx: Tx,
  memberId: string,
  meter: string,
  before: Date,
): Promise<HourlyRollup | undefined> {
  const row = await tx.db
    .selectFrom('usage_hourly')
    .select(['hour', 'quantity_sum', 'event_count', 'quantity_max', 'latest_time', 'latest_quantity'])
    .where('member_id', '=', memberId)
    .where('meter_key', '=', meter)
    .where('hour', '<', before)
    .orderBy('hour', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toRollup(row) : undefined;
}

function toRollup(r: {
  hour: Date;
  quantity_sum: string;
  event_count: number;
  quantity_max: string;
  latest_time: Date;
  latest_quantity: string;
}): HourlyRollup {
  return {
    hour: r.hour,
    quantitySum: r.quantity_sum,
    eventCount: Number(r.event_count),
    quantityMax: r.quantity_max,
    latestTime: r.latest_time,
    latestQuantity: r.latest_quantity,
  };
}

/** How many distinct attribute values a member's meter had in the months [fromMonth, toMonth). */
export async function countDistinctValues(
  tx: Tx,
  memberId: string,
  meter: string,
  fromMonth: string,
  toMonth: string,
): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`
    select count(distinct value_key) as n from usage_distinct_values
     where member_id = ${memberId} and meter_key = ${meter}
       and month >= ${fromMonth}::date and month < ${toMonth}::date`.execute(tx.db);
  return Number(rows[0]?.n ?? 0);
}

/** An event `e` that no void names. */
const NOT_VOIDED = sql`not exists (select 1 from usage_voids v
  where v.member_id = e.member_id and v.source = e.source and v.event_id = e.event_id)`;

/**
 * The rollups recounted from the raw events that are not voided (for checks and tests): what
 * usage_hourly must equal.
 */
export async function recountHourlyFromRaw(tx: Tx, memberId?: string) {
  const { rows } = await sql<{
    member_id: string;
    meter_key: string;
    hour: Date;
    quantity_sum: string;
    event_count: number | string;
    quantity_max: string;
    latest_time: Date;
    latest_source: string;
    latest_event_id: string;
    latest_quantity: string;
  }>`
    select h.member_id, h.meter_key, h.hour, h.quantity_sum, h.event_count, h.quantity_max,
           l.time as latest_time, l.source as latest_source, l.event_id as latest_event_id,
           l.quantity as latest_quantity
      from (select member_id, meter_key, date_trunc('hour', time, 'UTC') as hour, sum(quantity) as quantity_sum,
                   count(*) as event_count, max(quantity) as quantity_max
              from usage_events e where ${memberId === undefined ? sql`true` : sql`member_id = ${memberId}`}
               and ${NOT_VOIDED}
             group by 1, 2, 3) h
      join (select distinct on (member_id, meter_key, date_trunc('hour', time, 'UTC'))
                   member_id, meter_key, date_trunc('hour', time, 'UTC') as hour, time, source, event_id, quantity
              from usage_events e where ${memberId === undefined ? sql`true` : sql`member_id = ${memberId}`}
               and ${NOT_VOIDED}
             order by member_id, meter_key, date_trunc('hour', time, 'UTC'),
                      time desc, source collate "C" desc, event_id collate "C" desc) l
        on l.member_id = h.member_id and l.meter_key = h.meter_key and l.hour = h.hour
     order by 1, 2, 3`.execute(tx.db);
  return rows.map((r) => ({ ...r, event_count: Number(r.event_count) }));
}

/** The stored hourly rollups, in the same shape and order as recountHourlyFromRaw. */
export async function selectAllHourly(tx: Tx, memberId?: string) {
  let q = tx.db
    .selectFrom('usage_hourly')
    .select([
      'member_id',
      'meter_key',
      'hour',
      'quantity_sum',
      'event_count',
      'quantity_max',
      'latest_time',
      'latest_source',
      'latest_event_id',
      'latest_quantity',
    ]);
  if (memberId !== undefined) q = q.where('member_id', '=', memberId);
  const rows = await q.orderBy('member_id').orderBy('meter_key').orderBy('hour').execute();
  return rows.map((r) => ({ ...r, event_count: Number(r.event_count) }));
}

/** Raw events and dedup keys of a member (for tests and the tenancy checks). */
export async function countStored(tx: Tx, memberId?: string): Promise<{ events: number; keys: number }> {
  const where = memberId === undefined ? sql`true` : sql`member_id = ${memberId}`;
  const { rows } = await sql<{ events: number | string; keys: number | string }>`
    select (select count(*) from usage_events where ${where}) as events,
           (select count(*) from usage_event_keys where ${where}) as keys`.execute(tx.db);
  return { events: Number(rows[0]!.events), keys: Number(rows[0]!.keys) };
}

/** One raw event as a void needs it. */
export interface VoidTarget {
  readonly memberId: string;
  readonly source: string;
  readonly eventId: string;
  readonly time: Date;
  readonly meter: string;
  readonly quantity: string;
  readonly attributes: string | null;
  readonly receivedAt: Date;
}

/** The raw event of a key (from its time in the key table: one partition), if it is still kept. */
export async function selectEventForVoid(
  tx: Tx,
  key: { memberId: string; source: string; eventId: string },
): Promise<{ event: VoidTarget | undefined; known: boolean }> {
  const k = await tx.db
    .selectFrom('usage_event_keys')
    .select('time')
    .where('member_id', '=', key.memberId)
    .where('source', '=', key.source)
    .where('event_id', '=', key.eventId)
    .executeTakeFirst();
  if (!k) return { event: undefined, known: false };
  const e = await tx.db
    .selectFrom('usage_events')
    .select(['member_id', 'source', 'event_id', 'time', 'meter_key', 'quantity', 'received_at'])
    // The distinct-values key is the jsonb's own text form.
    .select(sql<string | null>`attributes::text`.as('attributes_text'))
    .where('member_id', '=', key.memberId)
    .where('time', '=', k.time)
    .where('source', '=', key.source)
    .where('event_id', '=', key.eventId)
    .executeTakeFirst();
  if (!e) return { event: undefined, known: true };
  return {
    known: true,
    event: {
      memberId: e.member_id,
      source: e.source,
      eventId: e.event_id,
      time: new Date(e.time),
      meter: e.meter_key,
      quantity: e.quantity,
      attributes: e.attributes_text,
      receivedAt: new Date(e.received_at),
    },
  };
}

/**
 * Recounts the hourly rollup of one member's meter and hour from its raw events that are not voided
 * (after a void): the row goes when no event is left.
 */
export async function recountHour(tx: Tx, memberId: string, meter: string, hour: Date): Promise<void> {
  await tx.db
    .deleteFrom('usage_hourly')
    .where('member_id', '=', memberId)
    .where('meter_key', '=', meter)
    .where('hour', '=', hour)
    .execute();
  const end = new Date(hour.getTime() + 3_600_000);
  await sql`
    insert into usage_hourly (member_id, meter_key, hour, quantity_sum, event_count, quantity_max,
                              latest_time, latest_source, latest_event_id, latest_quantity)
    select h.member_id, h.meter_key, ${hour}::timestamptz, h.quantity_sum, h.event_count, h.quantity_max,
           l.time, l.source, l.event_id, l.quantity
      from (select member_id, meter_key, sum(quantity) as quantity_sum, count(*) as event_count,
                   max(quantity) as quantity_max
              from usage_events e
             where member_id = ${memberId} and meter_key = ${meter} and time >= ${hour} and time < ${end}
               and ${NOT_VOIDED}
             group by 1, 2) h
      cross join lateral (
        select time, source, event_id, quantity from usage_events e
         where member_id = ${memberId} and meter_key = ${meter} and time >= ${hour} and time < ${end}
           and ${NOT_VOIDED}
         order by time desc, source collate "C" desc, event_id collate "C" desc
         limit 1) l`.execute(tx.db);
}

/**
 * Recounts one distinct value of a member's meter in a Berlin month (after a void): the row goes when
 * no event that is not voided has that value.
 */
export async function recountDistinctValue(
  tx: Tx,
  memberId: string,
  meter: string,
  month: string,
  valueKey: string,
  period: { from: Date; to: Date },
): Promise<void> {
  await tx.db
    .deleteFrom('usage_distinct_values')
    .where('member_id', '=', memberId)
    .where('meter_key', '=', meter)
    .where('month', '=', month)
    .where('value_key', '=', valueKey)
    .execute();
  await sql`
    insert into usage_distinct_values (member_id, meter_key, month, value_key, first_time)
    select ${memberId}::uuid, ${meter}, ${month}::date, ${valueKey}, min(time)
      from usage_events e
     where member_id = ${memberId} and meter_key = ${meter} and time >= ${period.from} and time < ${period.to}
       and attributes::text = ${valueKey} and ${NOT_VOIDED}
    having count(*) > 0`.execute(tx.db);
}
