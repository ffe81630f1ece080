/**
 * The cross-member matrix: every member-scoped route (API and pages), driven as staff of member A with
 * the ids of member B, answers 404 — never 403, never data — and changes nothing.
 * The route list comes from the app itself and the requests from the module definitions, so a new
 * member-scoped route its module does not declare fails. The tests' sample module is served too, to show
 * that a module added with one registry line is driven like every other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULES } from '../../src/modules/index.js';
import { sampleModule } from '../fixtures/sample/sample.module.js';
import { type Client, DEMO, loggedIn, memberIdByName, readAll, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
const ids = {} as { panketal: string; belzig: string; niemegk: string };

beforeAll(async () => {
  t = await testApp({ modules: [...MODULES, sampleModule] });
  ids.panketal = await memberIdByName(t.database, 'Panketal');
  ids.belzig = await memberIdByName(t.database, 'Bad Belzig');
  ids.niemegk = await memberIdByName(t.database, 'Niemegk');
  const admin = await loggedIn(t.app, DEMO.associationAdmin);
  // Each member gets an API token, so the token routes have an object to aim at.
  for (const memberId of [ids.belzig, ids.panketal]) {
    const res = await admin.api('POST', `/api/v1/members/${memberId}/api-tokens`, {
      name: 'Zähler',
      scopes: ['usage.write'],
    });
    expect(res.statusCode, res.body).toBe(201);
  }
});
afterAll(async () => t?.close());

type Req = { method: string; url: string; json?: unknown; form?: Record<string, string | string[]> };

/**
 * How to call each member-scoped route: the modules declare every one of them with a valid body (so only
 * the tenant check can refuse it) and how to find a member's object for each route parameter.
 */
async function requestFor(method: string, pattern: string, memberId: string): Promise<Req | undefined> {
  const { tenancyRoutes, tenancyParams } = t.app.allmende.registry;
  const body = tenancyRoutes.get(`${method} ${pattern}`);
  if (!body) return undefined;
  let url = pattern.replace(':memberId', memberId).replace(':id', memberId);
  for (const [param, find] of tenancyParams) {
    if (!url.includes(`:${param}`)) continue;
    const id = await readAll(t.database, (tx) => find(tx, memberId));
    if (!id) throw new Error(`no ${param} of member ${memberId} for ${pattern}`);
    url = url.replace(`:${param}`, id);
  }
  return { method, url, ...body };
}

function memberScopedRoutes() {
  const seen = new Set<string>();
  return t.app.allmende.routes.filter((r) => {
    const scoped = /\/:(memberId|id)\b/.test(r.url) && !r.url.startsWith('/static') && r.method !== 'HEAD';
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
  it('knows how to call every member-scoped route, from the module definitions', () => {
    const routes = memberScopedRoutes().map((r) => `${r.method} ${r.url}`);
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const declared = [...t.app.allmende.registry.tenancyRoutes.keys()];
    const undeclared = routes.filter((r) => !declared.includes(r));
    expect(undeclared, "declare these routes in their module's tenancy").toEqual([]);
    const stale = declared.filter((r) => !routes.includes(r));
    expect(stale, 'declared in a module but not served').toEqual([]);
    expect(routes).toContain('POST /api/v1/members/:memberId/sample-pings');
    expect(routes).toContain('GET /mitglieder/:memberId/proben');
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
      const before = await snapshot(otherId);
      const failures: string[] = [];
      for (const r of memberScopedRoutes()) {
        const req = (await requestFor(r.method, r.url, otherId))!;
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
      const req = (await requestFor(r.method, r.url, ids.panketal))!;
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
