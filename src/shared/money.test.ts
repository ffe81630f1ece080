import { describe, expect, it } from 'vitest';
import { formatDecimal, formatEuro } from './money.js';

describe('money for people', () => {
  it('formats integer cents as euros', () => {
    expect(formatEuro(0, 'de')).toBe('0,00 €');
    expect(formatEuro(1050, 'de')).toBe('10,50 €');
    expect(formatEuro(123456789, 'de')).toBe('1.234.567,89 €');
    expect(formatEuro(-5, 'de')).toBe('-0,05 €');
    expect(formatEuro(123456789, 'en')).toBe('€1,234,567.89');
  });
  it('keeps the precision of unit prices below a cent', () => {
    expect(formatEuro('3.5', 'de')).toBe('0,035 €');
    expect(formatEuro('0.0001', 'de')).toBe('0,000001 €');
    expect(formatEuro('10500', 'de')).toBe('105,00 €');
  });
  it('formats exact quantities', () => {
    expect(formatDecimal('1234567.125', 'de')).toBe('1.234.567,125');
    expect(formatDecimal('1234567.125', 'en')).toBe('1,234,567.125');
  });
});
