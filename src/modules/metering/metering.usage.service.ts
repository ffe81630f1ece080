/**
 * What the metering pages read: a member's usage of a meter in a billing month, in total (exactly as
 * rating aggregates it) and per day; a search of stored events. (The ingestion status per source is in
 * metering.status.service.ts.)
 */
import type { Tx } from '../../db/tx.js';
import { requireMemberPermission, requirePermission } from '../auth/permissions.js';
import {
  type Aggregated,
  type Aggregation,
  aggregateRollups,
  berlinMidnight,
  monthPeriod,
} from './metering.aggregate.js';
import { selectHourly, selectHourlyBefore } from './metering.repository.js';
import { aggregateUsage } from './metering.service.js';
import { type StoredEventRow, selectEvents } from './metering.status.repository.js';

/** The civil days of a month 'YYYY-MM', 'YYYY-MM-DD'. */
export function daysOfMonth(month: string): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export interface MonthUsage {
  readonly meter: string;
  readonly month: string;
  /** The month's quantity as rating aggregates it (aggregateUsage). */
  readonly total: Aggregated;
  /**
   * Per day up to `until` (inclusive), the day aggregated the same way; null for unique counts, which
   * are kept per month only.
   */
  readonly days: readonly { day: string; quantity: string | null; events: number }[];
}

/**
 * A member's usage of `meter` in the billing month `month` (calendar month, Europe/Berlin): the total
 * from aggregateUsage and the days up to `until` aggregated by the same rules from the hourly rollups.
 */
export async function monthUsage(
  tx: Tx,
  memberId: string,
  meter: string,
  aggregation: Aggregation,
  month: string,
  until?: string,
): Promise<MonthUsage> {
  requireMemberPermission(tx.ctx, memberId, 'usage.read');
  const period = monthPeriod(month);
  const total = await aggregateUsage(tx, memberId, meter, aggregation, period);
  const rollups = await selectHourly(tx, memberId, meter, period.from, period.to);
  const carries = aggregation === 'latest' || aggregation === 'time_weighted_avg';
  let before = carries ? await selectHourlyBefore(tx, memberId, meter, period.from) : undefined;
  const days: { day: string; quantity: string | null; events: number }[] = [];
  let i = 0;
  for (const day of daysOfMonth(month)) {
    if (until !== undefined && day > until) break;
    const from = berlinMidnight(day);
    const to = berlinMidnight(nextDay(day));
    const inDay = [];
    while (i < rollups.length && rollups[i]!.hour.getTime() < to.getTime()) {
      if (rollups[i]!.hour.getTime() >= from.getTime()) inDay.push(rollups[i]!);
      i++;
    }
    if (aggregation === 'unique_count') {
      days.push({ day, quantity: null, events: inDay.reduce((n, r) => n + r.eventCount, 0) });
    } else {
      const a = aggregateRollups(aggregation, { from, to }, inDay, before);
      days.push({ day, quantity: a.quantity, events: a.events });
    }
    before = inDay.at(-1) ?? before;
  }
  return { meter, month, total, days };
}

export type StoredEvent = StoredEventRow;

/** Most events a search shows. */
export const SEARCH_LIMIT = 200;

/** Stored events by member, meter and day of use (Berlin), latest first, at most SEARCH_LIMIT. */
export async function searchUsageEvents(
  tx: Tx,
  filter: { memberId?: string; meter?: string; day?: string },
): Promise<StoredEvent[]> {
  requirePermission(tx.ctx, 'usage.read');
  const range = filter.day
    ? { from: berlinMidnight(filter.day), to: berlinMidnight(nextDay(filter.day)) }
    : {};
  return selectEvents(tx, {
    ...(filter.memberId ? { memberId: filter.memberId } : {}),
    ...(filter.meter ? { meter: filter.meter } : {}),
    ...range,
    limit: SEARCH_LIMIT,
  });
}
