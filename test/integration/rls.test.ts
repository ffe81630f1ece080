/**
 * Separation of municipalities in the database itself: every table with member data has row-level
 * security ENABLED and FORCED, and the application runs as a role that can neither bypass it nor
 * keep a member scope beyond its transaction.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { runInTx } from '../../src/db/tx.js';
import { ALL_MEMBERS_READ, memberScope, NO_MEMBERS, systemCtx } from '../../src/shared/context.js';
import { memberIdByName, testDatabase } from '../helpers.js';

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => database?.close());

/** Tables holding a member's data: every table with a member_id column, plus members itself. */
async function tenantTables(): Promise<string[]> {
  const rows = await database.withOwnerSession((s) =>
    s.query<{ table_name: string }>(
      `select distinct c.table_name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
       where c.table_schema = 'public' and c.column_name = 'member_id' and t.table_type = 'BASE TABLE'
       order by 1`,
    ),
  );
  return [...rows.map((r) => r.table_name), 'members'];
}

describe('row-level security coverage', () => {
  it('finds the tenant tables', async () => {
    const tables = await tenantTables();
    expect(tables).toEqual(
      expect.arrayContaining([
        'users',
        'sessions',
        'api_tokens',
        'audit_events',
        'audit_chain_heads',
        'members',
      ]),
    );
  });

  it('has RLS enabled AND forced on every table with member_id', async () => {
    const tables = await tenantTables();
    const rows = await database.withOwnerSession((s) =>
      s.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: number }>(
        `select c.relname, c.relrowsecurity, c.relforcerowsecurity,
                (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relname = any($1::text[])`,
        [tables],
      ),
    );
    expect(rows.map((r) => r.relname).sort()).toEqual([...tables].sort());
    const unprotected = rows.filter(
      (r) => !r.relrowsecurity || !r.relforcerowsecurity || Number(r.policies) === 0,
    );
    expect(
      unprotected.map((r) => r.relname),
      'tables without forced RLS',
    ).toEqual([]);
  });

  it('runs application transactions as a role that is neither superuser nor BYPASSRLS', async () => {
    const row = await runInTx(
      database,
      systemCtx('test', NO_MEMBERS),
      async (tx) =>
        (
          await sql<{ current_user: string; rolsuper: boolean; rolbypassrls: boolean }>`
          select current_user, r.rolsuper, r.rolbypassrls from pg_roles r where r.rolname = current_user`.execute(
            tx.db,
          )
        ).rows[0],
    );
    expect(row).toEqual({ current_user: 'allmende_app', rolsuper: false, rolbypassrls: false });
  });

  it('shows a member scope only its own rows, and an empty scope nothing', async () => {
    const panketal = await memberIdByName(database, 'Panketal');
    const counts = async (scope: ReturnType<typeof memberScope>) =>
      runInTx(database, systemCtx('test', scope), async (tx) => ({
        members: (await tx.db.selectFrom('members').select('id').execute()).map((r) => r.id),
        users: (await tx.db.selectFrom('users').select('member_id').execute()).map((r) => r.member_id),
      }));
    const own = await counts(memberScope(panketal));
    expect(own.members).toEqual([panketal]);
    expect(own.users.length).toBeGreaterThan(0);
    expect(new Set(own.users)).toEqual(new Set([panketal]));
    const none = await counts(NO_MEMBERS);
    expect(none.members).toEqual([]);
    expect(none.users).toEqual([]);
    const all = await counts(ALL_MEMBERS_READ);
    expect(all.members.length).toBeGreaterThan(50);
  });

  it('refuses writes into another member and all writes in a read-only scope', async () => {
    const panketal = await memberIdByName(database, 'Panketal');
    const belzig = await memberIdByName(database, 'Bad Belzig');
    // Updating another member's row affects nothing: the row is invisible.
    const updated = await runInTx(database, systemCtx('test', memberScope(panketal)), async (tx) =>
      Number(
        (await tx.db.updateTable('members').set({ city: 'X' }).where('id', '=', belzig).executeTakeFirst())
          .numUpdatedRows,
      ),
    );
    expect(updated).toBe(0);
    // Inserting a row for another member violates the policy.
    await expect(
      runInTx(database, systemCtx('test', memberScope(panketal)), (tx) =>
        tx.db
          .insertInto('users')
          .values({
            member_id: belzig,
            email: 'x@belzig.example',
            display_name: 'X',
            roles: ['member_clerk'],
            password_hash: null,
          })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    // A read-only scope (auditors) cannot write even its own rows.
    await expect(
      runInTx(database, systemCtx('test', memberScope(panketal, true)), async (tx) => {
        const r = await tx.db
          .updateTable('members')
          .set({ city: 'Y' })
          .where('id', '=', panketal)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw new Error('row-level security: no row updated');
      }),
    ).rejects.toThrow(/row-level security/);
  });

  it('sets the member scope per transaction, never per session', async () => {
    const panketal = await memberIdByName(database, 'Panketal');
    await runInTx(database, systemCtx('test', memberScope(panketal)), async () => undefined);
    // The next statement outside that transaction (same pooled connection on PGlite) has no scope and
    // the connecting role again.
    const row = await database.withOwnerSession((s) =>
      s.query<{ ids: string | null; role: string }>(
        `select current_setting('allmende.member_ids', true) as ids, current_user as role`,
      ),
    );
    expect(row[0]?.ids ?? '').toBe('');
    expect(row[0]?.role).not.toBe('allmende_app');
  });

  it('grants the app role no UPDATE, DELETE or TRUNCATE on audit events and nothing on chain heads', async () => {
    const rows = await database.withOwnerSession((s) =>
      s.query<{ table_name: string; privilege_type: string }>(
        `select table_name, privilege_type from information_schema.role_table_grants
         where grantee = 'allmende_app' and table_name in ('audit_events', 'audit_chain_heads') order by 1, 2`,
      ),
    );
    expect(rows).toEqual([
      { table_name: 'audit_chain_heads', privilege_type: 'SELECT' },
      { table_name: 'audit_events', privilege_type: 'INSERT' },
      { table_name: 'audit_events', privilege_type: 'SELECT' },
    ]);
    const belzig = await memberIdByName(database, 'Bad Belzig');
    for (const stmt of [
      sql`update audit_events set action = 'member.updated'`,
      sql`delete from audit_events`,
      sql`truncate audit_events`,
      sql`update audit_chain_heads set last_seq = 0`,
    ]) {
      await expect(
        runInTx(database, systemCtx('test', memberScope(belzig)), (tx) => stmt.execute(tx.db)),
      ).rejects.toThrow(/permission denied/);
    }
  });
});
