import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, cmp, mul, rat, roundHalfUp, ZERO } from '../../shared/decimal.js';
import { type Charge, charge, checkPrice, type Price, PriceError, type Tier, vatCents } from './pricing.js';

const graduated: Price = {
  model: 'graduated',
  tiers: [
    { upTo: '100', unitCents: '10' },
    { upTo: '1000', unitCents: '8' },
    { upTo: null, unitCents: '5' },
  ],
};
const volume: Price = { ...graduated, model: 'volume' } as Price;
const amount = (p: Price, quantity: string, extra: Partial<Parameters<typeof charge>[1]> = {}) =>
  charge(p, { quantity, ...extra }).amountCents;

describe('unit price', () => {
  it('multiplies exactly and rounds half-up once per line', () => {
    // 3.5 ct per page × 3 pages = 10.5 ct → 11 ct
    expect(charge({ model: 'unit', unitCents: '3.5' }, { quantity: '3' })).toMatchObject({
      amountCents: 11,
      exactCents: '10.5',
    });
    // 0.1 + 0.2 trouble does not exist: 0.3 × 10 ct = 3 ct exactly
    expect(amount({ model: 'unit', unitCents: '10' }, '0.3')).toBe(3);
    // 2.4999 ct rounds down, 2.5 up
    expect(amount({ model: 'unit', unitCents: '0.0001' }, '24999')).toBe(2);
    expect(amount({ model: 'unit', unitCents: '0.0001' }, '25000')).toBe(3);
  });
  it('charges nothing for zero usage', () => {
    expect(amount({ model: 'unit', unitCents: '10500' }, '0')).toBe(0);
  });
  it('rounds once per line, not per step', () => {
    // graduated with two tiers of 0.5 ct each: per-step rounding would give 1 + 1 = 2, exact is 1
    const p: Price = {
      model: 'graduated',
      tiers: [
        { upTo: '1', unitCents: '0.5' },
        { upTo: null, unitCents: '0.25' },
      ],
    };
    expect(charge(p, { quantity: '3' })).toMatchObject({ amountCents: 1, exactCents: '1' });
  });
});

describe('graduated tiers', () => {
  it('charges each tier share at its price, at and around the boundaries', () => {
    expect(amount(graduated, '0')).toBe(0);
    expect(amount(graduated, '1')).toBe(10);
    expect(amount(graduated, '100')).toBe(1000);
    expect(amount(graduated, '101')).toBe(1008);
    expect(amount(graduated, '100.5')).toBe(1004);
    expect(amount(graduated, '1000')).toBe(1000 + 900 * 8);
    expect(amount(graduated, '1001')).toBe(1000 + 900 * 8 + 5);
  });
  it('explains every tier with its share and amount', () => {
    const c = charge(graduated, { quantity: '150' });
    expect(c.steps).toEqual([
      expect.objectContaining({ tier: 1, from: '0', upTo: '100', quantity: '100', amountCents: '1000' }),
      expect.objectContaining({ tier: 2, from: '100', upTo: '1000', quantity: '50', amountCents: '400' }),
      expect.objectContaining({ tier: 3, from: '1000', upTo: null, quantity: '0', applied: false }),
    ]);
  });
  it('adds a tier flat fee once the quantity reaches into the tier', () => {
    const p: Price = {
      model: 'graduated',
      tiers: [
        { upTo: '10', unitCents: '0', flatCents: 5000 },
        { upTo: null, unitCents: '100', flatCents: 1000 },
      ],
    };
    expect(amount(p, '0')).toBe(0);
    expect(amount(p, '10')).toBe(5000);
    expect(amount(p, '10.001')).toBe(5000 + 1000); // 0.1 ct rounds away
    expect(amount(p, '11')).toBe(5000 + 1000 + 100);
  });
});

describe('volume tiers', () => {
  it('prices the whole quantity at the tier it falls into', () => {
    expect(amount(volume, '0')).toBe(0);
    expect(amount(volume, '100')).toBe(1000);
    expect(amount(volume, '101')).toBe(808);
    expect(amount(volume, '1000')).toBe(8000);
    expect(amount(volume, '1000.1')).toBe(5001); // 5000.5 → 5001
    const c = charge(volume, { quantity: '500' });
    expect(c.steps.filter((s) => s.kind === 'tier' && s.applied)).toEqual([
      expect.objectContaining({ tier: 2, quantity: '500', amountCents: '4000' }),
    ]);
  });
});

