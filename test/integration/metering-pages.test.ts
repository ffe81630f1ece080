/**
 * The metering pages over HTTP, on both databases: the demo's three months of usage, the member's usage
 * page (its numbers are aggregateUsage's), the CSV export (German headers, BOM, semicolons, decimal
 * comma), the member wall, and the association's ingestion status and event search.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Aggregation, monthPeriod } from '../../src/modules/metering/metering.aggregate.js';
import { shown } from '../../src/modules/metering/metering.pages.js';
import { aggregateUsage } from '../../src/modules/metering/metering.service.js';
import { addMonths, todayInBerlin } from '../../src/shared/dates.js';
import { DEMO, loggedIn, memberIdByName, readAll, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
let panketal: string;
let belzig: string;
const today = todayInBerlin();
const month = today.slice(0, 7);
const METERS: [string, Aggregation][] = [
  ['vm-stunden', 'sum'],
  ['speicher-gb', 'time_weighted_avg'],
  ['postfaecher', 'max'],
  ['druckseiten', 'sum'],
  ['online-antrag', 'count'],
];
beforeAll(async () => {
  t = await testApp();
  panketal = await memberIdByName(t.database, 'Panketal');
  belzig = await memberIdByName(t.database, 'Bad Belzig');
});
afterAll(async () => t?.close());

const aggregate = (memberId: string, meter: string, aggregation: Aggregation, m: string) =>
  readAll(t.database, (tx) => aggregateUsage(tx, memberId, meter, aggregation, monthPeriod(m)));

describe('demo usage', () => {
  it('holds the two closed months and the current month for the pilot members', async () => {
    for (const name of ['Panketal', 'Bad Belzig', 'Amt Niemegk']) {
      const id = await memberIdByName(t.database, name);
      for (const [meter, aggregation] of METERS) {
        for (const m of [addMonths(month, -2), addMonths(month, -1)]) {
          const a = await aggregate(id, meter, aggregation, m);
          expect(a.events, `${name} ${meter} ${m}`).toBeGreaterThan(0);
          expect(Number(a.quantity), `${name} ${meter} ${m}`).toBeGreaterThan(0);
        }
      }
      // The current month up to now (gauges are read at 06:00 each day).
      if (Date.now() - monthPeriod(month).from.getTime() > 7 * 3_600_000) {
        expect((await aggregate(id, 'speicher-gb', 'time_weighted_avg', month)).events).toBeGreaterThan(0);
      }
      // Nothing beyond three months.
      expect((await aggregate(id, 'speicher-gb', 'time_weighted_avg', addMonths(month, -3))).events).toBe(0);
    }
    // A larger municipality uses more: Panketal (21,028 inhabitants) has more mailboxes than Amt Niemegk.
    const niemegk = await memberIdByName(t.database, 'Amt Niemegk');
    const prev = addMonths(month, -1);
    expect(Number((await aggregate(panketal, 'postfaecher', 'max', prev)).quantity)).toBeGreaterThan(
      Number((await aggregate(niemegk, 'postfaecher', 'max', prev)).quantity),
    );
  });
});

describe("a member's usage page", () => {
  it('shows per service the month and the previous month as aggregateUsage computes them', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const m = addMonths(month, -1);
    const res = await admin.get(`/mitglieder/${panketal}/verbrauch?monat=${m}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1 class="kern-heading-x-large">Verbrauch: Panketal</h1>');
    for (const [meter, aggregation] of METERS) {
      const row = res.body.slice(res.body.indexOf(`href="#usage-${meter}"`));
      const cells = row.slice(0, row.indexOf('</tr>'));
      const cur = await aggregate(panketal, meter, aggregation, m);
      const before = await aggregate(panketal, meter, aggregation, addMonths(m, -1));
      expect(cells, meter).toContain(`>${shown(before.quantity, 'de')}</td>`);
      expect(cells, meter).toContain(`>${shown(cur.quantity, 'de')}</td>`);
      // The chart (an image with a text alternative) and the table of days.
      expect(res.body).toContain(`aria-labelledby="chart-${meter}-t"`);
      expect(res.body).toContain(`id="days-${meter}-caption"`);
    }
    expect(res.body).toMatch(/<svg role="img"/);
    expect(res.body).toContain('Balkendiagramm: Virtuelle Server (Betrieb) je Tag');
    expect(res.body).toContain(`/mitglieder/${panketal}/verbrauch.csv?monat=${m}`);
  });

  it('exports the month as CSV with German headers; the days add up to the month', async () => {
    const clerk = await loggedIn(t.app, DEMO.badBelzigClerk);
    const m = addMonths(month, -1);
    const res = await clerk.get(`/mitglieder/${belzig}/verbrauch.csv?monat=${m}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain(`verbrauch-${m}.csv`);
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const lines = res.body.slice(1).trim().split('\r\n');
    const parse = (l: string) => l.split(';').map((c) => c.replace(/^"|"$/g, '').replace(/""/g, '"'));
    expect(parse(lines[0]!)).toEqual([
      'Mitglied',
      'Leistung',
      'Zähler',
      'Zusammenfassung',
      'Zeitraum',
      'Menge',
      'Einheit',
      'Meldungen',
    ]);
    const rows = lines.slice(1).map(parse);
    const vm = rows.filter((r) => r[2] === 'vm-stunden');
    const days = vm.filter((r) => /^\d\d\.\d\d\.\d{4}$/.test(r[4]!));
    const total = vm.find((r) => !/^\d\d\.\d\d\.\d{4}$/.test(r[4]!))!;
    const [y, mm] = m.split('-').map(Number) as [number, number];
    expect(days).toHaveLength(new Date(Date.UTC(y, mm, 0)).getUTCDate());
    const expected = await aggregate(belzig, 'vm-stunden', 'sum', m);
    expect(total[5]).toBe(expected.quantity.replace('.', ','));
    expect(days.reduce((s, r) => s + Number(r[5]!.replace(',', '.')), 0)).toBe(Number(expected.quantity));
    // Averages carry a decimal comma, never a point.
    const storage = rows.find((r) => r[2] === 'speicher-gb' && !/^\d\d\./.test(r[4]!))!;
    const avg = await aggregate(belzig, 'speicher-gb', 'time_weighted_avg', m);
    expect(storage[5]).toBe(avg.quantity.replace('.', ','));
    expect(storage[5]).not.toContain('.');
    expect(rows.every((r) => r[0] === 'Bad Belzig')).toBe(true);
  });

  it("is not found for another member's id, page and CSV alike", async () => {
    const clerk = await loggedIn(t.app, DEMO.badBelzigClerk);
    for (const url of [`/mitglieder/${panketal}/verbrauch`, `/mitglieder/${panketal}/verbrauch.csv`]) {
      const res = await clerk.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('Panketal');
    }
    const finance = await loggedIn(t.app, DEMO.associationFinance);
    expect((await finance.get(`/mitglieder/${panketal}/verbrauch`)).statusCode).toBe(200);
    expect((await finance.get(`/mitglieder/${panketal}/verbrauch?monat=2026-13`)).statusCode).toBe(200);
    expect((await finance.get(`/mitglieder/${panketal}/verbrauch.csv?monat=2026-13`)).statusCode).toBe(404);
  });
});

describe('the association area', () => {
  it('shows the ingestion status per source and finds events by member, meter and day', async () => {
    const finance = await loggedIn(t.app, DEMO.associationFinance);
    const res = await finance.get('/verbrauch');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1 class="kern-heading-x-large">Verbrauchsdaten</h1>');
    expect(res.body).toMatch(/<th scope="row" class="kern-table__header">\s*demo\s*<\/th>/);
    const day = `${addMonths(month, -1)}-10`;
    const found = await finance.get(`/verbrauch?mitglied=${panketal}&zaehler=postfaecher&tag=${day}`);
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain(`postfaecher:${day}`);
    expect(found.body).toContain('Gefundene Meldungen (höchstens 200, neueste zuerst): 1');
    const other = await finance.get(`/verbrauch?mitglied=${belzig}&zaehler=postfaecher&tag=${day}`);
    expect(other.body).toContain('Gefundene Meldungen (höchstens 200, neueste zuerst): 1');
  });

  it('is for the association only', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    expect((await admin.get('/verbrauch')).statusCode).toBe(403);
  });
});
