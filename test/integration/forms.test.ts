/**
 * Forms: one contract for API and pages. The form helper (schema-driven conversion, every problem at
 * once in German and English, typed values kept), POST → 303 → GET on every create and edit page, the
 * flash (read once, per session, a one-time secret never in a URL) and idempotent repeats of a form.
 */
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULES } from '../../src/modules/index.js';
import { MemberCreateBody, MemberPatchBody } from '../../src/modules/members/members.schema.js';
import { PersonCreateBody, PersonPatchBody } from '../../src/modules/people/people.schema.js';
import { createRegistry } from '../../src/modules/registry.js';
import { todayInBerlin } from '../../src/shared/dates.js';
import { parseForm } from '../../src/web/form.js';
import { translator } from '../../src/web/i18n/index.js';
import {
  asSuperuser,
  type Client,
  DEMO,
  loggedIn,
  memberIdByName,
  readAll,
  type TestApp,
  testApp,
  testDbKind,
} from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

/** The translators of the app: the platform's texts and every module's messages. */
const messages = createRegistry(MODULES).messages;
const de = translator('de', messages);
const en = translator('en', messages);

/** A request as parseForm sees it: a urlencoded body and the translator of the request's language. */
function formRequest(body: Record<string, string | string[]>, lang: 'de' | 'en' = 'de') {
  return { body, t: translator(lang, messages) } as unknown as FastifyRequest;
}

/** The one-time key of the form posting to `action` on the last page. */
function formKeyOf(html: string, action: string): string {
  const at = html.indexOf(`action="${action}"`);
  expect(at, `form ${action} on the page`).toBeGreaterThan(-1);
  const m = /name="_form" value="([^"]+)"/.exec(html.slice(at));
  expect(m).not.toBeNull();
  return m![1]!;
}

const count = (table: 'members' | 'users' | 'api_tokens' | 'outbox_messages') =>
  readAll(t.database, async (tx) => {
    const r = await tx.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  });
