/**
 * Bad input never causes a 500 and never half-writes: malformed identifiers, unknown fields, oversized
 * bodies, wrong content types, broken JSON, SQL and HTML injection strings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, DEMO, loggedIn, readAll, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
let admin: Client;

beforeAll(async () => {
  t = await testApp();
  admin = await loggedIn(t.app, DEMO.associationAdmin);
});
afterAll(async () => t?.close());

async function counts() {
  return readAll(t.database, async (tx) => ({
    members: Number(
      (
        await tx.db
          .selectFrom('members')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    users: Number(
      (
        await tx.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    audit: Number(
      (
        await tx.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  }));
}

const valid = { name: 'Gemeinde Teststadt', kind: 'gemeinde', ags: '12060005' };

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const p = res.json() as { status: number; title: string; type: string; detail?: string };
  expect(p.status).toBe(status);
  expect(p.title.length).toBeGreaterThan(0);
  expect(p.type).toMatch(/^https?:|^about:blank$/);
  return p;
}

describe('bad input on the API', () => {
  const cases: [string, unknown, number, string?][] = [
    ['AGS too short', { ...valid, ags: '1234' }, 422, 'ags'],
    ['AGS with letters', { ...valid, ags: '12a60181' }, 422, 'ags'],
    ['AGS of no Land', { ...valid, ags: '99060181' }, 422, 'ags'],
    ['AGS with SQL injection', { ...valid, ags: "1' OR '1'='1" }, 400, 'ags'],
    [
      'Leitweg-ID with a wrong check digit',
      { ...valid, leitwegId: '12060181-BEISPIEL-00' },
      422,
      'leitwegId',
    ],
    [
      'Leitweg-ID with SQL injection',
      { ...valid, leitwegId: "x'; drop table members; --" },
      422,
      'leitwegId',
    ],
    ['HTML in the name', { ...valid, name: '<script>alert(1)</script>' }, 422, 'name'],
    ['postal code with letters', { ...valid, postalCode: 'ABCDE' }, 422, 'postalCode'],
    ['e-mail without @', { ...valid, contactEmail: 'nobody' }, 422, 'contactEmail'],
    ['population as text', { ...valid, population: '100' }, 400, 'population'],
    ['population without year', { ...valid, population: 100 }, 422, 'populationYear'],
    ['unknown field', { ...valid, isAssociation: true }, 400, 'isAssociation'],
    ['unknown kind', { ...valid, kind: 'kingdom' }, 400, 'kind'],
    ['missing name', { kind: 'gemeinde', ags: '12060005' }, 400, 'name'],
    ['Amt id of no Amt', { ...valid, amtId: '00000000-0000-4000-8000-000000000000' }, 422, 'amtId'],
    ['array instead of object', [valid], 400],
    ['null body', null, 400],
  ];
  for (const [label, body, status, field] of cases) {
    it(`${label} → ${status} problem+json, nothing written`, async () => {
      const before = await counts();
      const res = await admin.api('POST', '/api/v1/members', body);
      const p = expectProblem(res, status) as { errors?: { field: string; message: string }[] };
      if (field) {
        expect(p.errors?.map((e) => e.field)).toContain(field);
        expect(p.errors?.every((e) => e.message.length > 0)).toBe(true);
      }
      expect(await counts()).toEqual(before);
    });
  }

  it('a duplicate AGS is a 409 conflict', async () => {
    const before = await counts();
    const res = await admin.api('POST', '/api/v1/members', { ...valid, ags: '12060181' }); // Panketal's
    expect(expectProblem(res, 409)).toMatchObject({ code: 'ags.taken' });
    expect(await counts()).toEqual(before);
  });

  it('an oversized body → 413', async () => {
    const before = await counts();
    const res = await admin.api('POST', '/api/v1/members', { ...valid, website: 'x'.repeat(300_000) });
    expectProblem(res, 413);
    expect(await counts()).toEqual(before);
  });

  for (const type of [
    'text/plain',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
  ]) {
    it(`content type ${type} → 415`, async () => {
      const before = await counts();
      const res = await admin.api('POST', '/api/v1/members', 'name=x', { 'content-type': type });
      expectProblem(res, 415);
      expect(await counts()).toEqual(before);
    });
  }

  it('broken JSON → 400', async () => {
    const res = await admin.api('POST', '/api/v1/members', '{"name": "x",', {
      'content-type': 'application/json',
    });
    expectProblem(res, 400);
  });

  it('a malformed id in the path → 400, an unknown one → 404', async () => {
    expectProblem(await admin.api('GET', '/api/v1/members/not-a-uuid'), 400);
    expectProblem(await admin.api('GET', "/api/v1/members/1'%20OR%201=1"), 400);
    expectProblem(await admin.api('GET', '/api/v1/members/00000000-0000-4000-8000-000000000000'), 404);
  });

  it('unknown query parameters → 400; SQL injection in a search finds nothing and breaks nothing', async () => {
    expectProblem(await admin.api('GET', '/api/v1/members?drop=1'), 400);
    const res = await admin.api(
      'GET',
      `/api/v1/members?q=${encodeURIComponent("' OR 1=1; drop table members; --")}`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(0);
    const like = await admin.api('GET', `/api/v1/members?q=${encodeURIComponent('%')}`);
    expect(like.json().total).toBe(0); // % is matched literally, not as a wildcard
    expect((await counts()).members).toBeGreaterThan(60);
  });

  it('a stale version → 409, the member unchanged', async () => {
    const list = await admin.api('GET', '/api/v1/members?q=Panketal');
    const id = list.json().items[0].id;
    const m = (await admin.api('GET', `/api/v1/members/${id}`)).json();
    const res = await admin.api('PATCH', `/api/v1/members/${id}`, {
      version: m.version + 5,
      city: 'Anderswo',
    });
    expectProblem(res, 409);
    expect((await admin.api('GET', `/api/v1/members/${id}`)).json().city).toBe(m.city);
  });

  it('without a session or token → 401 problem+json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/members' });
    expectProblem(res, 401);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/members',
      headers: { authorization: 'Bearer alm_forged' },
    });
    expectProblem(bad, 401);
  });

  it('a state change with a session but without the CSRF token → 403, nothing written', async () => {
    const before = await counts();
    const res = await admin.request({ method: 'POST', url: '/api/v1/members', payload: valid });
    expectProblem(res, 403);
    expect(await counts()).toEqual(before);
  });
});

describe('bad input on the pages', () => {
  it('a malformed AGS in the form gives a German error at the field, nothing written', async () => {
    const before = await counts();
    await admin.get('/mitglieder/neu');
    const res = await admin.postForm('/mitglieder', {
      name: 'Teststadt',
      kind: 'stadt',
      ags: '12ab',
      population: 'viele',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Der Amtliche Gemeindeschlüssel besteht aus 8 Ziffern');
    expect(res.body).toContain('Geben Sie die Einwohnerzahl als ganze Zahl ein.');
    expect(res.body).toMatch(/id="f-ags"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-ags"/);
    expect(res.body).toContain('value="Teststadt"'); // what the person typed is kept
    expect(await counts()).toEqual(before);
  });

  it('HTML typed into a form comes back escaped, never as markup', async () => {
    await admin.get('/mitglieder/neu');
    const res = await admin.postForm('/mitglieder', {
      name: '"><script>alert(1)</script>',
      kind: 'stadt',
      ags: '12060005',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('&lt;script&gt;');
  });

  it('a form without the CSRF token → 403 page in German, nothing written', async () => {
    const before = await counts();
    const res = await admin.request({
      method: 'POST',
      url: '/mitglieder',
      form: { name: 'Teststadt', kind: 'stadt', ags: '12060005' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('Das Formular ist abgelaufen');
    expect(await counts()).toEqual(before);
  });

  it('an oversized form → 413 page', async () => {
    await admin.get('/mitglieder/neu');
    const res = await admin.postForm('/mitglieder', { name: 'x'.repeat(300_000), kind: 'stadt' });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });

  it('a JSON body sent to a page form → 4xx, never 500', async () => {
    const res = await admin.request({ method: 'POST', url: '/mitglieder', payload: { name: 'x' } });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
  });

  it('injection strings in the member search are harmless', async () => {
    const res = await admin.get(
      `/mitglieder?q=${encodeURIComponent("'; drop table members; --<b>")}&art=x&status=y&seite=-4`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('0 Treffer');
    expect(res.body).not.toContain('<b>');
  });
});
