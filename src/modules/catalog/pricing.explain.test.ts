import { describe, expect, it } from 'vitest';
import { translator } from '../../web/i18n/index.js';
import catalogMessages from './catalog.messages.json' with { type: 'json' };
import { explainCharge } from './pricing.explain.js';
import { charge } from './pricing.js';

const de = translator('de', new Map(Object.entries(catalogMessages)));
const en = translator('en', new Map(Object.entries(catalogMessages)));

describe('a charge in plain words', () => {
  it('explains graduated tiers and the rounding in German', () => {
    const c = charge(
      {
        model: 'graduated',
        tiers: [
          { upTo: '5000', unitCents: '6' },
          { upTo: null, unitCents: '4.5' },
        ],
      },
      { quantity: '6200.5' },
    );
    expect(explainCharge(c, 'VM-Stunden', de, 'de')).toEqual([
      'Staffel 1 (über 0 bis 5.000): 5.000 × 0,06 € = 300,00 €',
      'Staffel 2 (über 5.000): 1.200,5 × 0,045 € = 54,0225 €',
      'Betrag, kaufmännisch auf den Cent gerundet: 354,02 €',
    ]);
  });
  it('explains flat fees pro rata, per-inhabitant fees and minimums', () => {
    const flat = charge(
      { model: 'flat', monthlyCents: 450 },
      { quantity: '25', coverage: { days: 15, ofDays: 31 } },
    );
    expect(explainCharge(flat, 'Postfächer', de, 'de')).toEqual([
      '25 × 4,50 € pro Monat × 1 Monat(e) = 112,50 €',
      'anteilig für 15 von 31 Tagen = ≈ 54,435484 €',
      'Betrag, kaufmännisch auf den Cent gerundet: 54,44 €',
    ]);
    const pop = charge(
      { model: 'per_inhabitant', yearlyCentsPerInhabitant: '20', minimumCents: 2500 },
      { quantity: '0', population: { inhabitants: 1_234, year: 2022 } },
    );
    expect(explainCharge(pop, 'Einwohner', en, 'en')).toEqual([
      '1,234 inhabitants (2022) × €0.20 per year × 1/12 = ≈ €20.566667',
      'Minimum €25.00: raised by ≈ €4.433333 = €25.00',
      'Amount, rounded half-up to the cent: €25.00',
    ]);
  });
});
