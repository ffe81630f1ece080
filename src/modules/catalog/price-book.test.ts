import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../shared/effective.js';
import {
  type CatalogItem,
  type CatalogVersionInfo,
  diffCatalog,
  inForcePeriods,
  PriceBook,
  periodOn,
  startsOnSameDay,
} from './price-book.js';

const v = (
  id: string,
  inForceFrom: string | null,
  status: 'draft' | 'adopted' = 'adopted',
): CatalogVersionInfo => ({
  id,
  number: id,
  status,
  inForceFrom,
  adoptedOn: inForceFrom,
});
const item = (serviceCode: string, unitCents: string, extra: Partial<CatalogItem> = {}): CatalogItem => ({
  serviceCode,
  number: '1.1',
  categoryCode: 'rz',
  nameDe: serviceCode,
  nameEn: serviceCode,
  unitCode: 'stunde',
  meterKey: null,
  aggregation: null,
  price: { model: 'unit', unitCents },
  vat: 'not_taxable',
  vatNote: '§ 2b UStG',
  noticeDays: 0,
  isExample: true,
  ...extra,
});

describe('in force from the dates, at read time', () => {
  const versions = [v('2.0', '2022-01-01'), v('1.0', '2020-04-09'), v('2.1', '2027-01-01', 'draft')];
  const periods = inForcePeriods(versions);
  it('orders adopted versions and ends each the day before the next starts', () => {
    expect(periods.map((p) => [p.version.id, p.validFrom, p.validUntil])).toEqual([
      ['1.0', '2020-04-09', '2021-12-31'],
      ['2.0', '2022-01-01', null],
    ]);
  });
  it('answers which version is in force on a day; drafts never are', () => {
    expect(periodOn(periods, '2020-04-08')).toBeUndefined();
    expect(periodOn(periods, '2020-04-09')?.version.id).toBe('1.0');
    expect(periodOn(periods, '2021-12-31')?.version.id).toBe('1.0');
    expect(periodOn(periods, '2022-01-01')?.version.id).toBe('2.0');
    expect(periodOn(periods, '2027-06-01')?.version.id).toBe('2.0');
  });
  it('periods never overlap and leave no gap after the first start', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 21_000 }),
        (offsets, probe) => {
          const day = (n: number) => new Date(Date.UTC(2000, 0, 1 + n)).toISOString().slice(0, 10);
          const ps = inForcePeriods(offsets.map((o, i) => v(`v${i}`, day(o))));
          for (let i = 1; i < ps.length; i++) {
            expect(ps[i - 1]?.validUntil).toBe(addDays(ps[i]?.validFrom as string, -1));
          }
          const d = day(probe);
          const covering = ps.filter((p) => p.validFrom <= d && (p.validUntil === null || d <= p.validUntil));
          expect(covering.length).toBe(d < (ps[0]?.validFrom as string) ? 0 : 1);
          expect(periodOn(ps, d)).toBe(covering[0]);
        },
      ),
    );
  });
  it('finds another adopted version starting on the same day', () => {
    expect(startsOnSameDay(versions, '2022-01-01')?.id).toBe('2.0');
    expect(startsOnSameDay(versions, '2022-01-01', '2.0')).toBeUndefined();
    expect(startsOnSameDay(versions, '2027-01-01')).toBeUndefined();
  });
});

describe('priceAt', () => {
  const book = new PriceBook([
    { version: v('1.0', '2020-04-09'), items: [item('it-consulting', '9500'), item('old-only', '100')] },
    { version: v('2.0', '2022-01-01'), items: [item('it-consulting', '10500'), item('vm', '4.2')] },
    { version: v('2.1', '2027-01-01', 'draft'), items: [item('it-consulting', '1')] },
  ]);
  it('gives the price of the version in force on the day of use', () => {
    expect(book.priceAt('it-consulting', '2021-12-31')?.item.price).toEqual({
      model: 'unit',
      unitCents: '9500',
    });
    expect(book.priceAt('it-consulting', '2022-01-01')?.item.price).toEqual({
      model: 'unit',
      unitCents: '10500',
    });
    expect(book.priceAt('it-consulting', '2030-01-01')?.period.version.id).toBe('2.0');
  });
  it('gives nothing before the first version or for a service the version does not carry', () => {
    expect(book.priceAt('it-consulting', '2019-01-01')).toBeUndefined();
    expect(book.priceAt('old-only', '2022-01-01')).toBeUndefined();
    expect(book.priceAt('vm', '2021-06-01')).toBeUndefined();
  });
});

describe('diff of two versions', () => {
  it('lists new, removed and changed prices with percent change, by number', () => {
    const a = [
      item('a', '100', { number: '1.1' }),
      item('b', '200', { number: '1.2' }),
      item('c', '50', { number: '1.10' }),
    ];
    const b = [
      item('a', '110', { number: '1.1' }),
      item('c', '50', { number: '1.10', nameDe: 'umbenannt' }),
      item('d', '5', { number: '1.3' }),
      item('b2', '1', { number: '1.2', price: { model: 'flat', monthlyCents: 300 } }),
    ];
    const d = diffCatalog(a, b);
    expect(d.map((e) => [e.change, e.serviceCode])).toEqual([
      ['changed', 'a'],
      ['removed', 'b'],
      ['added', 'b2'],
      ['added', 'd'],
      ['changed', 'c'],
    ]);
    expect(d[0]).toMatchObject({ prices: [{ field: 'unitCents', from: '100', to: '110', percent: '10' }] });
    expect(d[4]).toMatchObject({ prices: [], fields: ['nameDe'] });
  });
  it('compares tiers figure by figure and a price falling', () => {
    const t = (p2: string) =>
      item('g', '0', {
        price: {
          model: 'graduated',
          tiers: [
            { upTo: '100', unitCents: '10' },
            { upTo: null, unitCents: p2 },
          ],
        },
      });
    const [e] = diffCatalog([t('8')], [t('7')]);
    expect(e).toMatchObject({
      prices: [{ field: 'tiers[2].unitCents', from: '8', to: '7', percent: '-12.5' }],
    });
    expect(diffCatalog([t('8')], [t('8.0')])).toEqual([]);
  });
});
