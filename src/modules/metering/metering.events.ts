/**
 * Usage events as they arrive (JSON array or NDJSON) and their validation, line by line: pure functions,
 * no database. What needs the database (is the member in scope, is the meter in the catalogue) is asked
 * by the service through the `known` look-ups it passes in.
 */
import { hash } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical-json.js';
import { isDecimal, rat } from '../../shared/decimal.js';
import type { LineIssue } from '../../shared/errors.js';

/** At most this many events per request. */
export const MAX_EVENTS_PER_REQUEST = 10_000;
/** An NDJSON line (one event) longer than this is refused. */
export const MAX_LINE_BYTES = 8192;
/** Events may be stamped at most this far in the future (clock skew of the reporting system). */
export const MAX_FUTURE_MS = 15 * 60 * 1000;
/** Events older than this many months are refused (raw events are kept 24 months). */
export const MAX_AGE_MONTHS = 24;

/** One line of a request, before validation: its line number and what it parsed to (or why not). */
export interface RawLine {
  readonly line: number;
  readonly value?: unknown;
  /** Set when the line could not be read at all. */
  readonly error?: string;
}

/** A validated event, normalised: the quantity as an exact decimal, the time as a UTC instant. */
export interface UsageEvent {
  readonly line: number;
  /** As sent: a member id or an AGS; the service resolves it. */
  readonly memberRef: string;
  readonly meter: string;
  /** Normalised decimal string (no trailing zeros). */
  readonly quantity: string;
  /** UTC instant with microseconds: YYYY-MM-DDTHH:MM:SS.ffffffZ. */
  readonly time: string;
  readonly source: string;
  readonly eventId: string;
  /** Attributes with string values; null when none. */
  readonly attributes: Readonly<Record<string, string>> | null;
}

const FIELDS = new Set(['member', 'meter', 'quantity', 'time', 'source', 'eventId', 'attributes']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AGS = /^[0-9]{8}$/;
const METER = /^[a-z][a-z0-9-]{1,63}$/;
const SOURCE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;
const ATTRIBUTE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_ATTRIBUTES = 20;
// Controls, format characters (bidi, zero-width) and unpaired surrogates: never in ids or attributes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]|\p{Cs}/u;
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Splits a request body into lines: a JSON array (one line per element, numbered from 1) or NDJSON
 * text (numbered by physical line; blank lines are skipped but counted).
 */
export function readLines(body: unknown): RawLine[] | { error: string } {
  if (Array.isArray(body)) return body.map((value, i) => ({ line: i + 1, value }));
  if (typeof body !== 'string') return { error: 'usage.body_not_list' };
  const lines: RawLine[] = [];
  const parts = body.split('\n');
  for (let i = 0; i < parts.length; i++) {
    const text = parts[i]!.replace(/\r$/, '');
    if (text.trim() === '') continue;
    if (Buffer.byteLength(text, 'utf8') > MAX_LINE_BYTES) {
      lines.push({ line: i + 1, error: 'usage.line_too_long' });
      continue;
    }
    try {
      lines.push({ line: i + 1, value: JSON.parse(text) });
    } catch {
      lines.push({ line: i + 1, error: 'usage.malformed' });
    }
  }
  return lines;
}

/** A decimal as sent (string or number) → normalised decimal string, or the reason it is not one. */
export function parseQuantity(value: unknown): { quantity: string } | { code: string } {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { code: 'usage.quantity_format' };
    // A number's shortest round-trip text; exponents (1e21, 1e-7) are refused rather than guessed.
    text = String(value);
  } else if (typeof value === 'string') {
    text = value;
  } else {
    return { code: value === undefined ? 'usage.quantity_missing' : 'usage.quantity_format' };
  }
  if (/^-\d/.test(text) && isDecimal(text.slice(1))) {
    return rat(text.slice(1)).n === 0n ? { quantity: '0' } : { code: 'usage.quantity_negative' };
  }
  if (!isDecimal(text)) return { code: 'usage.quantity_format' };
  return { quantity: normaliseDecimal(text) };
}

/**
 * A decimal string `isDecimal` accepts, written as `toDecimalString(rat(text), 12)` writes it — without
 * leading zeros of the integer part and trailing zeros of the fraction — by string operations (the
 * rational round trip cost a fifth of the ingest's validation).
 */
export function normaliseDecimal(text: string): string {
  const dot = text.indexOf('.');
  let int = dot < 0 ? text : text.slice(0, dot);
  let i = 0;
  while (i < int.length - 1 && int.charCodeAt(i) === 48) i++;
  if (i > 0) int = int.slice(i);
  if (dot < 0) return int;
  let end = text.length;
  while (end > dot + 1 && text.charCodeAt(end - 1) === 48) end--;
  return end === dot + 1 ? int : `${int}.${text.slice(dot + 1, end)}`;
}

/**
 * An ISO 8601 instant with an offset (Z or ±hh:mm) → UTC with microseconds, or undefined. Fractions
 * beyond microseconds must be zero (PostgreSQL keeps microseconds; anything finer would be lost).
 */