describe('package', () => {
  const p: Price = { model: 'package', packageSize: '1000', packageCents: 1500 };
  it('charges per started block', () => {
    expect(amount(p, '0')).toBe(0);
    expect(amount(p, '1')).toBe(1500);
    expect(amount(p, '1000')).toBe(1500);
    expect(amount(p, '1000.0001')).toBe(3000);
    expect(charge(p, { quantity: '2500' }).steps[0]).toMatchObject({ packages: '3' });
  });
});

describe('flat per month and per inhabitant, pro rata by day', () => {
  it('multiplies booked units by the monthly fee', () => {
    expect(amount({ model: 'flat', monthlyCents: 450 }, '25')).toBe(11250);
    expect(amount({ model: 'flat', monthlyCents: 450 }, '25', { months: 3 })).toBe(33750);
  });
  it('is pro rata by day when the agreement covers part of the period', () => {
    // 25 mailboxes × 4.50 € from 17 March: 15 of 31 days → 11250 × 15/31 = 5443.548… → 5444
    const c = charge(
      { model: 'flat', monthlyCents: 450 },
      { quantity: '25', coverage: { days: 15, ofDays: 31 } },
    );
    expect(c.amountCents).toBe(5444);
    expect(c.exact).toBe(false);
    expect(c.steps.at(-1)).toMatchObject({ kind: 'prorata', days: 15, ofDays: 31 });
    expect(amount({ model: 'flat', monthlyCents: 450 }, '1', { coverage: { days: 0, ofDays: 30 } })).toBe(0);
    expect(amount({ model: 'flat', monthlyCents: 450 }, '1', { coverage: { days: 30, ofDays: 30 } })).toBe(
      450,
    );
  });
  it('does not pro-rate usage-based amounts', () => {
    expect(amount({ model: 'unit', unitCents: '10' }, '10', { coverage: { days: 1, ofDays: 31 } })).toBe(100);
  });
  it('charges population × yearly rate ÷ 12 per month, with the reference year', () => {
    const p: Price = { model: 'per_inhabitant', yearlyCentsPerInhabitant: '30' };
    // 13,251 inhabitants × 0.30 €/year ÷ 12 = 331.275 € → 33128 ct
    const c = charge(p, { quantity: '0', population: { inhabitants: 13_251, year: 2022 } });
    expect(c.amountCents).toBe(33128);
    expect(c.steps[0]).toMatchObject({ kind: 'inhabitants', inhabitants: 13_251, year: 2022 });
    expect(() => charge(p, { quantity: '0' })).toThrow(PriceError);
  });
});

describe('minimum per period', () => {
  const p: Price = { model: 'unit', unitCents: '100', minimumCents: 5000 };
  it('raises a smaller charge to the minimum and says by how much', () => {
    expect(amount(p, '0')).toBe(5000);
    const c = charge(p, { quantity: '20' });
    expect(c.amountCents).toBe(5000);
    expect(c.steps.at(-1)).toMatchObject({ kind: 'minimum', raisedByCents: '3000' });
    expect(amount(p, '50')).toBe(5000);
    expect(charge(p, { quantity: '50' }).steps.some((s) => s.kind === 'minimum')).toBe(false);
    expect(amount(p, '51')).toBe(5100);
  });
  it('is pro rata with the coverage and multiplied by the months', () => {
    expect(amount(p, '0', { coverage: { days: 10, ofDays: 30 } })).toBe(1667);
    expect(amount(p, '0', { months: 3 })).toBe(15000);
  });
});

