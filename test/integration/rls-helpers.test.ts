/**
 * The two row-level-security helpers beside app_protect_tenant_table, and the lookup tables that replaced
 * the anonymous CHECKs — on PGlite and on PostgreSQL as the non-superuser owner (forced RLS binds it).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { runInTx } from '../../src/db/tx.js';
import {
  ALL_MEMBERS_READ,
  ALL_MEMBERS_WRITE,
  memberScope,
  NO_MEMBERS,
  type Scope,
  systemCtx,
} from '../../src/shared/context.js';
import { memberIdByName, testDatabase, testDbKind } from '../helpers.js';

let database: Database;
let panketal: string;
beforeAll(async () => {
  database = await testDatabase();
  panketal = await memberIdByName(database, 'Panketal');
  await database.withOwnerSession((s) =>
    s.script(`
      create table probe_association (id int primary key, note text not null);
      select app_protect_association_table('probe_association');
      create table probe_public (id int primary key, note text not null);
      select app_protect_public_table('probe_public');
      grant select, insert, update, delete on probe_association, probe_public to allmende_app;
      begin;
      select set_config('allmende.all_members', 'on', true);
      insert into probe_association values (1, 'seeded'), (2, 'seeded');
      insert into probe_public values (1, 'seeded'), (2, 'seeded');
      commit;`),
  );
});
afterAll(async () => database?.close());

type Probe = 'probe_association' | 'probe_public';
/** What a scope can do with a probe table: rows seen, and whether insert, update and delete took effect. */
async function abilities(table: Probe, scope: Scope) {
  const run = <T>(fn: (q: (s: ReturnType<typeof sql>) => Promise<T>) => Promise<T>) =>
    runInTx(database, systemCtx('test', scope), (tx) => fn((s) => s.execute(tx.db) as Promise<T>));
  const seen = await run(
    async (q) => ((await q(sql`select id from ${sql.table(table)}`)) as { rows: unknown[] }).rows.length,
  );
  const insert = await run(async (q) => {
    await q(sql`insert into ${sql.table(table)} values (100, 'x')`);
    await q(sql`delete from ${sql.table(table)} where id = 100`);
    return true;
  }).catch((err: Error) => {
    expect(err.message).toMatch(/row-level security/);
    return false;
  });
  const count = async (q: (s: ReturnType<typeof sql>) => Promise<unknown>, s: ReturnType<typeof sql>) =>
    Number(((await q(s)) as { numAffectedRows?: bigint }).numAffectedRows ?? 0);
  // Update and delete inside a transaction that is rolled back, so every scope sees the same rows.
  const changes = await runInTx(database, systemCtx('test', scope), async (tx) => {
    const q = (s: ReturnType<typeof sql>) => s.execute(tx.db);
    const updated = await count(q, sql`update ${sql.table(table)} set note = 'changed' where id = 1`);
    const deleted = await count(q, sql`delete from ${sql.table(table)} where id = 2`);
    throw Object.assign(new Error('rollback'), { result: { update: updated > 0, delete: deleted > 0 } });
  }).catch((err: { result?: { update: boolean; delete: boolean } }) => {
    if (!err.result) throw err;
    return err.result;
  });
  return { seen, insert, ...changes };
}

describe('app_protect_association_table', () => {
  it('lets every member scope read and only the association staff write', async () => {
    const staff = { seen: 2, insert: true, update: true, delete: true };
    const reader = { seen: 2, insert: false, update: false, delete: false };
    expect(await abilities('probe_association', ALL_MEMBERS_WRITE)).toEqual(staff);
    expect(await abilities('probe_association', ALL_MEMBERS_READ)).toEqual(reader); // association auditors
    expect(await abilities('probe_association', memberScope(panketal))).toEqual(reader); // member staff
    expect(await abilities('probe_association', memberScope(panketal, true))).toEqual(reader);
    // Without a member (anonymous, the log-in steps) nothing is visible.
    expect(await abilities('probe_association', NO_MEMBERS)).toEqual({ ...reader, seen: 0 });
  });
});

describe('app_protect_public_table', () => {
  it('lets anyone read, also without any member scope, and only the association staff write', async () => {
    const reader = { seen: 2, insert: false, update: false, delete: false };
    expect(await abilities('probe_public', ALL_MEMBERS_WRITE)).toEqual({
      seen: 2,
      insert: true,
      update: true,
      delete: true,
    });
    expect(await abilities('probe_public', ALL_MEMBERS_READ)).toEqual(reader);
    expect(await abilities('probe_public', memberScope(panketal))).toEqual(reader);
    expect(await abilities('probe_public', NO_MEMBERS)).toEqual(reader);
  });
});

