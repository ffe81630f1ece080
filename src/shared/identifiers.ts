/**
 * Validation of the official identifiers of German public bodies.
 */

import { DISTRICTS, type District } from './districts.de.js';

/**
 * An official key as typed or pasted ("12 060 269", "12060269\t"): every kind of white space removed, so
 * the digits can be checked. Anything else (letters, dashes) stays and makes the key invalid.
 */
export function compactKey(s: string): string {
  return s.replace(/\s+/g, '');
}

/** What is wrong with an official key; undefined when it is right. */
export type KeyProblem = 'format' | 'land' | 'district' | 'verband';

/** The Land of a key: 01 (Schleswig-Holstein) … 16 (Thüringen). */
function isLand(key: string): boolean {
  const land = Number(key.slice(0, 2));
  return land >= 1 && land <= 16;
}

/** The district (Kreis or kreisfreie Stadt) of an AGS, ARS or Gemeindeverband key: its first 5 digits. */
export function districtOf(key: string): District | undefined {
  return /^\d{5}/.test(key) ? DISTRICTS.get(key.slice(0, 5)) : undefined;
}

/**
 * AGS, Amtlicher Gemeindeschlüssel: 8 digits = Land (2) + Regierungsbezirk (1) + Kreis (2) + Gemeinde
 * (3). Checked: 8 digits, an existing Land, an existing district (districts.de.ts). The Gemeinde part
 * is not checked against a list (municipalities merge every year).
 */
export function agsProblem(ags: string): KeyProblem | undefined {
  if (!/^\d{8}$/.test(ags)) return 'format';
  if (!isLand(ags)) return 'land';
  return districtOf(ags) ? undefined : 'district';
}

export function isValidAgs(ags: string): boolean {
  return agsProblem(ags) === undefined;
}

/**
 * ARS, Amtlicher Regionalschlüssel of a municipality: 12 digits = district (5) + Gemeindeverband (4) +
 * Gemeinde (3); its AGS is the district plus the last 3 digits.
 */
export function arsProblem(ars: string): KeyProblem | undefined {
  if (!/^\d{12}$/.test(ars)) return 'format';
  if (!isLand(ars)) return 'land';
  return districtOf(ars) ? undefined : 'district';
}

/**
 * The Gemeindeverband key of an Amt (Verbandsgemeinde, Samtgemeinde …): 9 digits = district (5) +
 * Verband (4), the first 9 digits of its municipalities' ARS. The Verband part of an association of
 * municipalities starts with 5 (0 is a municipality without one, 9 an unincorporated area), so a
 * municipality's key is refused.
 */
export function gemeindeverbandProblem(key: string): KeyProblem | undefined {
  if (!/^\d{9}$/.test(key)) return 'format';
  if (!isLand(key)) return 'land';
  if (!districtOf(key)) return 'district';
  return key[5] === '5' ? undefined : 'verband';
}

/** The AGS that a municipality's 12-digit ARS contains. */
export function agsOfArs(ars: string): string {
  return `${ars.slice(0, 5)}${ars.slice(9)}`;
}

/**
 * Leitweg-ID (KoSIT "Formatspezifikation Leitweg-ID" 2.0.x):
 * Grobadressierung (2–12 digits) - optional Feinadressierung (1–30 of [A-Z0-9]) - Prüfziffer (2 digits).
 * The check digits follow ISO/IEC 7064 MOD 97-10 over the concatenation without hyphens, letters mapped
 * A=10 … Z=35 (as for IBAN); a valid id gives remainder 1.
 */
export const LEITWEG_PATTERN = /^(\d{2,12})(?:-([0-9A-Z]{1,30}))?-(\d{2})$/;

export function isValidLeitwegId(id: string): boolean {
  const m = LEITWEG_PATTERN.exec(id);
  if (!m) return false;
  return mod97(`${m[1]}${m[2] ?? ''}${m[3]}`) === 1;
}

/** Computes the two check digits for a Leitweg-ID body ("grob" or "grob-fein"). */
export function leitwegCheckDigits(body: string): string {
  const compact = body.replace(/-/g, '').toUpperCase();
  const r = mod97(`${compact}00`);
  return String(98 - r).padStart(2, '0');
}

function mod97(s: string): number {
  let rest = 0;
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 && code <= 90 ? String(code - 55) : ch;
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest;
}

/** German postal code: 5 digits. */
export function isValidPostalCode(s: string): boolean {
  return /^\d{5}$/.test(s);
}
