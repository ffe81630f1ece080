import { describe, expect, it } from 'vitest';
import {
  euroInput,
  itemFromForm,
  parseDecimalInput,
  parseEuroInput,
  parseWholeCents,
} from './catalog.forms.js';

describe('amounts typed in euros', () => {
  it('become exact cents, never through a float', () => {
    expect(parseEuroInput('0,035', 'de')).toBe('3.5');
    expect(parseEuroInput('1.234,56', 'de')).toBe('123456');
    expect(parseEuroInput('12', 'de')).toBe('1200');
    expect(parseEuroInput('0,1', 'de')).toBe('10');
    expect(parseEuroInput('0,07', 'de')).toBe('7');
    expect(parseEuroInput('1,005', 'de')).toBe('100.5');
    expect(parseEuroInput('95,00 €', 'de')).toBe('9500');
    expect(parseEuroInput('1,234.5', 'en')).toBe('123450');
    for (const bad of ['', 'abc', '1,2,3', '-1', '1.23', '1e3'])
      expect(parseEuroInput(bad, 'de'), bad).toBeUndefined();
  });

  it('fixed amounts must be whole cents', () => {
    expect(parseWholeCents('250,00', 'de')).toBe(25000);
    expect(parseWholeCents('0,035', 'de')).toBeUndefined();
  });

  it('go back into the form unchanged', () => {
    for (const c of ['3.5', '9500', '7', '100.5', '0', '12', '4.375']) {
      expect(parseEuroInput(euroInput(c, 'de'), 'de')).toBe(c);
      expect(parseEuroInput(euroInput(c, 'en'), 'en')).toBe(c);
    }
    expect(euroInput('3.5', 'de')).toBe('0,035');
    expect(euroInput(25000, 'de')).toBe('250,00');
  });

  it('quantities with a decimal comma', () => {
    expect(parseDecimalInput('5.000', 'de')).toBe('5000');
    expect(parseDecimalInput('2,50', 'de')).toBe('2.5');
    expect(parseDecimalInput('2.5', 'de')).toBeUndefined();
  });
});

describe('the edit form of a service', () => {
  const known = { categories: new Set(['groupware']), units: new Set(['stueck']) };
  const base = {
    serviceCode: 'x-dienst',
    number: '4.9',
    categoryCode: 'groupware',
    nameDe: 'Dienst',
    unitCode: 'stueck',
    vat: 'standard',
    noticeDays: '30',
  };

  it('reads a volume price with tiers and a minimum', () => {
    const r = itemFromForm(
      { ...base, model: 'volume', tier1UpTo: '100', tier1Price: '1,00', tier2Price: '0,80', minimum: '5,00' },
      'de',
      known,
    );
    expect(r.ok && r.item.price).toEqual({
      model: 'volume',
      tiers: [
        { upTo: '100', unitCents: '100' },
        { upTo: null, unitCents: '80' },
      ],
      minimumCents: 500,
    });
  });

  it('names every problem at its field', () => {
    const r = itemFromForm(
      {
        ...base,
        serviceCode: 'X',
        model: 'flat',
        flatMonthly: '1,005',
        meterKey: 'zaehler',
        vat: 'not_taxable',
      },
      'de',
      known,
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues.map((i) => i.field).sort()).toEqual([
        'aggregation',
        'flatMonthly',
        'serviceCode',
        'vatNote',
      ]);
  });

  it('refuses tiers out of order with the price rule', () => {
    const r = itemFromForm(
      {
        ...base,
        model: 'graduated',
        tier1UpTo: '100',
        tier1Price: '1',
        tier2UpTo: '50',
        tier2Price: '1',
        tier3Price: '1',
      },
      'de',
      known,
    );
    expect(!r.ok && r.issues).toEqual([{ field: 'tier1UpTo', code: 'price.tiers.order' }]);
  });
});
