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

describe('safeLocalPath after normalisation (security probe)', () => {
  it('refuses paths that resolve or decode to another host', () => {
    for (const p of [
      '/.//evil.example',
      '/%2e//evil.example',
      '/%2E%2E//evil.example',
      '/%252e//evil.example',
      '/a/..//evil.example',
      '/a/%2e%2e//evil.example',
      '/%2F/evil.example',
      '/%5Cevil.example',
      '/./\\evil.example',
      '/%2e/%2fevil.example',
    ]) {
      expect(safeLocalPath(p, '/'), p).toBe('/');
    }
  });
  it('keeps ordinary paths, resolving harmless dot segments', () => {
    expect(safeLocalPath('/mitglieder/./neu')).toBe('/mitglieder/neu');
    expect(safeLocalPath('/a/../mitglieder?q=M%C3%BCnster')).toBe('/mitglieder?q=M%C3%BCnster');
  });
});

describe('safeLocalPath keeps encoded queries', () => {
  it('a search with spaces survives', () => {
    expect(safeLocalPath('/mitglieder?q=Bad%20Belzig')).toBe('/mitglieder?q=Bad%20Belzig');
  });
});
