/**
 * Accounts a municipality can run with (issue 7, point 9), end to end against a real SMTP server started
 * here: the invitation mail of a new person and its one-time link, "Passwort vergessen" (same answer for
 * unknown addresses, throttled, ends other sessions), the change forced after a printed initial
 * password, no mail after a rollback, and /metrics only with its bearer token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../src/db/bootstrap.js';
import { runInTx } from '../../src/db/tx.js';
import { buildApp } from '../../src/http/app.js';
import { appJobs } from '../../src/jobs/app-jobs.js';
import type { JobRunner } from '../../src/jobs/jobs.js';
import { createJobRunner } from '../../src/jobs/runner.js';
import { composeMail, enqueueMail, sendMail } from '../../src/mail/mail.js';
import { purgeOldLinks } from '../../src/modules/people/accounts.service.js';
import { createPerson } from '../../src/modules/people/people.service.js';
import { sha256Hex } from '../../src/shared/canonical-json.js';
import { ALL_MEMBERS_WRITE, systemCtx } from '../../src/shared/context.js';
import { translator } from '../../src/web/i18n/index.js';
import {
  asSuperuser,
  Client,
  DEMO,
  databaseUrlOf,
  loggedIn,
  memberIdByName,
  readAll,
  type TestApp,
  testApp,
  testConfig,
  testDatabase,
} from '../helpers.js';
import { startTestSmtp, type TestSmtp } from '../support/smtp.js';

const PUBLIC = 'http://allmende.test';
const METRICS_TOKEN = 'metrics-0123456789-abcdefghij-klmnopqrstuv';
const silent = { info() {}, warn() {}, error() {} };

let smtp: TestSmtp;
let t: TestApp;
let runner: JobRunner;
let panketal: string;
let de: ReturnType<typeof translator>;

beforeAll(async () => {
  smtp = await startTestSmtp();
  const database = await testDatabase();
  const url = databaseUrlOf(database);
  t = await testApp({
    database,
    env: {
      ...(url ? { DATABASE_URL: url } : {}),
      ALLMENDE_SMTP_URL: smtp.url,
      ALLMENDE_MAIL_FROM: 'Allmende Test <noreply@allmende.test>',
      ALLMENDE_PUBLIC_URL: PUBLIC,
      ALLMENDE_METRICS_TOKEN: METRICS_TOKEN,
      ALLMENDE_JOBS_POLL_MS: '100',
    },
  });
  de = translator('de', t.app.allmende.registry.messages);
  runner = createJobRunner({ database: t.database, config: t.config, jobs: appJobs(), log: silent });
  await runner.start();
  panketal = await memberIdByName(t.database, 'Panketal');
}, 120_000);

afterAll(async () => {
  await runner?.stop({ timeoutMs: 5000 });
  await t?.close();
  await smtp?.close();
});

/** The one-time link in a mail (text part), as a path and its token. */
function linkOf(text: string): { path: string; token: string } {
  const m = new RegExp(`${PUBLIC}(/passwort-setzen/([A-Za-z0-9_-]{43}))`).exec(text);
  if (!m) throw new Error(`no link in: ${text}`);
  return { path: m[1]!, token: m[2]! };
}

const auditCount = (action: string, objectId?: string) =>
  readAll(t.database, async (tx) => {
    let q = tx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n'));
    q = q.where('action', '=', action);
    if (objectId) q = q.where('object_id', '=', objectId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  });

const userByEmail = (email: string) =>
  readAll(t.database, (tx) =>
    tx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),
  );

/** Lets the runner dispatch and run what is due, then waits a little for anything (not) arriving. */
async function settle(ms = 1500): Promise<void> {
  await runner.dispatchOutbox();
  await new Promise((r) => setTimeout(r, ms));
}

async function setPassword(c: Client, path: string, password: string, repeat = password) {
  await c.get(path);
  return c.postForm(path, { password, passwordRepeat: repeat });
}