describe('RLS helpers', () => {
  it('force RLS and evaluate the scope once per statement ((select …) form)', async () => {
    const rows = await database.withOwnerSession((s) =>
      s.query<{ tablename: string; policyname: string; qual: string | null; with_check: string | null }>(
        `select tablename, policyname, qual, with_check from pg_policies
         where tablename in ('probe_association', 'probe_public') order by 1, 2`,
      ),
    );
    expect(rows.map((r) => `${r.tablename}.${r.policyname}`)).toEqual([
      'probe_association.association_delete',
      'probe_association.association_insert',
      'probe_association.association_select',
      'probe_association.association_update',
      'probe_public.public_delete',
      'probe_public.public_insert',
      'probe_public.public_select',
      'probe_public.public_update',
    ]);
    for (const r of rows) {
      const text = `${r.qual ?? ''} ${r.with_check ?? ''}`;
      // Every call of a scope function sits in its own sub-select (an InitPlan, evaluated once).
      const calls = text.match(/app_[a-z_]+\(\)/g) ?? [];
      const wrapped = text.match(/\(\s*SELECT app_[a-z_]+\(\)/gi) ?? [];
      expect(wrapped.length, `${r.tablename}.${r.policyname}: ${text}`).toBe(calls.length);
    }
    const forced = await database.withOwnerSession((s) =>
      s.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        `select relname, relrowsecurity, relforcerowsecurity from pg_class
         where relname in ('probe_association', 'probe_public') order by 1`,
      ),
    );
    expect(forced.every((r) => r.relrowsecurity && r.relforcerowsecurity)).toBe(true);
  });

  it('bind the owner too on PostgreSQL (not a superuser): without a scope it reads no association rows', async () => {
    if (testDbKind() !== 'postgres') return; // PGlite runs as superuser, which bypasses RLS
    const rows = await database.withOwnerSession((s) =>
      s.query<{ a: number; p: number }>(
        `select (select count(*)::int from probe_association) as a, (select count(*)::int from probe_public) as p`,
      ),
    );
    expect(rows[0]).toEqual({ a: 0, p: 2 });
  });
});

describe('lookup tables', () => {
  const newUser = (roles: string[]) =>
    runInTx(database, systemCtx('test', memberScope(panketal)), (tx) =>
      tx.db
        .insertInto('users')
        .values({
          member_id: panketal,
          email: `probe-${roles.join('-')}@panketal.example`,
          display_name: 'Probe',
          roles: roles as never,
          password_hash: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );

  it('refuse an unknown role, token scope or actor kind, and an empty role list', async () => {
    await expect(newUser(['member_clerk', 'wizard'])).rejects.toThrow(/unknown code\(s\) wizard/);
    await expect(newUser([])).rejects.toThrow(/users_roles_not_empty/);
    await expect(
      runInTx(database, systemCtx('test', memberScope(panketal)), (tx) =>
        tx.db
          .insertInto('api_tokens')
          .values({
            member_id: panketal,
            name: 'probe',
            token_hash: 'a'.repeat(64),
            token_prefix: 'alm_probe',
            scopes: ['members.write' as never],
          })
          .execute(),
      ),
    ).rejects.toThrow(/unknown code\(s\) members\.write/);
    await expect(
      runInTx(database, systemCtx('test', memberScope(panketal)), async (tx) => {
        const head = await sql<{
          last_seq: number;
          last_hash: string;
        }>`select * from audit_chain_lock(${panketal})`.execute(tx.db);
        await tx.db
          .insertInto('audit_events')
          .values({
            member_id: panketal,
            seq: Number(head.rows[0]!.last_seq) + 1,
            occurred_at: new Date(),
            actor_type: 'robot' as never,
            actor_id: 'r2d2',
            action: 'member.viewed',
            object_type: 'member',
            prev_hash: head.rows[0]!.last_hash,
            hash: 'b'.repeat(64),
            details: '{}',
          })
          .execute();
      }),
    ).rejects.toThrow(/audit_events_actor_type_fkey/);
  });

  it('are extended by a later migration with one INSERT, and the app role may only read them', async () => {
    await expect(newUser(['catalogue_editor'])).rejects.toThrow(/unknown code/);
    await database.withOwnerSession((s) =>
      s.script(`insert into roles (code, description) values ('catalogue_editor', 'Edits the catalogue')`),
    );
    expect((await newUser(['catalogue_editor'])).id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(
      runInTx(database, systemCtx('test', ALL_MEMBERS_WRITE), (tx) =>
        tx.db.insertInto('roles').values({ code: 'sneaky', description: 'x' }).execute(),
      ),
    ).rejects.toThrow(/permission denied/);
    const kinds = await runInTx(database, systemCtx('test', NO_MEMBERS), (tx) =>
      tx.db.selectFrom('actor_kinds').select('code').orderBy('code').execute(),
    );
    expect(kinds.map((k) => k.code)).toEqual(['anonymous', 'citizen', 'job', 'system', 'token', 'user']);
  });
});
