import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidAgs, isValidLeitwegId, leitwegCheckDigits } from './identifiers.js';

describe('AGS', () => {
  it('accepts real Brandenburg keys', () => {
    for (const ags of ['12060181', '12069020', '12052000', '12069448']) expect(isValidAgs(ags)).toBe(true);
  });
  it('refuses wrong length, letters and unknown Länder', () => {
    for (const ags of ['1206018', '120601811', '12a60181', '', '00060181', '17060181', ' 12060181'])
      expect(isValidAgs(ags)).toBe(false);
  });
});

describe('Leitweg-ID', () => {
  it('accepts the published examples (KoSIT test ids)', () => {
    for (const id of ['991-33333TEST-33', '04011000-1234512345-06', '04011000-12345-03', '992-90009-96']) {
      expect(isValidLeitwegId(id)).toBe(true);
    }
  });
  it('refuses a wrong check digit, lower case and bad structure', () => {
    for (const id of [
      '991-33333TEST-34',
      '991-33333test-33',
      '9-33333TEST-33',
      '991--33',
      '99133333TEST33',
      '991-33333TEST-3',
    ]) {
      expect(isValidLeitwegId(id)).toBe(false);
    }
  });
  it('computes check digits that validate, for any body', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{2,12}$/),
        fc.option(fc.stringMatching(/^[0-9A-Z]{1,30}$/), { nil: undefined }),
        (grob, fein) => {
          const body = fein ? `${grob}-${fein}` : grob;
          expect(isValidLeitwegId(`${body}-${leitwegCheckDigits(body)}`)).toBe(true);
        },
      ),
    );
  });
});
