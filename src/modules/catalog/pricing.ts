/**
 * The price logic of the catalogue: one pure function computes the charge for a quantity under a price
 * and explains it, so that pages, API and invoices show the same figures and the same steps.
 *
 * Units: money in cents. Unit prices may be fractions of a cent ("3.5" ct per printed page), so they are
 * decimal strings of cents; fixed amounts (package, monthly, minimum, tier flat fee) are integer cents.
 * Quantities are exact decimal strings. Everything is computed exactly (src/shared/decimal.ts) and
 * rounded half-up to the cent once, at the end of the line.
 *
 * Models
 * - unit:           quantity × unit price
 * - graduated:      each tier's share of the quantity at that tier's price (+ the tier's flat fee once the
 *                   quantity reaches into the tier); the sum over the tiers
 * - volume:         the whole quantity at the price of the tier the quantity falls into (+ its flat fee)
 * - package:        per started block of `packageSize` units
 * - flat:           per month and booked unit ("25 Postfächer"), independent of usage
 * - per_inhabitant: population × yearly rate per inhabitant ÷ 12 per month
 * Optional `minimumCents` per month: a charge below it is raised to it.
 * Flat, per-inhabitant and minimum amounts are pro rata by day (`coverage`) when an agreement covers
 * only part of the period; usage-based amounts are not (the usage already reflects the days).
 * Zero usage costs nothing under the usage models (no tier flat fee), except a minimum.
 */
import {
  add,
  ceil,
  cmp,
  div,
  fraction,
  isDecimal,
  isZero,
  min,
  mul,
  ONE,
  type Rational,
  rat,
  roundHalfUp,
  sub,
  toDecimalString,
  toSafeInteger,
  ZERO,
} from '../../shared/decimal.js';

export const PRICE_MODELS = ['unit', 'graduated', 'volume', 'package', 'flat', 'per_inhabitant'] as const;
export type PriceModelKind = (typeof PRICE_MODELS)[number];

/** A tier of a graduated or volume price; `upTo` null = no upper bound (only the last tier). */
export interface Tier {
  upTo: string | null;
  unitCents: string;
  flatCents?: number;
}

export type PriceModel =
  | { model: 'unit'; unitCents: string }
  | { model: 'graduated'; tiers: Tier[] }
  | { model: 'volume'; tiers: Tier[] }
  | { model: 'package'; packageSize: string; packageCents: number }
  | { model: 'flat'; monthlyCents: number }
  | { model: 'per_inhabitant'; yearlyCentsPerInhabitant: string };

export type Price = PriceModel & { minimumCents?: number | null };

export interface ChargeInput {
  /** Usage in the period (usage models) or booked units (flat; default 1). Exact decimal string. */
  quantity: string;
  /** Whole months the period spans (default 1). */
  months?: number;
  /** Days of the period the agreement covers, for pro rata (default: all). */
  coverage?: { days: number; ofDays: number };
  /** The member's population with its reference year (per_inhabitant only). */
  population?: { inhabitants: number; year: number | null };
}

/** One step of the explanation; amounts are exact decimal cents as strings. */
export type ChargeStep =
  | { kind: 'unit'; quantity: string; unitCents: string; amountCents: string }
  | {
      kind: 'tier';
      tier: number;
      from: string;
      upTo: string | null;
      quantity: string;
      unitCents: string;
      flatCents: number;
      amountCents: string;
      /** graduated: every tier reached; volume: the one tier the whole quantity falls into. */
      applied: boolean;
    }
  | {
      kind: 'package';
      quantity: string;
      packageSize: string;
      packages: string;
      packageCents: number;
      amountCents: string;
    }
  | { kind: 'flat'; quantity: string; monthlyCents: number; months: number; amountCents: string }
  | {
      kind: 'inhabitants';
      inhabitants: number;
      year: number | null;
      yearlyCentsPerInhabitant: string;
      months: number;
      amountCents: string;
    }
  | { kind: 'prorata'; days: number; ofDays: number; amountCents: string }
  | { kind: 'minimum'; minimumCents: string; raisedByCents: string; amountCents: string };

