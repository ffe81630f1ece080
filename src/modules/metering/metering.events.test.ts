import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../shared/canonical-json.js';
import { rat, toDecimalString } from '../../shared/decimal.js';
import {
  normaliseDecimal,
  parseInstant,
  parseQuantity,
  payloadHash,
  readLines,
  validateLine,
} from './metering.events.js';

const NOW = new Date('2026-12-02T10:30:00Z');
const ok = {
  member: '12060181',
  meter: 'vm-stunden',
  quantity: '1.50',
  time: '2026-11-10T08:15:00+01:00',
  source: 'vmware-1',
  eventId: 'e-1',
};

describe('readLines', () => {
  it('numbers JSON array elements from 1 and NDJSON by physical line, skipping blank lines', () => {
    expect(readLines([{ a: 1 }, 2])).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, value: 2 },
    ]);
    expect(readLines('{"a":1}\r\n\n  \n{"b":2}\n{oops\n')).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 4, value: { b: 2 } },
      { line: 5, error: 'usage.malformed' },
    ]);
    expect(readLines(`${'x'.repeat(9000)}\n`)).toEqual([{ line: 1, error: 'usage.line_too_long' }]);
    expect(readLines({ member: 'x' })).toEqual({ error: 'usage.body_not_list' });
  });
});

describe('parseQuantity', () => {
  it('normalises exact decimals and refuses what is not one', () => {
    expect(parseQuantity('1.50')).toEqual({ quantity: '1.5' });
    expect(parseQuantity(2)).toEqual({ quantity: '2' });
    expect(parseQuantity(0.1)).toEqual({ quantity: '0.1' });
    expect(parseQuantity('000.000')).toEqual({ quantity: '0' });
    expect(parseQuantity('-0')).toEqual({ quantity: '0' });
    expect(parseQuantity('123456789012345678901')).toEqual({ code: 'usage.quantity_format' });
    expect(parseQuantity('0.0000000000001')).toEqual({ code: 'usage.quantity_format' });
    expect(parseQuantity('-1')).toEqual({ code: 'usage.quantity_negative' });
    expect(parseQuantity(1e21)).toEqual({ code: 'usage.quantity_format' });
    expect(parseQuantity(Number.NaN)).toEqual({ code: 'usage.quantity_format' });
    expect(parseQuantity('1,5')).toEqual({ code: 'usage.quantity_format' });
    expect(parseQuantity(' 1')).toEqual({ code: 'usage.quantity_format' });
    expect(parseQuantity(undefined)).toEqual({ code: 'usage.quantity_missing' });
    expect(parseQuantity(true)).toEqual({ code: 'usage.quantity_format' });
  });
});

describe('parseInstant', () => {
  it('needs an offset, and gives UTC with microseconds', () => {
    expect(parseInstant('2026-11-10T08:15:00+01:00')?.iso).toBe('2026-11-10T07:15:00.000000Z');
    expect(parseInstant('2026-11-10T07:15Z')?.iso).toBe('2026-11-10T07:15:00.000000Z');
    expect(parseInstant('2026-11-10T07:15:00.1234567Z')).toBeUndefined();
    expect(parseInstant('2026-11-10T07:15:00.123456000Z')?.iso).toBe('2026-11-10T07:15:00.123456Z');
    expect(parseInstant('2026-03-29T01:30:00-05:30')?.iso).toBe('2026-03-29T07:00:00.000000Z');
    expect(parseInstant('2026-11-10T07:15:00')).toBeUndefined();
    expect(parseInstant('2026-02-30T07:15:00Z')).toBeUndefined();
    expect(parseInstant('2026-11-10T24:00:00Z')).toBeUndefined();
    expect(parseInstant('2026-11-10 07:15:00Z')).toBeUndefined();
    expect(parseInstant(1_700_000_000)).toBeUndefined();
  });
});

describe('validateLine', () => {
  it('accepts a valid event and normalises it', () => {
    expect(validateLine({ line: 3, value: { ...ok, attributes: { vm: 'web-1', az: 'a' } } }, NOW)).toEqual({
      line: 3,
      memberRef: '12060181',
      meter: 'vm-stunden',
      quantity: '1.5',
      time: '2026-11-10T07:15:00.000000Z',
      source: 'vmware-1',
      eventId: 'e-1',
      attributes: { az: 'a', vm: 'web-1' },
    });
    expect(validateLine({ line: 1, value: { ...ok, attributes: {} } }, NOW)).toMatchObject({
      attributes: null,
    });
  });

  it('names every field that is wrong', () => {
    const r = validateLine(
      {
        line: 7,
        value: {
          member: 'Panketal',
          meter: 'VM',
          quantity: '-2',
          time: '2026-12-02T11:00:00Z',
          source: '',
          eventId: '',
          attributes: { 'a b': 'x' },
          extra: true,
        },
      },
      NOW,
    );
    expect(r).toEqual([
      { line: 7, field: 'extra', code: 'usage.unknown_field' },
      { line: 7, field: 'member', code: 'usage.member_format' },
      { line: 7, field: 'meter', code: 'usage.meter_format' },
      { line: 7, field: 'quantity', code: 'usage.quantity_negative' },
      { line: 7, field: 'time', code: 'usage.time_future' },
      { line: 7, field: 'source', code: 'usage.source_format' },
      { line: 7, field: 'eventId', code: 'usage.event_id_format' },
      { line: 7, field: 'attributes', code: 'usage.attributes_format' },
    ]);
    expect(validateLine({ line: 1, value: {} }, NOW)).toHaveLength(6);
    expect(validateLine({ line: 2, value: [ok] }, NOW)).toEqual([{ line: 2, code: 'usage.not_object' }]);
    expect(validateLine({ line: 2, error: 'usage.malformed' }, NOW)).toEqual([
      { line: 2, code: 'usage.malformed' },
    ]);
  });

  it('allows clock skew of 15 minutes and 24 months back', () => {
    const at = (time: string) => validateLine({ line: 1, value: { ...ok, time } }, NOW);
    expect(at('2026-12-02T10:45:00Z')).not.toBeInstanceOf(Array);
    expect(at('2026-12-02T10:45:01Z')).toEqual([{ line: 1, field: 'time', code: 'usage.time_future' }]);
    expect(at('2024-12-02T10:30:00Z')).not.toBeInstanceOf(Array);
    expect(at('2024-12-02T10:29:59Z')).toEqual([{ line: 1, field: 'time', code: 'usage.time_too_old' }]);
  });
});