describe('bad prices and input are refused, never priced wrongly', () => {
  it('names the problem', () => {
    expect(checkPrice({ model: 'graduated', tiers: [] })).toEqual(['tiers.empty']);
    expect(
      checkPrice({
        model: 'volume',
        tiers: [
          { upTo: '10', unitCents: '1' },
          { upTo: '5', unitCents: '1' },
          { upTo: null, unitCents: '1' },
        ],
      }),
    ).toEqual(['tiers.order']);
    expect(checkPrice({ model: 'graduated', tiers: [{ upTo: '10', unitCents: '1' }] })).toEqual([
      'tiers.unbounded',
    ]);
    expect(checkPrice({ model: 'package', packageSize: '0', packageCents: 1 })).toEqual(['package.size']);
    expect(checkPrice({ model: 'unit', unitCents: '-1' })).toEqual(['amount.invalid']);
    expect(checkPrice({ model: 'flat', monthlyCents: 1.5 })).toEqual(['amount.invalid']);
    expect(checkPrice(graduated)).toEqual([]);
  });
  it('throws on quantities that are not exact non-negative decimals', () => {
    for (const q of ['-1', '1e3', 'NaN', '', '1.', '0x10', ' 1']) {
      expect(() => charge({ model: 'unit', unitCents: '1' }, { quantity: q }), q).toThrow(PriceError);
    }
    expect(() =>
      charge({ model: 'flat', monthlyCents: 1 }, { quantity: '1', coverage: { days: 32, ofDays: 31 } }),
    ).toThrow(PriceError);
  });
  it('refuses amounts a number cannot hold', () => {
    expect(() =>
      charge({ model: 'unit', unitCents: '99999999999999999999' }, { quantity: '99999999999999999999' }),
    ).toThrow(RangeError);
  });
});

describe('VAT', () => {
  it('applies 19 %, 7 % or nothing, rounded half-up', () => {
    expect(vatCents(10_000, 'standard')).toBe(1900);
    expect(vatCents(5, 'reduced')).toBe(0); // 0.35 ct
    expect(vatCents(8, 'reduced')).toBe(1); // 0.56 ct
    expect(vatCents(10_000, 'not_taxable')).toBe(0);
  });
});

// ---- properties ----

const decimalArb = fc
  .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 9999 }))
  .map(([i, f]) => `${i}.${String(f).padStart(4, '0')}`);
const tiersArb: fc.Arbitrary<Tier[]> = fc
  .tuple(
    fc.uniqueArray(fc.integer({ min: 1, max: 50_000 }), { minLength: 0, maxLength: 4 }),
    fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 5, maxLength: 5 }),
  )
  .map(([bounds, prices]) => {
    const sorted = [...bounds].sort((a, b) => a - b);
    return [...sorted.map(String), null].map((upTo, i) => ({
      upTo,
      unitCents: `${prices[i]}.${i}`,
    }));
  });
const exactOf = (c: Charge) => rat(c.exactCents);

describe('properties', () => {
  it('graduated pricing is monotonic in the quantity', () => {
    fc.assert(
      fc.property(tiersArb, decimalArb, decimalArb, (tiers, a, b) => {
        const p: Price = { model: 'graduated', tiers };
        const [lo, hi] = cmp(rat(a), rat(b)) <= 0 ? [a, b] : [b, a];
        const cl = charge(p, { quantity: lo });
        const ch = charge(p, { quantity: hi });
        return cmp(exactOf(cl), exactOf(ch)) <= 0 && cl.amountCents <= ch.amountCents;
      }),
    );
  });
  it('graduated pricing equals the sum over its tiers', () => {
    fc.assert(
      fc.property(tiersArb, decimalArb, (tiers, q) => {
        const c = charge({ model: 'graduated', tiers }, { quantity: q });
        let sum = ZERO;
        let shares = ZERO;
        for (const s of c.steps) {
          if (s.kind !== 'tier') continue;
          sum = add(sum, rat(s.amountCents));
          shares = add(shares, rat(s.quantity));
          expect(rat(s.amountCents)).toEqual(mul(rat(s.quantity), rat(s.unitCents)));
        }
        expect(shares).toEqual(rat(q));
        expect(sum).toEqual(exactOf(c));
        expect(c.amountCents).toBe(Number(roundHalfUp(sum)));
      }),
    );
  });
  it('volume pricing equals the tier price times the quantity', () => {
    fc.assert(
      fc.property(tiersArb, decimalArb, (tiers, q) => {
        const c = charge({ model: 'volume', tiers }, { quantity: q });
        const applied = c.steps.filter((s) => s.kind === 'tier' && s.applied);
        expect(applied).toHaveLength(1);
        const tier = applied[0] as Extract<Charge['steps'][number], { kind: 'tier' }>;
        const qr = rat(q);
        if (tier.upTo !== null) expect(cmp(qr, rat(tier.upTo))).toBeLessThanOrEqual(0);
        expect(cmp(qr, rat(tier.from)) > 0 || tier.tier === 1).toBe(true);
        expect(exactOf(c)).toEqual(mul(qr, rat(tier.unitCents)));
      }),
    );
  });
});