export interface Charge {
  model: PriceModelKind;
  /** The line amount, rounded half-up to the cent once. */
  amountCents: number;
  /** The exact amount before rounding, in cents (decimal string, ≤ 6 places, `≈` if cut). */
  exactCents: string;
  exact: boolean;
  steps: ChargeStep[];
}

export class PriceError extends Error {
  constructor(
    readonly code: PriceProblem,
    message?: string,
  ) {
    super(message ?? code);
  }
}

export type PriceProblem =
  | 'quantity.invalid'
  | 'tiers.empty'
  | 'tiers.order'
  | 'tiers.unbounded'
  | 'package.size'
  | 'amount.invalid'
  | 'months.invalid'
  | 'coverage.invalid'
  | 'population.missing';

const dec = (r: Rational) => toDecimalString(r, 6).text;
const isCents = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Problems of a price definition (empty = valid), for forms and before a version is adopted. */
export function checkPrice(price: Price): PriceProblem[] {
  const problems = new Set<PriceProblem>();
  if (price.minimumCents != null && !isCents(price.minimumCents)) problems.add('amount.invalid');
  switch (price.model) {
    case 'unit':
      if (!isDecimal(price.unitCents)) problems.add('amount.invalid');
      break;
    case 'graduated':
    case 'volume': {
      if (price.tiers.length === 0) problems.add('tiers.empty');
      let prev: Rational = ZERO;
      price.tiers.forEach((t, i) => {
        const last = i === price.tiers.length - 1;
        if (!isDecimal(t.unitCents) || (t.flatCents != null && !isCents(t.flatCents))) {
          problems.add('amount.invalid');
        }
        if (t.upTo === null) {
          if (!last) problems.add('tiers.order');
          return;
        }
        if (last) problems.add('tiers.unbounded');
        if (!isDecimal(t.upTo)) {
          problems.add('tiers.order');
          return;
        }
        const up = rat(t.upTo);
        if (cmp(up, prev) <= 0) problems.add('tiers.order');
        prev = up;
      });
      break;
    }
    case 'package':
      if (!isDecimal(price.packageSize) || isZero(rat(price.packageSize))) problems.add('package.size');
      if (!isCents(price.packageCents)) problems.add('amount.invalid');
      break;
    case 'flat':
      if (!isCents(price.monthlyCents)) problems.add('amount.invalid');
      break;
    case 'per_inhabitant':
      if (!isDecimal(price.yearlyCentsPerInhabitant)) problems.add('amount.invalid');
      break;
  }
  return [...problems];
}

/**
 * The charge for `input` under `price`, with its explanation. Pure and deterministic; throws
 * PriceError on an invalid price or input (never returns a wrong amount).
 */
