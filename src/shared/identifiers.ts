/**
 * Validation of the official identifiers of German public bodies.
 */

/** AGS, Amtlicher Gemeindeschlüssel: 8 digits = Land (2) + Regierungsbezirk (1) + Kreis (2) + Gemeinde (3). */
export function isValidAgs(ags: string): boolean {
  if (!/^\d{8}$/.test(ags)) return false;
  const land = Number(ags.slice(0, 2));
  // Länder 01 (Schleswig-Holstein) … 16 (Thüringen).
  return land >= 1 && land <= 16;
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