describe('invitation', () => {
  it('adding a person mails a one-time link (German, text and HTML); it sets the password once', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const base = `/mitglieder/${panketal}/personen`;
    await admin.get(`${base}/neu`);
    const created = await admin.postForm(base, {
      email: 'Ina.Eingeladen@panketal.example',
      displayName: 'Ina Eingeladen',
      roles: 'member_clerk',
    });
    expect(created.statusCode).toBe(303);
    const list = await admin.get(base);
    expect(list.body).toContain(de('people.invited'));
    expect(list.body).not.toContain('token-secret');

    const mail = await smtp.waitFor('ina.eingeladen@panketal.example');
    expect(mail.subject).toBe('Ihr Zugang zu Allmende');
    expect(mail.headers.get('from')).toContain('noreply@allmende.test');
    expect(mail.headers.get('content-language')).toBe('de');
    expect(mail.text).toContain('Guten Tag Ina Eingeladen,');
    expect(mail.text).toContain('Panketal');
    const { path, token } = linkOf(mail.text);
    expect(mail.html).toContain(`<a href="${PUBLIC}${path}">`);
    expect(mail.html).toContain('<p>Guten Tag Ina Eingeladen,');

    // Only the token's SHA-256 is stored; the outbox never held it.
    const person = (await userByEmail('ina.eingeladen@panketal.example'))!;
    expect(person.password_hash).toBeNull();
    const stored = await readAll(t.database, async (tx) => ({
      links: await tx.db.selectFrom('account_links').selectAll().where('user_id', '=', person.id).execute(),
      outbox: await tx.db.selectFrom('outbox_messages').select('payload').execute(),
    }));
    expect(stored.links).toHaveLength(1);
    expect(stored.links[0]!.token_hash).toBe(sha256Hex(token));
    expect(stored.links[0]!.purpose).toBe('invitation');
    const hours = (stored.links[0]!.expires_at.getTime() - stored.links[0]!.created_at.getTime()) / 3600_000;
    expect(hours).toBeCloseTo(72, 1);
    expect(JSON.stringify(stored.outbox)).not.toContain(token);
    expect(await auditCount('user.invited', person.id)).toBe(1);

    const invitee = new Client(t.app);
    const form = await invitee.get(path);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(de('set_password.title_invitation'));
    // The password policy and the repetition hold.
    expect((await invitee.postForm(path, { password: 'kurz', passwordRepeat: 'kurz' })).statusCode).toBe(422);
    const mismatch = await invitee.postForm(path, {
      password: 'Mein-eigenes-Passwort-1',
      passwordRepeat: 'Mein-eigenes-Passwort-2',
    });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.body).toContain(de('password.mismatch'));
    const set = await invitee.postForm(path, {
      password: 'Mein-eigenes-Passwort-1',
      passwordRepeat: 'Mein-eigenes-Passwort-1',
    });
    expect(set.statusCode).toBe(303);
    // Logged in as the person.
    const account = await invitee.get('/konto');
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain('ina.eingeladen@panketal.example');
    expect(await auditCount('user.password_set', person.id)).toBe(1);

    // A second use is refused, by GET and by POST.
    const other = new Client(t.app);
    expect((await other.get(path)).statusCode).toBe(410);
    await other.get('/anmelden'); // a CSRF token, as a browser would have from the form
    const again = await other.postForm(path, {
      password: 'Fremdes-Passwort-123',
      passwordRepeat: 'Fremdes-Passwort-123',
    });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain(de('set_password.invalid'));
    expect(
      (await new Client(t.app).login('ina.eingeladen@panketal.example', 'Fremdes-Passwort-123')).statusCode,
    ).toBe(401);
    expect(
      (await new Client(t.app).login('ina.eingeladen@panketal.example', 'Mein-eigenes-Passwort-1'))
        .statusCode,
    ).toBe(303);
  });

  it('the API answers with the invitation, never a password; an expired link is refused', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const res = await admin.api('POST', `/api/v1/members/${panketal}/people`, {
      email: 'abgelaufen@panketal.example',
      displayName: 'Abel Abgelaufen',
      roles: ['member_clerk'],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().invitation).toEqual({ validHours: 72, delivery: 'smtp' });
    expect(Object.keys(res.json()).sort()).toEqual(['invitation', 'person']);
    expect(res.json().person.hasPassword).toBe(false);
    // A password in the request is refused (no admin chooses one for someone else).
    const withPassword = await admin.api('POST', `/api/v1/members/${panketal}/people`, {
      email: 'mitpasswort@panketal.example',
      displayName: 'Mit Passwort',
      roles: ['member_clerk'],
      password: 'Ausgedachtes-Passwort-1',
    });
    expect(withPassword.statusCode).toBe(400);

    const mail = await smtp.waitFor('abgelaufen@panketal.example');
    const { path, token } = linkOf(mail.text);
    await asSuperuser(t.database, (s) =>
      s.query(`update account_links set expires_at = now() - interval '1 second' where token_hash = $1`, [
        sha256Hex(token),
      ]),
    );
    const c = new Client(t.app);
    expect((await c.get(path)).statusCode).toBe(410);
    await c.get('/anmelden');
    const post = await c.postForm(path, {
      password: 'Zu-spaet-gesetzt-1',
      passwordRepeat: 'Zu-spaet-gesetzt-1',
    });
    expect(post.statusCode).toBe(410);
    expect((await userByEmail('abgelaufen@panketal.example'))!.password_hash).toBeNull();
  });

  it('a link is refused after its validity by the clock of the app too (72 hours)', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    await admin.api('POST', `/api/v1/members/${panketal}/people`, {
      email: 'uhr@panketal.example',
      displayName: 'Uhr Zeit',
      roles: ['member_clerk'],
    });
    const { path } = linkOf((await smtp.waitFor('uhr@panketal.example')).text);
    const secret = (await prepareDatabase(t.database)).secret;
    const later = (hours: number) => {
      const at = new Date(Date.now() + hours * 3600_000);
      return { now: () => at, today: () => at.toISOString().slice(0, 10) };
    };
    for (const [hours, status] of [
      [73, 410],
      [71, 200],
    ] as const) {
      const app = await buildApp({
        config: t.config,
        database: t.database,
        secret,
        demo: false,
        logger: false,
        clock: later(hours),
      });
      try {
        expect((await new Client(app).get(path)).statusCode, `${hours} h later`).toBe(status);
      } finally {
        await app.close();
      }
    }
  });

  it('adding an address that has an account at another member does not name that member', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const base = `/mitglieder/${panketal}/personen`;
    await admin.get(`${base}/neu`);
    const page = await admin.postForm(base, {
      email: DEMO.badBelzigClerk,
      displayName: 'Doppelt',
      roles: 'member_clerk',
    });
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('Für diese E-Mail-Adresse besteht bereits ein Konto.');
    expect(page.body).not.toContain('Bad Belzig');
    const badBelzig = await memberIdByName(t.database, 'Bad Belzig');
    const api = await admin.api('POST', `/api/v1/members/${panketal}/people`, {
      email: DEMO.badBelzigClerk.toUpperCase(),
      displayName: 'Doppelt',
      roles: ['member_clerk'],
    });
    expect(api.statusCode).toBe(409);
    expect(api.json().detail).toBe('Für diese E-Mail-Adresse besteht bereits ein Konto.');
    expect(api.body).not.toContain('Bad Belzig');
    expect(api.body).not.toContain(badBelzig);
  });
});

