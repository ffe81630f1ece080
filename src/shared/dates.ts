/** Dates are civil dates in Europe/Berlin ('YYYY-MM-DD'); instants are Date (UTC inside). */

export const TIME_ZONE = 'Europe/Berlin';

const ymd = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date in Berlin as 'YYYY-MM-DD'. */
export function todayInBerlin(now: Date = new Date()): string {
  return ymd.format(now);
}

/** The month (billing month) of an instant in Berlin, 'YYYY-MM'. */
export function monthInBerlin(instant: Date): string {
  return ymd.format(instant).slice(0, 7);
}

export function isIsoDate(s: string): boolean {
  // Years 1000–9999: PostgreSQL has no year 0, and no civil date of ours lies before 1000.
  if (!/^[1-9]\d{3}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

// Civil dates are formatted in UTC (they are days, not instants); instants in Europe/Berlin.
const TIME = { hour: '2-digit', minute: '2-digit', second: '2-digit' } as const;
const deDay = { day: '2-digit', month: '2-digit', year: 'numeric' } as const;
const enDay = { day: '2-digit', month: 'short', year: 'numeric' } as const;
const deDate = new Intl.DateTimeFormat('de-DE', { timeZone: 'UTC', ...deDay });
const deDateTime = new Intl.DateTimeFormat('de-DE', { timeZone: TIME_ZONE, ...deDay, ...TIME });
const enDate = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', ...enDay });
const enDateTime = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, ...enDay, ...TIME });

/** 'YYYY-MM-DD' → '09.04.2020' (de) or '09 Apr 2020' (en). */
export function formatDate(s: string | null | undefined, lang: 'de' | 'en' = 'de'): string {
  if (!s) return '–';
  const d = new Date(`${s}T00:00:00Z`);
  return (lang === 'de' ? deDate : enDate).format(d);
}

/** An instant shown in Berlin time. */
export function formatDateTime(d: Date | null | undefined, lang: 'de' | 'en' = 'de'): string {
  if (!d) return '–';
  return (lang === 'de' ? deDateTime : enDateTime).format(d);
}

const deMonth = new Intl.DateTimeFormat('de-DE', { timeZone: 'UTC', month: 'long', year: 'numeric' });
const enMonth = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' });

/** A billing month 'YYYY-MM' → 'November 2026' (de and en alike, month names translated). */
export function formatMonth(month: string, lang: 'de' | 'en' = 'de'): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return (lang === 'de' ? deMonth : enMonth).format(new Date(Date.UTC(y, m - 1, 1)));
}

/** The month `n` months after 'YYYY-MM' (n may be negative). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}
