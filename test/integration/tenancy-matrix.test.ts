/**
 * The cross-member matrix: every member-scoped route (API and pages), driven as staff of member A with
 * the ids of member B, answers 404 — never 403, never data — and changes nothing.
 * The route list comes from the app itself, so a new member-scoped route without an entry here fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, DEMO, loggedIn, memberIdByName, readAll, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
const ids = {} as {
  panketal: string;
  belzig: string;
  belzigPerson: string;
  belzigToken: string;
  panketalPerson: string;
  panketalToken: string;
  niemegk: string;
};

beforeAll(async () => {
  t = await testApp();
  ids.panketal = await memberIdByName(t.database, 'Panketal');
  ids.belzig = await memberIdByName(t.database, 'Bad Belzig');
  ids.niemegk = await memberIdByName(t.database, 'Niemegk');
  const person = (memberId: string) =>
    readAll(t.database, (tx) =>
      tx.db.selectFrom('users').select('id').where('member_id', '=', memberId).executeTakeFirstOrThrow(),
    );
  ids.belzigPerson = (await person(ids.belzig)).id;
  ids.panketalPerson = (await person(ids.panketal)).id;
  const admin = await loggedIn(t.app, DEMO.associationAdmin);
  for (const [key, memberId] of [
    ['belzigToken', ids.belzig],
    ['panketalToken', ids.panketal],
  ] as const) {
    const res = await admin.api('POST', `/api/v1/members/${memberId}/api-tokens`, {
      name: 'Zähler',
      scopes: ['usage.write'],
    });
    expect(res.statusCode, res.body).toBe(201);
    ids[key] = res.json().apiToken.id;
  }
});
afterAll(async () => t?.close());

type Req = { method: string; url: string; json?: unknown; form?: Record<string, string | string[]> };

/** How to call each member-scoped route; bodies are valid, so only the tenant check can refuse them. */
function requestFor(
  method: string,
  pattern: string,
  memberId: string,
  personId: string,
  tokenId: string,
): Req | undefined {
  const url = pattern
    .replace(':memberId', memberId)
    .replace(':id', memberId)
    .replace(':personId', personId)
    .replace(':tokenId', tokenId);
  const key = `${method} ${pattern}`;
  const bodies: Record<string, Pick<Req, 'json' | 'form'>> = {
    'PATCH /api/v1/members/:memberId': { json: { version: 1, city: 'Überall' } },
    'POST /api/v1/members/:memberId/status': { json: { status: 'withdrawn', on: '2026-11-01', version: 1 } },
    'POST /api/v1/members/:memberId/people': {
      json: { email: 'neu@example.org', displayName: 'Neu', roles: ['member_clerk'] },
    },
    'PATCH /api/v1/members/:memberId/people/:personId': { json: { version: 1, displayName: 'Geändert' } },
    'POST /api/v1/members/:memberId/api-tokens': { json: { name: 'x', scopes: ['usage.write'] } },
    'DELETE /api/v1/members/:memberId/api-tokens/:tokenId': {},
    'POST /mitglieder/:id': { form: { version: '1', city: 'Überall' } },
    'POST /mitglieder/:id/status': { form: { version: '1', status: 'withdrawn', on: '2026-11-01' } },
    'POST /mitglieder/:memberId/personen': {
      form: { email: 'neu@example.org', displayName: 'Neu', roles: 'member_clerk' },
    },
    'POST /mitglieder/:memberId/personen/:personId': {
      form: { version: '1', displayName: 'Geändert', roles: 'member_clerk', status: 'active' },
    },
    'POST /mitglieder/:memberId/api-tokens': { form: { name: 'x', scopes: 'usage.write' } },
    'POST /mitglieder/:memberId/api-tokens/:tokenId/widerrufen': { form: {} },
  };
  if (method === 'GET' || method === 'HEAD') return method === 'GET' ? { method, url } : undefined;
  const body = bodies[key];
  if (!body) return undefined;
  return { method, url, ...body };
}

function memberScopedRoutes() {
  const seen = new Set<string>();
  return t.app.allmende.routes.filter((r) => {
    const scoped =
      /:(memberId|id|personId|tokenId)\b/.test(r.url) && !r.url.startsWith('/static') && r.method !== 'HEAD';
    const k = `${r.method} ${r.url}`;
    if (!scoped || seen.has(k) || r.url.startsWith('/sprache')) return false;
    seen.add(k);
    return true;
  });
}

