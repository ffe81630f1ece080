/**
 * The clock: where "now" and "today" come from. Passed explicitly (AppDeps → Ctx), never read from a
 * global, so a test decides what day it is without patching Date: `buildApp({ …, clock: fixedClock('2030-01-01') })`.
 */
import { isIsoDate, todayInBerlin } from './dates.js';

export interface Clock {
  /** The current instant. */
  now(): Date;
  /** Today's civil date in Europe/Berlin, 'YYYY-MM-DD'. */
  today(): string;
}

/** The machine's clock. */
export const systemClock: Clock = Object.freeze({
  now: () => new Date(),
  today: () => todayInBerlin(new Date()),
});

/**
 * A clock that stands still: at noon (Berlin) of a civil date, or at an exact instant. For tests and for
 * answering "as of" questions.
 */
export function fixedClock(at: string | Date): Clock {
  let instant: Date;
  if (typeof at === 'string') {
    if (!isIsoDate(at)) throw new Error(`fixedClock: not a date: ${at}`);
    // 12:00 Berlin is 10:00 or 11:00 UTC: the same civil date in Berlin whatever the season.
    instant = new Date(`${at}T10:30:00Z`);
  } else {
    instant = new Date(at.getTime());
  }
  const day = todayInBerlin(instant);
  return Object.freeze({ now: () => new Date(instant.getTime()), today: () => day });
}
