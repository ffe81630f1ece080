// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Free text that people type (names, labels) must not carry control characters or markup brackets:
 * such input is refused with a clear message rather than stored. (Output is escaped anyway.)
 */
export function hasUnsafeText(s: string): boolean {
  return CONTROL.test(s) || /[<>]/.test(s);
}
