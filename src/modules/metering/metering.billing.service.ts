/**
 * Billing months, late events, voids and corrections ([5/7], "late and wrong events").
 *
 * - Association finance closes billing months in order. Closing freezes each member's totals per meter
 *   and aggregation kind (what that month's bill carries); they never change afterwards.
 * - An event whose time of use lies in a closed month is still stored and counted in the rollups (the
 *   ingest marks its member's meter and month); a wrong event is voided — with a reason, by association
 *   finance, audited; the raw event stays and the void is its own record.
 * - The next close recomputes each marked month (and the closed months after it, which a carried gauge
 *   value may change) and records the difference to what was billed as corrections carried by the bill
 *   of the month it closes, each referring to its original month. Until then, `pendingCorrections`
 *   shows what the next bill will carry.
 */
import type { Tx } from '../../db/tx.js';
import { addMonths, monthInBerlin } from '../../shared/dates.js';
import { cmp, rat } from '../../shared/decimal.js';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { requireMemberPermission, requirePermission } from '../auth/permissions.js';
import { associationMemberId } from '../members/members.service.js';
import { AGGREGATIONS, type Aggregation, aggregateRollups, monthPeriod } from './metering.aggregate.js';
import {
  type BillingMonthRow,
  type CorrectionRow,
  deleteAllStale,
  insertBillingMonth,
  insertCorrections,
  insertStale,
  insertTotals,
  insertVoid,
  type StaleRow,
  selectBillingMonths,
  selectCorrections,
  selectMembersWithUsage,
  selectMetersOf,
  selectStale,
  selectTotals,
  selectVoids,
  selectVoidsOf,
  type TotalRow,
  type VoidRow,
} from './metering.billing.repository.js';
import {
  countDistinctValues,
  keyOf,
  lockUsageExclusive,
  lockUsageShared,
  recountDistinctValue,
  recountHour,
  selectEventForVoid,
  selectHourly,
  selectHourlyBefore,
  type VoidTarget,
} from './metering.repository.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The month after 'YYYY-MM'. */
export const nextMonth = (month: string): string => addMonths(month, 1);

/** The month before 'YYYY-MM'. */
export const previousMonth = (month: string): string => addMonths(month, -1);

export type BillingMonth = BillingMonthRow;

/** The closed billing months, latest first. */
export async function billingMonths(tx: Tx): Promise<BillingMonth[]> {
  requirePermission(tx.ctx, 'usage.read');
  return selectBillingMonths(tx);
}

/**
 * The month to close next: the month after the last closed one, or — before the first close — the
 * last month that has ended. `closable` when it has ended.
 */
export async function nextMonthToClose(tx: Tx): Promise<{ month: string; closable: boolean }> {
  const months = await billingMonths(tx);
  const current = monthInBerlin(tx.ctx.clock.now());
  const month = months[0] ? nextMonth(months[0].month) : previousMonth(current);
  return { month, closable: month < current };
}

/** A member's meter in a month, every aggregation kind, from the rollups as they are now. */
async function aggregateAllKinds(
  tx: Tx,
  memberId: string,
  meter: string,
  month: string,
): Promise<{ aggregation: Aggregation; quantity: string; events: number }[]> {
  const period = monthPeriod(month);
  const rollups = await selectHourly(tx, memberId, meter, period.from, period.to);
  const before = await selectHourlyBefore(tx, memberId, meter, period.from);
  const distinct = await countDistinctValues(tx, memberId, meter, `${month}-01`, `${nextMonth(month)}-01`);
  return AGGREGATIONS.map((a) => {
    const r = aggregateRollups(a, period, rollups, before, distinct);
    return { aggregation: a, quantity: r.quantity, events: r.events };
  });
}

export interface ClosedMonth {
  readonly month: string;
  /** Total rows frozen (member × meter × aggregation kind). */
  readonly totals: number;
  /** Corrections of earlier months that this month's bill carries. */
  readonly corrections: number;
}

