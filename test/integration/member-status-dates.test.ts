/**
 * Member status follows its dates (effective dating), read with the app's clock: an admission with a
 * future date shows "Mitglied ab …" and is not yet a member; a recorded withdrawal with a future date
 * shows "scheidet aus zum …" and the member keeps its rights through that last day. The clock is passed
 * to buildApp like any dependency — no patched Date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberStatus } from '../../src/db/schema.js';
import { runInTx } from '../../src/db/tx.js';
import { insertMember } from '../../src/modules/members/members.repository.js';
import { listMembers, memberStatusOn } from '../../src/modules/members/members.service.js';
import { type Clock, fixedClock } from '../../src/shared/clock.js';
import { ALL_MEMBERS_WRITE, systemCtx } from '../../src/shared/context.js';
import { addDays } from '../../src/shared/effective.js';
import { Client, DEMO, loggedIn, memberIdByName, type TestApp, testApp } from '../helpers.js';

/** A clock the test moves from day to day; the app reads it on every request. */
class TestClock implements Clock {
  constructor(public day: string) {}
  now() {
    return new Date();
  }
  today() {
    return this.day;
  }
}

const clock = new TestClock('2029-12-15');
let t: TestApp;
beforeAll(async () => {
  t = await testApp({ clock });
});
afterAll(async () => t?.close());

const badge = (html: string) =>
  /<span class="kern-badge[^"]*">\s*<span class="kern-label">([^<]*)</.exec(html)?.[1];

