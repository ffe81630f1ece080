/**
 * Effective dating: what is in force on a given day.
 *
 * Days are civil dates in Europe/Berlin, 'YYYY-MM-DD' (see dates.ts); they compare as strings. A period
 * is in force from `validFrom` through `validUntil`, BOTH DAYS INCLUDED — as German usage reads
 * "gültig bis 30.06.2031" and "scheidet aus zum 30.06.2031": the 30th is the last day in force, the 1st of
 * July the first day without. `validUntil: null` is open-ended. A successor version therefore starts the
 * day after its predecessor's `validUntil` (`addDays(until, 1)`); a period whose `validUntil` lies before
 * its `validFrom` is empty (in force on no day).
 *
 * Pure functions, no clock: the caller says which day it asks about (from a `Clock`, see clock.ts).
 * Members use it now; catalogue versions, agreements and resolutions will.
 */
import { isIsoDate } from './dates.js';

/** A civil date 'YYYY-MM-DD' in Europe/Berlin. */
export type CivilDate = string;

export interface Period {
  /** First day in force. */
  readonly validFrom: CivilDate;
  /** Last day in force (inclusive), or null: in force until further notice. */
  readonly validUntil: CivilDate | null;
}

const DAY_MS = 86_400_000;

/** The civil date n days after (or before, for negative n) the given one. */
export function addDays(day: CivilDate, n: number): CivilDate {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t)) throw new Error(`not a date: ${day}`);
  return new Date(t + n * DAY_MS).toISOString().slice(0, 10);
}

/** Both dates are real dates and the period is not empty. */
export function isValidPeriod(p: Period): boolean {
  return (
    isIsoDate(p.validFrom) &&
    (p.validUntil === null || (isIsoDate(p.validUntil) && p.validUntil >= p.validFrom))
  );
}

/** Is the period in force on that day (from and until included)? */
export function isInForce(p: Period, day: CivilDate): boolean {
  return p.validFrom <= day && (p.validUntil === null || day <= p.validUntil);
}

/** Every item in force on that day, in the given order. */
export function inForceOn<T extends Period>(items: readonly T[], day: CivilDate): T[] {
  return items.filter((p) => isInForce(p, day));
}

export class OverlappingVersionsError extends Error {
  constructor(
    readonly day: CivilDate,
    readonly count: number,
  ) {
    super(`${count} versions are in force on ${day}; a series of versions must not overlap`);
    this.name = 'OverlappingVersionsError';
  }
}

/**
 * The one version of a series in force on that day, or undefined in a gap. Throws
 * OverlappingVersionsError if more than one is: a series with overlaps is a data error, not a choice.
 */
export function versionOn<T extends Period>(series: readonly T[], day: CivilDate): T | undefined {
  const found = inForceOn(series, day);
  if (found.length > 1) throw new OverlappingVersionsError(day, found.length);
  return found[0];
}

/** Do two periods share at least one day? (Empty periods share none.) */
export function overlaps(a: Period, b: Period): boolean {
  if (isEmpty(a) || isEmpty(b)) return false;
  return (
    (b.validUntil === null || a.validFrom <= b.validUntil) &&
    (a.validUntil === null || b.validFrom <= a.validUntil)
  );
}

function isEmpty(p: Period): boolean {
  return p.validUntil !== null && p.validUntil < p.validFrom;
}

/** Every pair of versions of a series that overlap (to refuse a new version, or to report bad data). */
export function findOverlaps<T extends Period>(series: readonly T[]): [T, T][] {
  const sorted = [...series].filter((p) => !isEmpty(p)).sort((a, b) => cmp(a.validFrom, b.validFrom));
  const pairs: [T, T][] = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      // Sorted by start: once b starts after a ends, no later one overlaps a either.
      if (a.validUntil !== null && b.validFrom > a.validUntil) break;
      pairs.push([a, b]);
    }
  }
  return pairs;
}

/**
 * The first day after `day` on which what is in force changes — an item comes into force or the day
 * after one's last day — or null if nothing changes any more.
 */
export function nextChange(items: readonly Period[], day: CivilDate): CivilDate | null {
  let next: CivilDate | null = null;
  for (const p of items) {
    if (isEmpty(p)) continue;
    for (const d of [p.validFrom, p.validUntil === null ? null : addDays(p.validUntil, 1)]) {
      if (d !== null && d > day && (next === null || d < next)) next = d;
    }
  }
  return next;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
