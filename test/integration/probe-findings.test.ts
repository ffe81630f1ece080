/**
 * What the external security probe found (issue 7, point 8): e-mail addresses compared in one exact
 * stored form, safe local redirects, the login throttle, one set of text limits counted in code points,
 * bidi controls refused, a new login ending the browser's old session, separation of duties for the
 * auditor role, no-store on API answers and a usage.write token that writes nothing else.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTx } from '../../src/db/tx.js';
import { findLoginByEmail, findLoginByOidc } from '../../src/modules/auth/login.repository.js';
import { throttleKeys } from '../../src/modules/auth/login.service.js';
import { NO_MEMBERS, systemCtx } from '../../src/shared/context.js';
import { Client, DEMO, loggedIn, memberIdByName, readAll, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
let panketal: string;
let belzig: string;
let assoc: string;

beforeAll(async () => {
  t = await testApp();
  panketal = await memberIdByName(t.database, 'Panketal');
  belzig = await memberIdByName(t.database, 'Bad Belzig');
  assoc = await memberIdByName(t.database, 'Zweckverband Digitale Kommunen Brandenburg');
});
afterAll(async () => t?.close());

const EVIL = 'sachbearbeitung@bad-belz\u0130g.example';

describe('e-mail addresses: one exact stored form', () => {
  it('an identity provider cannot link an account by the database case folding (İ → i)', async () => {
    const found = await runInTx(t.database, systemCtx('test', NO_MEMBERS), (tx) =>
      findLoginByOidc(tx, 'https://evil-idp.example', 'evil-subject', EVIL),
    );
    expect(found).toBeUndefined();
    const byEmail = await runInTx(t.database, systemCtx('test', NO_MEMBERS), (tx) =>
      findLoginByEmail(tx, EVIL),
    );
    expect(byEmail).toBeUndefined();
  });

  it('a password login with an İ variant of the address does not log in as the clerk', async () => {
    const c = new Client(t.app);
    c.remoteAddress = '192.0.2.10';
    const res = await c.login(EVIL);
    expect(res.statusCode).not.toBe(303);
    // The plain address still works (and case does not matter).
    const ok = new Client(t.app);
    ok.remoteAddress = '192.0.2.10';
    expect((await ok.login('Sachbearbeitung@Bad-Belzig.EXAMPLE')).statusCode).toBe(303);
  });

  it('people: addresses are stored lowercased, NFC, with an ASCII domain; confusables are refused', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const created = await admin.api('POST', `/api/v1/members/${panketal}/people`, {
      email: 'Gu\u0308nther.Mu\u0308ller@Bu\u0308cher.Example',
      displayName: 'Günther Müller',
      roles: ['member_clerk'],
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().person.email).toBe('g\u00fcnther.m\u00fcller@xn--bcher-kva.example');
    // The same address in another spelling is the same address.
    const again = await admin.api('POST', `/api/v1/members/${panketal}/people`, {
      email: 'G\u00dcNTHER.M\u00dcLLER@b\u00fccher.example',
      displayName: 'Günther Müller',
      roles: ['member_clerk'],
    });
    expect(again.statusCode).toBe(409);
    for (const bad of [
      EVIL,
      'a\u202e@panketal.example',
      'a\u200b@panketal.example',
      'a@panketal\u0085.example',
      'a\u180e@panketal.example',
      'a\u2066b@panketal.example',
      'a\u200fb@panketal.example',
      'a\u0000b@panketal.example',
    ]) {
      const res = await admin.api('POST', `/api/v1/members/${panketal}/people`, {
        email: bad,
        displayName: 'Mallory',
        roles: ['member_clerk'],
      });
      expect([400, 422], `${JSON.stringify(bad)}: ${res.body}`).toContain(res.statusCode);
    }
    // The form refuses them too, with a German message at the field.
    const page = await admin.get(`/mitglieder/${panketal}/personen/neu`);
    expect(page.statusCode).toBe(200);
    const form = await admin.postForm(`/mitglieder/${panketal}/personen`, {
      email: EVIL,
      displayName: 'Mallory',
      roles: 'member_clerk',
    });
    expect(form.statusCode).toBe(422);
    expect(form.body).toContain('Die E-Mail-Adresse enthält unzulässige Zeichen');
    const stored = await readAll(t.database, (tx) =>
      tx.db.selectFrom('users').select('email').where('display_name', '=', 'Mallory').execute(),
    );
    expect(stored).toEqual([]);
  });

  it('no stored address differs from its normalised form, and uniqueness is exact', async () => {
    const rows = await readAll(t.database, (tx) => tx.db.selectFrom('users').select('email').execute());
    for (const r of rows) expect(r.email).toBe(r.email.normalize('NFC').toLowerCase());
    const idx = await readAll(t.database, (tx) =>
      sql<{
        indexdef: string;
      }>`select indexdef from pg_indexes where indexname = 'users_email_unique'`.execute(tx.db),
    );
    expect(idx.rows[0]?.indexdef).not.toMatch(/lower/i);
  });
});

describe('redirects stay on this site', () => {
  const variants = [
    '/.//evil.example',
    '/%2e//evil.example',
    '/%2E%2E//evil.example',
    '/a/..//evil.example',
    '/a/%2e%2e//evil.example',
    '/./\\evil.example',
    '//evil.example',
    '/\\evil.example',
    'https://evil.example',
  ];
  it.each(variants)('GET /sprache/en?zurueck=%s goes to a local path', async (v) => {
    for (const q of [encodeURIComponent(v), v.replaceAll('%', '%25')]) {
      const res = await t.app.inject({ url: `/sprache/en?zurueck=${q}` });
      expect(res.statusCode).toBe(303);
      const loc = String(res.headers.location);
      expect(loc.startsWith('/')).toBe(true);
      expect(loc.startsWith('//')).toBe(false);
      expect(loc.startsWith('/\\')).toBe(false);
    }
  });

  it('keeps a harmless local path', async () => {
    const res = await t.app.inject({ url: `/sprache/en?zurueck=${encodeURIComponent('/mitglieder?q=a')}` });
    expect(res.headers.location).toBe('/mitglieder?q=a');
  });

  it('POST /anmelden?weiter=… does not leave the site', async () => {
    for (const v of ['/.//evil.example', '/%2e//evil.example', '/a/..//evil.example']) {
      const c = new Client(t.app);
      c.remoteAddress = '192.0.2.20';
      await c.get('/anmelden');
      const res = await c.postForm(`/anmelden?weiter=${encodeURIComponent(v)}`, {
        email: DEMO.niemegkClerk,
        password: 'Allmende-Demo-2026',
      });
      expect(res.statusCode).toBe(303);
      expect(String(res.headers.location)).toBe('/');
    }
  });
});

describe('login throttle', () => {
  it('keys IPv6 by /64 and IPv4-mapped addresses as IPv4', () => {
    const a = throttleKeys('s', 'x@y.example', '2001:db8:1:2::1');
    const b = throttleKeys('s', 'x@y.example', '2001:0db8:0001:0002:ffff:ffff:ffff:fffe');
    const c = throttleKeys('s', 'x@y.example', '2001:db8:1:3::1');
    expect(a.client).toBe(b.client);
    expect(a.account).toBe(b.account);
    expect(a.client).not.toBe(c.client);
    expect(throttleKeys('s', 'x@y.example', '::ffff:192.0.2.1').client).toBe(
      throttleKeys('s', 'x@y.example', '192.0.2.1').client,
    );
  });

  it('case variants of an address share one counter', () => {
    const a = throttleKeys('s', 'Sachbearbeitung@Bad-Belzig.example', '192.0.2.1');
    const b = throttleKeys('s', 'sachbearbeitung@bad-belzig.EXAMPLE', '192.0.2.1');
    expect(a.account).toBe(b.account);
  });

  it('a block ends with its window and does not restart', async () => {
    const ip = '198.51.100.7';
    for (let i = 0; i < t.config.loginMaxFailures + 1; i++) {
      const c = new Client(t.app);
      c.remoteAddress = ip;
      await c.login(DEMO.associationFinance, 'falsch-falsch-falsch');
    }
    const blocked = new Client(t.app);
    blocked.remoteAddress = ip;
    expect((await blocked.login(DEMO.associationFinance)).statusCode).toBe(429);
    // The window and the block are over.
    await t.database.withOwnerSession((s) =>
      s.script(
        `update login_throttle set window_started_at = now() - interval '2 days',
           blocked_until = now() - interval '1 second'`,
      ),
    );
    const later = new Client(t.app);
    later.remoteAddress = ip;
    expect((await later.login(DEMO.associationFinance)).statusCode).toBe(303);
  });

  it('failures from one shared address do not lock out other people there', async () => {
    // A low limit, so that the flood limit of the login route (30 a minute) does not answer first.
    const small = await testApp({ env: { ALLMENDE_LOGIN_MAX_FAILURES: '2' } });
    try {
      const ip = '2001:db8:77::1';
      const limit = small.config.loginMaxFailures * 10;
      for (let i = 0; i < limit + 1; i++) {
        const c = new Client(small.app);
        // Other addresses in the same /64: the same client.
        c.remoteAddress = `2001:db8:77::${(i % 200) + 2}`;
        await c.login(`niemand${i}@nirgendwo.example`, 'falsch-falsch-falsch');
      }
      const guesser = new Client(small.app);
      guesser.remoteAddress = ip;
      expect((await guesser.login('niemand0@nirgendwo.example', 'falsch-falsch-falsch')).statusCode).toBe(
        429,
      );
      // A person without failures of their own logs in with the right password.
      const colleague = new Client(small.app);
      colleague.remoteAddress = ip;
      const res = await colleague.login(DEMO.panketalAdmin);
      expect(res.statusCode).toBe(303);
      // A wrong password from there is still answered as throttled.
      const wrong = new Client(small.app);
      wrong.remoteAddress = ip;
      expect((await wrong.login(DEMO.niemegkClerk, 'falsch-falsch-falsch')).statusCode).toBe(429);
    } finally {
      await small.close();
    }
  });
});

describe('one set of text limits, counted in code points', () => {
  it('an emoji name is a clear 4xx via API and form, never a 500', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const api = await admin.api('POST', '/api/v1/members', { name: '😀', kind: 'gemeinde' });
    expect([400, 422]).toContain(api.statusCode);
    await admin.get('/mitglieder/neu');
    const form = await admin.postForm('/mitglieder', { name: '😀', kind: 'gemeinde' });
    expect(form.statusCode).toBe(422);
    expect(form.body).toMatch(/mindestens 2 Zeichen|Name/);
    // 200 emoji are 200 characters: allowed by the contract and by the database alike.
    const long = await admin.api('POST', '/api/v1/members', { name: '😀'.repeat(200), kind: 'verband' });
    expect(long.statusCode, long.body).toBe(201);
    const tooLong = await admin.api('POST', '/api/v1/members', { name: '😀'.repeat(201), kind: 'verband' });
    expect([400, 422]).toContain(tooLong.statusCode);
    const person = await admin.api('POST', `/api/v1/members/${assoc}/people`, {
      email: 'emoji@dikom.example',
      displayName: '😀'.repeat(200),
      roles: ['association_finance'],
    });
    expect(person.statusCode, person.body).toBe(201);
  });

  it('a 200,000-character street is refused via the form', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const page = await admin.get(`/mitglieder/${panketal}/bearbeiten`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '1';
    const res = await admin.postForm(`/mitglieder/${panketal}`, { version, street: 'a'.repeat(200_000) });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const row = await readAll(t.database, (tx) =>
      tx.db.selectFrom('members').select('street').where('id', '=', panketal).executeTakeFirstOrThrow(),
    );
    expect((row.street ?? '').length).toBeLessThanOrEqual(200);
  });

  it('the database refuses what the contract refuses (char_length checks)', async () => {
    await expect(
      t.database.withOwnerSession((s) =>
        s.script(
          `select set_config('allmende.all_members', 'on', true);
           update members set street = repeat('a', 201) where name = 'Panketal'`,
        ),
      ),
    ).rejects.toThrow(/members_street_length/);
    // 200 emoji are 200 characters for the database, as for the contract.
    await t.database.withOwnerSession((s) =>
      s.script(
        `select set_config('allmende.all_members', 'on', true);
         update members set street = repeat('😀', 200) where name = 'Panketal'`,
      ),
    );
  });
});

describe('display names with bidi controls are refused', () => {
  it('people, members and tokens', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const person = await admin.api('POST', `/api/v1/members/${assoc}/people`, {
      email: 'bidi@dikom.example',
      displayName: 'Mallory \u202Egnp.exe',
      roles: ['association_finance'],
    });
    expect(person.statusCode).toBe(422);
    const member = await admin.api('POST', '/api/v1/members', { name: 'Gemeinde \u202Ex', kind: 'gemeinde' });
    expect(member.statusCode).toBe(422);
    const token = await admin.api('POST', `/api/v1/members/${assoc}/api-tokens`, {
      name: 'Token \u2067x',
      scopes: ['members.read'],
    });
    expect(token.statusCode).toBe(422);
    await admin.get(`/mitglieder/${assoc}/personen/neu`);
    // The database refuses them too (the wall behind the check).
    await expect(
      t.database.withOwnerSession((s) =>
        s.script(
          `select set_config('allmende.all_members', 'on', true);
           update users set display_name = 'Mallory ' || chr(8238) || 'gnp.exe' where email = '${DEMO.auditor}'`,
        ),
      ),
    ).rejects.toThrow(/users_display_name_visible/);
    const form = await admin.postForm(`/mitglieder/${assoc}/personen`, {
      email: 'bidi2@dikom.example',
      displayName: 'Mallory \u202Egnp.exe',
      roles: 'association_finance',
    });
    expect(form.statusCode).toBe(422);
  });
});

describe('a new login on a browser ends its old session', () => {
  it('password', async () => {
    const c = await loggedIn(t.app, DEMO.niemegkClerk);
    const oldCookies = c.cookieHeader();
    await c.get('/konto'); // a CSRF token for this session
    const again = await c.postForm('/anmelden', { email: DEMO.niemegkClerk, password: 'Allmende-Demo-2026' });
    expect(again.statusCode).toBe(303);
    const old = await t.app.inject({ url: '/api/v1/me', headers: { cookie: oldCookies } });
    expect(old.statusCode).toBe(401);
    expect((await c.get('/api/v1/me')).statusCode).toBe(200);
  });
});

describe('separation of duties: only the association grants the auditor role', () => {
  it('a member admin can neither create an auditor nor make someone one', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const created = await admin.api('POST', `/api/v1/members/${panketal}/people`, {
      email: 'pruefer@panketal.example',
      displayName: 'Peter Prüfer',
      roles: ['auditor'],
    });
    expect(created.statusCode).toBe(403);
    const clerk = await admin.api('POST', `/api/v1/members/${panketal}/people`, {
      email: 'clerk2@panketal.example',
      displayName: 'Clara Clerk',
      roles: ['member_clerk'],
    });
    expect(clerk.statusCode).toBe(201);
    const { id, version } = clerk.json().person;
    const patch = await admin.api('PATCH', `/api/v1/members/${panketal}/people/${id}`, {
      version,
      roles: ['member_clerk', 'auditor'],
    });
    expect(patch.statusCode).toBe(403);
    await admin.get(`/mitglieder/${panketal}/personen/neu`);
    const form = await admin.postForm(`/mitglieder/${panketal}/personen`, {
      email: 'pruefer2@panketal.example',
      displayName: 'Peter Prüfer',
      roles: 'auditor',
    });
    expect(form.statusCode).toBe(403);
    expect(form.body).toContain('Verband');
    const rows = await readAll(t.database, (tx) =>
      tx.db.selectFrom('users').select('roles').where('member_id', '=', panketal).execute(),
    );
    expect(rows.some((r) => r.roles.includes('auditor'))).toBe(false);
  });

  it('the association admin may', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const res = await admin.api('POST', `/api/v1/members/${belzig}/people`, {
      email: 'pruefung@bad-belzig.example',
      displayName: 'Paula Prüfung',
      roles: ['auditor'],
    });
    expect(res.statusCode, res.body).toBe(201);
  });
});

describe('API answers and tokens', () => {
  it('JSON answers with personal data are not cached', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    for (const url of [`/api/v1/members/${panketal}/people`, '/api/v1/me', `/api/v1/members/${panketal}`]) {
      const res = await admin.get(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const denied = await t.app.inject({ url: `/api/v1/members/${panketal}/people` });
    expect(denied.headers['cache-control']).toBe('no-store');
  });

  it('a usage.write token writes nothing but usage', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const created = await admin.api('POST', `/api/v1/members/${panketal}/api-tokens`, {
      name: 'Zähler',
      scopes: ['usage.write'],
    });
    expect(created.statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${created.json().token}`, 'content-type': 'application/json' };
    const m = (await admin.api('GET', `/api/v1/members/${panketal}`)).json();
    const writes = [
      {
        method: 'PATCH' as const,
        url: `/api/v1/members/${panketal}`,
        payload: { version: m.version, city: 'X' },
      },
      {
        method: 'POST' as const,
        url: `/api/v1/members/${panketal}/people`,
        payload: { email: 'tok@panketal.example', displayName: 'Tok', roles: ['member_clerk'] },
      },
      {
        method: 'POST' as const,
        url: `/api/v1/members/${panketal}/api-tokens`,
        payload: { name: 'mehr', scopes: ['members.read'] },
      },
      {
        method: 'POST' as const,
        url: '/api/v1/members',
        payload: { name: 'Gemeinde Tok', kind: 'gemeinde' },
      },
    ];
    for (const w of writes) {
      const res = await t.app.inject({ ...w, headers: bearer, payload: JSON.stringify(w.payload) });
      expect(res.statusCode, `${w.method} ${w.url}`).toBe(403);
    }
    const { grantOfScopes } = t.app.allmende.registry;
    expect([...grantOfScopes(['usage.write']).permissions]).toEqual(['usage.write']);
  });
});

describe('token scopes stay in their area', () => {
  it('a module cannot hand a writing permission of another area to the usage.write scope', async () => {
    const { defineModule } = await import('../../src/modules/module.js');
    const { createRegistry } = await import('../../src/modules/registry.js');
    const { MODULES } = await import('../../src/modules/index.js');
    const sneaky = defineModule({
      name: 'sneaky',
      permissions: { 'people.import': { roles: [], scopes: ['usage.write'], writes: true } },
      auditEvents: [],
      messages: { 'permission.people.import': { de: 'x', en: 'x' } },
    });
    expect(() => createRegistry([...MODULES, sneaky])).toThrow(/usage.write/);
    const readWrites = defineModule({
      name: 'readwrites',
      permissions: { 'members.sync': { roles: [], scopes: ['members.read'], writes: true } },
      auditEvents: [],
      messages: { 'permission.members.sync': { de: 'x', en: 'x' } },
    });
    expect(() => createRegistry([...MODULES, readWrites])).toThrow(/read scope/);
  });
});