export function charge(price: Price, input: ChargeInput): Charge {
  const problems = checkPrice(price);
  if (problems.length > 0) throw new PriceError(problems[0] as PriceProblem);
  if (!isDecimal(input.quantity)) throw new PriceError('quantity.invalid');
  const q = rat(input.quantity);
  const months = input.months ?? 1;
  if (!Number.isSafeInteger(months) || months < 1) throw new PriceError('months.invalid');
  const cov = input.coverage;
  if (cov && (!Number.isSafeInteger(cov.days) || cov.days < 0 || cov.ofDays < 1 || cov.days > cov.ofDays)) {
    throw new PriceError('coverage.invalid');
  }
  const factor = cov ? fraction(cov.days, cov.ofDays) : ONE;

  const steps: ChargeStep[] = [];
  let amount: Rational;
  // Whether this model's amount is a per-period fee that is pro rata by day.
  let periodic = false;

  switch (price.model) {
    case 'unit': {
      amount = mul(q, rat(price.unitCents));
      steps.push({ kind: 'unit', quantity: dec(q), unitCents: price.unitCents, amountCents: dec(amount) });
      break;
    }
    case 'graduated': {
      amount = ZERO;
      let from: Rational = ZERO;
      price.tiers.forEach((t, i) => {
        const upTo = t.upTo === null ? null : rat(t.upTo);
        const reached = cmp(q, from) > 0;
        const share = reached ? sub(upTo === null ? q : min(q, upTo), from) : ZERO;
        const flat = reached ? rat(t.flatCents ?? 0) : ZERO;
        const part = add(mul(share, rat(t.unitCents)), flat);
        amount = add(amount, part);
        steps.push({
          kind: 'tier',
          tier: i + 1,
          from: dec(from),
          upTo: t.upTo,
          quantity: dec(share),
          unitCents: t.unitCents,
          flatCents: t.flatCents ?? 0,
          amountCents: dec(part),
          applied: reached,
        });
        if (upTo !== null) from = upTo;
      });
      break;
    }
    case 'volume': {
      amount = ZERO;
      let from: Rational = ZERO;
      let found = false;
      price.tiers.forEach((t, i) => {
        const upTo = t.upTo === null ? null : rat(t.upTo);
        const here = !found && (upTo === null || cmp(q, upTo) <= 0);
        let part: Rational = ZERO;
        if (here) {
          found = true;
          part = isZero(q) ? ZERO : add(mul(q, rat(t.unitCents)), rat(t.flatCents ?? 0));
          amount = part;
        }
        steps.push({
          kind: 'tier',
          tier: i + 1,
          from: dec(from),
          upTo: t.upTo,
          quantity: here ? dec(q) : '0',
          unitCents: t.unitCents,
          flatCents: t.flatCents ?? 0,
          amountCents: dec(part),
          applied: here,
        });
        if (upTo !== null) from = upTo;
      });
      break;
    }
    case 'package': {
      const size = rat(price.packageSize);
      const packages = ceil(div(q, size));
      amount = rat(packages * BigInt(price.packageCents));
      steps.push({
        kind: 'package',
        quantity: dec(q),
        packageSize: price.packageSize,
        packages: packages.toString(),
        packageCents: price.packageCents,
        amountCents: dec(amount),
      });
      break;
    }
    case 'flat': {
      periodic = true;
      amount = mul(mul(q, rat(price.monthlyCents)), rat(months));
      steps.push({
        kind: 'flat',
        quantity: dec(q),
        monthlyCents: price.monthlyCents,
        months,
        amountCents: dec(amount),
      });
      break;
    }
    case 'per_inhabitant': {
      periodic = true;
      const pop = input.population;
      if (!pop || !Number.isSafeInteger(pop.inhabitants) || pop.inhabitants < 0) {
        throw new PriceError('population.missing');
      }
      amount = mul(mul(rat(pop.inhabitants), rat(price.yearlyCentsPerInhabitant)), fraction(months, 12));
      steps.push({
        kind: 'inhabitants',
        inhabitants: pop.inhabitants,
        year: pop.year,
        yearlyCentsPerInhabitant: price.yearlyCentsPerInhabitant,
        months,
        amountCents: dec(amount),
      });
      break;
    }
  }

  if (periodic && cov && cmp(factor, ONE) !== 0) {
    amount = mul(amount, factor);
    steps.push({ kind: 'prorata', days: cov.days, ofDays: cov.ofDays, amountCents: dec(amount) });
  }
  if (price.minimumCents != null && price.minimumCents > 0) {
    const minimum = mul(mul(rat(price.minimumCents), rat(months)), factor);
    if (cmp(amount, minimum) < 0) {
      steps.push({
        kind: 'minimum',
        minimumCents: dec(minimum),
        raisedByCents: dec(sub(minimum, amount)),
        amountCents: dec(minimum),
      });
      amount = minimum;
    }
  }
  const exact = toDecimalString(amount, 6);
  return {
    model: price.model,
    amountCents: toSafeInteger(roundHalfUp(amount)),
    exactCents: exact.text,
    exact: exact.exact,
    steps,
  };
}

/** VAT treatment of a service (§2b UStG may make services between public bodies taxable). */
export const VAT_TREATMENTS = ['not_taxable', 'standard', 'reduced'] as const;
export type VatTreatment = (typeof VAT_TREATMENTS)[number];
/** Rates in percent as of 2026 (§12 UStG: 19 % standard, 7 % reduced). */
export const VAT_PERCENT: Record<VatTreatment, number> = { not_taxable: 0, standard: 19, reduced: 7 };

/** VAT on a net amount in cents, rounded half-up to the cent (EN 16931 computes it per rate, per invoice). */
export function vatCents(netCents: number, treatment: VatTreatment): number {
  return toSafeInteger(roundHalfUp(fraction(BigInt(netCents) * BigInt(VAT_PERCENT[treatment]), 100)));
}
