import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedClock, systemClock } from './clock.js';
import { todayInBerlin } from './dates.js';
import {
  addDays,
  findOverlaps,
  inForceOn,
  isInForce,
  isValidPeriod,
  nextChange,
  OverlappingVersionsError,
  overlaps,
  type Period,
  versionOn,
} from './effective.js';

const BASE = '2020-01-01';
const day = fc.integer({ min: 0, max: 8000 }).map((n) => addDays(BASE, n));
/** A period of 0–800 days or open-ended; now and then an empty one (until before from). */
const period: fc.Arbitrary<Period> = fc
  .record({
    from: day,
    len: fc.oneof(fc.constant(null), fc.integer({ min: -3, max: 800 })),
  })
  .map(({ from, len }) => ({ validFrom: from, validUntil: len === null ? null : addDays(from, len) }));
/** A series of versions without overlaps: each starts after its predecessor's last day (gaps allowed). */
const series: fc.Arbitrary<Period[]> = fc
  .record({
    start: day,
    steps: fc.array(
      fc.record({ gap: fc.integer({ min: 0, max: 30 }), len: fc.integer({ min: 0, max: 400 }) }),
      {
        maxLength: 8,
      },
    ),
    openEnd: fc.boolean(),
  })
  .map(({ start, steps, openEnd }) => {
    const out: Period[] = [];
    let from = start;
    steps.forEach((s, i) => {
      const until = addDays(from, s.len);
      out.push({ validFrom: from, validUntil: openEnd && i === steps.length - 1 ? null : until });
      from = addDays(until, 1 + s.gap);
    });
    return out;
  });
const indices = (items: Period[], d: string) => inForceOn(items, d).map((p) => items.indexOf(p));

describe('effective dating', () => {
  it('a period is in force from its first through its last day, both included', () => {
    const p = { validFrom: '2030-01-01', validUntil: '2031-06-30' };
    expect(isInForce(p, '2029-12-31')).toBe(false);
    expect(isInForce(p, '2030-01-01')).toBe(true);
    expect(isInForce(p, '2031-06-30')).toBe(true);
    expect(isInForce(p, '2031-07-01')).toBe(false);
    expect(isInForce({ validFrom: '2030-01-01', validUntil: null }, '9999-12-31')).toBe(true);
    expect(nextChange([p], '2029-06-01')).toBe('2030-01-01');
    expect(nextChange([p], '2030-01-01')).toBe('2031-07-01');
    expect(nextChange([p], '2031-07-01')).toBeNull();
    fc.assert(
      fc.property(period, (p) => {
        if (!isValidPeriod(p)) return;
        expect(isInForce(p, p.validFrom)).toBe(true);
        expect(isInForce(p, addDays(p.validFrom, -1))).toBe(false);
        if (p.validUntil !== null) {
          expect(isInForce(p, p.validUntil)).toBe(true);
          expect(isInForce(p, addDays(p.validUntil, 1))).toBe(false);
        }
      }),
    );
  });

  it('counts days across leap years and the change to summer time', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2026-10-24', 2)).toBe('2026-10-26');
    expect(addDays('2031-01-01', -1)).toBe('2030-12-31');
    fc.assert(
      fc.property(day, fc.integer({ min: -5000, max: 5000 }), (d, n) => {
        expect(addDays(addDays(d, n), -n)).toBe(d);
        expect(addDays(d, 1) > d).toBe(true);
      }),
    );
  });

  it('a series without overlaps has at most one version in force on any day', () => {
    fc.assert(
      fc.property(series, day, (s, d) => {
        expect(findOverlaps(s)).toEqual([]);
        expect(inForceOn(s, d).length).toBeLessThanOrEqual(1);
        expect(versionOn(s, d)).toBe(inForceOn(s, d)[0]);
        for (const p of s) expect(versionOn(s, p.validFrom)).toBe(p);
      }),
    );
  });

  it('finds exactly the overlapping pairs, and versionOn refuses a day with two', () => {
    fc.assert(
      fc.property(fc.array(period, { maxLength: 6 }), (items) => {
        const pairs = findOverlaps(items);
        let expected = 0;
        for (let i = 0; i < items.length; i++)
          for (let j = i + 1; j < items.length; j++) {
            const a = items[i]!;
            const b = items[j]!;
            const later = a.validFrom > b.validFrom ? a.validFrom : b.validFrom;
            // Two periods share a day iff both are in force on the later of their first days.
            const share = isInForce(a, later) && isInForce(b, later);
            expect(overlaps(a, b)).toBe(share);
            expect(overlaps(b, a)).toBe(share);
            if (share) {
              expected++;
              expect(() => versionOn(items, later)).toThrow(OverlappingVersionsError);
            }
          }
        expect(pairs.length).toBe(expected);
      }),
    );
  });

  it('nothing changes before the next change, and something changes on it', () => {
    fc.assert(
      fc.property(fc.array(period, { maxLength: 6 }), day, (items, d) => {
        const next = nextChange(items, d);
        if (next === null) {
          expect(indices(items, addDays(d, 9000))).toEqual(indices(items, d));
          return;
        }
        expect(next > d).toBe(true);
        expect(indices(items, addDays(next, -1))).toEqual(indices(items, d));
        expect(indices(items, next)).not.toEqual(indices(items, addDays(next, -1)));
      }),
    );
  });
});

describe('clock', () => {
  it('a fixed clock stands on its day; today is the civil date in Berlin', () => {
    expect(fixedClock('2030-01-01').today()).toBe('2030-01-01');
    expect(fixedClock('2031-06-30').now().toISOString()).toBe('2031-06-30T10:30:00.000Z');
    // 23:30 UTC on New Year's Eve is already New Year's Day in Berlin.
    expect(fixedClock(new Date('2026-12-31T23:30:00Z')).today()).toBe('2027-01-01');
    expect(fixedClock(new Date('2026-07-01T21:59:00Z')).today()).toBe('2026-07-01');
    expect(fixedClock(new Date('2026-07-01T22:00:00Z')).today()).toBe('2026-07-02');
    expect(() => fixedClock('2030-02-30')).toThrow();
    expect([todayInBerlin(), todayInBerlin(new Date(Date.now() + 5000))]).toContain(systemClock.today());
  });
});