describe('payloadHash', () => {
  it('is the same for the same meaning and differs for any change of meter, quantity, time or attributes', () => {
    const a = validateLine({ line: 1, value: ok }, NOW) as Exclude<
      ReturnType<typeof validateLine>,
      unknown[]
    >;
    const same = validateLine(
      { line: 9, value: { ...ok, quantity: 1.5, time: '2026-11-10T07:15:00.000Z', eventId: 'other' } },
      NOW,
    ) as typeof a;
    expect(payloadHash(same)).toBe(payloadHash(a));
    for (const change of [
      { meter: 'speicher-gb' },
      { quantity: '1.51' },
      { time: '2026-11-10T07:15:00.000001Z' },
      { attributes: { vm: 'x' } },
    ]) {
      expect(payloadHash({ ...a, ...change })).not.toBe(payloadHash(a));
    }
  });
});

// The ingest's fast paths against what they replaced (the general functions), on arbitrary input.
describe('fast paths equal the general functions', () => {
  const oldInstant = (value: string) => {
    const m =
      /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/.exec(value);
    if (!m) return undefined;
    const [, y, mo, d, h, mi, s = '00', frac = '', offset] = m;
    if (frac.length > 6 && !/^0+$/.test(frac.slice(6))) return undefined;
    const base = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
    const local = Date.parse(`${base}Z`);
    if (Number.isNaN(local) || new Date(local).toISOString().slice(0, 19) !== base) return undefined;
    let offsetMs = 0;
    if (offset !== 'Z') {
      const oh = Number(offset!.slice(1, 3));
      const om = Number(offset!.slice(4, 6));
      if (oh > 23 || om > 59) return undefined;
      offsetMs = (offset!.startsWith('-') ? -1 : 1) * (oh * 60 + om) * 60_000;
    }
    const ms = local - offsetMs;
    if (ms < Date.UTC(1970, 0, 1)) return undefined;
    return { iso: `${new Date(ms).toISOString().slice(0, 19)}.${frac.slice(0, 6).padEnd(6, '0')}Z`, ms };
  };
  const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));

  it('parseInstant: field checks instead of a Date round trip', () => {
    const instant = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
        two(13),
        two(32),
        two(25),
        two(61),
        fc.option(two(61)),
        fc.option(fc.stringMatching(/^[0-9]{1,9}$/)),
        fc.constantFrom('Z', '+00:00', '-00:00', '+01:00', '-05:30', '+23:59', '-24:00', '+14:60'),
      )
      .map(
        ([y, mo, d, h, mi, s, f, o]) =>
          `${y}-${mo}-${d}T${h}:${mi}${s === null ? '' : `:${s}${f === null ? '' : `.${f}`}`}${o}`,
      );
    fc.assert(
      fc.property(instant, (v) => {
        expect(parseInstant(v)).toEqual(oldInstant(v));
      }),
      { numRuns: 5000 },
    );
    for (const v of [
      '1969-12-31T23:30:00-01:00',
      '1970-01-01T00:30:00+01:00',
      '2024-02-29T12:00:00Z',
      '2100-02-29T00:00:00Z',
    ]) {
      expect(parseInstant(v)).toEqual(oldInstant(v));
    }
  });

  it('normaliseDecimal writes what toDecimalString(rat(x), 12) writes', () => {
    const decimal = fc
      .tuple(fc.stringMatching(/^[0-9]{1,20}$/), fc.option(fc.stringMatching(/^[0-9]{1,12}$/)))
      .map(([i, f]) => (f === null ? i : `${i}.${f}`));
    fc.assert(
      fc.property(decimal, (x) => {
        expect(normaliseDecimal(x)).toBe(toDecimalString(rat(x), 12).text);
      }),
      { numRuns: 5000 },
    );
  });

  it('payloadHash hashes the canonical JSON of meter, quantity, time and attributes', () => {
    const attributes = fc.option(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), { nil: null });
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), attributes, (meter, quantity, time, a) => {
        const e = { meter, quantity, time, attributes: a };
        expect(payloadHash(e)).toBe(sha256Hex(canonicalJson(e)));
      }),
      { numRuns: 2000 },
    );
  });
});
