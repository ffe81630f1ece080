import { describe, expect, it } from 'vitest';
import { safeLocalPath } from './page.js';

describe('safeLocalPath', () => {
  it('keeps local paths with their query', () => {
    expect(safeLocalPath('/mitglieder?q=Panke')).toBe('/mitglieder?q=Panke');
    expect(safeLocalPath('/anmelden')).toBe('/anmelden');
  });
  it('refuses every way out to another host', () => {
    for (const p of [
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/ /evil.example',
      'https://evil.example',
      'evil.example',
      '/\u2028/evil.example',
      '/%09/evil.example'.replace('%09', '\t'),
      undefined,
      ['/a'],
    ]) {
      expect(safeLocalPath(p, '/')).toBe('/');
    }
  });
});
