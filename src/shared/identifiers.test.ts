import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DISTRICTS, DISTRICTS_SOURCE, DISTRICTS_STAND } from './districts.de.js';
import {
  agsProblem,
  arsProblem,
  compactKey,
  districtOf,
  gemeindeverbandProblem,
  isValidAgs,
  isValidLeitwegId,
  leitwegCheckDigits,
} from './identifiers.js';

describe('district list', () => {
  it('holds the 400 districts of Gebietsstand 31.12.2023 (294 Kreise, 106 kreisfreie Städte), with its source', () => {
    expect(DISTRICTS.size).toBe(400);
    const kinds = [...DISTRICTS.values()].map((d) => d.kind);
    expect(kinds.filter((k) => k === 'kreis')).toHaveLength(294);
    expect(kinds.filter((k) => k === 'kreisfreie_stadt')).toHaveLength(106);
    expect(DISTRICTS_STAND).toBe('2023-12-31');
    expect(DISTRICTS_SOURCE).toMatch(/^https:\/\/www\.destatis\.de\/.*31122023/);
    for (const [key, d] of DISTRICTS) {
      expect(key).toMatch(/^(0[1-9]|1[0-6])\d{3}$/);
      expect(d.key).toBe(key);
      expect(d.name.trim()).not.toBe('');
    }
  });
  it('has the 18 Brandenburg districts (4 kreisfreie Städte, 14 Landkreise)', () => {
    const bb = [...DISTRICTS.values()].filter((d) => d.key.startsWith('12'));
    expect(bb).toHaveLength(18);
    expect(bb.filter((d) => d.kind === 'kreisfreie_stadt').map((d) => d.key)).toEqual([
      '12051',
      '12052',
      '12053',
      '12054',
    ]);
    expect(districtOf('12069020')?.name).toBe('Potsdam-Mittelmark');
    expect(districtOf('120695910')?.name).toBe('Potsdam-Mittelmark');
    expect(districtOf('12052000')).toMatchObject({ name: 'Cottbus, Stadt', kind: 'kreisfreie_stadt' });
  });
  it('tells a kreisfreie Stadt from the Landkreis of the same name', () => {
    expect(DISTRICTS.get('09163')).toMatchObject({ name: 'Rosenheim', kind: 'kreisfreie_stadt' });
    expect(DISTRICTS.get('09187')).toMatchObject({ name: 'Rosenheim', kind: 'kreis' });
  });
});

describe('AGS', () => {
  it('accepts real keys', () => {
    for (const ags of ['12060181', '12069020', '12052000', '12069448', '12060269', '11000000', '09162000'])
      expect(isValidAgs(ags), ags).toBe(true);
  });
  it('refuses a key whose district does not exist', () => {
    expect(agsProblem('12999999')).toBe('district');
    expect(agsProblem('16060269')).toBe('district'); // Thüringen has no Kreis 16060
    expect(agsProblem('12055000')).toBe('district');
    expect(isValidAgs('12999999')).toBe(false);
  });
  it('refuses an unknown Land', () => {
    expect(agsProblem('00060181')).toBe('land');
    expect(agsProblem('17060181')).toBe('land');
    expect(agsProblem('99000000')).toBe('land');
  });
  it('refuses wrong length and letters', () => {
    for (const ags of ['1206018', '120601811', '12a60181', '', ' 12060181', '120695910'])
      expect(agsProblem(ags), ags).toBe('format');
  });
  it('accepts a key typed with spaces once they are removed (not cut at 8 characters)', () => {
    expect(compactKey('12 060 269')).toBe('12060269');
    expect(compactKey(' 12\u00a0060\t269 ')).toBe('12060269');
    expect(isValidAgs(compactKey('12 060 269'))).toBe(true);
    expect(agsProblem(compactKey('12 060 2691'))).toBe('format');
  });
});

describe('ARS and Amt key', () => {
  it('checks the district of a 12-digit ARS', () => {
    expect(arsProblem('120690020020')).toBeUndefined();
    expect(arsProblem('129990020020')).toBe('district');
    expect(arsProblem('170690020020')).toBe('land');
    expect(arsProblem('120695910')).toBe('format');
  });
  it('takes an Amt by its 9-digit Gemeindeverband key, never a municipality key', () => {
    for (const key of ['120695910', '120645406', '120625205', '010515163'])
      expect(gemeindeverbandProblem(key)).toBeUndefined();
    expect(gemeindeverbandProblem('12069448')).toBe('format'); // a municipality's AGS
    expect(gemeindeverbandProblem('120695910448')).toBe('format'); // a municipality's ARS
    expect(gemeindeverbandProblem('120690020')).toBe('verband'); // Bad Belzig, amtsfrei
    expect(gemeindeverbandProblem('129995910')).toBe('district');
    expect(gemeindeverbandProblem('180695910')).toBe('land');
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
