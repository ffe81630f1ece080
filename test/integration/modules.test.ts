/**
 * The module contract: every module folder is registered, every route belongs to a module or to the
 * platform, and a module added as a folder plus one registry line (the tests' sample module) shows up in
 * the navigation, the audit labels, the messages and the routes — without editing any shared file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appJobs } from '../../src/jobs/app-jobs.js';
import { createJobRunner } from '../../src/jobs/runner.js';
import { MODULES } from '../../src/modules/index.js';
import { defineModule } from '../../src/modules/module.js';
import { createRegistry } from '../../src/modules/registry.js';
import { sampleJobRuns, sampleModule } from '../fixtures/sample/sample.module.js';
import {
  DEMO,
  databaseUrlOf,
  loggedIn,
  memberIdByName,
  type TestApp,
  testApp,
  testConfig,
} from '../helpers.js';

/** Routes of the platform itself, outside every module. */
const PLATFORM =
  /^(\/healthz|\/readyz|\/metrics|\/api\/openapi\.json|\/api\/docs|\/static\/|\/favicon\.ico|\/impressum|\/datenschutz|\/barrierefreiheit)/;

let t: TestApp;
let panketal: string;
beforeAll(async () => {
  t = await testApp({ modules: [...MODULES, sampleModule] });
  panketal = await memberIdByName(t.database, 'Panketal');
});
afterAll(async () => t?.close());

describe('the registry', () => {
  it('lists every module folder', async () => {
    const root = path.resolve(import.meta.dirname, '../../src/modules');
    const folders = fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory());
    const registered = new Set(MODULES.map((m) => m.name));
    for (const d of folders) {
      const defs = fs.readdirSync(path.join(root, d.name)).filter((f) => /\.module\.tsx?$/.test(f));
      expect(defs, `${d.name}/ needs exactly one *.module.ts`).toHaveLength(1);
      const mod = (await import(path.join(root, d.name, defs[0]!))) as Record<string, unknown>;
      const def = Object.values(mod).find((v) => MODULES.includes(v as never));
      expect(def, `${d.name}/${defs[0]} is not in src/modules/index.ts`).toBeDefined();
      expect(registered.has(d.name), `module name of ${d.name}/ is its folder name`).toBe(true);
    }
  });

  it('knows the owner of every route', () => {
    const owners = t.app.allmende.registry.routeOwners;
    const orphans = t.app.allmende.routes
      .filter((r) => !owners.has(`${r.method} ${r.url}`) && !PLATFORM.test(r.url) && r.url !== '/*')
      .map((r) => `${r.method} ${r.url}`);
    expect(orphans, 'routes registered outside a module definition').toEqual([]);
    expect(owners.get('GET /api/v1/members')).toBe('members');
    expect(owners.get('POST /api/v1/members/:memberId/sample-pings')).toBe('sample');
  });

  it('labels every audit event and permission in German and English', () => {
    const r = t.app.allmende.registry;
    const keys = [
      ...[...r.auditEvents].map((a) => `audit_event.${a}`),
      ...[...r.permissions.keys()].map((p) => `permission.${p}`),
    ];
    for (const key of keys) {
      expect(r.messages.get(key)?.de.trim(), key).toBeTruthy();
      expect(r.messages.get(key)?.en.trim(), key).toBeTruthy();
    }
    expect(r.auditLabel('member.created', 'de')).toBe('Mitglied angelegt');
    expect(r.auditLabel('member.created', 'en')).toBe('Member created');
  });

  it('refuses a permission, audit event or module declared twice, and navigation behind an unknown permission', () => {
    const twice = defineModule({ name: 'twice', permissions: {}, auditEvents: [], messages: {} });
    expect(() => createRegistry([twice, twice])).toThrow(/registered twice/);
    const clash = defineModule({
      name: 'clash',
      permissions: {},
      auditEvents: ['member.created'],
      messages: {},
    });
    expect(() => createRegistry([...MODULES, clash])).toThrow(/member.created/);
    const unlabelled = defineModule({
      name: 'unlabelled',
      permissions: {},
      auditEvents: ['x.done'],
      messages: {},
    });
    expect(() => createRegistry([unlabelled])).toThrow(/audit_event.x.done/);
    const blind = defineModule({
      name: 'blind',
      permissions: {},
      auditEvents: [],
      messages: {},
      navigation: [{ area: 'member', order: 1, label: 'x', href: () => '/x', permission: 'nope.read' }],
    });
    expect(() => createRegistry([blind])).toThrow(/nope.read/);
  });

  it('grants the permissions the modules declare to roles and token scopes', () => {
    const r = t.app.allmende.registry;
    expect([...r.grantOfRoles(['member_admin']).permissions].sort()).toEqual([
      'agreements.manage',
      'agreements.read',
      'members.edit_profile',
      'members.read',
      'people.manage',
      'people.read',
      'sample.ping',
      'tokens.manage',
      'usage.read',
    ]);
    expect(r.grantOfRoles(['auditor']).readOnly).toBe(true);
    expect(r.grantOfRoles(['member_admin'], true).readOnly).toBe(true);
    expect([...r.grantOfScopes(['usage.write']).permissions]).toEqual(['usage.write']);
  });
});

