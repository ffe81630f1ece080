/**
 * Usage metering over HTTP and in the database: ingest (JSON array and NDJSON), duplicates and
 * conflicts, all or nothing, tokens scoped to a member or to the association, the rollups against a
 * recount from the raw events, aggregation for rating, the partitions, and a property test that any
 * interleaving of duplicates, retries and refused requests yields the rollups of one clean send.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTx } from '../../src/db/tx.js';
import { monthPeriod } from '../../src/modules/metering/metering.aggregate.js';
import {
  countStored,
  recountHourlyFromRaw,
  selectAllHourly,
} from '../../src/modules/metering/metering.repository.js';
import {
  aggregateUsage,
  preparePartitions,
  purgeRawEvents,
} from '../../src/modules/metering/metering.service.js';
import { fixedClock } from '../../src/shared/clock.js';
import { ALL_MEMBERS_READ, memberScope, systemCtx } from '../../src/shared/context.js';
import { DEMO, loggedIn, memberIdByName, readAll, type TestApp, testApp, writeAll } from '../helpers.js';

let t: TestApp;
const ids = {} as { association: string; panketal: string; belzig: string; niemegk: string; amt: string };
const tokens = {} as { association: string; panketal: string; amt: string };
const NOW = new Date('2026-12-02T10:30:00Z');

async function token(memberId: string): Promise<string> {
  const admin = await loggedIn(t.app, DEMO.associationAdmin);
  const res = await admin.api('POST', `/api/v1/members/${memberId}/api-tokens`, {
    name: 'Zähler',
    scopes: ['usage.write'],
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().token;
}

beforeAll(async () => {
  t = await testApp({ clock: fixedClock(NOW) });
  ids.panketal = await memberIdByName(t.database, 'Panketal');
  ids.belzig = await memberIdByName(t.database, 'Bad Belzig');
  ids.niemegk = await memberIdByName(t.database, 'Niemegk');
  ids.amt = await memberIdByName(t.database, 'Amt Niemegk');
  ids.association = await readAll(
    t.database,
    async (tx) =>
      (
        await tx.db
          .selectFrom('members')
          .select('id')
          .where('is_association', '=', true)
          .executeTakeFirstOrThrow()
      ).id,
  );
  tokens.association = await token(ids.association);
  tokens.panketal = await token(ids.panketal);
  tokens.amt = await token(ids.amt);
});
afterAll(async () => t?.close());

function send(bearer: string, body: unknown, contentType = 'application/json') {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/usage',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': contentType },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

let seq = 0;
function ev(member: string, over: Record<string, unknown> = {}) {
  seq++;
  return {
    member,
    meter: 'vm-stunden',
    quantity: '1.5',
    time: '2026-11-10T08:15:00+01:00',
    source: 'vmware-1',
    eventId: `e-${seq}`,
    ...over,
  };
}

const stored = (memberId?: string) => readAll(t.database, (tx) => countStored(tx, memberId));

describe('POST /api/v1/usage', () => {
  it('stores events of several members (by id and by AGS) once, and counts a re-send as duplicates', async () => {
    const before = await stored();
    const batch = [
      ev(ids.panketal),
      ev('12060181', { quantity: 2, time: '2026-11-10T07:45:00Z' }),
      ev(ids.belzig, { meter: 'speicher-gb', quantity: '100.000', attributes: { volume: 'v1' } }),
    ];
    const res = await send(tokens.association, batch);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ accepted: 3, duplicates: 0 });
    expect(await stored()).toEqual({ events: before.events + 3, keys: before.keys + 3 });

    // The same events again, the quantity written differently ("100.000" = "100", 2 = "2.0"): duplicates.
    const again = batch.map(
      (e): Record<string, unknown> =>
        e.quantity === '100.000'
          ? { ...e, quantity: '100' }
          : (e.quantity as unknown) === 2
            ? { ...e, quantity: '2.0' }
            : e,
    );
    const res2 = await send(tokens.association, again);
    expect(res2.json()).toEqual({ accepted: 0, duplicates: 3 });
    // The same instant in another offset is the same time.
    const res3 = await send(tokens.association, [{ ...batch[0], time: '2026-11-10T07:15:00Z' }]);
    expect(res3.json()).toEqual({ accepted: 0, duplicates: 1 });
    expect(await stored()).toEqual({ events: before.events + 3, keys: before.keys + 3 });
  });

  it('audits one event per member and request, none for a request of duplicates only', async () => {
    const count = () =>
      readAll(t.database, async (tx) =>
        Number(
          (
            await sql<{
              n: string;
            }>`select count(*) as n from audit_events where action = 'usage.reported'`.execute(tx.db)
          ).rows[0]!.n,
        ),
      );
    const before = await count();
    const a = ev(ids.panketal);
    const res = await send(tokens.association, [a, ev(ids.panketal), ev(ids.belzig)]);
    expect(res.json()).toEqual({ accepted: 3, duplicates: 0 });
    expect(await count()).toBe(before + 2);
    await send(tokens.association, [a]);
    expect(await count()).toBe(before + 2);
    const details = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('audit_events')
        .select(['details', 'actor_type', 'object_type'])
        .where('action', '=', 'usage.reported')
        .where('member_id', '=', ids.panketal)
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow(),
    );
    expect(details).toMatchObject({
      actor_type: 'token',
      object_type: 'member',
      details: { accepted: 2, duplicates: 0, meters: ['vm-stunden'], sources: ['vmware-1'] },
    });
  });

  it('refuses a re-sent event id with another time or payload as a conflict, and stores nothing of that request', async () => {
    const a = ev(ids.panketal, { time: '2026-11-11T10:00:00Z' });
    expect((await send(tokens.association, [a])).json()).toEqual({ accepted: 1, duplicates: 0 });
    const before = await stored();
    // Another month (another partition) for the same key: the dedup table still catches it.
    for (const changed of [
      { ...a, time: '2026-10-11T10:00:00Z' },
      { ...a, quantity: '1.6' },
      { ...a, attributes: { vm: 'x' } },
      { ...a, meter: 'druckseiten' },
    ]) {
      const res = await send(tokens.association, [ev(ids.panketal), changed]);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().errors).toEqual([
        { line: 2, field: 'eventId', code: 'usage.conflict', reason: expect.stringContaining('Ereignis-ID') },
      ]);
    }
    // Within one request: the same key twice with different payloads.
    const b = ev(ids.panketal);
    const res = await send(tokens.association, [b, { ...b, quantity: '9' }]);
    expect(res.json().errors).toMatchObject([{ line: 2, code: 'usage.conflict' }]);
    expect(await stored()).toEqual(before);
    // … and with the same payload it is a duplicate within the request.
    expect((await send(tokens.association, [b, b])).json()).toEqual({ accepted: 1, duplicates: 1 });
  });

  it('refuses a request with invalid lines as a whole, naming each line and its reason (NDJSON)', async () => {
    const before = await stored();
    const lines = [
      JSON.stringify(ev(ids.panketal)),
      '{"member": ',
      '',
      JSON.stringify(ev(ids.panketal, { meter: 'unbekannt' })),
      JSON.stringify(ev(ids.panketal, { quantity: '-3' })),
      JSON.stringify(ev(ids.panketal, { time: '2027-01-01T00:00:00Z' })),
      JSON.stringify(ev(ids.panketal, { time: '2026-11-10 08:00' })),
      JSON.stringify(ev('00000000-0000-4000-8000-000000000000')),
      JSON.stringify(ev('99999999')),
      JSON.stringify(ev(ids.panketal, { quantity: 1e21 })),
      JSON.stringify({ ...ev(ids.panketal), extra: 1 }),
      JSON.stringify(ev(ids.panketal, { time: '2024-01-01T00:00:00Z' })),
      JSON.stringify(ev(ids.panketal, { eventId: 'a\u0000b' })),
      '[1]',
      // An oversized line (over 8 KiB): refused by its size, not parsed.
      JSON.stringify(ev(ids.panketal, { attributes: { note: 'x'.repeat(9000) } })),
    ];
    const res = await send(tokens.association, lines.join('\n'), 'application/x-ndjson');
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([
      [2, 'usage.malformed'],
      [4, 'usage.meter_unknown'],
      [5, 'usage.quantity_negative'],
      [6, 'usage.time_future'],
      [7, 'usage.time_format'],
      [8, 'usage.member_unknown'],
      [9, 'usage.member_unknown'],
      [10, 'usage.quantity_format'],
      [11, 'usage.unknown_field'],
      [12, 'usage.time_too_old'],
      [13, 'usage.event_id_format'],
      [14, 'usage.not_object'],
      [15, 'usage.line_too_long'],
    ]);
    expect(await stored()).toEqual(before);
    // The valid line alone goes through, as NDJSON too.
    const ok = await send(tokens.association, `${lines[0]}\n`, 'application/x-ndjson');
    expect(ok.json()).toEqual({ accepted: 1, duplicates: 0 });
  });

  it('refuses more than 10,000 events, and a body that is no list', async () => {
    const many = Array.from({ length: 10_001 }, () => ev(ids.panketal));
    const res = await send(tokens.association, many);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toMatchObject([{ line: 10_001, code: 'usage.too_many' }]);
    // An oversized body (over 16 MiB): refused before it is read, as problem+json.
    const huge = await send(tokens.association, `[${'"x",'.repeat(4_500_000)}"x"]`);
    expect(huge.statusCode).toBe(413);
    expect(huge.headers['content-type']).toContain('application/problem+json');
    const obj = await send(tokens.association, { member: ids.panketal });
    expect(obj.statusCode).toBe(422);
    expect(obj.json().errors).toMatchObject([{ line: 1, code: 'usage.body_not_list' }]);
  });

  it('takes 10,000 events in one request', async () => {
    const before = await stored(ids.belzig);
    const many = Array.from({ length: 10_000 }, (_, i) =>
      ev(ids.belzig, {
        meter: 'druckseiten',
        quantity: String(i % 7),
        time: new Date(Date.UTC(2026, 9, 1) + i * 60_000).toISOString(),
        source: 'druckstrasse',
      }),
    );
    const res = await send(tokens.association, many);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.json()).toEqual({ accepted: 10_000, duplicates: 0 });
    expect(await stored(ids.belzig)).toEqual({ events: before.events + 10_000, keys: before.keys + 10_000 });
  });

  it('counts overlapping requests sent at the same time exactly once, without deadlock', async () => {
    const before = await stored(ids.belzig);
    const pool = Array.from({ length: 400 }, (_, i) =>
      ev(ids.belzig, {
        meter: 'kuverts',
        quantity: '1',
        time: new Date(Date.UTC(2026, 10, 20) + (i % 50) * 3_600_000).toISOString(),
        source: 'kuvertiermaschine',
      }),
    );
    // Four requests, each a different shuffle of an overlapping half of the pool.
    const batches = [0, 1, 2, 3].map((k) =>
      pool.filter((_, i) => (i + k) % 4 !== 0 && (i * (k + 3)) % 5 !== 0).reverse(),
    );
    const answers = await Promise.all(batches.map((b) => send(tokens.association, b)));
    for (const a of answers) expect(a.statusCode, a.body).toBe(200);
    const sent = new Set(batches.flat().map((e) => e.eventId));
    const totals = answers.map((a) => a.json() as { accepted: number; duplicates: number });
    expect(totals.reduce((n, a) => n + a.accepted, 0)).toBe(sent.size);
    expect(totals.reduce((n, a) => n + a.accepted + a.duplicates, 0)).toBe(batches.flat().length);
    expect(await stored(ids.belzig)).toEqual({
      events: before.events + sent.size,
      keys: before.keys + sent.size,
    });
  });

  it('lets a member token report only for its own member (an Amt: also for its municipalities)', async () => {
    const before = await stored();
    const other = await send(tokens.panketal, [ev(ids.panketal), ev(ids.belzig), ev('12069020')]);
    expect(other.statusCode).toBe(422);
    expect(other.json().errors).toMatchObject([
      { line: 2, field: 'member', code: 'usage.member_unknown' },
      { line: 3, field: 'member', code: 'usage.member_unknown' },
    ]);
    expect(await stored()).toEqual(before);
    expect((await send(tokens.panketal, [ev(ids.panketal), ev('12060181')])).json()).toEqual({
      accepted: 2,
      duplicates: 0,
    });
    expect((await send(tokens.amt, [ev(ids.niemegk)])).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect((await send(tokens.amt, [ev(ids.panketal)])).statusCode).toBe(422);
  });

  it('needs a usage.write token: not a session, not another scope, not anonymous', async () => {
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/v1/usage', payload: [] });
    // Without valid credentials the platform's CSRF check refuses any state change first.
    expect(anonymous.statusCode, anonymous.body).toBe(403);
    expect((await send('alm_nonsense', [ev(ids.panketal)])).json().code).toBe('error.csrf');
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    expect((await admin.api('POST', '/api/v1/usage', [ev(ids.panketal)])).statusCode).toBe(403);
    const res = await admin.api('POST', `/api/v1/members/${ids.panketal}/api-tokens`, {
      name: 'Lesen',
      scopes: ['members.read'],
    });
    expect((await send(res.json().token, [ev(ids.panketal)])).statusCode).toBe(403);
  });

  it('is in the OpenAPI document with both media types', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    const op = doc.paths['/api/v1/usage'].post;
    expect(Object.keys(op.requestBody.content)).toEqual(
      expect.arrayContaining(['application/json', 'application/x-ndjson']),
    );
    expect(op.responses['422']).toBeDefined();
  });
});

describe('rollups and aggregation', () => {
  it('keeps the hourly rollups equal to a recount from the raw events', async () => {
    const [rollups, recount] = await readAll(t.database, async (tx) => [
      await selectAllHourly(tx),
      await recountHourlyFromRaw(tx),
    ]);
    expect(rollups.length).toBeGreaterThan(10);
    expect(rollups).toEqual(recount);
  });

  it('aggregates a member’s meter over a month for every aggregation kind', async () => {
    const m = ids.niemegk;
    const events = [
      // vm-stunden in November (Berlin): two in one hour, one later; one event in October.
      ev(m, {
        meter: 'backup-gb',
        quantity: '3',
        time: '2026-11-01T00:10:00+01:00',
        attributes: { vm: 'a' },
      }),
      ev(m, {
        meter: 'backup-gb',
        quantity: '5',
        time: '2026-11-01T00:20:00+01:00',
        attributes: { vm: 'b' },
      }),
      ev(m, {
        meter: 'backup-gb',
        quantity: '2.5',
        time: '2026-11-15T12:00:00+01:00',
        attributes: { vm: 'a' },
      }),
      ev(m, {
        meter: 'backup-gb',
        quantity: '7',
        time: '2026-10-31T23:59:00+01:00',
        attributes: { vm: 'c' },
      }),
    ];
    expect((await send(tokens.association, events)).json()).toEqual({ accepted: 4, duplicates: 0 });
    const nov = monthPeriod('2026-11');
    const agg = (kind: Parameters<typeof aggregateUsage>[3]) =>
      readAll(t.database, (tx) => aggregateUsage(tx, m, 'backup-gb', kind, nov));
    expect((await agg('sum')).quantity).toBe('10.5');
    expect(await agg('count')).toMatchObject({ quantity: '3', events: 3 });
    expect((await agg('max')).quantity).toBe('5');
    expect((await agg('latest')).quantity).toBe('2.5');
    expect((await agg('unique_count')).quantity).toBe('2');
    // 720 hours: 7 carried into the first hour (Oct 31, 23:59), then 5 until Nov 15 11:00 UTC, then 2.5.
    // Hours: [Oct 31 23:00Z → Nov 15 11:00Z) = 348 hours at 5 except the first at 5 too (its latest is 5).
    const twa = await agg('time_weighted_avg');
    // First hour (23:00Z Oct 31) holds the two events at 00:10/00:20 Berlin → latest 5.
    const hours = 720;
    const at5 = 348;
    const expected = (5 * at5 + 2.5 * (hours - at5)) / hours;
    expect(Number(twa.quantity)).toBeCloseTo(expected, 10);
    expect(
      (
        await readAll(t.database, (tx) =>
          aggregateUsage(tx, m, 'backup-gb', 'latest', monthPeriod('2026-12')),
        )
      ).quantity,
    ).toBe('2.5');
    await expect(
      readAll(t.database, (tx) =>
        aggregateUsage(tx, m, 'backup-gb', 'unique_count', {
          from: new Date('2026-11-02T00:00:00Z'),
          to: new Date('2026-11-03T00:00:00Z'),
        }),
      ),
    ).rejects.toThrow(/usage.period_not_months/);
  });
});

describe('tenancy and partitions', () => {
  it('shows a member only its own usage (RLS on events, keys, rollups and distinct values)', async () => {
    const seen = await runInTx(t.database, systemCtx('test', memberScope(ids.panketal, true)), async (tx) => {
      const out: Record<string, string[]> = {};
      for (const table of [
        'usage_events',
        'usage_event_keys',
        'usage_hourly',
        'usage_distinct_values',
      ] as const) {
        const rows = await tx.db.selectFrom(table).select('member_id').distinct().execute();
        out[table] = rows.map((r) => r.member_id);
      }
      return out;
    });
    for (const members of Object.values(seen)) for (const id of members) expect(id).toBe(ids.panketal);
    expect(seen.usage_events).toEqual([ids.panketal]);
    await expect(
      runInTx(t.database, systemCtx('test', memberScope(ids.panketal, true)), (tx) =>
        aggregateUsage(tx, ids.belzig, 'druckseiten', 'sum', monthPeriod('2026-10')),
      ),
    ).rejects.toThrow(/not found/);
  });

  it('creates a missing month on demand and ahead by the job; every partition has forced RLS', async () => {
    const res = await send(tokens.association, [ev(ids.panketal, { time: '2025-06-15T12:00:00Z' })]);
    expect(res.json()).toEqual({ accepted: 1, duplicates: 0 });
    const created = await runInTx(
      t.database,
      systemCtx('test', ALL_MEMBERS_READ, 'r', fixedClock('2027-02-10')),
      (tx) => preparePartitions(tx),
    );
    expect(created).toBe(2); // 2027-04 and 2027-05; up to 2027-03 the migration made them
    const parts = await t.database.withOwnerSession((s) =>
      s.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: number }>(
        `select c.relname, c.relrowsecurity, c.relforcerowsecurity,
                (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
           from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = 'usage_events'::regclass order by 1`,
      ),
    );
    expect(parts.map((p) => p.relname)).toEqual(
      expect.arrayContaining(['usage_events_y2025m06', 'usage_events_y2026m11', 'usage_events_y2027m05']),
    );
    expect(
      parts.filter((p) => !p.relrowsecurity || !p.relforcerowsecurity || Number(p.policies) === 0),
    ).toEqual([]);
    // The application reaches partitions only through the parent.
    await expect(
      readAll(t.database, (tx) =>
        sql`select count(*) from usage_partitions.usage_events_y2026m11`.execute(tx.db),
      ),
    ).rejects.toThrow(/permission denied/);
  });
});

describe('purging raw events', () => {
  it('drops whole months past the retention; keys and rollups stay, so a re-send is still a duplicate', async () => {
    // A member without demo usage: its stored events are only this test's.
    const quiet = await memberIdByName(t.database, 'Schwielowsee');
    const old = ev(quiet, {
      meter: 'druckseiten',
      quantity: '40',
      time: '2025-02-10T09:00:00Z',
      source: 'alt',
    });
    expect((await send(tokens.association, [old])).json()).toEqual({ accepted: 1, duplicates: 0 });
    const feb = monthPeriod('2025-02');
    const sum = () => readAll(t.database, (tx) => aggregateUsage(tx, quiet, 'druckseiten', 'sum', feb));
    expect((await sum()).quantity).toBe('40');
    const purge = (at: string) =>
      runInTx(t.database, systemCtx('test', ALL_MEMBERS_READ, 'purge', fixedClock(at)), (tx) =>
        purgeRawEvents(tx),
      );
    // In 2027-02 the retention of 24 months reaches back to 2025-02-01: February 2025 is kept.
    expect(await purge('2027-02-15')).toBe(0);
    const dropped = await purge('2027-03-15');
    expect(dropped).toBeGreaterThanOrEqual(1);
    expect(await stored(quiet)).toMatchObject({ events: 0, keys: 1 });
    expect((await sum()).quantity).toBe('40');
    // The month is gone from the raw events, yet the same event again counts nothing.
    expect((await send(tokens.association, [old])).json()).toEqual({ accepted: 0, duplicates: 1 });
    expect((await send(tokens.association, [{ ...old, quantity: '41' }])).json().errors).toMatchObject([
      { line: 1, code: 'usage.conflict' },
    ]);
    await expect(
      runInTx(t.database, systemCtx('test', ALL_MEMBERS_READ), async (tx) =>
        purgeRawEvents({ ...tx, ctx: { ...tx.ctx, system: null } }),
      ),
    ).rejects.toThrow(/usage.purge/);
  });
});

describe('property: duplicates, retries, refused requests and voids never change the result', () => {
  it('yields the rollups of one clean send of the surviving events', async () => {
    let run = 0;
    const finance = await loggedIn(t.app, DEMO.associationFinance);
    const eventArb = fc.record({
      meter: fc.constantFrom('vm-stunden', 'speicher-gb'),
      hour: fc.integer({ min: 0, max: 3 }),
      minute: fc.integer({ min: 0, max: 59 }),
      quantity: fc.constantFrom('0', '1', '2.5', '10', '0.000001', '123456.789'),
      vm: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
      source: fc.constantFrom('s1', 's2'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 1, maxLength: 8 }),
        fc.array(
          fc.record({
            picks: fc.array(fc.nat(), { maxLength: 10 }),
            poisoned: fc.boolean(),
            voids: fc.array(fc.nat(), { maxLength: 2 }),
          }),
          { maxLength: 5 },
        ),
        async (specs, schedule) => {
          run++;
          // Each run in its own day, so that its hours are its own.
          const day = new Date(Date.UTC(2026, 7, 1) + run * 86_400_000);
          const events = specs.map((s, i) => ({
            meter: s.meter,
            quantity: s.quantity,
            time: new Date(day.getTime() + s.hour * 3_600_000 + s.minute * 60_000).toISOString(),
            source: s.source,
            eventId: `p${run}-${i}`,
            ...(s.vm ? { attributes: { vm: s.vm } } : {}),
          }));
          // The messy sender: batches of random picks (duplicates within and across batches), some
          // refused because of a bad line, voids of acknowledged events in between, then a retry of
          // everything not yet acknowledged plus a re-send of voided events.
          const acknowledged = new Set<number>();
          const voided = new Set<number>();
          for (const b of schedule) {
            const picks = b.picks.map((p) => p % events.length);
            const body: Record<string, unknown>[] = picks.map((p) => ({ ...events[p]!, member: ids.belzig }));
            if (b.poisoned) body.push({ ...events[0]!, member: ids.belzig, meter: 'kein-zaehler' });
            const res = await send(tokens.association, body);
            if (b.poisoned) expect(res.statusCode).toBe(422);
            else {
              expect(res.statusCode, res.body).toBe(200);
              for (const p of picks) acknowledged.add(p);
            }
            for (const v of b.voids) {
              const candidates = [...acknowledged].filter((i) => !voided.has(i)).sort((x, y) => x - y);
              if (candidates.length === 0) break;
              const i = candidates[v % candidates.length]!;
              const res = await finance.api('POST', '/api/v1/usage/voids', {
                member: ids.belzig,
                source: events[i]!.source,
                eventId: events[i]!.eventId,
                reason: 'Eigenschaftstest',
              });
              expect(res.statusCode, res.body).toBe(201);
              voided.add(i);
            }
          }
          const rest = events
            .filter((_, i) => !acknowledged.has(i))
            .map((e) => ({ ...e, member: ids.belzig }));
          const again = [...voided].map((i) => ({ ...events[i]!, member: ids.belzig }));
          const retry = await send(tokens.association, [...rest, ...rest.slice(0, 2), ...again]);
          expect(retry.statusCode, retry.body).toBe(200);

          // One clean send of the events that survive.
          const surviving = events.filter((_, i) => !voided.has(i));
          if (surviving.length > 0) {
            const clean = await send(
              tokens.association,
              surviving.map((e) => ({ ...e, member: ids.panketal })),
            );
            expect(clean.statusCode, clean.body).toBe(200);
          }

          const window = (rows: Awaited<ReturnType<typeof selectAllHourly>>) =>
            rows
              .filter(
                (r) => r.hour.getTime() >= day.getTime() && r.hour.getTime() < day.getTime() + 86_400_000,
              )
              .map(({ member_id: _m, ...r }) => r);
          const [a, b] = await readAll(t.database, async (tx) => [
            window(await selectAllHourly(tx, ids.panketal)),
            window(await selectAllHourly(tx, ids.belzig)),
          ]);
          expect(b).toEqual(a);
          expect(a.reduce((n, r) => n + r.event_count, 0)).toBe(surviving.length);
          // And the stored rollups are a recount of the raw events that are not voided.
          const [stored, recount] = await readAll(t.database, async (tx) => [
            window(await selectAllHourly(tx, ids.belzig)),
            window(await recountHourlyFromRaw(tx, ids.belzig)),
          ]);
          expect(stored).toEqual(recount);
        },
      ),
      { numRuns: 25 },
    );
    // And the distinct values agree too.
    const distinct = await writeAll(t.database, async (tx) => {
      const { rows } = await sql<{ member_id: string; n: string }>`
        select member_id, count(*) as n from usage_distinct_values
         where month = '2026-08-01' and member_id in (${ids.panketal}, ${ids.belzig}) group by 1`.execute(
        tx.db,
      );
      return new Map(rows.map((r) => [r.member_id, Number(r.n)]));
    });
    expect(distinct.get(ids.belzig)).toBe(distinct.get(ids.panketal));
  });
});