/**
 * Closes the billing month `month` ('YYYY-MM'): it must have ended and be the month after the last
 * closed one. Freezes every member's totals and turns the changes to earlier closed months into
 * corrections carried by this month's bill. Waits for ingests in flight (the close lock).
 */
export async function closeBillingMonth(tx: Tx, month: string): Promise<ClosedMonth> {
  requirePermission(tx.ctx, 'usage.close');
  if (!MONTH.test(month)) throw new ValidationError([{ field: 'month', code: 'usage.month_format' }]);
  if (month >= monthInBerlin(tx.ctx.clock.now())) throw new InvalidStateError('usage.month_not_ended');
  await lockUsageExclusive(tx);
  const closed = await selectBillingMonths(tx);
  if (closed.some((c) => c.month === month)) throw new ConflictError('usage.month_closed', 'month');
  if (closed[0] && month !== nextMonth(closed[0].month)) throw new InvalidStateError('usage.month_not_next');

  // Corrections first, against what was billed before this close.
  const stale = await selectStale(tx);
  const corrections = await computeCorrections(tx, stale, closed[0]?.month);

  const userId = tx.ctx.principal?.kind === 'user' ? tx.ctx.principal.id : null;
  await insertBillingMonth(tx, month, userId);
  const to = monthPeriod(month).to;
  const totals: TotalRow[] = [];
  for (const memberId of await selectMembersWithUsage(tx)) {
    for (const meter of await selectMetersOf(tx, memberId, to)) {
      for (const a of await aggregateAllKinds(tx, memberId, meter, month)) {
        totals.push({
          memberId,
          month,
          meter,
          aggregation: a.aggregation,
          quantity: a.quantity,
          events: a.events,
        });
      }
    }
  }
  await insertTotals(tx, totals);
  const rows = corrections.map((c) => ({ ...c, billedMonth: month }));
  await insertCorrections(tx, rows);
  await deleteAllStale(tx);

  recordAudit(tx, {
    action: 'usage.month_closed',
    memberId: await associationMemberId(tx),
    objectType: 'billing_month',
    objectId: month,
    details: { month, totals: totals.length, corrections: rows.length },
  });
  const byMember = new Map<string, CorrectionRow[]>();
  for (const c of rows) byMember.set(c.memberId, [...(byMember.get(c.memberId) ?? []), c]);
  for (const [memberId, list] of [...byMember].sort(([a], [b]) => (a < b ? -1 : 1))) {
    recordAudit(tx, {
      action: 'usage.corrected',
      memberId,
      objectType: 'billing_month',
      objectId: month,
      details: {
        billedMonth: month,
        months: [...new Set(list.map((c) => c.month))].sort(),
        meters: [...new Set(list.map((c) => c.meter))].sort(),
      },
    });
  }
  return { month, totals: totals.length, corrections: rows.length };
}

/** A correction not yet carried by a bill: the original month's quantity as billed and as it is now. */
export type PendingCorrection = Omit<CorrectionRow, 'billedMonth'>;

/**
 * What the next bill will carry as corrections for a member (or, for the association, all members):
 * each marked closed month recomputed against what was billed.
 */
export async function pendingCorrections(tx: Tx, memberId?: string): Promise<PendingCorrection[]> {
  if (memberId) requireMemberPermission(tx.ctx, memberId, 'usage.read');
  else requirePermission(tx.ctx, 'usage.read');
  const closed = await selectBillingMonths(tx);
  if (!closed[0]) return [];
  return computeCorrections(tx, await selectStale(tx, memberId), closed[0].month);
}

/**
 * For each member's meter with marks: every closed month from the earliest marked one through
 * `lastClosed` (a gauge's value carries into later months), recomputed and compared with what was
 * billed (the frozen total, or the last correction; nothing billed counts as 0 with 0 events).
 */
