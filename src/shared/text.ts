// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Control characters (C0, DEL, C1) and the Unicode line/paragraph separators. */
export function hasControlCharacters(s: string): boolean {
  return CONTROL.test(s);
}

/**
 * Characters nobody types into a name and that can make text look other than it is: controls (Cc,
 * e.g. NUL, U+0085), format characters (Cf: bidi embeddings/overrides/isolates U+202A–202E and
 * U+2066–2069, marks U+200E/F, zero-width U+200B–200D, U+2060, U+FEFF, U+180E, soft hyphen), line and
 * paragraph separators, private use and lone surrogates.
 */
export const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u;

/**
 * Free text that people type (names, labels) must not carry invisible or direction-changing characters
 * or markup brackets: such input is refused with a clear message rather than stored. (Output is escaped
 * anyway.) The one check behind every name of the contract (people, members, tokens).
 */
export function isSafeText(s: string): boolean {
  return !INVISIBLE.test(s) && !/[<>]/.test(s);
}

/** The negation of isSafeText (kept for the existing callers). */
export function hasUnsafeText(s: string): boolean {
  return !isSafeText(s);
}

/**
 * The length of a text in Unicode code points — as the contract counts it (ajv's maxLength) and as the
 * database counts it (char_length): "😀" is 1, not 2 (JavaScript's .length counts UTF-16 units).
 */
export function textLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The contract's description of a name field (OpenAPI): what isSafeText refuses, and how it counts. */
export const SAFE_TEXT =
  'Length in Unicode code points. Refused (422, text.invalid_characters): control and format ' +
  'characters (bidi controls U+202A–202E/U+2066–2069, U+200E/F, zero-width characters, U+FEFF), ' +
  'line separators, private-use characters, < and >.';
