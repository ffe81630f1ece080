/**
 * SQL of billing months: the closed months, their frozen totals, the corrections carried by later
 * bills, the members' meters and months changed since the last close, and voids. Row-level security
 * limits every statement to the transaction's member scope.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/tx.js';

export interface BillingMonthRow {
  /** 'YYYY-MM' */
  readonly month: string;
  readonly closedAt: Date;
  readonly closedBy: string | null;
}

const toMonth = (d: string | Date): string => (typeof d === 'string' ? d : d.toISOString()).slice(0, 7);

export async function selectBillingMonths(tx: Tx): Promise<BillingMonthRow[]> {
  const rows = await tx.db
    .selectFrom('usage_billing_months')
    .select(['month', 'closed_at', 'closed_by'])
    .orderBy('month', 'desc')
    .execute();
  return rows.map((r) => ({
    month: toMonth(r.month),
    closedAt: new Date(r.closed_at),
    closedBy: r.closed_by,
  }));
}

export async function insertBillingMonth(tx: Tx, month: string, closedBy: string | null): Promise<void> {
  await tx.db
    .insertInto('usage_billing_months')
    .values({ month: `${month}-01`, closed_by: closedBy })
    .execute();
}

/** Runs `insert` on the rows in chunks of 1,000 (a statement's parameters stay well under the limit). */
async function inChunks<R>(
  rows: readonly R[],
  insert: (chunk: readonly R[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await insert(rows.slice(i, i + 1000));
}

/** The members that have rollups at all (a skip scan over the rollups' primary key). */
export async function selectMembersWithUsage(tx: Tx): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with recursive m(id) as (
      (select member_id from usage_hourly order by member_id limit 1)
      union all
      select (select member_id from usage_hourly where member_id > m.id order by member_id limit 1)
        from m where m.id is not null)
    select id from m where id is not null`.execute(tx.db);
  return rows.map((r) => r.id);
}

/** The meters of a member with a rollup before `before` (a skip scan over the primary key). */
export async function selectMetersOf(tx: Tx, memberId: string, before: Date): Promise<string[]> {
  const { rows } = await sql<{ meter: string }>`
    with recursive k(meter) as (
      (select meter_key from usage_hourly where member_id = ${memberId} order by meter_key limit 1)
      union all
      select (select meter_key from usage_hourly where member_id = ${memberId} and meter_key > k.meter
               order by meter_key limit 1)
        from k where k.meter is not null)
    select meter from k
     where meter is not null
       and exists (select 1 from usage_hourly h
                    where h.member_id = ${memberId} and h.meter_key = k.meter and h.hour < ${before})`.execute(
    tx.db,
  );
  return rows.map((r) => r.meter);
}

export interface TotalRow {
  readonly memberId: string;
  readonly month: string;
  readonly meter: string;
  readonly aggregation: string;
  readonly quantity: string;
  readonly events: number;
}

export async function insertTotals(tx: Tx, rows: readonly TotalRow[]): Promise<void> {
  await inChunks(rows, (chunk) =>
    tx.db
      .insertInto('usage_period_totals')
      .values(
        chunk.map((r) => ({
          member_id: r.memberId,
          month: `${r.month}-01`,
          meter_key: r.meter,
          aggregation: r.aggregation,
          quantity: r.quantity,
          events: r.events,
        })),
      )
      .execute(),
  );
}

/** The frozen totals of a member's closed month (all meters, or one). */
export async function selectTotals(
  tx: Tx,
  memberId: string,
  month: string,
  meter?: string,
): Promise<TotalRow[]> {
  let q = tx.db
    .selectFrom('usage_period_totals')
    .select(['member_id', 'month', 'meter_key', 'aggregation', 'quantity', 'events'])
    .where('member_id', '=', memberId)
    .where('month', '=', `${month}-01`);
  if (meter) q = q.where('meter_key', '=', meter);
  const rows = await q.orderBy('meter_key').orderBy('aggregation').execute();
  return rows.map((r) => ({
    memberId: r.member_id,
    month: toMonth(r.month),
    meter: r.meter_key,
    aggregation: r.aggregation,
    quantity: r.quantity,
    events: Number(r.events),
  }));
}

export interface CorrectionRow {
  readonly memberId: string;
  readonly billedMonth: string;
  readonly month: string;
  readonly meter: string;
  readonly aggregation: string;
  readonly quantityBefore: string;
  readonly quantityAfter: string;
  readonly eventsBefore: number;
  readonly eventsAfter: number;
}

export async function insertCorrections(tx: Tx, rows: readonly CorrectionRow[]): Promise<void> {
  await inChunks(rows, (chunk) =>
    tx.db
      .insertInto('usage_corrections')
      .values(
        chunk.map((r) => ({
          member_id: r.memberId,
          billed_month: `${r.billedMonth}-01`,
          month: `${r.month}-01`,
          meter_key: r.meter,
          aggregation: r.aggregation,
          quantity_before: r.quantityBefore,
          quantity_after: r.quantityAfter,
          events_before: r.eventsBefore,
          events_after: r.eventsAfter,
        })),
      )
      .execute(),
  );
}

/** Corrections of a member: those a month's bill carries, or those of an original month. */
export async function selectCorrections(
  tx: Tx,
  filter: { memberId: string; billedMonth?: string; month?: string; meter?: string },
): Promise<CorrectionRow[]> {
  let q = tx.db
    .selectFrom('usage_corrections')
    .select([
      'member_id',
      'billed_month',
      'month',
      'meter_key',
      'aggregation',
      'quantity_before',
      'quantity_after',
      'events_before',
      'events_after',
    ])
    .where('member_id', '=', filter.memberId);
  if (filter.billedMonth) q = q.where('billed_month', '=', `${filter.billedMonth}-01`);
  if (filter.month) q = q.where('month', '=', `${filter.month}-01`);
  if (filter.meter) q = q.where('meter_key', '=', filter.meter);
  const rows = await q
    .orderBy('billed_month')
    .orderBy('month')
    .orderBy('meter_key')
    .orderBy('aggregation')
    .execute();
  return rows.map((r) => ({
    memberId: r.member_id,
    billedMonth: toMonth(r.billed_month),
    month: toMonth(r.month),
    meter: r.meter_key,
    aggregation: r.aggregation,
    quantityBefore: r.quantity_before,
    quantityAfter: r.quantity_after,
    eventsBefore: Number(r.events_before),
    eventsAfter: Number(r.events_after),
  }));
}

export interface StaleRow {
  readonly memberId: string;
  readonly meter: string;
  readonly month: string;
}

/** Members' meters and closed months changed since the last close (of one member, or all). */
export async function selectStale(tx: Tx, memberId?: string): Promise<StaleRow[]> {
  let q = tx.db.selectFrom('usage_stale').select(['member_id', 'meter_key', 'month']);
  if (memberId) q = q.where('member_id', '=', memberId);
  const rows = await q.orderBy('member_id').orderBy('meter_key').orderBy('month').execute();
  return rows.map((r) => ({ memberId: r.member_id, meter: r.meter_key, month: toMonth(r.month) }));
}

export async function insertStale(tx: Tx, row: StaleRow): Promise<void> {
  await tx.db
    .insertInto('usage_stale')
    .values({ member_id: row.memberId, meter_key: row.meter, month: `${row.month}-01` })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * Removes every mark: a close has turned them all into corrections (it holds the close lock
 * exclusively, so no ingest or void adds one meanwhile).
 */
export async function deleteAllStale(tx: Tx): Promise<void> {
  await tx.db.deleteFrom('usage_stale').execute();
}

export interface VoidRow {
  readonly memberId: string;
  readonly source: string;
  readonly eventId: string;
  readonly time: Date;
  readonly meter: string;
  readonly quantity: string;
  readonly reason: string;
  readonly voidedBy: string;
  readonly voidedAt: Date;
}

export async function insertVoid(
  tx: Tx,
  v: Omit<VoidRow, 'voidedAt'>,
): Promise<{ inserted: boolean; voidedAt: Date | null }> {
  const row = await tx.db
    .insertInto('usage_voids')
    .values({
      member_id: v.memberId,
      source: v.source,
      event_id: v.eventId,
      time: v.time,
      meter_key: v.meter,
      quantity: v.quantity,
      reason: v.reason,
      voided_by: v.voidedBy,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('voided_at')
    .executeTakeFirst();
  return { inserted: row !== undefined, voidedAt: row ? new Date(row.voided_at) : null };
}

/** Voids by member, meter and time of use, latest time of use first. */
export async function selectVoids(
  tx: Tx,
  filter: { memberId?: string; meter?: string; from?: Date; to?: Date; limit: number },
): Promise<VoidRow[]> {
  let q = tx.db
    .selectFrom('usage_voids')
    .select([
      'member_id',
      'source',
      'event_id',
      'time',
      'meter_key',
      'quantity',
      'reason',
      'voided_by',
      'voided_at',
    ]);
  if (filter.memberId) q = q.where('member_id', '=', filter.memberId);
  if (filter.meter) q = q.where('meter_key', '=', filter.meter);
  if (filter.from) q = q.where('time', '>=', filter.from);
  if (filter.to) q = q.where('time', '<', filter.to);
  const rows = await q.orderBy('voided_at', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({
    memberId: r.member_id,
    source: r.source,
    eventId: r.event_id,
    time: new Date(r.time),
    meter: r.meter_key,
    quantity: r.quantity,
    reason: r.reason,
    voidedBy: r.voided_by,
    voidedAt: new Date(r.voided_at),
  }));
}

/** The voids among the given event keys. */
export async function selectVoidsOf(
  tx: Tx,
  keys: readonly { memberId: string; source: string; eventId: string }[],
): Promise<VoidRow[]> {
  if (keys.length === 0) return [];
  const { rows } = await sql<{
    member_id: string;
    source: string;
    event_id: string;
    time: Date;
    meter_key: string;
    quantity: string;
    reason: string;
    voided_by: string;
    voided_at: Date;
  }>`
    select v.member_id, v.source, v.event_id, v.time, v.meter_key, v.quantity, v.reason, v.voided_by, v.voided_at
      from unnest(${keys.map((k) => k.memberId)}::uuid[], ${keys.map((k) => k.source)}::text[],
                  ${keys.map((k) => k.eventId)}::text[]) as i(member_id, source, event_id)
      join usage_voids v on v.member_id = i.member_id and v.source = i.source and v.event_id = i.event_id`.execute(
    tx.db,
  );
  return rows.map((r) => ({
    memberId: r.member_id,
    source: r.source,
    eventId: r.event_id,
    time: new Date(r.time),
    meter: r.meter_key,
    quantity: r.quantity,
    reason: r.reason,
    voidedBy: r.voided_by,
    voidedAt: new Date(r.voided_at),
  }));
}

/** The first and last closed billing month ('YYYY-MM'), if any month is closed. */
export async function selectClosedMonthRange(tx: Tx): Promise<{ first: string; last: string } | undefined> {
  const row = await tx.db
    .selectFrom('usage_billing_months')
    .select((eb) => [eb.fn.min('month').as('first'), eb.fn.max('month').as('last')])
    .executeTakeFirst();
  if (!row?.first || !row.last) return undefined;
  const month = (d: unknown) => (d instanceof Date ? d.toISOString() : String(d)).slice(0, 7);
  return { first: month(row.first), last: month(row.last) };
}
