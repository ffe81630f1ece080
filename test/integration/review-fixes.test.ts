/**
 * Regressions from the security review: self-service for read-only people, separation of duties,
 * the last administrator, withdrawn members, odd input, and the database's own guard on master data.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTx } from '../../src/db/tx.js';
import { sha256Hex } from '../../src/shared/canonical-json.js';
import { memberScope, systemCtx } from '../../src/shared/context.js';
import { Client, DEMO, loggedIn, memberIdByName, readAll, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

const sessionExists = async (c: Client) => {
  const id = sha256Hex(c.cookies.get('__Host-allmende-session') ?? 'none');
  return (
    (
      await readAll(t.database, (tx) =>
        tx.db.selectFrom('sessions').select('id').where('id', '=', id).execute(),
      )
    ).length > 0
  );
};

describe('read-only people manage their own account', () => {
  it('an auditor logs out for real, ends all sessions and changes the password', async () => {
    const a = await loggedIn(t.app, DEMO.auditor);
    const cookie = a.cookies.get('__Host-allmende-session')!;
    await a.get('/konto');
    expect((await a.postForm('/abmelden', {})).statusCode).toBe(303);
    const replay = new Client(t.app);
    replay.cookies.set('__Host-allmende-session', cookie);
    expect((await replay.get('/konto')).statusCode).toBe(303);

    const b = await loggedIn(t.app, DEMO.auditor);
    const c = await loggedIn(t.app, DEMO.auditor);
    await b.get('/konto');
    const ended = await b.api('POST', '/api/v1/auth/end-all-sessions');
    expect(ended.json().ended).toBeGreaterThanOrEqual(2);
    expect(await sessionExists(c)).toBe(false);

    const d = await loggedIn(t.app, DEMO.auditor);
    await d.get('/konto');
    const pw = await d.postForm('/konto/passwort', {
      currentPassword: 'Allmende-Demo-2026',
      newPassword: 'pruefung-neues-passwort',
    });
    expect(pw.statusCode).toBe(303);
    expect(pw.headers.location).toBe('/konto?passwort');
    expect((await new Client(t.app).login(DEMO.auditor, 'pruefung-neues-passwort')).statusCode).toBe(303);
  });
});

describe('roles', () => {
  it('keeps auditing apart from administration, refuses self-granted roles, keeps one admin', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const panketal = await memberIdByName(t.database, 'Panketal');
    const me = (await admin.api('GET', '/api/v1/me')).json();
    const self = (await admin.api('GET', `/api/v1/members/${panketal}/people/${me.id}`)).json();
    const grant = await admin.api('PATCH', `/api/v1/members/${panketal}/people/${me.id}`, {
      version: self.version,
      roles: ['member_admin', 'member_clerk'],
    });
    expect(grant.statusCode).toBe(409);
    expect(grant.json().code).toBe('person.cannot_grant_self');
    const mixed = await admin.api('POST', `/api/v1/members/${panketal}/people`, {
      email: 'pruef-admin@panketal.example',
      displayName: 'Doppelrolle',
      roles: ['member_admin', 'auditor'],
    });
    expect(mixed.statusCode).toBe(422);
    expect(mixed.json().errors[0].code).toBe('roles.auditor_exclusive');

    // The association admin may not disable Panketal's only admin.
    const assoc = await loggedIn(t.app, DEMO.associationAdmin);
    const last = await assoc.api('PATCH', `/api/v1/members/${panketal}/people/${me.id}`, {
      version: self.version,
      status: 'disabled',
    });
    expect(last.statusCode).toBe(409);
    expect(last.json().code).toBe('person.last_admin');
  });
});

describe('withdrawn members', () => {
  it('keep reading but lose every write, and their machines are refused', async () => {
    const assoc = await loggedIn(t.app, DEMO.associationAdmin);
    const panketal = await memberIdByName(t.database, 'Panketal');
    const token = (
      await assoc.api('POST', `/api/v1/members/${panketal}/api-tokens`, {
        name: 'Zähler',
        scopes: ['members.read'],
      })
    ).json().token;
    const m = (await assoc.api('GET', `/api/v1/members/${panketal}`)).json();
    const w = await assoc.api('POST', `/api/v1/members/${panketal}/status`, {
      status: 'withdrawn',
      on: '2026-11-30',
      version: m.version,
    });
    expect(w.statusCode, w.body).toBe(200);
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const own = await admin.api('GET', `/api/v1/members/${panketal}`);
    expect(own.statusCode).toBe(200);
    const edit = await admin.api('PATCH', `/api/v1/members/${panketal}`, {
      version: own.json().version,
      city: 'Neu',
    });
    expect(edit.statusCode).toBe(403);
    const add = await admin.api('POST', `/api/v1/members/${panketal}/people`, {
      email: 'x@panketal.example',
      displayName: 'X',
      roles: ['member_clerk'],
    });
    expect(add.statusCode).toBe(403);
    const machine = await t.app.inject({
      url: `/api/v1/members/${panketal}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(machine.statusCode).toBe(401);
  });
});

describe('odd input never causes a 500', () => {
  it('NUL bytes, year 0, repeated parameters, an empty kind', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    expect((await admin.api('GET', '/api/v1/members?q=%00')).statusCode).toBe(400);
    expect((await admin.get('/mitglieder?q=a%00b')).statusCode).toBe(400);
    expect((await admin.get('/mitglieder?q=Pank&q=Belz')).statusCode).toBe(200);
    const zero = await admin.api('POST', '/api/v1/members', {
      name: 'Nulldorf',
      kind: 'gemeinde',
      ags: '12060005',
      appliedOn: '0000-01-01',
    });
    expect(zero.statusCode).toBe(422);
    expect((await admin.api('GET', '/api/v1/audit/events?from=0000-01-01')).statusCode).toBeLessThan(500);
    const anon = new Client(t.app);
    await anon.get('/anmelden');
    const nul = await anon.postForm('/anmelden', { email: 'a\u0000b@x.de', password: 'egal-egal-egal' });
    expect(nul.statusCode).toBeGreaterThanOrEqual(400);
    expect(nul.statusCode).toBeLessThan(500);
    const belzig = await memberIdByName(t.database, 'Bad Belzig');
    const m = (await admin.api('GET', `/api/v1/members/${belzig}`)).json();
    await admin.get(`/mitglieder/${belzig}/bearbeiten`);
    const empty = await admin.postForm(`/mitglieder/${belzig}`, {
      version: String(m.version),
      name: m.name,
      kind: '',
      ags: m.ags,
    });
    expect(empty.statusCode).toBe(422);
    const redirect = await anon.get('/sprache/en?zurueck=/%09/evil.example');
    expect(redirect.headers.location).toBe('/');
  });

  it('an Amt with municipalities cannot change its kind', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const amt = await memberIdByName(t.database, 'Amt Niemegk');
    const m = (await admin.api('GET', `/api/v1/members/${amt}`)).json();
    const res = await admin.api('PATCH', `/api/v1/members/${amt}`, { version: m.version, kind: 'verband' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].code).toBe('amt.has_municipalities');
  });
});

describe('the database guards master data', () => {
  it('a member scope may change its profile but not its name, status or Amt', async () => {
    const panketal = await memberIdByName(t.database, 'Bad Belzig');
    const amt = await memberIdByName(t.database, 'Amt Niemegk');
    await runInTx(t.database, systemCtx('test', memberScope(panketal)), (tx) =>
      tx.db
        .updateTable('members')
        .set({ contact_phone: '033841 12345' })
        .where('id', '=', panketal)
        .execute(),
    );
    for (const set of [
      { amt_id: amt },
      { name: 'Umbenannt' },
      { status: 'withdrawn' as const, withdrawn_on: '2026-12-01' },
    ]) {
      await expect(
        runInTx(t.database, systemCtx('test', memberScope(panketal)), (tx) =>
          tx.db.updateTable('members').set(set).where('id', '=', panketal).execute(),
        ),
      ).rejects.toThrow(/only be changed by the association/);
    }
    const probe = runInTx(t.database, systemCtx('test', memberScope(panketal)), (tx) =>
      sql`update members set amt_id = '00000000-0000-4000-8000-000000000000' where id = ${panketal}`.execute(
        tx.db,
      ),
    );
    await expect(probe).rejects.toThrow(/only be changed by the association/);
  });
});
