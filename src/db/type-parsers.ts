/**
 * One mapping of PostgreSQL types to JS values for both drivers (pg and PGlite), so the same query
 * returns the same shapes on both databases.
 */
export const OID = { int8: 20, date: 1082, numeric: 1700, timestamp: 1114 } as const;

function parseInt8(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${v} exceeds the safe integer range`);
  return n;
}

/** int8 → number (checked), date → 'YYYY-MM-DD' string (no time zone shift), numeric → string. */
export const TYPE_PARSERS: Record<number, (v: string) => unknown> = {
  [OID.int8]: parseInt8,
  [OID.date]: (v) => v,
  [OID.numeric]: (v) => v,
};
