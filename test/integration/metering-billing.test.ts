/**
 * Late and wrong events ([5/7] point 3): billing months closed in order by association finance, their
 * totals frozen; a late event or a void afterwards changes the rollups and what the next bill carries as
 * a correction (referring to the original month) and the audit trail — never the closed totals.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthPeriod } from '../../src/modules/metering/metering.aggregate.js';
import { pendingCorrections as pendingCorrectionsOf } from '../../src/modules/metering/metering.billing.service.js';
import { recountHourlyFromRaw, selectAllHourly } from '../../src/modules/metering/metering.repository.js';
import { aggregateUsage } from '../../src/modules/metering/metering.service.js';
import {
  asSuperuser,
  type Client,
  DEMO,
  loggedIn,
  memberIdByName,
  readAll,
  type TestApp,
  testApp,
  writeAll,
} from '../helpers.js';
import { movableClock } from '../support/clock.js';

let t: TestApp;
let finance: Client;
let admin: Client;
let panketalAdmin: Client;
let schwielowsee: string;
let panketal: string;
let machine: string;
let panketalToken: string;
const clock = movableClock();

async function token(memberId: string): Promise<string> {
  const res = await admin.api('POST', `/api/v1/members/${memberId}/api-tokens`, {
    name: 'Zähler',
    scopes: ['usage.write'],
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().token;
}

function send(bearer: string, body: unknown) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/usage',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

const ev = (
  eventId: string,
  meter: string,
  quantity: string,
  time: string,
  attributes?: Record<string, string>,
) => ({
  member: schwielowsee,
  meter,
  quantity,
  time,
  source: 'rz-test',
  eventId,
  ...(attributes ? { attributes } : {}),
});

beforeAll(async () => {
  clock.setDay('2026-12-02');
  t = await testApp({ clock });
  schwielowsee = await memberIdByName(t.database, 'Schwielowsee');
  panketal = await memberIdByName(t.database, 'Panketal');
  admin = await loggedIn(t.app, DEMO.associationAdmin);
  finance = await loggedIn(t.app, DEMO.associationFinance);
  panketalAdmin = await loggedIn(t.app, DEMO.panketalAdmin);
  const association = await memberIdByName(t.database, 'Zweckverband Digitale Kommunen Brandenburg');
  machine = await token(association);
  panketalToken = await token(panketal);
});
afterAll(async () => t?.close());

async function totalsOf(month: string) {
  return readAll(t.database, async (tx) => {
    const rows = await tx.db
      .selectFrom('usage_period_totals')
      .select(['meter_key', 'aggregation', 'quantity', 'events'])
      .where('member_id', '=', schwielowsee)
      .where('month', '=', `${month}-01`)
      .orderBy('meter_key')
      .orderBy('aggregation')
      .execute();
    return rows.map((r) => ({ ...r, events: Number(r.events) }));
  });
}

const live = (
  meter: string,
  aggregation: 'sum' | 'time_weighted_avg' | 'unique_count' | 'count',
  month: string,
) => readAll(t.database, (tx) => aggregateUsage(tx, schwielowsee, meter, aggregation, monthPeriod(month)));

async function corrections(client: Client = finance) {
  const res = await client.api('GET', `/api/v1/members/${schwielowsee}/usage/corrections`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    pending: {
      month: string;
      meter: string;
      aggregation: string;
      quantityBefore: string;
      quantityAfter: string;
    }[];
    carried: {
      billedMonth: string;
      month: string;
      meter: string;
      aggregation: string;
      quantityBefore: string;
      quantityAfter: string;
    }[];
  };
}

async function rollupsMatchRecount() {
  const [stored, recount] = await readAll(t.database, async (tx) => [
    await selectAllHourly(tx, schwielowsee),
    await recountHourlyFromRaw(tx, schwielowsee),
  ]);
  expect(stored).toEqual(recount);
}

describe('closing billing months, late events, voids and corrections', () => {
  it('runs the whole story: close, late event, void, next close carries the corrections', async () => {
    // November's usage: print pages (sum), storage (a gauge), VMs (unique).
    const november = [
      ev('d1', 'druckseiten', '100', '2026-11-10T10:00:00+01:00'),
      ev('d2', 'druckseiten', '50', '2026-11-20T10:00:00+01:00'),
      ev('g1', 'speicher-gb', '10', '2026-11-01T00:30:00+01:00'),
      ev('g2', 'speicher-gb', '20', '2026-11-16T00:00:00+01:00'),
      ev('v1', 'vm-stunden', '24', '2026-11-05T12:00:00+01:00', { vm: 'fach-01' }),
    ];
    expect((await send(machine, november)).json()).toEqual({ accepted: 5, duplicates: 0 });

    // Months close in order and only when ended; only finance closes.
    let months = await finance.api('GET', '/api/v1/usage/months');
    expect(months.json()).toEqual({ closed: [], next: { month: '2026-11', closable: true } });
    const early = await finance.api('POST', '/api/v1/usage/months/2026-12/close');
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('usage.month_not_ended');
    expect((await panketalAdmin.api('POST', '/api/v1/usage/months/2026-11/close')).statusCode).toBe(403);
    expect((await admin.api('POST', '/api/v1/usage/months/2026-11/close')).statusCode).toBe(403);
    expect((await finance.api('POST', '/api/v1/usage/months/2026-13/close')).statusCode).toBe(400);

    const closed = await finance.api('POST', '/api/v1/usage/months/2026-11/close');
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ month: '2026-11', corrections: 0 });
    const again = await finance.api('POST', '/api/v1/usage/months/2026-11/close');
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('usage.month_closed');
    months = await finance.api('GET', '/api/v1/usage/months');
    expect(months.json().closed.map((m: { month: string }) => m.month)).toEqual(['2026-11']);
    expect(months.json().next).toEqual({ month: '2026-12', closable: false });

    const frozen = await totalsOf('2026-11');
    const q = (meter: string, aggregation: string) =>
      frozen.find((r) => r.meter_key === meter && r.aggregation === aggregation)?.quantity;
    expect(Number(q('druckseiten', 'sum'))).toBe(150);
    expect(Number(q('vm-stunden', 'unique_count'))).toBe(1);
    expect(frozen.length).toBe(3 * 6);
    expect((await corrections()).pending).toEqual([]);

    // A late event for November: stored and counted, the closed totals stay; the next bill corrects.
    const late = ev('d3', 'druckseiten', '30', '2026-11-25T09:00:00+01:00');
    expect((await send(machine, [late])).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect((await live('druckseiten', 'sum', '2026-11')).quantity).toBe('180');
    const reported = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('audit_events')
        .select(['details'])
        .where('member_id', '=', schwielowsee)
        .where('action', '=', 'usage.reported')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow(),
    );
    expect(reported.details).toMatchObject({ accepted: 1, correctsMonths: ['2026-11'] });
    const search = await finance.get(
      `/verbrauch?mitglied=${schwielowsee}&zaehler=druckseiten&tag=2026-11-25`,
    );
    expect(search.body).toContain('Nachmeldung: Korrektur für November 2026');
    const onTime = await finance.get(
      `/verbrauch?mitglied=${schwielowsee}&zaehler=druckseiten&tag=2026-11-20`,
    );
    expect(onTime.body).not.toContain('Nachmeldung');
    expect(await totalsOf('2026-11')).toEqual(frozen);
    let c = await corrections();
    // Sum, count, latest and the time-weighted average change; the maximum (100) does not.
    expect(new Set(c.pending.map((p) => `${p.month} ${p.meter} ${p.aggregation}`))).toEqual(
      new Set(['count', 'latest', 'sum', 'time_weighted_avg'].map((a) => `2026-11 druckseiten ${a}`)),
    );
    const sumFix = c.pending.find((p) => p.meter === 'druckseiten' && p.aggregation === 'sum')!;
    expect(Number(sumFix.quantityBefore)).toBe(150);

    // A wrong event is voided by finance, with a reason: never deleted; its void is a record.
    const noReason = await finance.api('POST', '/api/v1/usage/voids', {
      member: schwielowsee,
      source: 'rz-test',
      eventId: 'g2',
      reason: ' ',
    });
    expect(noReason.statusCode).toBe(400);
    expect(
      (
        await panketalAdmin.api('POST', '/api/v1/usage/voids', {
          member: schwielowsee,
          source: 'rz-test',
          eventId: 'g2',
          reason: 'Doppelt gemessen',
        })
      ).statusCode,
    ).toBe(404);
    const tokenVoid = await t.app.inject({
      method: 'POST',
      url: '/api/v1/usage/voids',
      headers: { authorization: `Bearer ${machine}` },
      payload: { member: schwielowsee, source: 'rz-test', eventId: 'g2', reason: 'Doppelt gemessen' },
    });
    expect(tokenVoid.statusCode).toBe(403);
    const unknown = await finance.api('POST', '/api/v1/usage/voids', {
      member: schwielowsee,
      source: 'rz-test',
      eventId: 'gibt-es-nicht',
      reason: 'Doppelt gemessen',
    });
    expect(unknown.statusCode).toBe(404);

    const voided = await finance.api('POST', '/api/v1/usage/voids', {
      member: schwielowsee,
      source: 'rz-test',
      eventId: 'g2',
      reason: 'Messfehler im Speichercluster',
    });
    expect(voided.statusCode, voided.body).toBe(201);
    expect(voided.json()).toMatchObject({ meter: 'speicher-gb', quantity: '20', correctsMonth: '2026-11' });
    const twice = await finance.api('POST', '/api/v1/usage/voids', {
      member: schwielowsee,
      source: 'rz-test',
      eventId: 'g2',
      reason: 'Messfehler im Speichercluster',
    });
    expect(twice.statusCode).toBe(409);
    // The raw event is still there; re-sent, it is a duplicate and stays voided.
    expect((await send(machine, [november[3]])).json()).toEqual({ accepted: 0, duplicates: 1 });
    await rollupsMatchRecount();
    // November's gauge is now 10 all month long; the closed total still says what was billed.
    expect((await live('speicher-gb', 'time_weighted_avg', '2026-11')).quantity).toBe('10');
    expect(await totalsOf('2026-11')).toEqual(frozen);
    c = await corrections();
    const twa = c.pending.find((p) => p.meter === 'speicher-gb' && p.aggregation === 'time_weighted_avg')!;
    expect(Number(twa.quantityAfter)).toBe(10);
    expect(Number(twa.quantityBefore)).toBeGreaterThan(10);

    // The audit trail has the void (with the reason only digested) and, later, the corrections.
    const audit = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('audit_events')
        .select(['action', 'object_id', 'details'])
        .where('member_id', '=', schwielowsee)
        .where('action', 'in', ['usage.voided', 'usage.corrected'])
        .orderBy('seq')
        .execute(),
    );
    expect(audit.map((a) => a.action)).toEqual(['usage.voided']);
    expect(audit[0]!.object_id).toBe('rz-test/g2');
    expect(JSON.stringify(audit[0]!.details)).not.toContain('Messfehler');

    // December ends; its close carries the corrections for November and freezes December.
    clock.setDay('2027-01-04');
    const dec = await finance.api('POST', '/api/v1/usage/months/2026-12/close');
    expect(dec.statusCode, dec.body).toBe(200);
    expect(dec.json().corrections).toBeGreaterThan(0);
    expect(await totalsOf('2026-11')).toEqual(frozen);
    c = await corrections();
    expect(c.pending).toEqual([]);
    const carriedSum = c.carried.find((x) => x.meter === 'druckseiten' && x.aggregation === 'sum')!;
    expect(carriedSum).toMatchObject({ billedMonth: '2026-12', month: '2026-11', quantityAfter: '180' });
    expect(Number(carriedSum.quantityBefore)).toBe(150);
    // December's frozen gauge carries the corrected value (10), not the voided one.
    const decTotals = await totalsOf('2026-12');
    expect(
      Number(decTotals.find((r) => r.meter_key === 'speicher-gb' && r.aggregation === 'latest')!.quantity),
    ).toBe(10);
    const corrected = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('member_id', '=', schwielowsee)
        .where('action', '=', 'usage.corrected')
        .execute(),
    );
    expect(corrected).toHaveLength(1);
    expect(corrected[0]!.details).toMatchObject({ billedMonth: '2026-12', months: ['2026-11'] });

    // A second late event for November, after December's close: carried by January's bill, against
    // what December's bill corrected it to.
    expect(
      (await send(machine, [ev('d4', 'druckseiten', '20', '2026-11-26T09:00:00+01:00')])).json(),
    ).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    c = await corrections();
    const second = c.pending.find((p) => p.meter === 'druckseiten' && p.aggregation === 'sum')!;
    expect(second).toMatchObject({ month: '2026-11', quantityAfter: '200' });
    expect(Number(second.quantityBefore)).toBe(180);
    clock.setDay('2026-12-02');
  });

  it('keeps closed totals, corrections and voids append-only in the database itself', async () => {
    for (const stmt of [
      sql`update usage_period_totals set quantity = 0`,
      sql`delete from usage_period_totals`,
      sql`update usage_corrections set quantity_after = 0`,
      sql`update usage_voids set reason = 'x'`,
      sql`delete from usage_voids`,
      sql`delete from usage_billing_months`,
    ]) {
      await expect(
        writeAll(t.database, async (tx) => {
          await stmt.execute(tx.db);
        }),
      ).rejects.toThrow(/permission denied/);
    }
  });

  it('refuses a month out of order, also in the database', async () => {
    clock.setDay('2027-05-02');
    const skip = await finance.api('POST', '/api/v1/usage/months/2027-03/close');
    expect(skip.statusCode).toBe(409);
    expect(skip.json().code).toBe('usage.month_not_next');
    await expect(
      asSuperuser(t.database, (s) =>
        s.query(`insert into usage_billing_months (month) values ('2027-04-01')`),
      ),
    ).rejects.toThrow(/next month to close is 2027-01-01/);
    clock.setDay('2026-12-02');
  });

  it('lets a member token report only; a member never sees another member’s corrections', async () => {
    const other = await panketalAdmin.api('GET', `/api/v1/members/${schwielowsee}/usage/corrections`);
    expect([403, 404]).toContain(other.statusCode);
    const own = await panketalAdmin.api('GET', `/api/v1/members/${panketal}/usage/corrections`);
    expect(own.statusCode).toBe(200);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/usage/months/2026-12/close',
      headers: { authorization: `Bearer ${panketalToken}` },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('the pages: close a month, void an event, corrections on the member page', () => {
  it('lets finance void an event on its page, with a reason, and shows it voided', async () => {
    clock.setDay('2027-01-10');
    const e = ev('page-1', 'druckseiten', '7', '2027-01-05T09:00:00+01:00');
    expect((await send(machine, [e])).statusCode).toBe(200);
    // January is open (closed through December): not late, so the audit names no month to correct.
    const onTime = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('audit_events')
        .select(['details'])
        .where('member_id', '=', schwielowsee)
        .where('action', '=', 'usage.reported')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow(),
    );
    expect(onTime.details).toMatchObject({ accepted: 1 });
    expect(onTime.details).not.toHaveProperty('correctsMonths');
    const search = await finance.get(
      `/verbrauch?mitglied=${schwielowsee}&zaehler=druckseiten&tag=2027-01-05`,
    );
    expect(search.statusCode).toBe(200);
    const link = `/verbrauch/storno?mitglied=${schwielowsee}&amp;quelle=rz-test&amp;ereignis=page-1`;
    expect(search.body).toContain(link);
    // The association admin sees the search, but no void action.
    const adminSearch = await admin.get(
      `/verbrauch?mitglied=${schwielowsee}&zaehler=druckseiten&tag=2027-01-05`,
    );
    expect(adminSearch.body).not.toContain('/verbrauch/storno?');

    const page = await finance.get(link.replaceAll('&amp;', '&'));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Grund der Stornierung');
    expect(page.body).toContain('noch nicht abgerechnet');
    const empty = await finance.postForm('/verbrauch/storno', {
      member: schwielowsee,
      source: 'rz-test',
      eventId: 'page-1',
      reason: '',
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Grund der Stornierung');
    expect(empty.body).toContain('error-summary');
    const done = await finance.postForm('/verbrauch/storno', {
      member: schwielowsee,
      source: 'rz-test',
      eventId: 'page-1',
      reason: 'Testdruck, nicht abzurechnen',
    });
    expect(done.statusCode, done.body).toBe(303);
    const after = await finance.get(done.headers.location as string);
    expect(after.body).toContain('ist storniert');
    expect(after.body).toContain('storniert');
    expect(after.body).not.toContain(link);
    const overview = await finance.get('/verbrauch/abrechnung');
    expect(overview.body).toContain('Testdruck, nicht abzurechnen');

    // Not for the association admin, nor a member.
    expect(
      (
        await admin.postForm('/verbrauch/storno', {
          member: schwielowsee,
          source: 'rz-test',
          eventId: 'page-1',
          reason: 'Noch einmal',
        })
      ).statusCode,
    ).toBe(403);
    expect((await panketalAdmin.get('/verbrauch/abrechnung')).statusCode).toBe(403);
  });

  it('shows the next month to close, closes it for finance, and shows corrections to the member', async () => {
    clock.setDay('2027-02-03');
    const page = await finance.get('/verbrauch/abrechnung');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Januar 2027 abschließen');
    // What the next bill carries: November's late print pages (from the story above).
    expect(page.body).toContain('pending-corrections');
    // November's print pages: billed 180 (December's correction), now 200 — a correction of +20.
    expect(page.body).toMatch(/>180<\/td><td[^>]*>200<\/td><td[^>]*>\+20<\/td>/);
    const adminPage = await admin.get('/verbrauch/abrechnung');
    expect(adminPage.body).not.toContain('Januar 2027 abschließen');
    expect(adminPage.body).toContain('Finanzabteilung');

    const closed = await finance.postForm('/verbrauch/abrechnung', { month: '2027-01' });
    expect(closed.statusCode, closed.body).toBe(303);
    const after = await finance.get('/verbrauch/abrechnung');
    expect(after.body).toContain('Januar 2027 ist abgeschlossen');
    expect(after.body).toContain('Februar 2027');
    const twice = await finance.postForm('/verbrauch/abrechnung', { month: '2027-01' });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('bereits abgeschlossen');

    // The member's page for January: billed, and the corrections January's bill carries.
    const member = await admin.get(`/mitglieder/${schwielowsee}/verbrauch?monat=2027-01`);
    expect(member.statusCode).toBe(200);
    expect(member.body).toContain('Januar 2027 ist abgerechnet');
    expect(member.body).toContain('corrections-carried');
    expect(member.body).toContain('November 2026');
    clock.setDay('2026-12-02');
  });
});

describe('a close racing with ingests', () => {
  it('loses no event: whatever the close did not freeze, the next bill corrects', async () => {
    // Rüdersdorf's March 2027: open until the close below, which runs while batches for it arrive.
    clock.setDay('2027-04-02');
    const member = await memberIdByName(t.database, 'Rüdersdorf bei Berlin');
    // Months close in order: February and March are next (January was closed above).
    expect((await finance.api('POST', '/api/v1/usage/months/2027-02/close')).statusCode).toBe(200);
    const batch = (n: number) =>
      Array.from({ length: 200 }, (_, i) => ({
        member,
        meter: 'druckseiten',
        quantity: '1',
        time: `2027-03-${String((i % 28) + 1).padStart(2, '0')}T10:00:00+01:00`,
        source: 'race',
        eventId: `r${n}-${i}`,
      }));
    const sends = Array.from({ length: 8 }, (_, n) => send(machine, batch(n)));
    const close = finance.api('POST', '/api/v1/usage/months/2027-03/close');
    const results = await Promise.all([...sends, close]);
    for (const r of results) expect(r.statusCode, r.body).toBe(200);

    const [frozen, corrections, live] = await readAll(t.database, async (tx) => [
      await tx.db
        .selectFrom('usage_period_totals')
        .select(['quantity'])
        .where('member_id', '=', member)
        .where('month', '=', '2027-03-01')
        .where('meter_key', '=', 'druckseiten')
        .where('aggregation', '=', 'sum')
        .executeTakeFirst(),
      await pendingCorrectionsOf(tx, member),
      await aggregateUsage(tx, member, 'druckseiten', 'sum', monthPeriod('2027-03')),
    ]);
    expect(live.quantity).toBe('1600');
    const pending = corrections.find(
      (c) => c.month === '2027-03' && c.meter === 'druckseiten' && c.aggregation === 'sum',
    );
    // Either the close saw every batch, or the ones after it are pending for the next bill.
    expect(pending?.quantityAfter ?? frozen?.quantity ?? '0').toMatch(/^1600(\.0+)?$/);
    if (pending) expect(Number(pending.quantityBefore)).toBe(Number(frozen?.quantity ?? 0));
    clock.setDay('2026-12-02');
  });
});
