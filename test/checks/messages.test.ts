/**
 * Messages: every key of the platform and of every module is translated into German and English, every
 * key is used somewhere in the code, every navigation label and every error code the services raise
 * has a text. (A key that no one declared is already a type error: `t` takes only declared keys.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODULES } from '../../src/modules/index.js';
import type { Label } from '../../src/modules/module.js';
import { createRegistry } from '../../src/modules/registry.js';
import coreMessages from '../../src/web/i18n/messages.json' with { type: 'json' };

const root = path.resolve(import.meta.dirname, '../../src');
const registry = createRegistry(MODULES);
const all = new Map<string, Label>([...Object.entries(coreMessages), ...registry.messages]);

function sources(dir: string): { file: string; text: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return sources(full);
    if (!/\.tsx?$/.test(d.name)) return [];
    return [{ file: path.relative(root, full), text: fs.readFileSync(full, 'utf8') }];
  });
}
const code = sources(root);
const text = code.map((c) => c.text).join('\n');
/** Prefixes of keys built at run time: `prefix.${…}` in a template literal. */
const dynamicPrefixes = [...text.matchAll(/`([a-z_]+(?:\.[a-z_]+)*[._])\$\{/g)].map((m) => m[1]!);

describe('messages', () => {
  it('are translated into German and English', () => {
    const missing = [...all].filter(([, l]) => !l.de.trim() || !l.en.trim()).map(([k]) => k);
    expect(missing).toEqual([]);
    // Parameters match in both languages.
    const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const mismatched = [...all]
      .filter(([, l]) => params(l.de).join() !== params(l.en).join())
      .map(([k]) => k);
    expect(mismatched).toEqual([]);
  });

  it('are each used somewhere in the code', () => {
    const unused = [...all.keys()].filter(
      (k) =>
        !text.includes(`'${k}'`) &&
        !text.includes(`"${k}"`) &&
        !text.includes(`\`${k}\``) &&
        !dynamicPrefixes.some((p) => k.startsWith(p)),
    );
    expect(unused, 'remove these keys or use them').toEqual([]);
  });

  it('cover every navigation label and every error code the code raises', () => {
    const labels = registry.modules.flatMap((m) => m.navigation ?? []).map((n) => n.label);
    expect(labels.filter((l) => !all.has(l))).toEqual([]);
    const codes = new Set<string>();
    for (const { text: t } of code) {
      for (const m of t.matchAll(/\b(?:code: |(?:InvalidState|Conflict)Error\()'([a-z_]+(?:\.[a-z_]+)+)'/g))
        codes.add(m[1]!);
    }
    expect(codes.size).toBeGreaterThan(20);
    expect([...codes].filter((c) => !all.has(c))).toEqual([]);
  });
});
