/**
 * The migrator's rules on a real database (PGlite and PostgreSQL): timestamped names after the legacy
 * four-digit one, frozen files (checksum), missing files, the no-transaction marker, and a database
 * migrated before checksums existed. Uses temporary migration folders on a cloned test database whose
 * bookkeeping table is dropped first, so each case starts from "nothing applied".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { checksumOf, MIGRATIONS_DIR, MigrationError, migrate } from '../../src/db/migrator.js';
import { freshDatabase } from '../fresh-database.js';
import { testDatabase } from '../helpers.js';

let database: Database;
let dir: string;
let n = 0;
/** A unique table name per case: the cases share one database. */
let t: string;

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => database?.close());

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-migrations-'));
  t = `mig_probe_${++n}`;
  await database.withOwnerSession((s) => s.script('drop table if exists allmende_migrations'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, sql: string) => fs.writeFileSync(path.join(dir, name), sql);
const applied = () =>
  database.withOwnerSession((s) =>
    s.query<{ name: string; checksum: string | null }>(
      'select name, checksum from allmende_migrations order by applied_at, name',
    ),
  );
const tableExists = async (name: string) =>
  (
    await database.withOwnerSession((s) =>
      s.query<{ r: string | null }>('select to_regclass($1)::text as r', [name]),
    )
  )[0]?.r === name;

async function refusal(p: Promise<unknown>): Promise<MigrationError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigrationError);
  return err as MigrationError;
}

describe('migrator', () => {
  it('applies the legacy file first, then timestamped files in order, each once, with its checksum', async () => {
    write('20261202000200_second.sql', `alter table ${t} add column b int;`);
    write('20261202000100_first.sql', `alter table ${t} add column a int;`);
    write('0001_legacy.sql', `create table ${t} (id int primary key);`);
    write('README.md', 'not a migration');
    const first = await migrate(database, { dir });
    expect(first.applied).toEqual([
      '0001_legacy.sql',
      '20261202000100_first.sql',
      '20261202000200_second.sql',
    ]);
    const rows = await applied();
    expect(rows.map((r) => r.name)).toEqual(first.applied);
    expect(rows[1]?.checksum).toBe(checksumOf(fs.readFileSync(path.join(dir, '20261202000100_first.sql'))));
    const again = await migrate(database, { dir });
    expect(again).toEqual({ applied: [], alreadyApplied: 3, checksumsRecorded: [] });
  });

  it('refuses to start when an applied file changed, naming it, and applies nothing', async () => {
    write('20261202000100_first.sql', `create table ${t} (id int primary key);`);
    await migrate(database, { dir });
    write('20261202000100_first.sql', `create table ${t} (id int primary key, extra text);`);
    write('20261202000200_next.sql', `create table ${t}_next (id int);`);
    const err = await refusal(migrate(database, { dir }));
    expect(err.message).toMatch(/applied migration 20261202000100_first\.sql was changed/);
    expect(await tableExists(`${t}_next`)).toBe(false);
  });

  it('refuses to start when an applied file is missing, naming it', async () => {
    write('20261202000100_first.sql', `create table ${t} (id int primary key);`);
    await migrate(database, { dir });
    fs.rmSync(path.join(dir, '20261202000100_first.sql'));
    write('20261202000200_next.sql', `create table ${t}_next (id int);`);
    const err = await refusal(migrate(database, { dir }));
    expect(err.message).toMatch(/applied migration 20261202000100_first\.sql is missing/);
    expect(await tableExists(`${t}_next`)).toBe(false);
  });

  it('refuses a .sql file whose name is not timestamped', async () => {
    write('2026120200_short.sql', 'select 1;');
    expect((await refusal(migrate(database, { dir }))).message).toMatch(
      /2026120200_short\.sql does not match/,
    );
    fs.rmSync(path.join(dir, '2026120200_short.sql'));
    write('20261302000000_month13.sql', 'select 1;');
    expect((await refusal(migrate(database, { dir }))).message).toMatch(/not a valid timestamp/);
  });

  it('rolls a failing file back as a whole and records nothing for it', async () => {
    write('20261202000100_bad.sql', `create table ${t} (id int); select no_such_function();`);
    expect((await refusal(migrate(database, { dir }))).message).toMatch(
      /migration 20261202000100_bad\.sql failed/,
    );
    expect(await tableExists(t)).toBe(false);
    expect(await applied()).toEqual([]);
  });

  it('runs a file marked no-transaction statement by statement outside a transaction', async () => {
    const body = `create table ${t} (id int primary key, note text);
-- a comment; with a semicolon
create function ${t}_f() returns text language plpgsql as $$ begin return 'a;b'; end $$;
create index concurrently if not exists ${t}_note_idx on ${t} (note);
insert into ${t} (id, note) values (1, 'it''s; fine');
`;
    // Without the marker the file runs in one transaction, where CREATE INDEX CONCURRENTLY is refused.
    write('20261202000100_concurrently.sql', body);
    expect((await refusal(migrate(database, { dir }))).message).toMatch(
      /cannot run inside a transaction block|CONCURRENTLY/i,
    );
    expect(await tableExists(t)).toBe(false);
    write('20261202000100_concurrently.sql', `-- allmende:no-transaction\n${body}`);
    const res = await migrate(database, { dir });
    expect(res.applied).toEqual(['20261202000100_concurrently.sql']);
    expect(await tableExists(`${t}_note_idx`)).toBe(true);
    const rows = await database.withOwnerSession((s) =>
      s.query<{ f: string; note: string }>(`select ${t}_f() as f, note from ${t}`),
    );
    expect(rows).toEqual([{ f: 'a;b', note: "it's; fine" }]);
  });

  it('upgrades a database migrated before checksums: records them, then freezes the files', async () => {
    write('0001_legacy.sql', `create table ${t} (id int primary key);`);
    write('20261202000100_next.sql', `alter table ${t} add column a int;`);
    // The bookkeeping table as the earlier migrator left it: no checksum column.
    await database.withOwnerSession(async (s) => {
      await s.script(`create table allmende_migrations (name text primary key, applied_at timestamptz not null default now());
        create table ${t} (id int primary key);
        insert into allmende_migrations (name) values ('0001_legacy.sql');`);
    });
    const res = await migrate(database, { dir });
    expect(res).toEqual({
      applied: ['20261202000100_next.sql'],
      alreadyApplied: 1,
      checksumsRecorded: ['0001_legacy.sql'],
    });
    expect((await applied()).every((r) => r.checksum?.length === 64)).toBe(true);
    write('0001_legacy.sql', `create table ${t} (id bigint primary key);`);
    expect((await refusal(migrate(database, { dir }))).message).toMatch(/0001_legacy\.sql was changed/);
  });
});

