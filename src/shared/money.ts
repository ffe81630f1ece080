/**
 * Money and quantities for people: integer cents (or exact decimal cents, for unit prices below a cent)
 * as euros, and exact decimal quantities, in German or English notation. Never through a float.
 */
import { div, rat, toDecimalString } from './decimal.js';

type Lang = 'de' | 'en';

/** Formats an exact decimal string ("-1234.5") with grouping and at least `minFraction` digits. */
export function formatDecimal(decimal: string, lang: Lang, minFraction = 0): string {
  const neg = decimal.startsWith('-');
  const [int = '0', frac = ''] = (neg ? decimal.slice(1) : decimal).split('.');
  const group = lang === 'de' ? '.' : ',';
  const point = lang === 'de' ? ',' : '.';
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const f = frac.padEnd(minFraction, '0');
  return `${neg ? '-' : ''}${grouped}${f ? `${point}${f}` : ''}`;
}

/**
 * Cents as euros: 1050 → "10,50 €"; exact decimal cents keep their precision ("3.5" → "0,035 €").
 * Results that do not terminate within 6 places of a euro are rounded there and marked "≈".
 */
export function formatEuro(cents: number | string, lang: Lang): string {
  const r = div(rat(typeof cents === 'number' ? Math.abs(cents) : cents.replace(/^-/, '')), rat(100));
  const { text, exact } = toDecimalString(r, 6);
  const neg = typeof cents === 'number' ? cents < 0 : cents.startsWith('-');
  const s = formatDecimal(`${neg ? '-' : ''}${text}`, lang, 2);
  return `${exact ? '' : '≈ '}${lang === 'de' ? `${s} €` : `€${s}`}`;
}