export function parseInstant(value: unknown): { iso: string; ms: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', offset] = m;
  if (frac.length > 6 && !/^0+$/.test(frac.slice(6))) return undefined;
  const micros = frac.slice(0, 6).padEnd(6, '0');
  // Every field in its range (2026-02-30 or 24:00 are refused, not rolled over). Years before 1969
  // cannot be after 1970 with any offset.
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1969 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s));
  let offsetMs = 0;
  if (offset !== 'Z') {
    const sign = offset!.startsWith('-') ? -1 : 1;
    const oh = Number(offset!.slice(1, 3));
    const om = Number(offset!.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMs = sign * (oh * 60 + om) * 60_000;
  }
  const ms = local - offsetMs;
  if (ms < 0) return undefined;
  // In UTC already, the fields are the answer; otherwise the shifted instant's.
  const base = offsetMs === 0 ? `${y}-${mo}-${d}T${h}:${mi}:${s}` : new Date(ms).toISOString().slice(0, 19);
  return { iso: `${base}.${micros}Z`, ms };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function checkText(value: unknown, max: number): boolean {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    // Code points ≤ UTF-16 units: count them only when the units exceed the limit.
    (value.length <= max || [...value].length <= max) &&
    !UNSAFE_TEXT.test(value)
  );
}

/** Goes `months` calendar months back from an instant (UTC), for the age limit. */
function monthsBefore(now: Date, months: number): number {
  // The same `now` for every line of a request: computed once.
  if (ageLimit.now === now.getTime() && ageLimit.months === months) return ageLimit.ms;
  const d = new Date(now.getTime());
  d.setUTCMonth(d.getUTCMonth() - months);
  ageLimit = { now: now.getTime(), months, ms: d.getTime() };
  return ageLimit.ms;
}
let ageLimit = { now: Number.NaN, months: 0, ms: 0 };

/**
 * Validates one line. `now` bounds the time of use (not in the future beyond clock skew, not older than
 * the retention). Returns the event or the line's issues (the first problem of each field).
 */
export function validateLine(raw: RawLine, now: Date): UsageEvent | LineIssue[] {
  if (raw.error) return [{ line: raw.line, code: raw.error }];
  const v = raw.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return [{ line: raw.line, code: 'usage.not_object' }];
  const o = v as Record<string, unknown>;
  const issues: LineIssue[] = [];
  const issue = (field: string, code: string) => issues.push({ line: raw.line, field, code });
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) issue(k, 'usage.unknown_field');

  const member = o.member;
  if (member === undefined) issue('member', 'usage.member_missing');
  else if (typeof member !== 'string' || !(UUID.test(member) || AGS.test(member)))
    issue('member', 'usage.member_format');

  if (o.meter === undefined) issue('meter', 'usage.meter_missing');
  else if (typeof o.meter !== 'string' || !METER.test(o.meter)) issue('meter', 'usage.meter_format');

  const q = parseQuantity(o.quantity);
  if ('code' in q) issue('quantity', q.code);

  const t = o.time === undefined ? undefined : parseInstant(o.time);
  if (o.time === undefined) issue('time', 'usage.time_missing');
  else if (!t) issue('time', 'usage.time_format');
  else if (t.ms > now.getTime() + MAX_FUTURE_MS) issue('time', 'usage.time_future');
  else if (t.ms < monthsBefore(now, MAX_AGE_MONTHS)) issue('time', 'usage.time_too_old');

  if (o.source === undefined) issue('source', 'usage.source_missing');
  else if (typeof o.source !== 'string' || !SOURCE.test(o.source)) issue('source', 'usage.source_format');

  if (o.eventId === undefined) issue('eventId', 'usage.event_id_missing');
  else if (!checkText(o.eventId, 200)) issue('eventId', 'usage.event_id_format');

  let attributes: Record<string, string> | null = null;
  if (o.attributes !== undefined && o.attributes !== null) {
    const a = o.attributes;
    if (typeof a !== 'object' || Array.isArray(a)) issue('attributes', 'usage.attributes_format');
    else {
      const entries = Object.entries(a as Record<string, unknown>);
      if (
        entries.length > MAX_ATTRIBUTES ||
        entries.some(([k, val]) => !ATTRIBUTE_KEY.test(k) || !checkText(val, 200))
      ) {
        issue('attributes', 'usage.attributes_format');
      } else if (entries.length > 0) {
        attributes = Object.fromEntries(entries.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) as Record<
          string,
          string
        >;
      }
    }
  }
  if (issues.length > 0) return issues;
  return {
    line: raw.line,
    memberRef: (member as string).toLowerCase(),
    meter: o.meter as string,
    quantity: (q as { quantity: string }).quantity,
    time: t!.iso,
    source: o.source as string,
    eventId: o.eventId as string,
    attributes,
  };
}

/**
 * SHA-256 over the canonical JSON of what an event says (meter, quantity, time, attributes): the same
 * member, source and event id with another hash is a conflict. The member and the key are not part of
 * it — they are the key the hash is stored under. The text is written directly, with the keys in
 * canonical order (the same bytes as canonicalJson of the object, which the tests hold; a generic
 * canonicalJson per event cost as much as the rest of the validation).
 */
export function payloadHash(e: Pick<UsageEvent, 'meter' | 'quantity' | 'time' | 'attributes'>): string {
  // canonicalJson drops an undefined member and writes null as null.
  const attributes =
    e.attributes === undefined
      ? ''
      : `"attributes":${e.attributes === null ? 'null' : canonicalJson(e.attributes)},`;
  // crypto.hash: a one-shot digest, about twice as fast as createHash for short input.
  return hash(
    'sha256',
    `{${attributes}"meter":${JSON.stringify(e.meter)},"quantity":${JSON.stringify(e.quantity)},"time":${JSON.stringify(e.time)}}`,
    'hex',
  );
}
