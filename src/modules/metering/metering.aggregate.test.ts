import { describe, expect, it } from 'vitest';
import {
  aggregateRollups,
  berlinMidnight,
  monthPeriod,
  type RollupInput,
  wholeMonths,
} from './metering.aggregate.js';

const H = 3_600_000;
const from = new Date('2026-11-01T00:00:00Z');
const period = { from, to: new Date(from.getTime() + 10 * H) };

function hour(i: number, sum: string, count: number, max: string, latest: string): RollupInput {
  const h = new Date(from.getTime() + i * H);
  return {
    hour: h,
    quantitySum: sum,
    eventCount: count,
    quantityMax: max,
    latestTime: h,
    latestQuantity: latest,
  };
}

const rollups = [
  hour(0, '3.5', 2, '2', '1.5'),
  hour(4, '0.25', 1, '0.25', '0.25'),
  hour(9, '10', 3, '6', '6'),
];

describe('aggregateRollups', () => {
  it('sums, counts and takes the maximum exactly', () => {
    expect(aggregateRollups('sum', period, rollups)).toEqual({
      aggregation: 'sum',
      quantity: '13.75',
      exact: true,
      events: 6,
    });
    expect(aggregateRollups('count', period, rollups).quantity).toBe('6');
    expect(aggregateRollups('max', period, rollups).quantity).toBe('6');
    // 0.1 + 0.2 is 0.3 here, not 0.30000000000000004.
    expect(
      aggregateRollups('sum', period, [hour(0, '0.1', 1, '0.1', '0.1'), hour(1, '0.2', 1, '0.2', '0.2')])
        .quantity,
    ).toBe('0.3');
  });

  it('ignores rollups outside the period', () => {
    const outside = [hour(-1, '100', 1, '100', '100'), ...rollups, hour(10, '100', 1, '100', '100')];
    expect(aggregateRollups('sum', period, outside).quantity).toBe('13.75');
    expect(aggregateRollups('max', period, outside).quantity).toBe('6');
  });

  it('takes the latest value, carried from before when the period has none', () => {
    expect(aggregateRollups('latest', period, rollups).quantity).toBe('6');
    expect(aggregateRollups('latest', period, [], hour(-5, '1', 1, '1', '42')).quantity).toBe('42');
    expect(aggregateRollups('latest', period, []).quantity).toBe('0');
  });

  it('averages over the hours, each weighing the last value reported or carried', () => {
    // Hours 0–3: 1.5; 4–8: 0.25; 9: 6 → (4·1.5 + 5·0.25 + 6) / 10 = 1.325.
    expect(aggregateRollups('time_weighted_avg', period, rollups)).toMatchObject({
      quantity: '1.325',
      exact: true,
    });
    // Carried in from before the period: (4·8 + 5·0.25 + 6) / 10 = 3.925; without a carry, 0 until hour 4.
    const later = rollups.slice(1);
    expect(aggregateRollups('time_weighted_avg', period, later, hour(-3, '8', 1, '8', '8')).quantity).toBe(
      '3.925',
    );
    expect(aggregateRollups('time_weighted_avg', period, later).quantity).toBe('0.725');
    // Not terminating: rounded to 12 digits, and said so.
    const three = { from, to: new Date(from.getTime() + 3 * H) };
    expect(aggregateRollups('time_weighted_avg', three, [hour(2, '1', 1, '1', '1')])).toMatchObject({
      quantity: '0.333333333333',
      exact: false,
    });
  });

  it('takes the distinct count it is given for unique counts, and refuses a period of broken hours', () => {
    expect(aggregateRollups('unique_count', period, rollups, undefined, 4).quantity).toBe('4');
    expect(() =>
      aggregateRollups('sum', { from: new Date(from.getTime() + 60_000), to: period.to }, rollups),
    ).toThrow(RangeError);
  });
});

describe('periods in Berlin time', () => {
  it('starts a month at midnight Berlin time, in winter and summer', () => {
    expect(berlinMidnight('2026-11-01').toISOString()).toBe('2026-10-31T23:00:00.000Z');
    expect(berlinMidnight('2026-07-01').toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(berlinMidnight('2026-03-29').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(berlinMidnight('2026-10-25').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    const oct = monthPeriod('2026-10');
    // October 2026 has 745 hours (the clocks go back on the 25th).
    expect((oct.to.getTime() - oct.from.getTime()) / H).toBe(745);
    expect(monthPeriod('2026-12').to.toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });

  it('tells whole months', () => {
    expect(wholeMonths({ from: monthPeriod('2026-10').from, to: monthPeriod('2026-11').to })).toEqual({
      fromMonth: '2026-10-01',
      toMonth: '2026-12-01',
    });
    expect(
      wholeMonths({ from: new Date('2026-11-01T00:00:00Z'), to: monthPeriod('2026-11').to }),
    ).toBeUndefined();
  });
});
