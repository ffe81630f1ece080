import { de } from './de.js';
import { en } from './en.js';

export type Lang = 'de' | 'en';
export const LANGS: readonly Lang[] = ['de', 'en'];

export type T = (key: string, params?: Record<string, string | number>) => string;

/**
 * Returns the translator for a language, over the core texts and the modules' messages. A missing
 * English text falls back to German, then to the key.
 */
export function translator(
  lang: Lang,
  modules: ReadonlyMap<string, { de: string; en: string }> = new Map(),
): T {
  const dict = lang === 'en' ? en : de;
  return (key, params) => {
    let s = modules.get(key)?.[lang] ?? dict[key] ?? de[key] ?? key;
    if (params) for (const [k, v] of Object.entries(params)) s = s.replaceAll(`{${k}}`, String(v));
    return s;
  };
}

export function numberFormat(lang: Lang): Intl.NumberFormat {
  return new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB');
}