async function computeCorrections(
  tx: Tx,
  stale: readonly StaleRow[],
  lastClosed: string | undefined,
): Promise<PendingCorrection[]> {
  if (!lastClosed) return [];
  const earliest = new Map<string, StaleRow>();
  for (const s of stale) {
    const key = JSON.stringify([s.memberId, s.meter]);
    const e = earliest.get(key);
    if (!e || s.month < e.month) earliest.set(key, s);
  }
  const out: PendingCorrection[] = [];
  for (const s of [...earliest.values()]) {
    for (let month = s.month; month <= lastClosed; month = nextMonth(month)) {
      const billed = await billedQuantities(tx, s.memberId, s.meter, month);
      for (const now of await aggregateAllKinds(tx, s.memberId, s.meter, month)) {
        const before = billed.get(now.aggregation) ?? { quantity: '0', events: 0 };
        // Only a changed quantity changes a bill (a late event that leaves the maximum alone does not).
        if (cmp(rat(before.quantity), rat(now.quantity)) === 0) continue;
        out.push({
          memberId: s.memberId,
          month,
          meter: s.meter,
          aggregation: now.aggregation,
          quantityBefore: before.quantity,
          quantityAfter: now.quantity,
          eventsBefore: before.events,
          eventsAfter: now.events,
        });
      }
    }
  }
  return out;
}

/** Per aggregation kind: what the bills so far carried for a member's meter in a closed month. */
async function billedQuantities(
  tx: Tx,
  memberId: string,
  meter: string,
  month: string,
): Promise<Map<string, { quantity: string; events: number }>> {
  const billed = new Map<string, { quantity: string; events: number }>();
  for (const t of await selectTotals(tx, memberId, month, meter)) {
    billed.set(t.aggregation, { quantity: t.quantity, events: t.events });
  }
  // In order of the bills that carried them: the last one is what is billed now.
  for (const c of await selectCorrections(tx, { memberId, month, meter })) {
    billed.set(c.aggregation, { quantity: c.quantityAfter, events: c.eventsAfter });
  }
  return billed;
}

/** The frozen totals of a member's closed month, and the corrections later bills carried for it. */
export async function closedMonthOf(
  tx: Tx,
  memberId: string,
  month: string,
): Promise<{ totals: TotalRow[]; corrections: CorrectionRow[] }> {
  requireMemberPermission(tx.ctx, memberId, 'usage.read');
  return {
    totals: await selectTotals(tx, memberId, month),
    corrections: await selectCorrections(tx, { memberId, month }),
  };
}

/** Every correction the bills of a member carried so far, in the order of those bills. */
export async function carriedCorrections(tx: Tx, memberId: string): Promise<CorrectionRow[]> {
  requireMemberPermission(tx.ctx, memberId, 'usage.read');
  return selectCorrections(tx, { memberId });
}

/** The corrections of earlier months that the bill of `billedMonth` carries for a member. */
export async function correctionsBilledIn(
  tx: Tx,
  memberId: string,
  billedMonth: string,
): Promise<CorrectionRow[]> {
  requireMemberPermission(tx.ctx, memberId, 'usage.read');
  return selectCorrections(tx, { memberId, billedMonth });
}

export interface VoidInput {
  readonly memberId: string;
  readonly source: string;
  readonly eventId: string;
  readonly reason: string;
}

export interface Voided {
  readonly memberId: string;
  readonly source: string;
  readonly eventId: string;
  readonly time: Date;
  readonly meter: string;
  readonly quantity: string;
  readonly voidedAt: Date;
  /** The closed month the void corrects (the next bill carries it), if the event's month is closed. */
  readonly correctsMonth: string | null;
}

/**
 * Voids a stored usage event (association finance): never deleted or edited — the void records the
 * event, the reason and who, the rollups of its hour and the distinct values of its month are recounted
 * without it, and a void in a closed month becomes a correction on the next bill. A voided event sent
 * again stays a duplicate (its key is kept). An event whose raw row was purged cannot be voided.
 */
