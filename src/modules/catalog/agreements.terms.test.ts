import { describe, expect, it } from 'vitest';
import { agreementLines, earliestEnd, monthPeriod, sharedDays } from './agreements.terms.js';
import { type CatalogItem, type CatalogVersionInfo, PriceBook } from './price-book.js';
import type { Price } from './pricing.js';

const version = (id: string, inForceFrom: string): CatalogVersionInfo => ({
  id,
  number: id,
  status: 'adopted',
  inForceFrom,
  adoptedOn: inForceFrom,
});
const item = (serviceCode: string, price: Price): CatalogItem => ({
  serviceCode,
  number: '1',
  categoryCode: 'groupware',
  nameDe: serviceCode,
  nameEn: serviceCode,
  unitCode: 'lizenz-monat',
  meterKey: null,
  aggregation: null,
  price,
  vat: 'standard',
  vatNote: null,
  noticeDays: 90,
  isExample: true,
});
const book = new PriceBook([
  {
    version: version('2.0', '2022-01-01'),
    items: [
      item('lizenz', { model: 'flat', monthlyCents: 350 }),
      item('meldewesen', { model: 'per_inhabitant', yearlyCentsPerInhabitant: '45' }),
      item('vm', { model: 'unit', unitCents: '6' }),
    ],
  },
  // A version that starts mid-month (2026-06-15) with a new price.
  { version: version('2.1', '2026-06-15'), items: [item('lizenz', { model: 'flat', monthlyCents: 400 })] },
]);

describe('months and days', () => {
  it('knows month lengths and shared days', () => {
    expect(monthPeriod('2024-02')).toEqual({ validFrom: '2024-02-01', validUntil: '2024-02-29', days: 29 });
    expect(monthPeriod('2026-12').days).toBe(31);
    expect(() => monthPeriod('2026-13')).toThrow(RangeError);
    const march = monthPeriod('2026-03');
    expect(sharedDays({ validFrom: '2026-03-17', validUntil: null }, march)).toBe(15);
    expect(sharedDays({ validFrom: '2026-01-01', validUntil: '2026-03-01' }, march)).toBe(1);
    expect(sharedDays({ validFrom: '2026-04-01', validUntil: null }, march)).toBe(0);
  });
  it('ends a cancelled agreement no earlier than the notice period allows', () => {
    expect(earliestEnd('2026-12-02', 90)).toBe('2027-03-02');
    expect(earliestEnd('2026-12-02', 0)).toBe('2026-12-02');
  });
});

describe('what an agreement costs in a month', () => {
  it('is pro rata by day from the first day booked', () => {
    const lines = agreementLines(
      'lizenz',
      [{ validFrom: '2026-03-17', validUntil: null, quantity: '25' }],
      '2026-03',
      book,
    );
    // 25 × 3.50 € × 15/31 = 42.338… € → 42.34 €
    expect(lines.map((l) => [l.validFrom, l.validUntil, l.quantity, l.charge.amountCents])).toEqual([
      ['2026-03-17', '2026-03-31', '25', 4234],
    ]);
    expect(
      agreementLines(
        'lizenz',
        [{ validFrom: '2026-03-17', validUntil: null, quantity: '25' }],
        '2026-02',
        book,
      ),
    ).toEqual([]);
  });
  it('splits at a change of quantity and at the end of the agreement', () => {
    const terms = [
      { validFrom: '2026-03-17', validUntil: '2026-04-09', quantity: '25' },
      { validFrom: '2026-04-10', validUntil: '2026-04-20', quantity: '30' },
    ];
    const lines = agreementLines('lizenz', terms, '2026-04', book);
    expect(lines.map((l) => [l.validFrom, l.validUntil, l.quantity, l.charge.amountCents])).toEqual([
      ['2026-04-01', '2026-04-09', '25', 2625], // 25 × 350 × 9/30
      ['2026-04-10', '2026-04-20', '30', 3850], // 30 × 350 × 11/30
    ]);
  });
  it('splits where a new catalogue version comes into force mid-month', () => {
    const lines = agreementLines(
      'lizenz',
      [{ validFrom: '2026-01-01', validUntil: null, quantity: '10' }],
      '2026-06',
      book,
    );
    expect(lines.map((l) => [l.validFrom, l.validUntil, l.versionNumber, l.charge.amountCents])).toEqual([
      ['2026-06-01', '2026-06-14', '2.0', 1633], // 10 × 350 × 14/30 = 1633.33
      ['2026-06-15', '2026-06-30', '2.1', 2133], // 10 × 400 × 16/30 = 2133.33
    ]);
  });
  it('prices per inhabitant with the member population, and leaves usage-priced services to metering', () => {
    const [line] = agreementLines(
      'meldewesen',
      [{ validFrom: '2022-01-01', validUntil: null, quantity: null }],
      '2026-05',
      book,
      { inhabitants: 12_000, year: 2022 },
    );
    expect(line?.charge.amountCents).toBe(45_000); // 12,000 × 0.45 € ÷ 12
    expect(
      agreementLines('vm', [{ validFrom: '2022-01-01', validUntil: null, quantity: null }], '2026-05', book),
    ).toEqual([]);
    // 2.1 no longer carries meldewesen: nothing from its first day on
    expect(
      agreementLines(
        'meldewesen',
        [{ validFrom: '2022-01-01', validUntil: null, quantity: null }],
        '2026-06',
        book,
        {
          inhabitants: 12_000,
          year: 2022,
        },
      ).map((l) => [l.validUntil, l.charge.amountCents]),
    ).toEqual([['2026-06-14', 21_000]]);
  });
});
