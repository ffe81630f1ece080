/**
 * Exact arithmetic for quantities and prices: non-negative rationals over bigint, never a float.
 *
 * Quantities arrive as decimal strings ("1234.5678"), prices as decimal cents ("3.5" = 3.5 ct), pro-rata
 * factors as fractions of days (17/31). Every intermediate value stays exact; money becomes integer
 * cents in one place only, `roundHalfUp`, once per invoice line.
 */

export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

const DECIMAL = /^(\d{1,20})(?:\.(\d{1,12}))?$/;

export class DecimalFormatError extends Error {
  constructor(readonly input: string) {
    super(`not a non-negative decimal: ${JSON.stringify(input)}`);
  }
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function make(n: bigint, d: bigint): Rational {
  if (d === 1n || n === 0n) return { n, d: n === 0n ? 1n : d };
  const g = gcd(n, d);
  return g === 1n ? { n, d } : { n: n / g, d: d / g };
}

export const ZERO: Rational = { n: 0n, d: 1n };
export const ONE: Rational = { n: 1n, d: 1n };

/** A decimal string (up to 20 integer and 12 fraction digits), a safe integer, or a bigint. */
export function rat(value: string | number | bigint): Rational {
  if (typeof value === 'bigint') return { n: value, d: 1n };
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new DecimalFormatError(String(value));
    return { n: BigInt(value), d: 1n };
  }
  const m = DECIMAL.exec(value);
  if (!m) throw new DecimalFormatError(value);
  const frac = m[2] ?? '';
  return make(BigInt(m[1] + frac), 10n ** BigInt(frac.length));
}

/** Whether a string is a decimal `rat` accepts (for validation messages before computing). */
export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

export function fraction(n: bigint | number, d: bigint | number): Rational {
  const bd = BigInt(d);
  if (bd <= 0n) throw new RangeError('denominator must be positive');
  return make(BigInt(n), bd);
}

export const add = (a: Rational, b: Rational): Rational =>
  a.d === b.d ? make(a.n + b.n, a.d) : make(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational): Rational =>
  a.d === b.d ? make(a.n - b.n, a.d) : make(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational): Rational => make(a.n * b.n, a.d * b.d);
export const div = (a: Rational, b: Rational): Rational => {
  if (b.n === 0n) throw new RangeError('division by zero');
  return b.n < 0n ? make(-a.n * b.d, a.d * -b.n) : make(a.n * b.d, a.d * b.n);
};
export const cmp = (a: Rational, b: Rational): -1 | 0 | 1 => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};
export const min = (a: Rational, b: Rational): Rational => (cmp(a, b) <= 0 ? a : b);
export const max = (a: Rational, b: Rational): Rational => (cmp(a, b) >= 0 ? a : b);
export const isZero = (a: Rational): boolean => a.n === 0n;

/** The smallest integer ≥ a (for "per started block"). */
export function ceil(a: Rational): bigint {
  const q = a.n / a.d;
  return a.n % a.d === 0n || a.n < 0n ? q : q + 1n;
}

/** Rounds half away from zero to an integer (commercial rounding, kaufmännisch). */
export function roundHalfUp(a: Rational): bigint {
  const neg = a.n < 0n;
  const n = neg ? -a.n : a.n;
  const q = (2n * n + a.d) / (2n * a.d);
  return neg ? -q : q;
}

/** Integer cents as a JS number, refusing what a number cannot hold exactly. */
export function toSafeInteger(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`amount out of range: ${v}`);
  }
  return Number(v);
}

/**
 * A decimal string: exact where the value terminates within `maxScale` fraction digits, otherwise
 * rounded half-up to `maxScale` digits (`exact` tells which). Trailing zeros are dropped.
 */
export function toDecimalString(a: Rational, maxScale = 6): { text: string; exact: boolean } {
  const scale = 10n ** BigInt(maxScale);
  const scaled = mul(a, { n: scale, d: 1n });
  const exact = scaled.d === 1n;
  const v = exact ? scaled.n : roundHalfUp(scaled);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const int = abs / scale;
  let frac = (abs % scale).toString().padStart(maxScale, '0').replace(/0+$/, '');
  if (maxScale === 0) frac = '';
  return { text: `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`, exact };
}
