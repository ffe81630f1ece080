/**
 * A charge explained in plain words, step by step, from the steps `charge` returns: the same text on
 * the public catalogue's worked example, the member's agreement page, and later the invoice.
 */
import { formatDecimal, formatEuro } from '../../shared/money.js';
import type { Lang, T } from '../../web/i18n/index.js';
import type { Charge } from './pricing.js';

/** The lines that explain `c`, the last one being the rounded amount. `unit` is the unit's name. */
export function explainCharge(c: Charge, unit: string, t: T, lang: Lang): string[] {
  const eur = (cents: number | string) => formatEuro(cents, lang);
  const num = (d: string) => formatDecimal(d, lang);
  const lines: string[] = [];
  for (const s of c.steps) {
    switch (s.kind) {
      case 'unit':
        lines.push(
          t.code('price_step.unit', {
            quantity: num(s.quantity),
            unit,
            price: eur(s.unitCents),
            amount: eur(s.amountCents),
          }),
        );
        break;
      case 'tier': {
        if (!s.applied) break;
        const flat = s.flatCents > 0 ? t.code('price_step.flat_fee', { flat: eur(s.flatCents) }) : '';
        const key =
          c.model === 'volume'
            ? s.upTo === null
              ? 'price_step.volume_open'
              : 'price_step.volume'
            : s.upTo === null
              ? 'price_step.tier_open'
              : 'price_step.tier';
        lines.push(
          t.code(key, {
            tier: s.tier,
            from: num(s.from),
            upTo: s.upTo === null ? '' : num(s.upTo),
            quantity: num(s.quantity),
            price: eur(s.unitCents),
            flat,
            amount: eur(s.amountCents),
          }),
        );
        break;
      }
      case 'package':
        lines.push(
          t.code('price_step.package', {
            quantity: num(s.quantity),
            unit,
            packages: s.packages,
            size: num(s.packageSize),
            price: eur(s.packageCents),
            amount: eur(s.amountCents),
          }),
        );
        break;
      case 'flat':
        lines.push(
          t.code('price_step.flat', {
            quantity: num(s.quantity),
            price: eur(s.monthlyCents),
            months: s.months,
            amount: eur(s.amountCents),
          }),
        );
        break;
      case 'inhabitants':
        lines.push(
          t.code('price_step.inhabitants', {
            inhabitants: num(String(s.inhabitants)),
            year: s.year === null ? t.code('price_step.year_unknown') : s.year,
            price: eur(s.yearlyCentsPerInhabitant),
            months: s.months,
            amount: eur(s.amountCents),
          }),
        );
        break;
      case 'prorata':
        lines.push(
          t.code('price_step.prorata', { days: s.days, ofDays: s.ofDays, amount: eur(s.amountCents) }),
        );
        break;
      case 'minimum':
        lines.push(
          t.code('price_step.minimum', {
            minimum: eur(s.minimumCents),
            raised: eur(s.raisedByCents),
            amount: eur(s.amountCents),
          }),
        );
        break;
    }
  }
  lines.push(t.code('price_step.total', { amount: eur(c.amountCents) }));
  return lines;
}
