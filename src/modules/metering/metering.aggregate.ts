/**
 * How a period's usage of one meter becomes the quantity that is priced, from the hourly rollups —
 * for each aggregation kind of the catalogue ([4/7]). Pure and exact (rationals over bigint, never a
 * float); the service reads the rollups and calls it. Definitions (ARCHITECTURE.md, "Metering"):
 *
 * - sum: the sum of the quantities; count: the number of events; max: the largest quantity (0 without
 *   events);
 * - latest: the last value reported up to the end of the period (an earlier period's carries on; 0 if
 *   none was ever reported);
 * - time_weighted_avg, at hour resolution: each hour of the period weighs the value last reported in it,
 *   or, in an hour without report, the value carried from before (0 before the first report); the
 *   average over the period's hours;
 * - unique_count: the number of distinct attribute sets in the period's months (counted by the
 *   repository from the exact distinct-values table; the period must be whole months).
 */

import { TIME_ZONE } from '../../shared/dates.js';
import { add, cmp, fraction, max, type Rational, rat, toDecimalString, ZERO } from '../../shared/decimal.js';

export const AGGREGATIONS = ['sum', 'count', 'max', 'unique_count', 'latest', 'time_weighted_avg'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** What aggregation needs of an hourly rollup. */
export interface RollupInput {
  readonly hour: Date;
  readonly quantitySum: string;
  readonly eventCount: number;
  readonly quantityMax: string;
  readonly latestTime: Date;
  readonly latestQuantity: string;
}

export interface Period {
  /** First instant of the period. */
  readonly from: Date;
  /** First instant after the period (exclusive). */
  readonly to: Date;
}

export interface Aggregated {
  readonly aggregation: Aggregation;
  /** Exact where the value terminates within 12 fraction digits; else rounded half-up to 12. */
  readonly quantity: string;
  readonly exact: boolean;
  /** Events in the period. */
  readonly events: number;
}

const HOUR_MS = 3_600_000;

/**
 * Aggregates the rollups of one meter over a period. `rollups` are the period's hours in time order;
 * `before` is the last rollup before the period (gauges carry its value in); `distinct` the number of
 * distinct values for unique_count.
 */
export function aggregateRollups(
  aggregation: Aggregation,
  period: Period,
  rollups: readonly RollupInput[],
  before?: RollupInput,
  distinct = 0,
): Aggregated {
  const fromMs = period.from.getTime();
  const toMs = period.to.getTime();
  if (fromMs % HOUR_MS !== 0 || toMs % HOUR_MS !== 0 || toMs <= fromMs) {
    throw new RangeError('a period runs from one whole hour to a later whole hour');
  }
  const inPeriod = rollups.filter((r) => r.hour.getTime() >= fromMs && r.hour.getTime() < toMs);
  const events = inPeriod.reduce((n, r) => n + r.eventCount, 0);
  let value: Rational;
  switch (aggregation) {
    case 'sum':
      value = inPeriod.reduce((s, r) => add(s, rat(r.quantitySum)), ZERO);
      break;
    case 'count':
      value = rat(events);
      break;
    case 'max':
      value = inPeriod.reduce((m, r) => max(m, rat(r.quantityMax)), ZERO);
      break;
    case 'latest': {
      const last = inPeriod.at(-1) ?? before;
      value = last ? rat(last.latestQuantity) : ZERO;
      break;
    }
    case 'unique_count':
      value = rat(distinct);
      break;
    case 'time_weighted_avg': {
      let carried = before ? rat(before.latestQuantity) : ZERO;
      let total = ZERO;
      let i = 0;
      const hours = (toMs - fromMs) / HOUR_MS;
      for (let h = fromMs; h < toMs; h += HOUR_MS) {
        while (i < inPeriod.length && inPeriod[i]!.hour.getTime() < h) i++;
        if (i < inPeriod.length && inPeriod[i]!.hour.getTime() === h)
          carried = rat(inPeriod[i]!.latestQuantity);
        total = add(total, carried);
      }
      value = fraction(total.n, total.d * BigInt(hours));
      break;
    }
    default: {
      const never: never = aggregation;
      throw new Error(`unknown aggregation ${String(never)}`);
    }
  }
  if (cmp(value, ZERO) < 0) throw new RangeError('negative aggregate');
  const { text, exact } = toDecimalString(value, 12);
  return { aggregation, quantity: text, exact, events };
}

/** The instant a civil day starts in Europe/Berlin (00:00 local time). */
export function berlinMidnight(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const utc = Date.UTC(y, m - 1, d);
  // Berlin is UTC+1 or UTC+2; the offset at the guess is the offset at midnight (DST changes at 02:00).
  const offsetAt = (ms: number) => {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: TIME_ZONE,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(new Date(ms));
    const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - ms;
  };
  const guess = utc - offsetAt(utc);
  return new Date(utc - offsetAt(guess));
}

/** The billing month 'YYYY-MM' as a period: from its first to the next month's first day, Berlin time. */
export function monthPeriod(month: string): Period {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new RangeError(`not a month: ${month}`);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: berlinMidnight(`${month}-01`), to: berlinMidnight(`${next}-01`) };
}

/**
 * The months (first days, 'YYYY-MM-DD') a period covers when it consists of whole Berlin months:
 * [fromMonth, toMonth). Undefined when it does not (unique counts are kept per month).
 */
export function wholeMonths(period: Period): { fromMonth: string; toMonth: string } | undefined {
  const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(d);
  const fromDay = day(period.from);
  const toDay = day(period.to);
  if (!fromDay.endsWith('-01') || !toDay.endsWith('-01')) return undefined;
  if (berlinMidnight(fromDay).getTime() !== period.from.getTime()) return undefined;
  if (berlinMidnight(toDay).getTime() !== period.to.getTime()) return undefined;
  return { fromMonth: fromDay, toMonth: toDay };
}
