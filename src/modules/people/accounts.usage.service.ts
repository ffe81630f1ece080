/**
 * Allmende's own usage of the people module ([5/7] point 6): the accounts per member. Once a day the
 * job `people.accounts-usage` counts each active member's active accounts (people with a role there)
 * and emits one event per member on the meter `konten` (source `allmende`) through the ordinary ingest
 * (emitOwnUsage). The event id is the Berlin day (`konten:2026-12-02`), so a re-run on the same day
 * counts nothing twice; the first count of a day stands. A month's `max` (the meter's aggregation) is
 * the most accounts the member had on a counted day of the month.
 */
import type { Tx } from '../../db/tx.js';
import { requirePermission } from '../auth/permissions.js';
import { activeMemberIdsOn } from '../members/members.service.js';
import {
  emitOwnUsage,
  type IngestResult,
  type OwnMeters,
  type OwnUsageEvent,
} from '../metering/metering.service.js';
import { countActiveUsersByMember } from './people.repository.js';

/** The meter of the accounts per member. */
export const ACCOUNTS_METER = 'konten';

/** The meters the people module feeds (its definition declares them; the ingest accepts them from it). */
export const PEOPLE_METERS = { [ACCOUNTS_METER]: { aggregation: 'max' } } as const satisfies OwnMeters;

const eventIdOf = (day: string) => `${ACCOUNTS_METER}:${day}`;

/**
 * Counts the active accounts of every member active today (Berlin, the context's clock) and emits one
 * `konten` event per member, stamped with the moment of counting; members without accounts count 0.
 * System work (the daily job). Returns what the ingest stored.
 */
export async function reportAccounts(tx: Tx): Promise<IngestResult> {
  requirePermission(tx.ctx, 'people.read');
  const day = tx.ctx.clock.today();
  const now = tx.ctx.clock.now().toISOString();
  const members = await activeMemberIdsOn(tx, day);
  const counts = await countActiveUsersByMember(tx);
  const events: OwnUsageEvent[] = members.map((memberId) => ({
    memberId,
    meter: ACCOUNTS_METER,
    quantity: String(counts.get(memberId) ?? 0),
    time: now,
    eventId: eventIdOf(day),
  }));
  return emitOwnUsage(tx, PEOPLE_METERS, events);
}

/** The civil days from the first of the month `monthsBack` months before `today` up to `today`. */
export function daysSinceMonthStart(today: string, monthsBack: number): string[] {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const days: string[] = [];
  for (const d = new Date(Date.UTC(y, m - 1 - monthsBack, 1)); ; d.setUTCDate(d.getUTCDate() + 1)) {
    const s = d.toISOString().slice(0, 10);
    if (s > today) return days;
    days.push(s);
  }
}

/**
 * The demo's account counts of the given members (the pilot members) over the two closed months before
 * today and the current month up to now, like the demo usage: one count a day at 05:00 UTC (06:00 or
 * 07:00 in Berlin, never later than now) — the accounts they have now, one fewer in the first of the
 * three months (a person joined since). Through the same emitOwnUsage as the job, with the job's event
 * ids, so the job finds today's count already taken. Demo seed only.
 */
export async function seedDemoAccountUsage(tx: Tx, memberIds: readonly string[]): Promise<IngestResult> {
  requirePermission(tx.ctx, 'people.read');
  const now = tx.ctx.clock.now();
  const days = daysSinceMonthStart(tx.ctx.clock.today(), 2);
  const counts = await countActiveUsersByMember(tx);
  const firstMonth = days[0]!.slice(0, 7);
  const events: OwnUsageEvent[] = [];
  for (const memberId of memberIds) {
    const current = counts.get(memberId) ?? 0;
    for (const day of days) {
      const at = `${day}T05:00:00Z`;
      if (Date.parse(at) > now.getTime()) continue;
      events.push({
        memberId,
        meter: ACCOUNTS_METER,
        quantity: String(day.startsWith(firstMonth) ? Math.max(current - 1, 0) : current),
        time: at,
        eventId: eventIdOf(day),
      });
    }
  }
  return emitOwnUsage(tx, PEOPLE_METERS, events);
}
