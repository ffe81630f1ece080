/**
 * A clock a test can move: the system clock until `setDay` puts it at noon (Berlin) of a civil date,
 * `reset` puts it back. Browser tests hand it to the server to check what is in force on a later day.
 */
import { type Clock, fixedClock, systemClock } from '../../src/shared/clock.js';

export interface MovableClock extends Clock {
  setDay(day: string): void;
  reset(): void;
}

export function movableClock(): MovableClock {
  let fixed: Clock | null = null;
  return {
    now: () => (fixed ?? systemClock).now(),
    today: () => (fixed ?? systemClock).today(),
    setDay(day: string) {
      fixed = fixedClock(day);
    },
    reset() {
      fixed = null;
    },
  };
}