describe('member status on a day', () => {
  it('an admission with a future date: "Mitglied ab 01.01.2030", a member from that day', async () => {
    clock.day = '2029-12-15';
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const created = await admin.api('POST', '/api/v1/members', {
      name: 'Zukunftsdorf',
      kind: 'gemeinde',
      ags: '12060999',
    });
    expect(created.statusCode, created.body).toBe(201);
    const m = created.json();
    expect(m).toMatchObject({ status: 'applied', appliedOn: '2029-12-15', statusOn: '2029-12-15' });
    const admitted = await admin.api('POST', `/api/v1/members/${m.id}/status`, {
      status: 'active',
      on: '2030-01-01',
      version: m.version,
    });
    expect(admitted.statusCode, admitted.body).toBe(200);
    expect(admitted.json()).toMatchObject({
      status: 'applied',
      recordedStatus: 'active',
      admittedOn: '2030-01-01',
      nextStatus: { status: 'active', from: '2030-01-01' },
    });

    const page = await admin.get(`/mitglieder/${m.id}`);
    expect(badge(page.body)).toBe('Mitglied ab 01.01.2030');
    // The recorded decision decides what comes next: the form now offers the withdrawal.
    expect(page.body).toContain('name="status" value="withdrawn"');
    const list = await admin.api('GET', '/api/v1/members?q=Zukunftsdorf&status=active');
    expect(list.json().total).toBe(0);
    const applied = (await admin.api('GET', '/api/v1/members?q=Zukunftsdorf&status=applied')).json();
    expect(applied.items).toMatchObject([
      { status: 'applied', nextStatus: { status: 'active', from: '2030-01-01' } },
    ]);
    const listPage = await admin.get('/mitglieder?q=Zukunftsdorf');
    expect(badge(listPage.body)).toBe('Mitglied ab 01.01.2030');

    const en = new Client(t.app);
    Object.assign(en, { cookies: new Map(admin.cookies) });
    en.cookies.set('allmende-lang', 'en');
    expect(badge((await en.get(`/mitglieder/${m.id}`)).body)).toBe('Member from 01 Jan 2030');

    clock.day = '2029-12-31';
    expect((await admin.api('GET', `/api/v1/members/${m.id}`)).json().status).toBe('applied');
    clock.day = '2030-01-01';
    const now = (await admin.api('GET', `/api/v1/members/${m.id}`)).json();
    expect(now).toMatchObject({ status: 'active', statusOn: '2030-01-01', nextStatus: null });
    expect(badge((await admin.get(`/mitglieder/${m.id}`)).body)).toBe('Mitglied');
    expect((await admin.api('GET', '/api/v1/members?q=Zukunftsdorf&status=active')).json().total).toBe(1);
  });

  it('a withdrawal with a future date: "scheidet aus zum 30.06.2031", a member with its rights until then', async () => {
    clock.day = '2030-03-01';
    const assoc = await loggedIn(t.app, DEMO.associationAdmin);
    const panketal = await memberIdByName(t.database, 'Panketal');
    const token = (
      await assoc.api('POST', `/api/v1/members/${panketal}/api-tokens`, {
        name: 'Zähler Rathaus',
        scopes: ['members.read'],
      })
    ).json().token as string;
    const m = (await assoc.api('GET', `/api/v1/members/${panketal}`)).json();
    const w = await assoc.api('POST', `/api/v1/members/${panketal}/status`, {
      status: 'withdrawn',
      on: '2031-06-30',
      version: m.version,
    });
    expect(w.statusCode, w.body).toBe(200);
    expect(w.json()).toMatchObject({
      status: 'active',
      recordedStatus: 'withdrawn',
      withdrawnOn: '2031-06-30',
      nextStatus: { status: 'withdrawn', from: '2031-07-01' },
    });
    const page = await assoc.get(`/mitglieder/${panketal}`);
    expect(badge(page.body)).toBe('scheidet aus zum 30.06.2031');
    expect(page.body).not.toContain('name="status" value="withdrawn"');

    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const machine = () =>
      t.app.inject({ url: `/api/v1/members/${panketal}`, headers: { authorization: `Bearer ${token}` } });
    const edit = async () => {
      const own = (await admin.api('GET', `/api/v1/members/${panketal}`)).json();
      return admin.api('PATCH', `/api/v1/members/${panketal}`, {
        version: own.version,
        city: `Panketal ${clock.day}`,
      });
    };

    // Through the last day (inclusive) the member is a member: its staff write, its machines report.
    for (const day of ['2030-03-01', '2031-06-30']) {
      clock.day = day;
      expect((await edit()).statusCode, day).toBe(200);
      expect((await machine()).statusCode, day).toBe(200);
      expect((await machine()).json()).toMatchObject({ status: 'active' });
    }
    // From the day after, it is withdrawn: read-only staff (the database refuses their writes too),
    // refused machines, and the list filter agrees.
    clock.day = '2031-07-01';
    expect((await admin.api('GET', `/api/v1/members/${panketal}`)).json()).toMatchObject({
      status: 'withdrawn',
      nextStatus: null,
    });
    expect((await edit()).statusCode).toBe(403);
    expect((await machine()).statusCode).toBe(401);
    const withdrawn = (await assoc.api('GET', '/api/v1/members?q=Panketal&status=withdrawn')).json();
    expect(withdrawn.items.map((i: { id: string }) => i.id)).toEqual([panketal]);
    expect(badge((await assoc.get(`/mitglieder/${panketal}`)).body)).toBe('Ausgeschieden');
  });

  it('the list filter (SQL) and the status shown (TypeScript) apply the same rule on every day', async () => {
    const pivot = '2032-05-10';
    const d = (n: number) => addDays(pivot, n);
    // Every shape the table allows around the pivot: applied; admitted before/on/after; withdrawn with
    // the last day before/on/after, with and without admission.
    const shapes: { status: MemberStatus; admitted_on: string | null; withdrawn_on: string | null }[] = [
      { status: 'applied', admitted_on: null, withdrawn_on: null },
      ...[-1, 0, 1].map((a) => ({ status: 'active' as const, admitted_on: d(a), withdrawn_on: null })),
      ...[-1, 0, 1].map((w) => ({ status: 'withdrawn' as const, admitted_on: null, withdrawn_on: d(w) })),
      ...[
        [-2, -1],
        [-1, -1],
        [-1, 0],
        [-1, 1],
        [0, 0],
        [0, 1],
        [1, 1],
        [1, 2],
      ].map(([a, w]) => ({ status: 'withdrawn' as const, admitted_on: d(a!), withdrawn_on: d(w!) })),
    ];
    const ids = await runInTx(t.database, systemCtx('test', ALL_MEMBERS_WRITE), async (tx) => {
      const out: string[] = [];
      for (const [i, s] of shapes.entries()) {
        const row = await insertMember(tx, {
          name: `Stichtag ${i}`,
          kind: 'verband',
          applied_on: d(-5),
          ...s,
        });
        out.push(row.id);
      }
      return out;
    });
    for (let n = -3; n <= 3; n++) {
      const day = d(n);
      const ctx = systemCtx('test', ALL_MEMBERS_WRITE, 'test-status', fixedClock(day));
      await runInTx(t.database, ctx, async (tx) => {
        const all = await listMembers(tx, { q: 'Stichtag', pageSize: 100 });
        expect(all.total).toBe(shapes.length);
        for (const item of all.items) {
          const shape = shapes[ids.indexOf(item.id)]!;
          const expected = memberStatusOn(
            { status: shape.status, admittedOn: shape.admitted_on, withdrawnOn: shape.withdrawn_on },
            day,
          );
          expect(item.status, `${item.name} on ${day}`).toBe(expected.status);
        }
        for (const status of ['applied', 'active', 'withdrawn'] as const) {
          const filtered = await listMembers(tx, { q: 'Stichtag', status, pageSize: 100 });
          const want = all.items.filter((i) => i.status === status).map((i) => i.id);
          expect(filtered.items.map((i) => i.id).sort(), `${status} on ${day}`).toEqual(want.sort());
        }
      });
    }
  });
});
