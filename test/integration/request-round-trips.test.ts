/**
 * The hot path's round trips (ARCHITECTURE.md, "Performance: the request's round trips"): an
 * authenticated request resolves its principal in its own transaction, the statement that does so sets
 * the member scope, and the route continues that transaction. These tests hold the number of statements
 * per request and that the scope set this way is the principal's, still enforced by the database.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestTransactions, runInTx } from '../../src/db/tx.js';
import { beginSessionRequest } from '../../src/modules/auth/sessions.service.js';
import { hashToken } from '../../src/modules/auth/tokens.js';
import { systemClock } from '../../src/shared/clock.js';
import { ALL_MEMBERS_WRITE, principalCtx, systemCtx } from '../../src/shared/context.js';
import {
  asSuperuser,
  type Client,
  DEMO,
  loggedIn,
  memberIdByName,
  readAll,
  type TestApp,
  testApp,
} from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

const SESSION = '__Host-allmende-session';

/** Statements the app sends while fn runs. */
async function statementsOf(fn: () => Promise<unknown>): Promise<number> {
  const before = t.database.stats.statements;
  await fn();
  return t.database.stats.statements - before;
}

async function lastSeen(client: Client): Promise<Date> {
  const id = hashToken(client.cookies.get(SESSION)!);
  const row = await readAll(t.database, (tx) =>
    tx.db.selectFrom('sessions').select('last_seen_at').where('id', '=', id).executeTakeFirstOrThrow(),
  );
  return row.last_seen_at;
}

