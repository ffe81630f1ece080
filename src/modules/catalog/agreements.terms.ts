/**
 * What a member's service agreement costs in a billing month, pure: the agreement's terms (quantity
 * over time) cut at the month's edges and at the catalogue versions' edges, each piece priced pro rata
 * by day with the version in force on its first day.
 */
import { addDays, isInForce, type Period } from '../../shared/effective.js';
import type { PriceBook } from './price-book.js';
import { type Charge, charge } from './pricing.js';

/** A term of an agreement: a quantity over a period (quantity null where the price ignores it). */
export interface Term extends Period {
  quantity: string | null;
}

/** The month 'YYYY-MM' as a period of days, with its length. */
export function monthPeriod(month: string): Period & { validUntil: string; days: number } {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new RangeError(`not a month: ${month}`);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { validFrom: `${month}-01`, validUntil: `${month}-${String(days).padStart(2, '0')}`, days };
}

/** Days (both ends included) that two periods share; 0 if none. */
export function sharedDays(a: Period, b: Period & { validUntil: string }): number {
  const from = a.validFrom > b.validFrom ? a.validFrom : b.validFrom;
  const until = a.validUntil === null || a.validUntil > b.validUntil ? b.validUntil : a.validUntil;
  if (until < from) return 0;
  return Math.round((Date.parse(`${until}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The last day a cancellation given on `noticeOn` can end an agreement with `noticeDays` notice. */
export function earliestEnd(noticeOn: string, noticeDays: number): string {
  return addDays(noticeOn, noticeDays);
}

/** Models whose amount follows from the agreement (not from metered usage). */
export const BOOKED_MODELS = new Set(['flat', 'per_inhabitant']);

export interface AgreementLine {
  validFrom: string;
  validUntil: string;
  versionNumber: string;
  /** The unit of the service in that version (for the explanation). */
  unitCode: string;
  quantity: string | null;
  charge: Charge;
}

/**
 * The lines of one agreement in `month`: one per piece of a term under one catalogue version.
 * Pieces whose version does not carry the service, or prices it by usage, give no line (usage is rated
 * from metering).
 */
export function agreementLines<
  V extends {
    number: string;
    id: string;
    status: 'draft' | 'adopted';
    inForceFrom: string | null;
    adoptedOn: string | null;
  },
>(
  serviceCode: string,
  terms: readonly Term[],
  month: string,
  book: PriceBook<V>,
  population?: { inhabitants: number; year: number | null },
): AgreementLine[] {
  const m = monthPeriod(month);
  // The days within the month on which what applies may change: version starts and term starts.
  const cuts = new Set<string>([m.validFrom]);
  for (const p of book.periods)
    if (p.validFrom > m.validFrom && p.validFrom <= m.validUntil) cuts.add(p.validFrom);
  for (const t of terms) if (t.validFrom > m.validFrom && t.validFrom <= m.validUntil) cuts.add(t.validFrom);
  const starts = [...cuts].sort();
  const lines: AgreementLine[] = [];
  starts.forEach((from, i) => {
    const next = starts[i + 1];
    const piece = { validFrom: from, validUntil: next ? addDays(next, -1) : m.validUntil };
    const term = terms.find((t) => isInForce(t, from));
    if (!term) return;
    const days = sharedDays(term, piece);
    if (days === 0) return;
    const priced = book.priceAt(serviceCode, from);
    if (!priced || !BOOKED_MODELS.has(priced.item.price.model)) return;
    const c = charge(priced.item.price, {
      quantity: term.quantity ?? '1',
      coverage: { days, ofDays: m.days },
      ...(population ? { population } : {}),
    });
    const until =
      term.validUntil !== null && term.validUntil < piece.validUntil ? term.validUntil : piece.validUntil;
    lines.push({
      validFrom: from,
      validUntil: until,
      versionNumber: priced.period.version.number,
      unitCode: priced.item.unitCode,
      quantity: term.quantity,
      charge: c,
    });
  });
  return lines;
}