describe('a module added with one registry line', () => {
  it('appears in the navigation of those holding its permission, with its message', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const page = await admin.get(`/mitglieder/${panketal}`);
    expect(page.body).toContain(`href="/mitglieder/${panketal}/proben"`);
    const own = await admin.get(`/mitglieder/${panketal}/proben`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('<h1 class="kern-heading-x-large">Proben</h1>');
    expect(own.body).toMatch(/aria-current="page"[^>]*>Proben</);
    const clerk = await loggedIn(t.app, DEMO.badBelzigClerk);
    const clerkPage = await clerk.get('/');
    expect(clerkPage.body).not.toContain('/proben');
  });

  it('records its audit event, labelled on the audit pages in German and English', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const res = await admin.api('POST', `/api/v1/members/${panketal}/sample-pings`, {});
    expect(res.statusCode, res.body).toBe(201);
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const de = await auditor.get('/pruefung?aktion=sample.pinged');
    expect(de.statusCode).toBe(200);
    expect(de.body).toContain('Probe gesendet');
    await auditor.get('/sprache/en?zurueck=/pruefung');
    const en = await auditor.get('/pruefung?aktion=sample.pinged');
    expect(en.body).toContain('Sample sent');
  });

  it('runs its job through the job runner, with the job as actor', async () => {
    const registry = t.app.allmende.registry;
    expect(registry.jobs.map((j) => j.name)).toContain('sample.tick');
    const jobs = appJobs(registry.modules);
    expect(jobs.map((j) => j.name)).toEqual(expect.arrayContaining(['sample.tick', 'auth.session-purge']));
    const url = databaseUrlOf(t.database);
    const runner = createJobRunner({
      database: t.database,
      config: testConfig({ ALLMENDE_JOBS_POLL_MS: '100', ...(url ? { DATABASE_URL: url } : {}) }),
      jobs,
      log: { info() {}, warn() {}, error() {} },
    });
    await runner.start();
    try {
      await runner.send('sample.tick', { note: 'hallo' });
      const until = Date.now() + 30_000;
      while (sampleJobRuns.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(sampleJobRuns).toEqual([{ note: 'hallo', actor: 'sample.tick' }]);
    } finally {
      await runner.stop({ timeoutMs: 5000 });
    }
  });

  it('is refused for another member like every member-scoped route', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const belzig = await memberIdByName(t.database, 'Bad Belzig');
    expect((await admin.api('POST', `/api/v1/members/${belzig}/sample-pings`, {})).statusCode).toBe(404);
    expect((await admin.get(`/mitglieder/${belzig}/proben`)).statusCode).toBe(404);
  });
});
