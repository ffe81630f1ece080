/**
 * Demo usage ([5/7] point 5): three months of plausible usage — the two closed months before today and
 * the current month up to now, Europe/Berlin — for the pilot members with agreements in the demo, on
 * the catalogue's meters. Stored through the same ingest as the API (source 'demo', deterministic event
 * ids), so rollups and audit are those of real usage. Quantities scale with the population and come
 * from a seeded pseudo-random generator (never Math.random): the same day gives the same numbers.
 *
 * Granularity is chosen for a fast seed (a few thousand events): VM hours as one daily total per VM
 * (stamped at the day's start; today's counts the hours gone by),
 * storage and mailboxes as one gauge reading per day, printed pages as one daily total on working
 * days, online applications as one event per application.
 */
import type { Tx } from '../../db/tx.js';
import { todayInBerlin } from '../../shared/dates.js';
import { berlinMidnight } from './metering.aggregate.js';
import type { UsageEventInput } from './metering.schema.js';
import { ingestUsage } from './metering.service.js';

/** The members that receive demo usage (those with agreements in the demo catalogue). */
export const DEMO_USAGE_MEMBERS = ['Bad Belzig', 'Panketal', 'Amt Niemegk'] as const;

/** The meters demo usage feeds. */
export const DEMO_USAGE_METERS = ['vm-stunden', 'speicher-gb', 'postfaecher', 'druckseiten', 'online-antrag'];

/** Population of the demo members (Zensus 2022, as in demo.data.ts): the scale of their usage. */
const POPULATION: Record<(typeof DEMO_USAGE_MEMBERS)[number], number> = {
  'Bad Belzig': 10996,
  Panketal: 21028,
  'Amt Niemegk': 4657,
};

/** mulberry32: a small deterministic generator, seeded from a string. */
function generator(seed: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The civil days from the first of the month two months before `today` up to `today`, 'YYYY-MM-DD'. */
export function demoUsageDays(today: string): string[] {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const days: string[] = [];
  const d = new Date(Date.UTC(y, m - 3, 1));
  for (;;) {
    const s = d.toISOString().slice(0, 10);
    if (s > today) break;
    days.push(s);
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return days;
}

const HOUR = 3_600_000;

/** The demo usage events of one member up to `now` (pure; exported for tests). */
export function demoUsageEvents(member: string, memberId: string, now: Date): UsageEventInput[] {
  const population = POPULATION[member as keyof typeof POPULATION] ?? 5000;
  const scale = population / 10000;
  const rnd = generator(`demo-usage:${member}`);
  const events: UsageEventInput[] = [];
  const vms = Math.max(3, Math.round(4 + 4 * scale));
  let storage = Math.round(1500 * scale + 400);
  let mailboxes = Math.round(45 * scale + 8);
  const push = (
    meter: string,
    time: Date,
    quantity: string,
    id: string,
    attributes?: Record<string, string>,
  ) => {
    if (time.getTime() > now.getTime()) return;
    events.push({
      member: memberId,
      meter,
      quantity,
      time: time.toISOString(),
      source: 'demo',
      eventId: `${meter}:${id}`,
      ...(attributes ? { attributes } : {}),
    });
  };
  for (const day of demoUsageDays(todayInBerlin(now))) {
    const start = berlinMidnight(day);
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    const workday = weekday !== 0 && weekday !== 6;
    // Today counts only the hours gone by.
    const share = Math.min(1, (now.getTime() - start.getTime()) / (24 * HOUR));
    // VM hours: each VM runs all day; a test VM is off on some days.
    for (let v = 1; v <= vms; v++) {
      const off = v === vms && rnd() < 0.3;
      const hours = off ? 0 : Math.round(24 * share);
      if (hours > 0)
        push('vm-stunden', start, String(hours), `${day}:vm${v}`, {
          vm: `vm${v}`,
        });
    }
    // Storage (GB) grows slowly; one reading per day at 06:00.
    storage += Math.round(rnd() * 6 * scale);
    push('speicher-gb', new Date(start.getTime() + 6 * HOUR), String(storage), day);
    // Mailboxes: now and then one more or one fewer.
    const r = rnd();
    if (r < 0.04) mailboxes += 1;
    else if (r > 0.98 && mailboxes > 5) mailboxes -= 1;
    push('postfaecher', new Date(start.getTime() + 6 * HOUR), String(mailboxes), day);
    if (workday) {
      // Printed pages: the day's total (stamped at the day's start, like the VM hours).
      const pages = Math.round((180 + rnd() * 240) * scale * share);
      if (pages > 0) push('druckseiten', start, String(pages), day);
      // Online applications, one event each, during office hours.
      const n = Math.floor(rnd() * (2 + 3 * scale));
      for (let i = 0; i < n; i++) {
        const at = new Date(
          start.getTime() + (8 + Math.floor(rnd() * 10)) * HOUR + Math.floor(rnd() * 60) * 60_000,
        );
        push('online-antrag', at, '1', `${day}:${i + 1}`);
      }
    }
  }
  return events;
}

/**
 * Seeds the demo usage of the pilot members (by name → id) through the ingest. Called by the demo seed
 * inside its transaction.
 */
export async function seedDemoUsage(tx: Tx, byName: ReadonlyMap<string, string>): Promise<number> {
  const now = tx.ctx.clock.now();
  let accepted = 0;
  for (const member of DEMO_USAGE_MEMBERS) {
    const id = byName.get(member);
    if (!id) throw new Error(`demo usage: unknown member ${member}`);
    const events = demoUsageEvents(member, id, now);
    for (let i = 0; i < events.length; i += 10_000) {
      accepted += (await ingestUsage(tx, events.slice(i, i + 10_000))).accepted;
    }
  }
  return accepted;
}
