/** The voting rules form's exact readings: euros with a German decimal comma, bands, shares. */
import { describe, expect, it } from 'vitest';
import { eurosToCents, parseBands, parseShare, shareValue } from './voting-rules.pages.js';

describe('voting rules form', () => {
  it('reads euros into exact cents, never through a float', () => {
    expect(eurosToCents('12.345,67')).toBe(1234567);
    expect(eurosToCents('12345,6')).toBe(1234560);
    expect(eurosToCents('0,29')).toBe(29);
    expect(eurosToCents(' 10 000 ')).toBe(1000000);
    expect(eurosToCents('1.005,10')).toBe(100510);
    for (const bad of ['', '1,234', '12.34', '-5', '1.2345,00', 'zehn', '1,2,3', '12345678901234'])
      expect(eurosToCents(bad), bad).toBeUndefined();
  });

  it('reads bands one per line, the last with only the votes', () => {
    expect(parseBands('10000 1\r\n\n50.000 2\n  3  ')).toEqual([
      { upTo: 10000, votes: 1 },
      { upTo: 50000, votes: 2 },
      { upTo: null, votes: 3 },
    ]);
    expect(parseBands('')).toEqual([]);
    for (const bad of ['10000 eins', '10000 1 2', '1,5 1', 'viele'])
      expect(parseBands(bad), bad).toBeUndefined();
  });

  it('reads shares from their option values and writes them back', () => {
    const s = parseShare('at_least:2/3:present');
    expect(s).toEqual({ comparison: 'at_least', numerator: 2, denominator: 3, of: 'present' });
    expect(shareValue(s!)).toBe('at_least:2/3:present');
    for (const bad of [undefined, '', 'most:1/2:all', 'at_least:0/2:all', 'at_least:1/2:everyone'])
      expect(parseShare(bad), String(bad)).toBeUndefined();
  });
});
