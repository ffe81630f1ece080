import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, keyedDigest } from './canonical-json.js';

describe('canonical JSON', () => {
  it('sorts keys, drops undefined, has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'ü'], c: undefined })).toBe('{"a":[true,null,"ü"],"b":1}');
  });
  it('is independent of key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean())), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(keyedDigest('k', reversed)).toBe(keyedDigest('k', obj));
      }),
    );
  });
  it('round-trips through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
  it('keys the digest: another key gives another digest', () => {
    expect(keyedDigest('a', { email: 'x@example.org' })).not.toBe(
      keyedDigest('b', { email: 'x@example.org' }),
    );
  });
  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
  });
});