async function send(c: Client, r: Req) {
  if (r.url.startsWith('/api/')) return c.api(r.method as 'GET', r.url, r.json);
  if (r.method === 'GET') return c.get(r.url);
  await c.get('/konto'); // a page of one's own, for a fresh CSRF token
  return c.postForm(r.url, r.form ?? {});
}

async function snapshot(memberId: string) {
  return readAll(t.database, async (tx) => ({
    member: await tx.db
      .selectFrom('members')
      .selectAll()
      .where('id', '=', memberId)
      .executeTakeFirstOrThrow(),
    users: await tx.db
      .selectFrom('users')
      .select(['id', 'display_name', 'roles', 'status', 'version'])
      .where('member_id', '=', memberId)
      .orderBy('id')
      .execute(),
    tokens: await tx.db
      .selectFrom('api_tokens')
      .select(['id', 'revoked_at'])
      .where('member_id', '=', memberId)
      .orderBy('id')
      .execute(),
    audit:
      (
        await tx.db
          .selectFrom('audit_chain_heads')
          .select('last_seq')
          .where('member_id', '=', memberId)
          .executeTakeFirst()
      )?.last_seq ?? 0,
  }));
}

describe('cross-member matrix', () => {
  it('knows how to call every member-scoped route', () => {
    const routes = memberScopedRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const unknown = routes
      .filter((r) => !requestFor(r.method, r.url, 'm', 'p', 't'))
      .map((r) => `${r.method} ${r.url}`);
    expect(unknown, 'add these routes to the matrix').toEqual([]);
  });

  for (const [who, email, own, other] of [
    ['Panketal admin → Bad Belzig', DEMO.panketalAdmin, 'panketal', 'belzig'],
    ['Bad Belzig clerk → Panketal', DEMO.badBelzigClerk, 'belzig', 'panketal'],
    ['Amt Niemegk clerk → Panketal', DEMO.niemegkClerk, 'niemegk', 'panketal'],
  ] as const) {
    it(`${who}: every member-scoped route answers 404 and changes nothing`, async () => {
      void own;
      const c = await loggedIn(t.app, email);
      const otherId = ids[other];
      const personId = other === 'belzig' ? ids.belzigPerson : ids.panketalPerson;
      const tokenId = other === 'belzig' ? ids.belzigToken : ids.panketalToken;
      const before = await snapshot(otherId);
      const failures: string[] = [];
      for (const r of memberScopedRoutes()) {
        const req = requestFor(r.method, r.url, otherId, personId, tokenId)!;
        const res = await send(c, req);
        if (res.statusCode !== 404) failures.push(`${req.method} ${r.url} → ${res.statusCode}`);
        if (res.body.includes(other === 'belzig' ? 'Bad Belzig' : 'Panketal'))
          failures.push(`${req.method} ${r.url} leaks the name`);
        if (r.url.startsWith('/api/') && res.statusCode === 404) {
          expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        }
      }
      expect(failures).toEqual([]);
      expect(await snapshot(otherId)).toEqual(before);
    });
  }

  it('positive control: the Panketal admin reaches the same routes for Panketal', async () => {
    const c = await loggedIn(t.app, DEMO.panketalAdmin);
    const failures: string[] = [];
    for (const r of memberScopedRoutes().filter((x) => x.method === 'GET')) {
      const req = requestFor(r.method, r.url, ids.panketal, ids.panketalPerson, ids.panketalToken)!;
      const res = await send(c, req);
      if (res.statusCode === 404) failures.push(`${r.url} → 404`);
    }
    // Member-scoped GETs that a member admin may not use at all (the association's views) are 403, not 404.
    expect(failures).toEqual([]);
  });

  it('an Amt clerk acts for the municipalities of the Amt', async () => {
    const c = await loggedIn(t.app, DEMO.niemegkClerk);
    const res = await c.get(`/mitglieder/${ids.niemegk}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Niemegk');
    const api = await c.api('GET', `/api/v1/members/${ids.niemegk}`);
    expect(api.statusCode).toBe(200);
  });
});
