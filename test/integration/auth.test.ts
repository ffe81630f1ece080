/**
 * Login, sessions, CSRF, throttling, API tokens and role checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/shared/canonical-json.js';
import {
  asSuperuser,
  Client,
  DEMO,
  loggedIn,
  memberIdByName,
  readAll,
  type TestApp,
  testApp,
} from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ env: { ALLMENDE_LOGIN_MAX_FAILURES: '3' } });
});
afterAll(async () => t?.close());

async function sessionsOf(email: string) {
  return readAll(t.database, (tx) =>
    tx.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['sessions.id'])
      .where('users.email', '=', email)
      .execute(),
  );
}

describe('login and sessions', () => {
  it('sets a __Host- session cookie: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain; stores only its hash', async () => {
    const c = new Client(t.app);
    await c.get('/anmelden');
    const res = await c.postForm('/anmelden', { email: DEMO.badBelzigClerk, password: 'Allmende-Demo-2026' });
    expect(res.statusCode).toBe(303);
    const raw = ([res.headers['set-cookie']].flat() as string[]).find((h) =>
      h.startsWith('__Host-allmende-session='),
    )!;
    expect(raw).toMatch(/; Secure/);
    expect(raw).toMatch(/; HttpOnly/);
    expect(raw).toMatch(/; SameSite=Lax/);
    expect(raw).toMatch(/; Path=\//);
    expect(raw).not.toMatch(/Domain=/i);
    const token = c.cookies.get('__Host-allmende-session')!;
    const stored = await sessionsOf(DEMO.badBelzigClerk);
    expect(stored.map((s) => s.id)).toContain(sha256Hex(token));
    expect(stored.map((s) => s.id)).not.toContain(token);
  });

  it('refuses a wrong password with a German message and no session', async () => {
    const c = new Client(t.app);
    c.remoteAddress = '10.9.9.1';
    await c.get('/anmelden');
    const res = await c.postForm('/anmelden', {
      email: DEMO.panketalAdmin,
      password: 'falsch-falsch-falsch',
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('E-Mail-Adresse oder Passwort ist falsch.');
    expect(c.cookies.has('__Host-allmende-session')).toBe(false);
  });

  it('gives an unknown e-mail the same answer as a wrong password', async () => {
    const c = new Client(t.app);
    c.remoteAddress = '10.9.9.2';
    await c.get('/anmelden');
    const res = await c.postForm('/anmelden', { email: 'niemand@example.org', password: 'irgendwas-langes' });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('E-Mail-Adresse oder Passwort ist falsch.');
  });

  it('throttles an attacker per account and address without locking out the real person', async () => {
    const attacker = new Client(t.app);
    attacker.remoteAddress = '203.0.113.66';
    await attacker.get('/anmelden');
    for (let i = 0; i < 3; i++) {
      const r = await attacker.postForm('/anmelden', {
        email: DEMO.associationFinance,
        password: `falsch-${i}-xxxxxxx`,
      });
      expect(r.statusCode).toBe(401);
    }
    // Blocked now, even with the right password, from the attacker's address …
    const blocked = await attacker.postForm('/anmelden', {
      email: DEMO.associationFinance,
      password: 'Allmende-Demo-2026',
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    expect(blocked.body).toContain('Zu viele Versuche');
    // … while the real person, from their own address, logs in at once.
    const real = new Client(t.app);
    real.remoteAddress = '198.51.100.7';
    const ok = await real.login(DEMO.associationFinance);
    expect(ok.statusCode).toBe(303);
  });

  it('counts parallel attempts atomically: no more than the limit get through', async () => {
    const clients = Array.from({ length: 10 }, () => {
      const c = new Client(t.app);
      c.remoteAddress = '203.0.113.99';
      return c;
    });
    await Promise.all(clients.map((c) => c.get('/anmelden')));
    const codes = await Promise.all(
      clients.map((c) => c.postForm('/anmelden', { email: DEMO.auditor, password: 'parallel-falsch-xx' })),
    );
    const statuses = codes.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 401).length).toBe(3);
    expect(statuses.filter((s) => s === 429).length).toBe(7);
  });

  it('ends a session after the idle timeout and after the absolute timeout', async () => {
    const c = await loggedIn(t.app, DEMO.auditor);
    expect((await c.get('/konto')).statusCode).toBe(200);
    const id = sha256Hex(c.cookies.get('__Host-allmende-session')!);
    await asSuperuser(t.database, (s) =>
      s.query(`update sessions set last_seen_at = now() - interval '31 minutes' where id = $1`, [id]),
    );
    const idle = await c.get('/konto');
    expect(idle.statusCode).toBe(303);
    expect(idle.headers.location).toMatch(/^\/anmelden/);
    expect(
      (
        await readAll(t.database, (tx) =>
          tx.db.selectFrom('sessions').select('id').where('id', '=', id).execute(),
        )
      ).length,
    ).toBe(0);

    const d = await loggedIn(t.app, DEMO.auditor);
    const id2 = sha256Hex(d.cookies.get('__Host-allmende-session')!);
    await asSuperuser(t.database, (s) =>
      s.query(`update sessions set expires_at = now() - interval '1 second' where id = $1`, [id2]),
    );
    expect((await d.get('/konto')).statusCode).toBe(303);
  });

  it('logout ends the session on the server', async () => {
    const c = await loggedIn(t.app, DEMO.niemegkClerk);
    const cookie = c.cookies.get('__Host-allmende-session')!;
    await c.get('/konto');
    const res = await c.postForm('/abmelden', {});
    expect(res.statusCode).toBe(303);
    const replay = new Client(t.app);
    replay.cookies.set('__Host-allmende-session', cookie);
    expect((await replay.get('/konto')).statusCode).toBe(303);
  });

  it('"end all sessions" ends the sessions on every device', async () => {
    const a = await loggedIn(t.app, DEMO.panketalAdmin);
    const b = await loggedIn(t.app, DEMO.panketalAdmin);
    expect((await b.get('/konto')).statusCode).toBe(200);
    await a.get('/konto');
    expect((await a.postForm('/konto/sitzungen-beenden', {})).statusCode).toBe(303);
    expect((await a.get('/konto')).statusCode).toBe(303);
    expect((await b.get('/konto')).statusCode).toBe(303);
    expect(await sessionsOf(DEMO.panketalAdmin)).toEqual([]);
  });

  it('requires the CSRF token bound to the session: a token from before login is refused', async () => {
    const c = new Client(t.app);
    await c.get('/anmelden');
    const preLogin = c.csrf!;
    await c.postForm('/anmelden', { email: DEMO.associationAdmin, password: 'Allmende-Demo-2026' });
    const res = await c.request({
      method: 'POST',
      url: '/konto/sitzungen-beenden',
      form: { _csrf: preLogin },
    });
    expect(res.statusCode).toBe(403);
    expect((await c.get('/konto')).statusCode).toBe(200); // still logged in: nothing happened
  });

  it('a disabled person loses every session and cannot log in', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const clerk = await loggedIn(t.app, DEMO.badBelzigClerk);
    const belzig = await memberIdByName(t.database, 'Bad Belzig');
    const person = (await admin.api('GET', `/api/v1/members/${belzig}/people`)).json()[0];
    const res = await admin.api('PATCH', `/api/v1/members/${belzig}/people/${person.id}`, {
      version: person.version,
      status: 'disabled',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await clerk.get('/konto')).statusCode).toBe(303);
    const again = new Client(t.app);
    again.remoteAddress = '192.0.2.44';
    expect((await again.login(DEMO.badBelzigClerk)).statusCode).toBe(401);
    const back = await admin.api('PATCH', `/api/v1/members/${belzig}/people/${person.id}`, {
      version: person.version + 1,
      status: 'active',
    });
    expect(back.statusCode).toBe(200);
  });

  it('changing the password needs the current one and ends other sessions', async () => {
    const a = await loggedIn(t.app, DEMO.niemegkClerk);
    const b = await loggedIn(t.app, DEMO.niemegkClerk);
    await a.get('/konto');
    const wrong = await a.postForm('/konto/passwort', {
      currentPassword: 'nicht-richtig',
      newPassword: 'ein-neues-langes-Passwort',
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('Das aktuelle Passwort ist falsch.');
    const short = await a.postForm('/konto/passwort', {
      currentPassword: 'Allmende-Demo-2026',
      newPassword: 'kurz',
    });
    expect(short.body).toContain('mindestens 12 Zeichen');
    const ok = await a.postForm('/konto/passwort', {
      currentPassword: 'Allmende-Demo-2026',
      newPassword: 'ein-neues-langes-Passwort',
    });
    expect(ok.statusCode).toBe(303);
    expect((await a.get('/konto')).statusCode).toBe(200);
    expect((await b.get('/konto')).statusCode).toBe(303);
    const c = new Client(t.app);
    expect((await c.login(DEMO.niemegkClerk, 'ein-neues-langes-Passwort')).statusCode).toBe(303);
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, scoped to one member, and revocable', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const panketal = await memberIdByName(t.database, 'Panketal');
    const belzig = await memberIdByName(t.database, 'Bad Belzig');
    const created = await admin.api('POST', `/api/v1/members/${panketal}/api-tokens`, {
      name: 'Hypervisor',
      scopes: ['members.read'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const { token, apiToken } = created.json();
    expect(token).toMatch(/^alm_[A-Za-z0-9_-]{43}$/);
    const row = await readAll(t.database, (tx) =>
      tx.db.selectFrom('api_tokens').selectAll().where('id', '=', apiToken.id).executeTakeFirstOrThrow(),
    );
    expect(row.token_hash).toBe(sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const listed = await admin.api('GET', `/api/v1/members/${panketal}/api-tokens`);
    expect(listed.body).not.toContain(token);

    const bearer = { authorization: `Bearer ${token}` };
    const own = await t.app.inject({ url: `/api/v1/members/${panketal}`, headers: bearer });
    expect(own.statusCode).toBe(200);
    const other = await t.app.inject({ url: `/api/v1/members/${belzig}`, headers: bearer });
    expect(other.statusCode).toBe(404);
    // The token's scope does not include managing people.
    const people = await t.app.inject({ url: `/api/v1/members/${panketal}/people`, headers: bearer });
    expect(people.statusCode).toBe(403);

    const revoked = await admin.api('DELETE', `/api/v1/members/${panketal}/api-tokens/${apiToken.id}`);
    expect(revoked.statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/v1/members/${panketal}`, headers: bearer })).statusCode).toBe(
      401,
    );
  });

  it('an association token acts for every member', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const assoc = await memberIdByName(t.database, 'Zweckverband Digitale Kommunen Brandenburg');
    const belzig = await memberIdByName(t.database, 'Bad Belzig');
    const created = await admin.api('POST', `/api/v1/members/${assoc}/api-tokens`, {
      name: 'Abrechnung',
      scopes: ['members.read'],
    });
    const { token } = created.json();
    const res = await t.app.inject({
      url: `/api/v1/members/${belzig}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('roles', () => {
  it('a member clerk reads but cannot change people or the profile', async () => {
    const clerk = await loggedIn(t.app, DEMO.badBelzigClerk);
    const amt = await memberIdByName(t.database, 'Bad Belzig');
    expect((await clerk.api('GET', `/api/v1/members/${amt}/people`)).statusCode).toBe(200);
    const add = await clerk.api('POST', `/api/v1/members/${amt}/people`, {
      email: 'x@bad-belzig.example',
      displayName: 'X',
      roles: ['member_clerk'],
    });
    expect(add.statusCode).toBe(403);
    const m = (await clerk.api('GET', `/api/v1/members/${amt}`)).json();
    expect(
      (await clerk.api('PATCH', `/api/v1/members/${amt}`, { version: m.version, city: 'Y' })).statusCode,
    ).toBe(403);
  });

  it('a member admin may edit the profile but not master data, and may not hand out association roles', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const panketal = await memberIdByName(t.database, 'Panketal');
    const m = (await admin.api('GET', `/api/v1/members/${panketal}`)).json();
    const profile = await admin.api('PATCH', `/api/v1/members/${panketal}`, {
      version: m.version,
      contactPhone: '030 1234567',
    });
    expect(profile.statusCode, profile.body).toBe(200);
    const master = await admin.api('PATCH', `/api/v1/members/${panketal}`, {
      version: m.version + 1,
      population: 1,
    });
    expect(master.statusCode).toBe(403);
    const status = await admin.api('POST', `/api/v1/members/${panketal}/status`, {
      status: 'withdrawn',
      on: '2026-12-31',
      version: m.version + 1,
    });
    expect(status.statusCode).toBe(403);
    const role = await admin.api('POST', `/api/v1/members/${panketal}/people`, {
      email: 'chef@panketal.example',
      displayName: 'Chef',
      roles: ['association_admin'],
    });
    expect(role.statusCode).toBe(422);
    expect(role.json().errors[0].field).toBe('roles');
  });

  it('an auditor reads everything but the database refuses its writes', async () => {
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const belzig = await memberIdByName(t.database, 'Bad Belzig');
    expect((await auditor.api('GET', `/api/v1/members/${belzig}`)).statusCode).toBe(200);
    expect((await auditor.api('GET', '/api/v1/audit/events?pageSize=5')).statusCode).toBe(200);
    const m = (await auditor.api('GET', `/api/v1/members/${belzig}`)).json();
    expect(
      (await auditor.api('PATCH', `/api/v1/members/${belzig}`, { version: m.version, city: 'Z' })).statusCode,
    ).toBe(403);
  });

  it('finance sees the member list but no people and no audit trail', async () => {
    const fin = await loggedIn(t.app, DEMO.associationFinance);
    const belzig = await memberIdByName(t.database, 'Bad Belzig');
    expect((await fin.api('GET', '/api/v1/members')).statusCode).toBe(200);
    expect((await fin.api('GET', `/api/v1/members/${belzig}/people`)).statusCode).toBe(403);
    expect((await fin.api('GET', '/api/v1/audit/events')).statusCode).toBe(403);
    expect((await fin.get('/pruefung')).statusCode).toBe(403);
  });
});
