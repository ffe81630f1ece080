// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Control characters (C0, DEL, C1) and the Unicode line/paragraph separators. */
export function hasControlCharacters(s: string): boolean {
  return CONTROL.test(s);
}

/**
 * Free text that people type (names, labels) must not carry control characters or markup brackets:
 * such input is refused with a clear message rather than stored. (Output is escaped anyway.)
 */
export function hasUnsafeText(s: string): boolean {
  return hasControlCharacters(s) || /[<>]/.test(s);
}