const auditCount = (action: string) =>
  readAll(t.database, async (tx) => {
    const r = await tx.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', action)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  });
const flashPayloads = () =>
  readAll(t.database, async (tx) =>
    (await tx.db.selectFrom('flash_messages').select('payload').execute()).map((r) => r.payload),
  );

describe('parseForm: the API schema reads the form', () => {
  it('converts text as the schema says: numbers, null for empty nullable fields, absent, lists', () => {
    const r = parseForm(
      formRequest({
        _csrf: 'ignored',
        name: 'Neustadt',
        kind: 'stadt',
        ags: '',
        population: '12.345',
        populationYear: '2024',
        street: 'Markt 1',
      }),
      MemberCreateBody,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data).toEqual({
      name: 'Neustadt',
      kind: 'stadt',
      ags: null,
      population: 12345,
      populationYear: 2024,
      street: 'Markt 1',
    });
    const p = parseForm(
      formRequest({ version: '3', displayName: '', roles: ['member_admin', 'auditor'] }),
      PersonPatchBody,
    );
    // An optional field left empty is not given (here: "keep the name").
    expect(p.ok && p.data).toEqual({ version: 3, roles: ['member_admin', 'auditor'] });
    // A field the form does not know (a password, which nobody sets for someone else) is not taken.
    const q = parseForm(
      formRequest({
        email: 'a@b.de',
        displayName: 'A',
        roles: ['member_clerk'],
        password: 'geheim-geheim-1',
      }),
      PersonCreateBody,
    );
    expect(q.ok && q.data).toEqual({ email: 'a@b.de', displayName: 'A', roles: ['member_clerk'] });
  });

  it('returns every problem at once, per field, in German and English, and keeps what was typed', () => {
    const body = {
      name: 'A',
      kind: 'dorf',
      ags: '12 0 60 269 0',
      population: 'viele',
      populationYear: '1800',
      amtId: 'kein-amt',
    };
    const r = parseForm(formRequest(body), MemberCreateBody);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual({
      name: de('form.min_length', { limit: 2 }),
      kind: de('form.choose'),
      ags: de('form.max_length', { limit: 11 }),
      population: de('form.integer'),
      populationYear: de('form.minimum', { limit: 1900 }),
      amtId: de('form.format_uuid'),
    });
    expect(r.values).toMatchObject(body);
    const decimal = parseForm(
      formRequest({ name: 'Ort', kind: 'verband', population: '1.5' }),
      MemberCreateBody,
    );
    expect(!decimal.ok && decimal.errors.population).toBe(de('form.integer'));
    const e = parseForm(formRequest(body, 'en'), MemberCreateBody);
    expect(!e.ok && e.errors.population).toBe('Enter a whole number.');
    expect(!e.ok && e.errors.name).toBe('Enter at least 2 characters.');
  });

  it('names required fields, empty lists and the fields a form requires beyond a PATCH', () => {
    const r = parseForm(formRequest({ email: '', displayName: '' }), PersonCreateBody, {
      labels: { email: 'E-Mail' },
    });
    expect(!r.ok && r.errors).toEqual({
      email: `E-Mail: ${de('form.required')}`,
      displayName: de('form.required'),
      roles: de('form.choose_one'),
    });
    const patch = parseForm(formRequest({ version: '3', name: ' ', kind: '' }), MemberPatchBody, {
      required: ['name', 'kind'],
    });
    expect(!patch.ok && patch.errors).toEqual({ name: de('form.required'), kind: de('form.required') });
    const only = parseForm(formRequest({ version: '3', name: 'X' }), MemberPatchBody, { only: ['version'] });
    expect(only.ok && only.data).toEqual({ version: 3 });
  });

  it("merges the domain's checks: its specific message wins, schema problems of other fields stay", () => {
    const r = parseForm(formRequest({ name: 'A', kind: 'stadt', ags: '12ab' }), MemberCreateBody, {
      check: (v) => (v.ags === '12ab' ? [{ field: 'ags', code: 'ags.format' }] : []),
    });
    expect(!r.ok && r.errors).toEqual({ name: de('form.min_length', { limit: 2 }), ags: de('ags.format') });
  });
});

describe('pages: every problem at once, in the language of the person', () => {
  it('shows all field errors in the summary and at the fields, keeps the input (de, en)', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const before = await count('members');
    await admin.get('/mitglieder/neu');
    const form = {
      name: 'X',
      kind: 'stadt',
      ags: '12ab',
      population: 'viele',
      postalCode: '1',
      contactEmail: 'x',
    };
    const res = await admin.postForm('/mitglieder', form);
    expect(res.statusCode).toBe(422);
    for (const key of [
      'member_name.required',
      'ags.format',
      'population.invalid',
      'postal_code.format',
      'email.format',
    ]) {
      expect(res.body).toContain(de.code(key));
    }
    for (const field of ['name', 'ags', 'population', 'postalCode', 'contactEmail']) {
      expect(res.body).toContain(`href="#f-${field}"`);
      expect(res.body).toMatch(new RegExp(`id="f-${field}"[^>]*aria-invalid="true"`));
    }
    expect(res.body).toContain('value="viele"');
    admin.cookies.set('allmende-lang', 'en');
    await admin.get('/mitglieder/neu');
    const english = await admin.postForm('/mitglieder', form);
    expect(english.statusCode).toBe(422);
    expect(english.body).toContain(en('population.invalid'));
    expect(english.body).toContain(en('error.summary'));
    expect(await count('members')).toBe(before);
  });
});

describe('POST → 303 → GET, with the message from a flash that is read once', () => {
  let admin: Client;
  let panketal: string;
  beforeAll(async () => {
    admin = await loggedIn(t.app, DEMO.associationAdmin);
    panketal = await memberIdByName(t.database, 'Panketal');
  });

  it('members: create, edit, admit each redirect; the message shows once', async () => {
    await admin.get('/mitglieder/neu');
    const created = await admin.postForm('/mitglieder', { name: 'Flashhausen', kind: 'verband' });
    expect(created.statusCode).toBe(303);
    const to = created.headers.location as string;
    expect(to).toMatch(/^\/mitglieder\/[0-9a-f-]{36}$/);
    const page = await admin.get(to);
    expect(page.body).toContain(de('members.created'));
    expect((await admin.get(to)).body).not.toContain(de('members.created'));

    const edit = await admin.get(`${to}/bearbeiten`);
    const version = /name="version" value="(\d+)"/.exec(edit.body)![1]!;
    const saved = await admin.postForm(to, {
      version,
      name: 'Flashhausen',
      kind: 'verband',
      city: 'Flashstadt',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(to);
    const after = await admin.get(to);
    expect(after.body).toContain(de('members.saved'));
    expect(after.body).toContain('Flashstadt');

    const v2 = /name="version" value="(\d+)"/.exec(after.body)![1]!;
    const admitted = await admin.postForm(`${to}/status`, {
      status: 'active',
      on: todayInBerlin(),
      version: v2,
    });
    expect(admitted.statusCode).toBe(303);
    expect((await admin.get(to)).body).toContain(de('members.saved'));
  });

  it('people: create and edit redirect; the invitation notice is shown once and no password ever', async () => {
    const base = `/mitglieder/${panketal}/personen`;
    const form = await admin.get(`${base}/neu`);
    // Nobody chooses or passes on a password for someone else: the person is invited by mail.
    expect(form.body).not.toContain('type="password"');
    const created = await admin.postForm(base, {
      email: 'flash.person@panketal.example',
      displayName: 'Flash Person',
      roles: 'member_clerk',
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe(base);
    const list = await admin.get(base);
    // No mail server in the tests: the page says the mail went to the log.
    expect(list.body).toContain(de('people.invited_logged'));
    expect(list.body).not.toContain('class="token-secret"');
    const again = await admin.get(base);
    expect(again.body).not.toContain(de('people.invited_logged'));

    const personId = new RegExp(`href="${base}/([0-9a-f-]{36})">Flash Person`).exec(again.body)![1]!;
    const edit = await admin.get(`${base}/${personId}`);
    const version = /name="version" value="(\d+)"/.exec(edit.body)![1]!;
    const saved = await admin.postForm(`${base}/${personId}`, {
      version,
      displayName: 'Flash Person B',
      roles: ['member_clerk'],
      status: 'active',
    });
    expect(saved.statusCode).toBe(303);
    expect((await admin.get(base)).body).toContain(de('people.saved'));
  });

  it('API tokens: the secret comes from the flash once, not in the Location, gone on reload', async () => {
    const base = `/mitglieder/${panketal}/api-tokens`;
    await admin.get(base);
    const before = await count('api_tokens');
    const created = await admin.postForm(base, { name: 'Zähler', scopes: 'usage.write' });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe(base);
    expect(created.body).not.toContain('alm_');
    // Stored sealed: the secret is not in the flash table in clear.
    const sealed = await flashPayloads();
    expect(sealed.length).toBe(1);
    expect(sealed[0]).not.toContain('alm_');
    const page = await admin.get(base);
    const secret = /class="token-secret">(alm_[^<]+)</.exec(page.body)![1]!;
    expect(page.body).toContain(de('tokens.secret_once'));
    const reload = await admin.get(base);
    expect(reload.body).not.toContain(secret);
    expect(await count('api_tokens')).toBe(before + 1);
    expect(await flashPayloads()).toEqual([]); // read once: gone
  });

  it('a flash expires after minutes: an old one is not shown, and it is gone all the same', async () => {
    await admin.get('/mitglieder/neu');
    const created = await admin.postForm('/mitglieder', { name: 'Spätdorf', kind: 'verband' });
    await asSuperuser(t.database, (s) =>
      s.script("update flash_messages set expires_at = now() - interval '1 second'"),
    );
    expect((await admin.get(created.headers.location as string)).body).not.toContain(de('members.created'));
    expect(await flashPayloads()).toEqual([]);
  });

  it('a flash belongs to its session: another session of the same person does not see it', async () => {
    const other = await loggedIn(t.app, DEMO.associationAdmin);
    await admin.get('/mitglieder/neu');
    const created = await admin.postForm('/mitglieder', { name: 'Sitzungsdorf', kind: 'verband' });
    const to = created.headers.location as string;
    // The other browser even claims a flash waits: it finds none of this session's.
    other.cookies.set('__Host-allmende-flash', '1');
    expect((await other.get(to)).body).not.toContain(de('members.created'));
    expect((await admin.get(to)).body).toContain(de('members.created'));
  });
});

describe('a repeated submit of the same form is answered idempotently', () => {
  it('member: the same form key twice → the same redirect, one member, one audit event', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const page = await admin.get('/mitglieder/neu');
    const key = formKeyOf(page.body, '/mitglieder');
    const [members, events] = [await count('members'), await auditCount('member.created')];
    const form = { _form: key, name: 'Doppelklickstadt', kind: 'verband' };
    const first = await admin.postForm('/mitglieder', form);
    const second = await admin.postForm('/mitglieder', form);
    expect(first.statusCode).toBe(303);
    expect(second.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await count('members')).toBe(members + 1);
    expect(await auditCount('member.created')).toBe(events + 1);
    // A new rendering of the form has a new key: a second member is a deliberate act.
    const again = await admin.get('/mitglieder/neu');
    expect(formKeyOf(again.body, '/mitglieder')).not.toBe(key);
  });

  it('person and token: back + resubmit creates nothing new, and the notice or secret is not shown again', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const panketal = await memberIdByName(t.database, 'Panketal');
    const people = `/mitglieder/${panketal}/personen`;
    const form = await admin.get(`${people}/neu`);
    const personForm = {
      _form: formKeyOf(form.body, people),
      email: 'zweimal@panketal.example',
      displayName: 'Zweimal',
      roles: 'member_clerk',
    };
    const users = await count('users');
    const invitations = await count('outbox_messages');
    expect((await admin.postForm(people, personForm)).statusCode).toBe(303);
    expect((await admin.get(people)).body).toContain(de('people.invited_logged'));
    const repeat = await admin.postForm(people, personForm);
    expect(repeat.statusCode).toBe(303);
    expect(repeat.headers.location).toBe(people);
    expect((await admin.get(people)).body).not.toContain(de('people.invited_logged'));
    expect(await count('users')).toBe(users + 1);
    // One invitation mail queued, not two.
    expect(await count('outbox_messages')).toBe(invitations + 1);

    const tokens = `/mitglieder/${panketal}/api-tokens`;
    const tokenPage = await admin.get(tokens);
    const tokenForm = { _form: formKeyOf(tokenPage.body, tokens), name: 'Einmal', scopes: 'members.read' };
    const before = await count('api_tokens');
    const events = await auditCount('token.created');
    await admin.postForm(tokens, tokenForm);
    const shown = await admin.get(tokens);
    expect(shown.body).toMatch(/class="token-secret">alm_/);
    const repeated = await admin.postForm(tokens, tokenForm);
    expect(repeated.statusCode).toBe(303);
    expect((await admin.get(tokens)).body).not.toMatch(/class="token-secret">/);
    expect(await count('api_tokens')).toBe(before + 1);
    expect(await auditCount('token.created')).toBe(events + 1);
  });

  it('a double click (two submits at once) creates one member', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const page = await admin.get('/mitglieder/neu');
    const form = {
      _form: formKeyOf(page.body, '/mitglieder'),
      name: `Gleichzeitig ${testDbKind()}`,
      kind: 'verband',
    };
    const before = await count('members');
    const [a, b] = await Promise.all([
      admin.postForm('/mitglieder', form),
      admin.postForm('/mitglieder', form),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([303, 303]);
    expect(a.headers.location).toBe(b.headers.location);
    expect(await count('members')).toBe(before + 1);
  });

  it('a form key from another session is not a repeat there (keys are per session)', async () => {
    const a = await loggedIn(t.app, DEMO.associationAdmin);
    const b = await loggedIn(t.app, DEMO.associationAdmin);
    const page = await a.get('/mitglieder/neu');
    const key = formKeyOf(page.body, '/mitglieder');
    await b.get('/mitglieder/neu');
    const before = await count('members');
    await a.postForm('/mitglieder', { _form: key, name: 'Sitzung A', kind: 'verband' });
    await b.postForm('/mitglieder', { _form: key, name: 'Sitzung B', kind: 'verband' });
    expect(await count('members')).toBe(before + 2);
  });
});