describe('migrator on an existing installation', () => {
  it('upgrades a database that the earlier migrator brought to 0001_foundation', async () => {
    const fresh = await freshDatabase();
    try {
      const foundation = fs.readFileSync(path.join(MIGRATIONS_DIR, '0001_foundation.sql'), 'utf8');
      await fresh.withOwnerSession(async (s) => {
        await s.script(
          `create table allmende_migrations (name text primary key, applied_at timestamptz not null default now())`,
        );
        await s.script('begin');
        await s.script(foundation);
        await s.query(`insert into allmende_migrations (name) values ('0001_foundation.sql')`);
        await s.script('commit');
      });
      const res = await migrate(fresh);
      expect(res.checksumsRecorded).toEqual(['0001_foundation.sql']);
      expect(res.applied[0]).toBe('20261202000100_lookup_tables_and_rls_helpers.sql');
      expect(res.applied).not.toContain('0001_foundation.sql');
      const again = await migrate(fresh);
      expect(again.applied).toEqual([]);
      expect(again.checksumsRecorded).toEqual([]);
    } finally {
      await fresh.close();
    }
  }, 180_000); // a fresh PGlite initialises its cluster first

  it('keeps 0001_foundation.sql byte for byte as existing databases applied it', () => {
    const bytes = fs.readFileSync(path.join(MIGRATIONS_DIR, '0001_foundation.sql'));
    expect(checksumOf(bytes)).toBe('3baa7a3f5b0775fa21b1d90070b0f239600ff41226d90c760530eacf13f5d1e9');
  });
});
