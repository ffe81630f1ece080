/**
 * Translation. Every text has a key; the platform's own texts are in messages.ts, each module's in its
 * `<module>.messages.ts`, German and English side by side. Keys are types: a key no one declared is a
 * compile error, not a key shown on the page.
 */
import type { ModuleMessageKey } from '../../modules/index.js';
import type { Label } from '../../modules/module.js';
import coreMessages from './messages.json' with { type: 'json' };

export type Lang = 'de' | 'en';
export const LANGS: readonly Lang[] = ['de', 'en'];

export type MessageKey = keyof typeof coreMessages | ModuleMessageKey;
export type MessageParams = Record<string, string | number>;

export interface T {
  (key: MessageKey, params?: MessageParams): string;
  /**
   * A text whose key is only known at run time (an error code from a service, a field name): shows the
   * code itself when no module declares it.
   */
  code(key: string, params?: MessageParams): string;
}

/** Returns the translator for a language over the platform's texts and the modules' messages. */
export function translator(lang: Lang, modules: ReadonlyMap<string, Label> = new Map()): T {
  const text = (key: string, params?: MessageParams) => {
    let s =
      modules.get(key)?.[lang] ?? (coreMessages as Record<string, Label | undefined>)[key]?.[lang] ?? key;
    if (params) for (const [k, v] of Object.entries(params)) s = s.replaceAll(`{${k}}`, String(v));
    return s;
  };
  return Object.assign((key: MessageKey, params?: MessageParams) => text(key, params), { code: text });
}

export function numberFormat(lang: Lang): Intl.NumberFormat {
  return new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB');
}