describe('outbox', () => {
  it('sends no mail after a rolled-back transaction, and one after a commit', async () => {
    const ctx = systemCtx('test', ALL_MEMBERS_WRITE);
    await expect(
      runInTx(t.database, ctx, async (tx) => {
        await createPerson(tx, panketal, {
          email: 'zurueckgerollt@panketal.example',
          displayName: 'Zurück Gerollt',
          roles: ['member_clerk'],
        });
        throw new Error('rolled back after the person was added');
      }),
    ).rejects.toThrow('rolled back');
    await runInTx(t.database, ctx, (tx) =>
      createPerson(tx, panketal, {
        email: 'bestaetigt@panketal.example',
        displayName: 'Be Stätigt',
        roles: ['member_clerk'],
      }),
    );
    await smtp.waitFor('bestaetigt@panketal.example');
    await settle();
    expect(smtp.to('zurueckgerollt@panketal.example')).toHaveLength(0);
    expect(await userByEmail('zurueckgerollt@panketal.example')).toBeUndefined();
  });
});

describe('outbox kind mail', () => {
  it('delivers a finished mail after commit, with the idempotency key as Message-ID; none after a rollback', async () => {
    const ctx = systemCtx('test', ALL_MEMBERS_WRITE);
    const mail = (to: string) =>
      composeMail({ to, lang: 'de', subject: 'Hinweis', paragraphs: ['Ein Text.'] });
    await expect(
      runInTx(t.database, ctx, async (tx) => {
        await enqueueMail(tx, mail('nie@panketal.example'), { memberId: panketal, key: 'nie' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await runInTx(t.database, ctx, (tx) =>
      enqueueMail(tx, mail('hinweis@panketal.example'), { memberId: panketal, key: 'hinweis-1' }),
    );
    await runner.dispatchOutbox();
    const got = await smtp.waitFor('hinweis@panketal.example');
    expect(got.subject).toBe('Hinweis');
    expect(got.headers.get('message-id')).toBe('<mail:hinweis-1@allmende.test>');
    expect(got.text.trim()).toBe('Ein Text.');
    expect(got.html).toContain('<p>Ein Text.</p>');
    await settle(500);
    expect(smtp.to('nie@panketal.example')).toHaveLength(0);
  });
});

describe('Passwort vergessen', () => {
  it('answers the same for an unknown address; mails a link that sets the password and ends other sessions', async () => {
    const elsewhere = await loggedIn(t.app, DEMO.badBelzigClerk);
    expect((await elsewhere.get('/konto')).statusCode).toBe(200);
    const clerk = (await userByEmail(DEMO.badBelzigClerk))!;
    const requested = await auditCount('user.password_reset_requested');

    const login = await new Client(t.app).get('/anmelden');
    expect(login.body).toContain('href="/passwort-vergessen"');
    expect(login.body).toContain(de('login.forgot'));

    const ask = async (email: string) => {
      const c = new Client(t.app);
      await c.get('/passwort-vergessen');
      const res = await c.postForm('/passwort-vergessen', { email });
      const page = await c.get(res.headers.location as string);
      return { res, page };
    };
    const known = await ask(DEMO.badBelzigClerk);
    const unknown = await ask('niemand@bad-belzig.example');
    for (const r of [known, unknown]) {
      expect(r.res.statusCode).toBe(303);
      expect(r.res.headers.location).toBe('/passwort-vergessen?gesendet');
      expect(r.page.body).toContain(de('forgot.sent'));
      expect(r.page.body).not.toContain(de('mail.not_configured'));
    }
    const strip = (s: string) => s.replace(/value="[^"]*"/g, '');
    expect(strip(known.page.body)).toBe(strip(unknown.page.body));
    // Only the existing account's request is recorded.
    expect(await auditCount('user.password_reset_requested')).toBe(requested + 1);

    const mail = await smtp.waitFor(DEMO.badBelzigClerk);
    expect(mail.subject).toBe('Neues Passwort für Allmende');
    const { path, token } = linkOf(mail.text);
    const link = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('account_links')
        .selectAll()
        .where('token_hash', '=', sha256Hex(token))
        .executeTakeFirstOrThrow(),
    );
    expect(link.purpose).toBe('reset');
    expect((link.expires_at.getTime() - link.created_at.getTime()) / 3600_000).toBeCloseTo(2, 1);
    await settle(500);
    expect(smtp.to('niemand@bad-belzig.example')).toHaveLength(0);

    const c = new Client(t.app);
    expect((await setPassword(c, path, 'Neues-Passwort-nach-Reset')).statusCode).toBe(303);
    expect((await c.get('/konto')).statusCode).toBe(200);
    // The other session of the person ended; the old password no longer works, the new one does.
    const ended = await elsewhere.get('/konto');
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toMatch(/^\/anmelden/);
    expect((await new Client(t.app).login(DEMO.badBelzigClerk)).statusCode).toBe(401);
    expect((await new Client(t.app).login(DEMO.badBelzigClerk, 'Neues-Passwort-nach-Reset')).statusCode).toBe(
      303,
    );
    expect(await auditCount('user.password_set', clerk.id)).toBe(1);
    // Used once.
    expect((await new Client(t.app).get(path)).statusCode).toBe(410);
  });

  it('is throttled per address (3 mails an hour), in the language of the page, with the same answer', async () => {
    const address = DEMO.niemegkClerk;
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = new Client(t.app);
      c.cookies.set('allmende-lang', 'en');
      await c.get('/passwort-vergessen');
      const res = await c.postForm('/passwort-vergessen', { email: address });
      answers.push(`${res.statusCode} ${res.headers.location}`);
    }
    expect(new Set(answers)).toEqual(new Set(['303 /passwort-vergessen?gesendet']));
    await smtp.waitFor(address, { skip: 2 });
    await settle();
    const mails = smtp.to(address);
    expect(mails).toHaveLength(3);
    expect(mails[0]!.subject).toBe('New password for Allmende');
    expect(mails[0]!.headers.get('content-language')).toBe('en');
    expect(mails[0]!.text).toContain('Hello ');
    // Each new link replaces the earlier unused one: only the last one works.
    const [first, , last] = mails.map((m) => linkOf(m.text).path);
    expect((await new Client(t.app).get(first!)).statusCode).toBe(410);
    expect((await new Client(t.app).get(last!)).statusCode).toBe(200);
    const niemegkClerk = (await userByEmail(address))!;
    expect(await auditCount('user.password_reset_requested', niemegkClerk.id)).toBe(3);
  });
});

describe('initial password (allmende user add)', () => {
  it('must be changed at the first login before anything else', async () => {
    const ctx = systemCtx('cli-user-add', ALL_MEMBERS_WRITE);
    const initial = 'Gedrucktes-Anfangspasswort-1';
    await runInTx(t.database, ctx, (tx) =>
      createPerson(
        tx,
        panketal,
        { email: 'erste.admin@panketal.example', displayName: 'Erste Admin', roles: ['member_admin'] },
        { initialPassword: initial },
      ),
    );
    await settle(300);
    expect(smtp.to('erste.admin@panketal.example')).toHaveLength(0); // no invitation: the password was printed
    const c = new Client(t.app);
    const login = await c.login('erste.admin@panketal.example', initial);
    expect(login.statusCode).toBe(303);
    const path = login.headers.location as string;
    expect(path).toMatch(/^\/passwort-setzen\/[A-Za-z0-9_-]{43}$/);
    // No session yet: nothing else can be reached.
    expect((await c.get('/konto')).statusCode).toBe(303);
    expect((await c.get(`/mitglieder/${panketal}/personen`)).statusCode).toBe(303);
    const form = await c.get(path);
    expect(form.body).toContain(de('set_password.title_first_login'));
    expect((await setPassword(c, path, 'Eigenes-Admin-Passwort-1')).statusCode).toBe(303);
    expect((await c.get(`/mitglieder/${panketal}/personen`)).statusCode).toBe(200);
    expect((await userByEmail('erste.admin@panketal.example'))!.must_change_password).toBe(false);
    expect((await new Client(t.app).login('erste.admin@panketal.example', initial)).statusCode).toBe(401);
    const next = await new Client(t.app).login('erste.admin@panketal.example', 'Eigenes-Admin-Passwort-1');
    expect(next.headers.location).toBe('/');
  });
});

describe('link clean-up', () => {
  it('removes links 30 days after they expired, keeps the others', async () => {
    const links = () => readAll(t.database, (tx) => tx.db.selectFrom('account_links').select('id').execute());
    const before = await links();
    expect(before.length).toBeGreaterThan(1);
    const old = before[0]!.id;
    await asSuperuser(t.database, (s) =>
      s.query(`update account_links set expires_at = now() - interval '31 days' where id = $1`, [old]),
    );
    const removed = await runInTx(t.database, systemCtx('test', ALL_MEMBERS_WRITE), (tx) =>
      purgeOldLinks(tx),
    );
    expect(removed).toBe(1);
    const after = await links();
    expect(after.map((l) => l.id).sort()).toEqual(
      before
        .map((l) => l.id)
        .filter((id) => id !== old)
        .sort(),
    );
  });
});

describe('/metrics', () => {
  it('answers only with the configured bearer token', async () => {
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const wrong = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer falsch' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('Bearer');
    const near = await t.app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}x` },
    });
    expect(near.statusCode).toBe(401);
    const ok = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('allmende_http_request_duration_seconds');
  });

  it('is not there without a token configured; without a mail server the page says the mail went to the log', async () => {
    const secret = (await prepareDatabase(t.database)).secret;
    const app = await buildApp({
      config: testConfig(),
      database: t.database,
      secret,
      demo: false,
      logger: false,
    });
    try {
      expect((await app.inject({ url: '/metrics' })).statusCode).toBe(404);
      const c = new Client(app);
      await c.get('/passwort-vergessen');
      const res = await c.postForm('/passwort-vergessen', { email: 'niemand@example.org' });
      expect((await c.get(res.headers.location as string)).body).toContain(
        'Es ist kein Mailserver eingerichtet; die E-Mail wurde ins Protokoll geschrieben.',
      );
    } finally {
      await app.close();
    }
  });
});

describe('mail without a server', () => {
  it('is written to the log (text with the link), and its HTML is escaped', async () => {
    const logged: { obj: object; msg?: string }[] = [];
    const log = { ...silent, warn: (obj: object, msg?: string) => logged.push({ obj, msg }) };
    const mail = composeMail({
      to: 'a@b.example',
      lang: 'de',
      subject: 'Betreff <b>',
      paragraphs: ['Guten Tag <script>alert(1)</script> & "Sie"'],
      link: { url: 'http://x.example/passwort-setzen/abc?a=1&b=2', after: 1 },
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&#60;script&#62;');
    expect(mail.html).toContain('href="http://x.example/passwort-setzen/abc?a=1&#38;b=2"');
    expect(mail.text).toContain('http://x.example/passwort-setzen/abc?a=1&b=2');
    const delivery = await sendMail({ smtpUrl: undefined, from: 'x@y.example' }, log, mail);
    expect(delivery).toBe('log');
    expect(JSON.stringify(logged[0]!.obj)).toContain('passwort-setzen/abc');
  });
});
