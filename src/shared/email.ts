/**
 * E-mail addresses in one exact form. Logins, SSO links and uniqueness compare addresses byte for byte
 * in this form — never with a database's or a runtime's case folding, which differ (PostgreSQL's
 * lower() may fold "İ" (U+0130) to "i", JavaScript's toLowerCase() makes it "i̇"): so an address that
 * differs only by such a character cannot stand in for another one.
 *
 * The form: trimmed, Unicode NFC, lowercased once here, the domain in IDNA ASCII (xn--…). Refused:
 * controls and invisible/format characters (NUL, U+0085, U+180E, bidi controls, zero-width …), any
 * whitespace, compatibility characters (fullwidth letters, ligatures, U+212A KELVIN SIGN …), characters
 * whose lower case or normal form is partly ASCII (U+0130 "İ" → "i̇"), the dotless "ı" and long "ſ", and combining marks on
 * ASCII letters ("i" + U+0307).
 */
import { domainToASCII } from 'node:url';
import { INVISIBLE } from './text.js';

export const EMAIL_MAX_LENGTH = 254;

export type EmailProblem = 'email.format' | 'email.invalid_characters';
export type EmailResult = { ok: true; email: string } | { ok: false; code: EmailProblem };

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is meant
const ASCII = /^[\u0000-\u007f]*$/;
const LOCAL_RE = /^[^\s@<>()[\]\\,;:"]+$/u;
const DOMAIN_RE =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** A character that is not ASCII but becomes ASCII (or partly ASCII) under NFC, NFKC or case mapping. */
function crossesIntoAscii(ch: string): boolean {
  if (ASCII.test(ch)) return false;
  // Dotless i and long s: their upper case is ASCII, and they pass for "i" and "s" at a glance.
  if (ch === '\u0131' || ch === '\u017f') return true;
  for (const mapped of [
    ch.normalize('NFC'),
    ch.normalize('NFKC'),
    ch.toLowerCase(),
    ch.normalize('NFKC').toLowerCase(),
  ]) {
    if (/[\u0021-\u007e]/.test(mapped)) return true;
  }
  return false;
}

/** Normalises an address to its one stored form, or says why it is refused. */
export function normalizeEmail(raw: string): EmailResult {
  const s = raw.trim();
  if (s === '') return { ok: false, code: 'email.format' };
  if (INVISIBLE.test(s) || /\s/u.test(s)) return { ok: false, code: 'email.invalid_characters' };
  for (const ch of s) if (crossesIntoAscii(ch)) return { ok: false, code: 'email.invalid_characters' };
  const nfc = s.normalize('NFC');
  // Compatibility characters (fullwidth, ligatures, superscripts …) look like others: refused.
  if (nfc.normalize('NFKC') !== nfc) return { ok: false, code: 'email.invalid_characters' };
  // A combining mark left on an ASCII letter after NFC has no composed form: "i" + U+0307 looks like "i".
  if (/[\u0021-\u007e]\p{M}/u.test(nfc)) return { ok: false, code: 'email.invalid_characters' };
  const at = nfc.lastIndexOf('@');
  if (at <= 0 || at === nfc.length - 1) return { ok: false, code: 'email.format' };
  const local = nfc.slice(0, at).toLowerCase();
  const domainIn = nfc.slice(at + 1);
  if (!LOCAL_RE.test(local) || local.length > 64) return { ok: false, code: 'email.format' };
  const domain = domainToASCII(domainIn.toLowerCase());
  if (!domain || !DOMAIN_RE.test(domain)) return { ok: false, code: 'email.format' };
  const email = `${local}@${domain}`;
  if ([...email].length > EMAIL_MAX_LENGTH) return { ok: false, code: 'email.format' };
  return { ok: true, email };
}

/** True when the text is an acceptable address (in any spelling that normalises). */
export function isEmail(raw: string): boolean {
  return normalizeEmail(raw).ok;
}