export async function voidUsageEvent(tx: Tx, input: VoidInput): Promise<Voided> {
  requireMemberPermission(tx.ctx, input.memberId, 'usage.void');
  const reason = input.reason.trim();
  if (reason.length < 3 || reason.length > 500) {
    throw new ValidationError([
      { field: 'reason', code: reason.length < 3 ? 'usage.void_reason_short' : 'usage.void_reason_long' },
    ]);
  }
  const principal = tx.ctx.principal;
  if (principal?.kind !== 'user') throw new InvalidStateError('usage.void_needs_person');
  await lockUsageShared(tx);
  const { event, known } = await selectEventForVoid(tx, input);
  if (!known) throw new NotFoundError('usage_event');
  if (!event) throw new InvalidStateError('usage.void_purged');
  const { inserted, voidedAt } = await insertVoid(tx, {
    memberId: event.memberId,
    source: event.source,
    eventId: event.eventId,
    time: event.time,
    meter: event.meter,
    quantity: event.quantity,
    reason,
    voidedBy: principal.id,
  });
  if (!inserted || !voidedAt) throw new ConflictError('usage.already_voided', 'eventId');

  const hour = new Date(Math.floor(event.time.getTime() / 3_600_000) * 3_600_000);
  await recountHour(tx, event.memberId, event.meter, hour);
  const month = monthInBerlin(event.time);
  if (event.attributes !== null) {
    await recountDistinctValue(
      tx,
      event.memberId,
      event.meter,
      `${month}-01`,
      event.attributes,
      monthPeriod(month),
    );
  }
  // A void before the end of the last closed month changes a closed month (an earlier one: the first
  // closed month, into which a gauge's value carries); the next close recomputes from there on.
  const correctsMonth = correctedMonth(await selectBillingMonths(tx), event.time);
  if (correctsMonth)
    await insertStale(tx, { memberId: event.memberId, meter: event.meter, month: correctsMonth });

  recordAudit(tx, {
    action: 'usage.voided',
    memberId: event.memberId,
    objectType: 'usage_event',
    objectId: `${event.source}/${event.eventId}`,
    // The reason is free text (it may name people): kept in the void itself, only digested here.
    data: { reason },
    details: {
      source: event.source,
      eventId: event.eventId,
      time: event.time.toISOString(),
      meter: event.meter,
      quantity: event.quantity,
      ...(correctsMonth ? { correctsMonth } : {}),
    },
  });
  return {
    memberId: event.memberId,
    source: event.source,
    eventId: event.eventId,
    time: event.time,
    meter: event.meter,
    quantity: event.quantity,
    voidedAt,
    correctsMonth,
  };
}

/**
 * The closed month a change at `time` corrects: the event's month if closed, the first closed month
 * for an event before it (a gauge's value carries in), none when the month is open.
 */
function correctedMonth(months: readonly BillingMonthRow[], time: Date): string | null {
  const first = months.at(-1)?.month;
  const month = monthInBerlin(time);
  if (first === undefined || month > months[0]!.month) return null;
  return month < first ? first : month;
}

/** One stored event for the void page: the event (undefined when unknown or purged), its void if any. */
export async function findUsageEvent(
  tx: Tx,
  key: { memberId: string; source: string; eventId: string },
): Promise<{ event: VoidTarget | undefined; voided: VoidRow | undefined; correctsMonth: string | null }> {
  requireMemberPermission(tx.ctx, key.memberId, 'usage.read');
  const { event } = await selectEventForVoid(tx, key);
  if (!event) return { event: undefined, voided: undefined, correctsMonth: null };
  const [voided] = await selectVoidsOf(tx, [key]);
  return { event, voided, correctsMonth: correctedMonth(await selectBillingMonths(tx), event.time) };
}

/** The latest voids (association area). */
export async function recentVoids(tx: Tx, limit: number): Promise<VoidRow[]> {
  requirePermission(tx.ctx, 'usage.read');
  return selectVoids(tx, { limit });
}

/** Which of these events are voided (keyOf(member, source, event id) → the void). */
export async function voidsAmong(
  tx: Tx,
  events: readonly { memberId: string; source: string; eventId: string }[],
): Promise<Map<string, VoidRow>> {
  const voids = await selectVoidsOf(tx, events);
  return new Map(voids.map((v) => [keyOf(v.memberId, v.source, v.eventId), v]));
}