describe('round trips per authenticated request', () => {
  it('the members API and page take three round trips: begin + principal + scope, the list, commit', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    await admin.get('/api/v1/members'); // warm: "last seen" was written at login
    let res: Awaited<ReturnType<Client['get']>> | undefined;
    expect(
      await statementsOf(async () => {
        res = await admin.get('/api/v1/members');
      }),
    ).toBe(3);
    expect(res!.statusCode).toBe(200);
    expect(res!.json().items.length).toBe(50);
    expect(res!.json().total).toBeGreaterThan(50);
    expect(
      await statementsOf(async () => {
        res = await admin.get('/mitglieder');
      }),
    ).toBe(3);
    expect(res!.statusCode).toBe(200);
  });

  it('an API token takes the same three round trips', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const assoc = await memberIdByName(t.database, 'Zweckverband Digitale Kommunen Brandenburg');
    const created = await admin.api('POST', `/api/v1/members/${assoc}/api-tokens`, {
      name: 'Round trips',
      scopes: ['members.read'],
    });
    expect(created.statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${created.json().token}` };
    await admin.get('/api/v1/members', bearer); // first use records "last used"
    let status = 0;
    expect(
      await statementsOf(async () => {
        status = (await t.app.inject({ url: '/api/v1/members', headers: bearer })).statusCode;
      }),
    ).toBe(3);
    expect(status).toBe(200);
  });

  it('a request that never uses the database still ends its transaction (begin + principal, commit)', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    await admin.get('/api/v1/me');
    expect(await statementsOf(() => admin.get('/api/v1/me'))).toBe(2);
    // The connection is free again: a plain transaction runs at once.
    await readAll(t.database, (tx) => sql`select 1`.execute(tx.db));
    // Probes open no request transaction (readiness queries outside runInTx, and must not wait for one).
    expect(await statementsOf(() => admin.get('/healthz'))).toBe(0);
    expect((await admin.get('/readyz')).statusCode).toBe(200);
  });

  it('any transaction sends BEGIN together with its role and scope', async () => {
    expect(
      await statementsOf(() =>
        readAll(t.database, (tx) => tx.db.selectFrom('members').select('id').limit(1).execute()),
      ),
    ).toBe(3); // begin + role + scope, the query, commit
    expect(await statementsOf(() => readAll(t.database, async () => undefined))).toBe(2); // begin + scope, commit
  });

  it('a page past the end still reports the total', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const res = await admin.get('/api/v1/members?page=100&pageSize=50');
    expect(res.json().items).toEqual([]);
    expect(res.json().total).toBeGreaterThan(50);
  });
});

describe('the scope set by the principal statement', () => {
  it("is the principal's own: a member admin sees its member only, as the app role, read/write as granted", async () => {
    const panketalAdmin = await loggedIn(t.app, DEMO.panketalAdmin);
    const panketal = await memberIdByName(t.database, 'Panketal');
    const { principal, tx } = await beginSessionRequest(
      t.database,
      t.config,
      panketalAdmin.cookies.get(SESSION)!,
      t.app.allmende.registry,
      systemClock,
    );
    expect(principal?.memberId).toBe(panketal);
    const before = t.database.stats.statements;
    const seen = await tx!.run(principalCtx('test', principal!), async (x) => {
      const r = await sql<{ role: string; ids: string; ro: string }>`select current_user as role,
          current_setting('allmende.member_ids') as ids, current_setting('allmende.read_only') as ro`.execute(
        x.db,
      );
      const members = await x.db.selectFrom('members').select('id').execute();
      return { ...r.rows[0]!, members: members.map((m) => m.id) };
    });
    // No set_config of its own: two queries and the commit.
    expect(t.database.stats.statements - before).toBe(3);
    expect(seen).toEqual({ role: 'allmende_app', ids: `{${panketal}}`, ro: 'off', members: [panketal] });
  });

  it('is read-only for an auditor: the database changes none of its rows and refuses its inserts', async () => {
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const { principal, tx } = await beginSessionRequest(
      t.database,
      t.config,
      auditor.cookies.get(SESSION)!,
      t.app.allmende.registry,
      systemClock,
    );
    expect(principal?.readOnly).toBe(true);
    const updated = await tx!.run(principalCtx('test', principal!), (x) =>
      x.db
        .updateTable('members')
        .set({ city: 'Nirgendwo' })
        .where('is_association', '=', true)
        .executeTakeFirst(),
    );
    expect(updated.numUpdatedRows).toBe(0n);
    const again = await beginSessionRequest(
      t.database,
      t.config,
      auditor.cookies.get(SESSION)!,
      t.app.allmende.registry,
      systemClock,
    );
    await expect(
      again.tx!.run(principalCtx('test', again.principal!), (x) =>
        x.db
          .insertInto('api_tokens')
          .values({
            member_id: principal!.memberId,
            name: 'Nope',
            token_hash: 'a'.repeat(64),
            token_prefix: 'alm_aaaaaa',
            scopes: ['members.read'],
          })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('is none for an unknown session, and an open request transaction is continued by runInTx', async () => {
    const { principal, tx } = await beginSessionRequest(
      t.database,
      t.config,
      'x'.repeat(43),
      t.app.allmende.registry,
      systemClock,
    );
    expect(principal).toBeNull();
    const before = t.database.stats.statements;
    const visible = await requestTransactions.run({ current: tx }, () =>
      runInTx(t.database, systemCtx('test', ALL_MEMBERS_WRITE), async (x) =>
        Number(
          (
            await x.db
              .selectFrom('members')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
      ),
    );
    expect(tx!.open).toBe(false);
    // The wider scope of the system context was set in the same transaction: set_config, count, commit.
    expect(t.database.stats.statements - before).toBe(3);
    expect(visible).toBeGreaterThan(50);
  });
});

describe('row-level security policies', () => {
  it('evaluate the member scope once per statement: every policy reads it through a sub-select', async () => {
    const policies = await t.database.withOwnerSession((s) =>
      s.query<{ tablename: string; policyname: string; qual: string | null; with_check: string | null }>(
        `select tablename, policyname, qual, with_check from pg_policies where schemaname = 'public'`,
      ),
    );
    const tables = new Set(policies.map((p) => p.tablename));
    for (const table of ['members', 'users', 'sessions', 'api_tokens', 'audit_events', 'audit_chain_heads']) {
      expect(tables.has(table), table).toBe(true);
    }
    // Tenant tables read both parts of the scope; every table, tenant or association-owned (the
    // catalogue, the assembly), calls a scope function only inside a sub-select, never once per row.
    const tenantTables = new Set(
      policies.filter((p) => p.policyname.startsWith('tenant_')).map((p) => p.tablename),
    );
    expect(tenantTables.has('members')).toBe(true);
    for (const p of policies) {
      for (const expr of [p.qual, p.with_check]) {
        if (expr === null) continue;
        const where = `${p.tablename}.${p.policyname}`;
        if (tenantTables.has(p.tablename)) {
          expect(expr, where).toMatch(/\(\s*SELECT app_all_members\(\)/);
          expect(expr, where).toMatch(/\(\s*SELECT app_member_ids\(\)/);
        }
        expect(expr, where).not.toMatch(/app_can_see\(/);
        const calls = expr.match(/app_(all_members|member_ids|read_only)\(\)/g) ?? [];
        const subSelects = expr.match(/SELECT app_(all_members|member_ids|read_only)\(\)/g) ?? [];
        expect(subSelects.length, where).toBe(calls.length);
      }
    }
  });
});

describe('session timeouts in the principal statement', () => {
  it('records "last seen" at most once a minute', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const id = hashToken(admin.cookies.get(SESSION)!);
    const setLastSeen = (ago: string) =>
      asSuperuser(t.database, (s) =>
        s.query(`update sessions set last_seen_at = now() - $2::interval where id = $1`, [id, ago]),
      );
    await setLastSeen('30 seconds');
    const a = await lastSeen(admin);
    await admin.get('/api/v1/me');
    expect((await lastSeen(admin)).getTime()).toBe(a.getTime());
    await setLastSeen('2 minutes');
    const b = await lastSeen(admin);
    await admin.get('/api/v1/me');
    expect((await lastSeen(admin)).getTime()).toBeGreaterThan(b.getTime() + 60_000);
  });

  it('ends an idle session in the request and answers as for no session', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const id = hashToken(admin.cookies.get(SESSION)!);
    await asSuperuser(t.database, (s) =>
      s.query(`update sessions set last_seen_at = now() - interval '31 minutes' where id = $1`, [id]),
    );
    const res = await admin.get('/api/v1/members');
    expect(res.statusCode).toBe(401);
    const left = await readAll(t.database, (tx) =>
      tx.db.selectFrom('sessions').select('id').where('id', '=', id).execute(),
    );
    expect(left).toEqual([]);
  });
});
