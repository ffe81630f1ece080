import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attributeKeyFor,
  berlinLocalToIso,
  type CsvTable,
  csvQuantity,
  csvTime,
  derivedEventId,
  fileIssue,
  guessMapping,
  mapUsageRows,
  parseCsv,
  type UsageCsvMapping,
} from './metering.csv.js';

const table = (text: string | Buffer): CsvTable => {
  const t = parseCsv(text);
  if ('error' in t) throw new Error(`not a table: ${t.error} (line ${t.line})`);
  return t;
};

describe('parseCsv', () => {
  it('detects the delimiter from the header and keeps each record’s first line', () => {
    const t = table('AGS;Zähler;Menge\r\n12060181;vm-stunden;1,5\r\n\r\n12069020;postfaecher;3\r\n');
    expect(t.delimiter).toBe(';');
    expect(t.header).toEqual(['AGS', 'Zähler', 'Menge']);
    expect(t.records).toEqual([
      { line: 2, cells: ['12060181', 'vm-stunden', '1,5'] },
      { line: 4, cells: ['12069020', 'postfaecher', '3'] },
    ]);
    const c = table('member,meter,quantity\n12060181,vm-stunden,"1,5"\n');
    expect(c.delimiter).toBe(',');
    expect(c.records[0]!.cells).toEqual(['12060181', 'vm-stunden', '1,5']);
  });

  it('reads RFC 4180 quoting: doubled quotes, delimiters and line breaks inside quotes', () => {
    const t = table('a;b\n"x;y";"say ""hi"""\n"multi\r\nline";z\nlast;"q"\n');
    expect(t.records).toEqual([
      { line: 2, cells: ['x;y', 'say "hi"'] },
      { line: 3, cells: ['multi\r\nline', 'z'] },
      { line: 5, cells: ['last', 'q'] },
    ]);
  });

  it('strips a BOM, skips blank and empty lines, accepts CR line ends and a missing last newline', () => {
    const t = table(Buffer.from('\uFEFFa;b\r1;2\r;\r\r3;4', 'utf8'));
    expect(t.header).toEqual(['a', 'b']);
    expect(t.records).toEqual([
      { line: 2, cells: ['1', '2'] },
      { line: 5, cells: ['3', '4'] },
    ]);
  });

  it('refuses what is no CSV table, naming the line where it can', () => {
    expect(parseCsv(Buffer.from([0x41, 0x3b, 0x42, 0x0a, 0xe4, 0x3b, 0x31]))).toEqual({
      error: 'usage_import.not_utf8',
    });
    expect(parseCsv('%PDF-1.7\u0000\u0001')).toEqual({ error: 'usage_import.not_csv' });
    expect(parseCsv(' \n\n')).toEqual({ error: 'usage_import.empty' });
    expect(parseCsv('just one column\n1\n')).toEqual({ error: 'usage_import.not_csv', line: 1 });
    expect(parseCsv('a;b\n1;2\n"open;3\n4;5\n')).toEqual({ error: 'usage_import.quote_open', line: 3 });
    expect(parseCsv('a;b\n1;x"y\n')).toEqual({ error: 'usage_import.quote_stray', line: 2 });
    expect(parseCsv('a;b\n1;"x"y\n')).toEqual({ error: 'usage_import.quote_stray', line: 2 });
  });

  it('reads back any table written with RFC 4180 quoting (property)', () => {
    const cellArb = fc.string({
      unit: fc.constantFrom('a', 'ä', ' ', ';', ',', '"', '\n', '\r\n', '1', '.'),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }).chain((w) =>
          fc.tuple(
            fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'Z'), minLength: 1 }), {
              minLength: w,
              maxLength: w,
            }),
            fc.array(fc.array(cellArb, { minLength: w, maxLength: w }), { maxLength: 5 }),
            fc.constantFrom(';', ','),
            fc.constantFrom('\n', '\r\n'),
          ),
        ),
        ([header, rows, delimiter, eol]) => {
          const quote = (c: string) => `"${c.replaceAll('"', '""')}"`;
          const text =
            [header.join(delimiter), ...rows.map((r) => r.map(quote).join(delimiter))].join(eol) + eol;
          const t = table(text);
          expect(t.delimiter).toBe(delimiter);
          expect(t.header).toEqual(header);
          // Rows of empty cells only are skipped only when unquoted: quoted ones stay.
          expect(t.records.map((r) => r.cells)).toEqual(rows);
          // Each record starts on the line after the previous one's line breaks.
          let line = 2;
          t.records.forEach((r, i) => {
            expect(r.line).toBe(line);
            line += 1 + rows[i]!.join('').split(/\r\n|\r|\n/).length - 1;
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('guessMapping', () => {
  it('recognises German and English header names', () => {
    expect(guessMapping(['Gemeindeschlüssel', 'Zähler', 'Menge', 'Zeitpunkt', 'VM'])).toEqual({
      member: 'Gemeindeschlüssel',
      meter: 'Zähler',
      quantity: 'Menge',
      time: 'Zeitpunkt',
      source: { value: 'csv-import' },
      eventId: null,
      attributes: [],
    });
    expect(guessMapping(['Event ID', 'member_id', 'Meter', 'Quantity', 'Timestamp', 'Source'], 'x')).toEqual({
      member: 'member_id',
      meter: 'Meter',
      quantity: 'Quantity',
      time: 'Timestamp',
      source: { column: 'Source' },
      eventId: 'Event ID',
      attributes: [],
    });
    expect(guessMapping(['AGS', 'Datum', 'Anzahl', 'Something']).meter).toBeNull();
  });

  it('derives attribute keys from column names', () => {
    expect(attributeKeyFor('VM-Name')).toBe('vm-name');
    expect(attributeKeyFor(' Größe (GB) ')).toBe('groesse-gb');
    expect(attributeKeyFor('!!!')).toBe('attribut');
  });
});

describe('values', () => {
  it('reads decimal commas in German files only, thousands dots with a comma only', () => {
    const q = (text: string, d: ';' | ',' = ';') => {
      const r = csvQuantity(text, d);
      return 'quantity' in r ? r.quantity : r.code;
    };
    expect(q('1,5')).toBe('1.5');
    expect(q('1.5')).toBe('1.5');
    expect(q('1.25')).toBe('1.25');
    expect(q('1.234,50')).toBe('1234.50');
    expect(q('1.234.567')).toBe('1234567');
    expect(q(' 42 ')).toBe('42');
    expect(q('-0,5')).toBe('-0.5');
    // German 1.250 is 1250, a machine's is 1.25: refused rather than guessed.
    expect(q('1.250')).toBe('usage_import.quantity_ambiguous');
    expect(q('1.250', ',')).toBe('1.250');
    expect(q('1,5', ',')).toBe('usage_import.quantity_format_point');
    expect(q('1.234.5')).toBe('usage_import.quantity_format');
    expect(q('1,2,3')).toBe('usage_import.quantity_format');
    expect(q('zwei')).toBe('usage_import.quantity_format');
    expect(q('1e3')).toBe('usage_import.quantity_format');
  });

  it('reads ISO 8601 and German times, Berlin local time without an offset', () => {
    expect(csvTime('2026-11-30T14:00:00+01:00')).toEqual({ iso: '2026-11-30T14:00:00+01:00' });
    expect(csvTime('2026-11-30 14:00Z')).toEqual({ iso: '2026-11-30T14:00Z' });
    expect(csvTime('2026-11-30T14:00')).toEqual({ iso: '2026-11-30T14:00:00+01:00' });
    expect(csvTime('2026-07-01 08:30:15.250')).toEqual({ iso: '2026-07-01T08:30:15.250+02:00' });
    expect(csvTime('30.11.2026 14:00')).toEqual({ iso: '2026-11-30T14:00:00+01:00' });
    expect(csvTime('1.7.2026 8:05:09')).toEqual({ iso: '2026-07-01T08:05:09+02:00' });
    expect(csvTime('01.07.2026')).toEqual({ iso: '2026-07-01T00:00:00+02:00' });
    expect(csvTime('2026-12-01')).toEqual({ iso: '2026-12-01T00:00:00+01:00' });
    expect(csvTime('31.02.2026 10:00')).toEqual({ code: 'usage_import.time_format' });
    expect(csvTime('2026-11-30T25:00')).toEqual({ code: 'usage_import.time_format' });
    expect(csvTime('gestern')).toEqual({ code: 'usage_import.time_format' });
    expect(csvTime('')).toEqual({ code: 'usage.time_missing' });
  });

  it('takes summer time in the hour that occurs twice and refuses the hour that does not exist', () => {
    // 2026-10-25: 03:00 CEST becomes 02:00 CET; 2026-03-29: 02:00 CET becomes 03:00 CEST.
    expect(berlinLocalToIso('2026-10-25T02:30:00')).toBe('2026-10-25T02:30:00+02:00');
    expect(berlinLocalToIso('2026-10-25T03:30:00')).toBe('2026-10-25T03:30:00+01:00');
    expect(csvTime('29.03.2026 02:30')).toEqual({ code: 'usage_import.time_skipped' });
    expect(csvTime('29.03.2026 03:00')).toEqual({ iso: '2026-03-29T03:00:00+02:00' });
    expect(csvTime('29.03.2026 01:59')).toEqual({ iso: '2026-03-29T01:59:00+01:00' });
  });

  it('derives the same id for the same event however its time is written, another for other data', () => {
    const base = { member: '12060181', meter: 'vm-stunden', attributes: undefined };
    const a = derivedEventId({ ...base, time: '2026-11-30T14:00:00+01:00' });
    expect(a).toMatch(/^row:[0-9a-f]{40}$/);
    expect(derivedEventId({ ...base, time: '2026-11-30T13:00:00.000Z' })).toBe(a);
    expect(derivedEventId({ ...base, time: '2026-11-30T15:00:00+01:00' })).not.toBe(a);
    expect(derivedEventId({ ...base, time: '2026-11-30T14:00:00+01:00', attributes: { vm: 'a' } })).not.toBe(
      a,
    );
  });
});

const MAPPING: UsageCsvMapping = {
  member: 'AGS',
  meter: 'Zähler',
  quantity: 'Menge',
  time: 'Zeitpunkt',
  source: { value: 'fibu' },
  eventId: null,
  attributes: [{ key: 'vm', column: 'VM' }],
};

describe('mapUsageRows', () => {
  const csv = [
    'AGS;Zähler;Menge;Zeitpunkt;VM',
    '12060181;vm-stunden;1,5;30.11.2026 14:00;web-1',
    '12060181;vm-stunden;2;30.11.2026 14:00;web-2',
    '12060181;vm-stunden;1,50;2026-11-30T13:00:00Z;web-1', // the first row again: a duplicate
    '12060181;vm-stunden;3;30.11.2026 14:00;web-1', // the first row with another quantity: conflict
    '12060181;vm-stunden;drei;30.11.2026 14:00;x', // quantity format
    '12060181;vm-stunden;1;30.11.2026;', // no VM: no attributes
    '12060181;speicher-gb;1', // too few cells
    ';postfaecher;4;01.12.2026 06:00;', // member missing: left to the ingest
  ].join('\n');

  it('maps each row to an event, keeps its line, counts repeats and reports what it can', () => {
    const r = mapUsageRows(table(csv), MAPPING);
    expect(r.rows).toBe(8);
    expect(r.duplicatesInFile).toBe(1);
    expect(r.issues).toEqual([
      { line: 5, code: 'usage_import.row_conflict' },
      { line: 6, field: 'Menge', code: 'usage_import.quantity_format' },
      { line: 8, code: 'usage_import.cell_count' },
    ]);
    expect(r.lines).toEqual([2, 3, 7, 9]);
    expect(r.events[0]).toEqual({
      member: '12060181',
      meter: 'vm-stunden',
      quantity: '1.5',
      time: '2026-11-30T14:00:00+01:00',
      source: 'fibu',
      eventId: derivedEventId({
        member: '12060181',
        meter: 'vm-stunden',
        time: '2026-11-30T14:00:00+01:00',
        attributes: { vm: 'web-1' },
      }),
      attributes: { vm: 'web-1' },
    });
    expect(r.events[2]).not.toHaveProperty('attributes');
    expect(r.events[3]).not.toHaveProperty('member');
  });

  it('uses an id column and a source column as they are', () => {
    const t = table(
      'id,member,meter,quantity,time,source\nA-1,12060181,druckseiten,12,2026-11-02T10:00:00+01:00,print\nA-1,12060181,druckseiten,13,2026-11-02T10:00:00+01:00,print\n',
    );
    const m = guessMapping(t.header);
    const r = mapUsageRows(t, m);
    expect(r.events).toEqual([
      {
        member: '12060181',
        meter: 'druckseiten',
        quantity: '12',
        time: '2026-11-02T10:00:00+01:00',
        source: 'print',
        eventId: 'A-1',
      },
    ]);
    expect(r.issues).toEqual([{ line: 3, field: 'id', code: 'usage_import.id_conflict' }]);
  });

  it('refuses a mapping that misses a field, names no column, or a column twice', () => {
    const t = table('AGS;Menge;Menge;Zeit\n1;2;3;4\n');
    const r = mapUsageRows(t, {
      ...MAPPING,
      quantity: 'Menge',
      time: 'Zeitpunkt',
      meter: null,
      source: { value: 'not ok!' },
    });
    expect(r.events).toEqual([]);
    expect(r.issues).toEqual([
      { line: 1, field: 'meter', code: 'usage_import.column_unmapped' },
      { line: 1, field: 'quantity', code: 'usage_import.column_ambiguous' },
      { line: 1, field: 'time', code: 'usage_import.column_unknown' },
      { line: 1, field: 'source', code: 'usage.source_format' },
      { line: 1, field: 'attributes.vm', code: 'usage_import.column_unknown' },
    ]);
  });

  it('translates the ingest’s event numbers back to file lines and columns', () => {
    const lines = [2, 3, 7, 9, 12];
    expect(fileIssue({ line: 2, field: 'meter', code: 'usage.meter_unknown' }, 0, lines, MAPPING)).toEqual({
      line: 3,
      field: 'Zähler',
      code: 'usage.meter_unknown',
    });
    expect(fileIssue({ line: 1, field: 'eventId', code: 'usage.conflict' }, 3, lines, MAPPING)).toEqual({
      line: 9,
      code: 'usage_import.row_conflict_stored',
    });
    expect(fileIssue({ line: 1, field: 'source', code: 'usage.source_format' }, 4, lines, MAPPING)).toEqual({
      line: 12,
      code: 'usage.source_format',
    });
  });
});
