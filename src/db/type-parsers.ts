/**
 * One mapping of PostgreSQL types to JS values for both drivers (pg and PGlite), so the same query
 * returns the same shapes on both databases.
 */
export const OID = { int8: 20, date: 1082, numeric: 1700, timestamp: 1114, uuidArray: 2951 } as const;

function parseInt8(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${v} exceeds the safe integer range`);
  return n;
}

/** '{a,b}' → ['a', 'b'] (uuids need no quoting or escaping). */
function parseUuidArray(v: string): string[] {
  const inner = v.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',');
}

/**
 * int8 → number (checked), date → 'YYYY-MM-DD' string (no time zone shift), numeric → string,
 * uuid[] → string[] (pg leaves it as text; PGlite already parses it).
 */
export const TYPE_PARSERS: Record<number, (v: string) => unknown> = {
  [OID.int8]: parseInt8,
  [OID.date]: (v) => v,
  [OID.numeric]: (v) => v,
  [OID.uuidArray]: parseUuidArray,
};
