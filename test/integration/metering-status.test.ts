/**
 * The ingestion status of metering, on both databases: the per-source summary the ingest keeps (in step
 * with the stored keys, per Berlin day of receipt, without deadlocks under concurrent ingests), the
 * refused deliveries (API 422 and failed pulls, recorded in a transaction of their own, for the sender's
 * member, shown with German reasons, purged after 90 days), Allmende's own meter `konten` (accounts per
 * member, counted once a day through the ingest), and the raw-event retention from the configuration.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePullSources } from '../../src/config/pull-sources.js';
import { runInTx } from '../../src/db/tx.js';
import type { JobContext } from '../../src/jobs/jobs.js';
import { activeMemberIdsOn } from '../../src/modules/members/members.service.js';
import { monthPeriod } from '../../src/modules/metering/metering.aggregate.js';
import { RAW_PURGE_JOB, rawPurgeJob } from '../../src/modules/metering/metering.jobs.js';
import { pullSource } from '../../src/modules/metering/metering.pull.js';
import { countStored } from '../../src/modules/metering/metering.repository.js';
import {
  aggregateUsage,
  emitOwnUsage,
  ingestUsage,
  OWN_SOURCE,
} from '../../src/modules/metering/metering.service.js';
import {
  selectRejections,
  selectSourceDays,
  selectSourceTotals,
} from '../../src/modules/metering/metering.status.repository.js';
import { purgeUsageStatus, recordRejection } from '../../src/modules/metering/metering.status.service.js';
import {
  ACCOUNTS_METER,
  PEOPLE_METERS,
  reportAccounts,
} from '../../src/modules/people/accounts.usage.service.js';
import { fixedClock } from '../../src/shared/clock.js';
import {
  ALL_MEMBERS_READ,
  ALL_MEMBERS_WRITE,
  jobCtx,
  memberScope,
  NO_MEMBERS,
  systemCtx,
} from '../../src/shared/context.js';
import { addMonths, todayInBerlin } from '../../src/shared/dates.js';
import { LinesInvalidError } from '../../src/shared/errors.js';
import {
  DEMO,
  loggedIn,
  memberIdByName,
  readAll,
  type TestApp,
  testApp,
  testConfig,
  writeAll,
} from '../helpers.js';

let t: TestApp;
const ids = {} as { association: string; panketal: string; belzig: string };
const tokens = {} as { association: string; panketal: string };
let panketalTokenId: string;
const NOW = new Date('2026-12-02T10:30:00Z');
const TODAY = '2026-12-02';
const silent = { info() {}, warn() {}, error() {} };

async function token(memberId: string): Promise<{ token: string; id: string }> {
  const admin = await loggedIn(t.app, DEMO.associationAdmin);
  const res = await admin.api('POST', `/api/v1/members/${memberId}/api-tokens`, {
    name: 'Zähler',
    scopes: ['usage.write'],
  });
  expect(res.statusCode, res.body).toBe(201);
  return { token: res.json().token, id: res.json().apiToken.id };
}

beforeAll(async () => {
  t = await testApp({ clock: fixedClock(NOW) });
  ids.panketal = await memberIdByName(t.database, 'Panketal');
  ids.belzig = await memberIdByName(t.database, 'Bad Belzig');
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
  tokens.association = (await token(ids.association)).token;
  const p = await token(ids.panketal);
  tokens.panketal = p.token;
  panketalTokenId = p.id;
});
afterAll(async () => t?.close());

function send(bearer: string, body: unknown) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/usage',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

let seq = 0;
function ev(member: string, source: string, over: Record<string, unknown> = {}) {
  seq++;
  return {
    member,
    meter: 'vm-stunden',
    quantity: '2',
    time: `2026-11-${String(10 + (seq % 15)).padStart(2, '0')}T08:${String(seq % 60).padStart(2, '0')}:00Z`,
    source,
    eventId: `st-${seq}`,
    ...over,
  };
}

const totalsOf = (source: string) =>
  readAll(t.database, async (tx) => (await selectSourceTotals(tx)).filter((r) => r.source === source));
const daysOf = (source: string) =>
  readAll(t.database, async (tx) => (await selectSourceDays(tx)).filter((r) => r.source === source));

describe('the per-source summary', () => {
  it('counts accepted events and duplicates per member, source and Berlin day of receipt', async () => {
    const a1 = ev(ids.panketal, 'st-a', { time: '2026-11-20T09:00:00Z' });
    const a2 = ev(ids.panketal, 'st-a', { time: '2026-11-21T09:00:00Z' });
    const a3 = ev(ids.panketal, 'st-a', { time: '2026-11-19T09:00:00Z' });
    const b1 = ev(ids.belzig, 'st-a', { time: '2026-11-25T23:59:00Z' });
    const b2 = ev(ids.belzig, 'st-a', { time: '2026-11-02T00:00:00Z' });
    // Five new events, one of them twice in the request.
    const first = await send(tokens.association, [a1, a2, a3, b1, b2, a1]);
    expect(first.json()).toEqual({ accepted: 5, duplicates: 1 });
    expect((await send(tokens.association, [b1, a2])).json()).toEqual({ accepted: 0, duplicates: 2 });
    // The member's own token, another source.
    const c1 = ev(ids.panketal, 'st-b', { time: '2026-12-01T08:00:00Z' });
    expect((await send(tokens.panketal, [c1])).json()).toEqual({ accepted: 1, duplicates: 0 });

    const totals = await totalsOf('st-a');
    expect(totals.map((r) => [r.member_id, r.accepted, r.duplicates])).toEqual(
      [
        [ids.panketal, 3, 2],
        [ids.belzig, 2, 1],
      ].sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1)),
    );
    const pTotals = totals.find((r) => r.member_id === ids.panketal)!;
    expect(pTotals.latest_time).toEqual(new Date('2026-11-21T09:00:00Z'));
    expect(pTotals.last_received_at).toEqual(NOW);
    expect(pTotals.first_received_at).toEqual(NOW);
    const days = await daysOf('st-a');
    expect(days.map((d) => d.day)).toEqual([TODAY, TODAY]);
    expect(days.reduce((n, d) => n + d.accepted, 0)).toBe(5);
    expect((await totalsOf('st-b')).map((r) => [r.member_id, r.accepted])).toEqual([[ids.panketal, 1]]);
  });

  it('moves to the next day at Berlin midnight, not at UTC midnight', async () => {
    // 23:30 UTC on 2 December is 00:30 on 3 December in Berlin.
    const late = systemCtx('test', ALL_MEMBERS_WRITE, 'late', fixedClock(new Date('2026-12-02T23:30:00Z')));
    const r = await runInTx(t.database, late, (tx) =>
      ingestUsage(tx, [ev(ids.belzig, 'st-a', { time: '2026-12-02T23:00:00Z' })]),
    );
    expect(r).toEqual({ accepted: 1, duplicates: 0 });
    const days = (await daysOf('st-a')).filter((d) => d.member_id === ids.belzig);
    expect(days.map((d) => [d.day, d.accepted])).toEqual([
      [TODAY, 2],
      ['2026-12-03', 1],
    ]);
    const totals = (await totalsOf('st-a')).find((r) => r.member_id === ids.belzig)!;
    expect(totals.accepted).toBe(3);
    expect(totals.latest_time).toEqual(new Date('2026-12-02T23:00:00Z'));
    expect(totals.last_received_at).toEqual(new Date('2026-12-02T23:30:00Z'));
  });

  it('stays in step with the stored keys: every member and source, including the demo and the backfill', async () => {
    const { rows } = await readAll(t.database, (tx) =>
      sql<{ member_id: string; source: string; keys: number | string; accepted: number | string | null }>`
        select k.member_id, k.source, count(*) as keys, max(s.accepted) as accepted
          from usage_event_keys k
          left join usage_source_totals s on s.member_id = k.member_id and s.source = k.source
         group by k.member_id, k.source`.execute(tx.db),
    );
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) expect(Number(r.accepted), `${r.member_id} ${r.source}`).toBe(Number(r.keys));
    const sums = await readAll(t.database, (tx) =>
      sql<{ off: number | string }>`
        select count(*) as off from usage_source_totals s
         where s.accepted <> (select coalesce(sum(d.accepted), 0) from usage_source_days d
                               where d.member_id = s.member_id and d.source = s.source)
            or s.duplicates <> (select coalesce(sum(d.duplicates), 0) from usage_source_days d
                                 where d.member_id = s.member_id and d.source = s.source)`.execute(tx.db),
    );
    expect(Number(sums.rows[0]!.off)).toBe(0);
  });

  it('changes nothing for a refused request', async () => {
    const before = await totalsOf('st-a');
    const res = await send(tokens.association, [
      ev(ids.panketal, 'st-a'),
      ev(ids.panketal, 'st-a', { meter: 'gibt-es-nicht' }),
    ]);
    expect(res.statusCode).toBe(422);
    expect(await totalsOf('st-a')).toEqual(before);
  });

  it('never deadlocks concurrent ingests of the same members and sources in opposite orders', async () => {
    const members = [ids.panketal, ids.belzig, ids.association];
    // Each request its own day of use, so that the ingest statement's rollups never make them wait for
    // each other: they meet in the summary rows, locked in opposite orders if the summary were unsorted.
    const batch = (i: number, order: string[]) =>
      order.flatMap((m) =>
        ['st-c1', 'st-c2', 'st-c3'].map((s) => ev(m, s, { time: `2026-10-${String(i + 10)}T08:00:00Z` })),
      );
    // The token's "last used" is written at most once a minute, holding its row: written now, so that
    // the requests below run side by side rather than one after the other.
    expect((await send(tokens.association, [])).statusCode).toBe(200);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        send(tokens.association, batch(i, i % 2 === 0 ? members : [...members].reverse())),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    const totals = await readAll(t.database, async (tx) =>
      (await selectSourceTotals(tx)).filter((r) => r.source.startsWith('st-c')),
    );
    expect(totals).toHaveLength(9);
    expect(totals.every((r) => r.accepted === 8)).toBe(true);
  });
});

describe('the status page', () => {
  it('shows per source the members, last receipt, latest use, today, 30 days and the total', async () => {
    const finance = await loggedIn(t.app, DEMO.associationFinance);
    const res = await finance.get('/verbrauch');
    expect(res.statusCode).toBe(200);
    const row = res.body.match(
      /<th scope="row" class="kern-table__header">\s*st-a\s*<\/th>([\s\S]*?)<\/tr>/,
    )![1]!;
    const cells = [...row.matchAll(/<td class="kern-table__cell[^"]*">([^<]*)<\/td>/g)].map((m) =>
      m[1]!.trim(),
    );
    // Members; last receipt (23:30 UTC = 00:30 on 3 December in Berlin); latest use; accepted today
    // (2 December, the clock's day: the event received on 3 December is not "today" yet) and in the
    // last 30 days up to today; sent twice in those days; accepted in total.
    expect(cells).toEqual(['2', '03.12.2026, 00:30:00', '03.12.2026, 00:00:00', '5', '5', '3', '6']);
    expect(res.body).toContain('Letzte 30 Tage');
  });
});

describe('refused deliveries', () => {
  it("are recorded after the refused request rolled back, for the sender's member, with the first 20 reasons", async () => {
    const lines = [
      ...Array.from({ length: 24 }, () => ev(ids.panketal, 'st-r', { meter: 'gibt-es-nicht' })),
      ev(ids.panketal, 'st-r2'),
    ];
    const res = await send(tokens.panketal, lines);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toHaveLength(24);
    const stored = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('usage_event_keys')
        .select('event_id')
        .where('source', 'in', ['st-r', 'st-r2'])
        .execute(),
    );
    expect(stored).toEqual([]);
    const rejections = () => readAll(t.database, (tx) => selectRejections(tx, { limit: 1000 }));
    const r = (await rejections()).find((x) => x.sources.includes('st-r'));
    expect(r).toMatchObject({
      memberId: ids.panketal,
      rejectedAt: NOW,
      channel: 'api',
      actorType: 'token',
      actorId: panketalTokenId,
      sources: ['st-r', 'st-r2'],
      lines: 25,
      errorCount: 24,
      message: null,
    });
    expect(r!.errors).toHaveLength(20);
    expect(r!.errors[0]).toEqual({ line: 1, field: 'meter', code: 'usage.meter_unknown' });
    expect(r!.errors.map((e) => e.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Unreadable body: recorded too, with what could be read.
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/usage',
      headers: { authorization: `Bearer ${tokens.association}`, 'content-type': 'application/x-ndjson' },
      payload: `${JSON.stringify(ev(ids.belzig, 'st-r3'))}\n{ nicht json\n`,
    });
    expect(bad.statusCode).toBe(422);
    const r2 = (await rejections()).find((x) => x.sources.includes('st-r3'));
    expect(r2).toMatchObject({
      memberId: ids.association,
      sources: ['st-r3'],
      lines: 2,
      errorCount: 1,
      errors: [{ line: 2, code: 'usage.malformed' }],
    });
  });

  it('are shown to the association with German reasons; a member scope sees only its own', async () => {
    const finance = await loggedIn(t.app, DEMO.associationFinance);
    const res = await finance.get('/verbrauch');
    expect(res.body).toContain('Abgewiesene Lieferungen');
    expect(res.body).toContain('Zeile 1 (meter): Diesen Zähler kennt das Leistungsverzeichnis nicht.');
    expect(res.body).toContain('… und 4 weitere (dem Absender vollständig gemeldet)');
    expect(res.body).toContain('Zeile 2: Die Zeile ist kein gültiges JSON.');
    expect(res.body).toContain('API-Token „Zähler“ (Panketal)');
    expect(res.body).toContain('st-r, st-r2');

    const as = (memberId: string) =>
      runInTx(t.database, systemCtx('test', memberScope(memberId, true)), async (tx) => ({
        rejections: await selectRejections(tx, { limit: 100 }),
        totals: await selectSourceTotals(tx),
        days: await selectSourceDays(tx),
      }));
    const belzig = await as(ids.belzig);
    expect(belzig.rejections).toEqual([]);
    expect(belzig.totals.length).toBeGreaterThan(0);
    expect([...belzig.totals, ...belzig.days].every((r) => r.member_id === ids.belzig)).toBe(true);
    const panketal = await as(ids.panketal);
    expect(panketal.rejections.map((r) => r.memberId)).toEqual([ids.panketal]);
    expect([...panketal.totals, ...panketal.days].every((r) => r.member_id === ids.panketal)).toBe(true);
  });

  it('are recorded for a failed pull: Prometheus unreachable, and an hour the ingest refused', async () => {
    const problems: string[] = [];
    const [source] = parsePullSources(
      JSON.stringify([
        {
          name: 'st-prom',
          url: 'http://user:geheim@127.0.0.1:9',
          timeoutMs: 2000,
          since: '2026-12-02T08:00:00Z',
          meters: [{ meter: 'vm-stunden', query: 'up' }],
        },
      ]),
      problems,
    );
    expect(problems).toEqual([]);
    const ctx = jobCtx('metering.prometheus-pull', ALL_MEMBERS_WRITE, 'pull', fixedClock(NOW));
    const down = await pullSource(t.database, ctx, source!, { now: NOW, log: silent });
    expect(down[0]!.error).toMatch(/unreachable/);
    const pulls = async () =>
      (await readAll(t.database, (tx) => selectRejections(tx, { limit: 1000 }))).filter(
        (x) => x.channel === 'pull',
      );
    const [r] = await pulls();
    expect(r).toMatchObject({
      memberId: ids.association,
      channel: 'pull',
      actorType: 'job',
      actorId: 'metering.prometheus-pull',
      sources: ['st-prom'],
      lines: 0,
      errorCount: 1,
      errors: [],
    });
    expect(r!.message).toMatch(
      /^st-prom\/vm-stunden, hour from 2026-12-02T08:00:00.000Z: Prometheus st-prom/,
    );
    expect(r!.message).not.toContain('geheim');

    // A Prometheus that answers, for a meter the catalogue does not know: the ingest refuses the hour.
    const answer = new Response(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { ags: ids.panketal }, value: [0, '3'] }] },
      }),
      { headers: { 'content-type': 'application/json' } },
    );
    const unknownMeter = { ...source!, meters: [{ ...source!.meters[0]!, meter: 'gibt-es-nicht' }] };
    const refused = await pullSource(t.database, ctx, unknownMeter, {
      now: NOW,
      log: silent,
      fetch: async () => answer,
    });
    expect(refused[0]!.error).toMatch(/the ingest refused/);
    const r2 = (await pulls()).find((x) => x.errors.length > 0);
    expect(r2).toMatchObject({
      channel: 'pull',
      sources: ['st-prom'],
      lines: 1,
      errorCount: 1,
      errors: [{ line: 1, field: 'meter', code: 'usage.meter_unknown' }],
      message: 'st-prom/gibt-es-nicht, hour from 2026-12-02T08:00:00.000Z',
    });
  });

  it('may be recorded by whoever may deliver (the CSV import will call recordRejection)', async () => {
    const csv = systemCtx('test', ALL_MEMBERS_WRITE, 'csv', fixedClock(NOW));
    const id = await runInTx(t.database, csv, (tx) =>
      recordRejection(tx, {
        channel: 'csv',
        sources: ['csv-upload', 'nicht gültig!'],
        lines: 3,
        issues: [{ line: 3, field: 'time', code: 'usage.time_format' }],
      }),
    );
    const rows = await readAll(t.database, (tx) => selectRejections(tx, { limit: 100 }));
    expect(rows.find((r) => r.id === id)).toMatchObject({
      channel: 'csv',
      actorType: 'system',
      sources: ['csv-upload'],
      errorCount: 1,
    });
    // Not in a read-only scope (the database refuses the write).
    await expect(
      runInTx(t.database, systemCtx('test', ALL_MEMBERS_READ), (tx) =>
        recordRejection(tx, { channel: 'csv', sources: [], lines: 1, message: 'x' }),
      ),
    ).rejects.toThrow();
  });

  it('are purged after 90 days, the day summaries after 400 days; the totals stay', async () => {
    // A day summary from 401 days ago (received then, used then).
    const old = systemCtx('test', ALL_MEMBERS_WRITE, 'old', fixedClock(new Date('2025-10-27T12:00:00Z')));
    await runInTx(t.database, old, (tx) =>
      ingestUsage(tx, [ev(ids.belzig, 'st-old', { time: '2025-10-27T11:00:00Z' })]),
    );
    expect((await daysOf('st-old')).map((d) => d.day)).toEqual(['2025-10-27']);
    const purge = (at: string) =>
      runInTx(t.database, systemCtx('test', ALL_MEMBERS_WRITE, 'purge', fixedClock(new Date(at))), (tx) =>
        purgeUsageStatus(tx),
      );
    const count = () =>
      readAll(t.database, async (tx) => (await selectRejections(tx, { limit: 1000 })).length);
    const n = await count();
    expect(n).toBeGreaterThanOrEqual(4);
    // 89 days after NOW: kept. The old day is 401 days before NOW: gone.
    expect(await purge('2027-03-01T10:30:00Z')).toEqual({ rejections: 0, days: 1 });
    expect(await daysOf('st-old')).toEqual([]);
    expect((await totalsOf('st-old')).map((r) => r.accepted)).toEqual([1]);
    expect(await count()).toBe(n);
    const purged = await purge('2027-03-03T10:30:00Z');
    expect(purged.rejections).toBe(n);
    expect(await count()).toBe(0);
    await expect(
      runInTx(t.database, systemCtx('test', ALL_MEMBERS_WRITE), (tx) =>
        purgeUsageStatus({ ...tx, ctx: { ...tx.ctx, system: null } }),
      ),
    ).rejects.toThrow(/usage.purge/);
  });
});

describe("Allmende's own meter: accounts per member", () => {
  const day = (d: string) =>
    jobCtx(
      'people.accounts-usage',
      ALL_MEMBERS_WRITE,
      `accounts-${d}`,
      fixedClock(new Date(`${d}T05:15:00Z`)),
    );
  const activeAccounts = (memberId: string) =>
    readAll(t.database, async (tx) =>
      Number(
        (
          await tx.db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('member_id', '=', memberId)
            .where('status', '=', 'active')
            .executeTakeFirstOrThrow()
        ).n,
      ),
    );
  const konten = (memberId: string) =>
    readAll(t.database, (tx) =>
      tx.db
        .selectFrom('usage_events')
        .select(['event_id', 'quantity', 'time', 'source'])
        .where('member_id', '=', memberId)
        .where('meter_key', '=', ACCOUNTS_METER)
        .where('time', '>=', new Date('2026-12-05T00:00:00Z'))
        .orderBy('time')
        .execute(),
    );

  it('counts each active member once a day through the ingest; a re-run counts nothing twice', async () => {
    const members = (await readAll(t.database, (tx) => activeMemberIdsOn(tx, '2026-12-05'))).length;
    expect(members).toBeGreaterThan(3);
    const first = await runInTx(t.database, day('2026-12-05'), (tx) => reportAccounts(tx));
    expect(first).toEqual({ accepted: members, duplicates: 0 });
    const accounts = await activeAccounts(ids.panketal);
    expect(accounts).toBeGreaterThan(0);
    expect(await konten(ids.panketal)).toEqual([
      {
        event_id: 'konten:2026-12-05',
        quantity: String(accounts),
        time: new Date('2026-12-05T05:15:00Z'),
        source: OWN_SOURCE,
      },
    ]);
    expect(await konten(ids.association)).toEqual([]);

    // One more account at Panketal the same day: the day's first count stands, nothing counts twice.
    await writeAll(t.database, (tx) =>
      tx.db
        .insertInto('users')
        .values({
          member_id: ids.panketal,
          email: 'konto.neu@panketal.example',
          display_name: 'Neu',
          roles: ['member_clerk'],
        })
        .execute(),
    );
    const again = await runInTx(t.database, day('2026-12-05'), (tx) => reportAccounts(tx));
    expect(again).toEqual({ accepted: 0, duplicates: members });
    expect((await konten(ids.panketal)).map((e) => e.quantity)).toEqual([String(accounts)]);

    // The next day counts the new account; the month's max is the most accounts of a counted day.
    const next = await runInTx(t.database, day('2026-12-06'), (tx) => reportAccounts(tx));
    expect(next.accepted).toBe(members);
    expect((await konten(ids.panketal)).map((e) => e.quantity)).toEqual([
      String(accounts),
      String(accounts + 1),
    ]);
    const max = await readAll(t.database, (tx) =>
      aggregateUsage(tx, ids.panketal, ACCOUNTS_METER, 'max', monthPeriod('2026-12')),
    );
    expect(max.quantity).toBe(String(accounts + 1));
    // Its source shows in the status like any other.
    expect((await totalsOf(OWN_SOURCE)).some((r) => r.member_id === ids.panketal)).toBe(true);
  });

  it('is fed by its module alone: the own source and meter are refused from outside, undeclared meters from inside', async () => {
    const outside = await send(tokens.association, [
      ev(ids.panketal, 'st-x', { meter: ACCOUNTS_METER }),
      ev(ids.panketal, OWN_SOURCE),
    ]);
    expect(outside.statusCode).toBe(422);
    expect(outside.json().errors).toMatchObject([
      { line: 1, field: 'meter', code: 'usage.meter_unknown' },
      { line: 2, field: 'source', code: 'usage.source_reserved' },
    ]);
    const inside = runInTx(t.database, day('2026-12-07'), (tx) =>
      emitOwnUsage(tx, PEOPLE_METERS, [
        {
          memberId: ids.panketal,
          meter: 'vm-stunden',
          quantity: '1',
          time: '2026-12-07T05:00:00Z',
          eventId: 'x',
        },
      ]),
    );
    await expect(inside).rejects.toBeInstanceOf(LinesInvalidError);
    await expect(inside).rejects.toMatchObject({ lines: [{ line: 1, code: 'usage.meter_not_declared' }] });
    await expect(
      runInTx(t.database, day('2026-12-07'), (tx) =>
        emitOwnUsage({ ...tx, ctx: { ...tx.ctx, system: null } }, PEOPLE_METERS, []),
      ),
    ).rejects.toThrow(/usage.own/);
  });

  it('shows the demo accounts of a pilot member on its usage page', async () => {
    const month = addMonths(todayInBerlin().slice(0, 7), -1);
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const res = await admin.get(`/mitglieder/${ids.panketal}/verbrauch?monat=${month}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Konten (Personen mit Zugang) (von Allmende gezählt)');
    expect(res.body).toContain('id="days-konten-caption"');
    const demo = await readAll(t.database, (tx) =>
      aggregateUsage(tx, ids.panketal, ACCOUNTS_METER, 'max', monthPeriod(month)),
    );
    expect(demo.events).toBeGreaterThan(25);
    expect(Number(demo.quantity)).toBeGreaterThan(0);
  });
});

describe('raw-event retention from the configuration', () => {
  const runPurge = (months: string | undefined, at: string) => {
    const ctx = jobCtx(RAW_PURGE_JOB, NO_MEMBERS, 'purge', fixedClock(new Date(at)));
    const job: JobContext = {
      name: RAW_PURGE_JOB,
      jobId: 'purge',
      attempt: 1,
      ctx,
      database: t.database,
      config: testConfig(months ? { ALLMENDE_USAGE_RETENTION_MONTHS: months } : {}),
      log: silent,
      tx: (fn) => runInTx(t.database, ctx, fn),
    };
    return rawPurgeJob.handler({}, job);
  };

  it('keeps raw events as many months as ALLMENDE_USAGE_RETENTION_MONTHS says', async () => {
    const old = ev(ids.belzig, 'st-keep', { time: '2025-01-15T10:00:00Z', meter: 'druckseiten' });
    expect((await send(tokens.association, [old])).json()).toEqual({ accepted: 1, duplicates: 0 });
    const raw = () =>
      readAll(
        t.database,
        async (tx) =>
          (
            await tx.db
              .selectFrom('usage_events')
              .select('event_id')
              .where('source', '=', 'st-keep')
              .execute()
          ).length,
      );
    // In 2027-03 a retention of 24 months reaches back to 2025-03-01: January 2025 would go. 36 keep it.
    await runPurge('36', '2027-03-15T10:00:00Z');
    expect(await raw()).toBe(1);
    await runPurge(undefined, '2027-03-15T10:00:00Z');
    expect(await raw()).toBe(0);
    // The key stays.
    expect((await readAll(t.database, (tx) => countStored(tx, ids.belzig))).keys).toBeGreaterThan(0);
    expect((await send(tokens.association, [old])).json()).toEqual({ accepted: 0, duplicates: 1 });
  });
});
