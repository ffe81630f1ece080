/**
 * Prepares one migrated database with the demo loaded, once per test run, and hands it to the test
 * files: on PGlite as a data-directory dump each file loads into its own in-memory instance; on
 * PostgreSQL as a template database each file clones into its own fresh database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { prepareDatabase } from '../src/db/bootstrap.js';
import { createDatabase } from '../src/db/database.js';
import { seedDemo } from '../src/modules/demo/demo.seed.js';

export const TEST_DB = process.env.ALLMENDE_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
const ADMIN_URL = process.env.ALLMENDE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/**
 * On PostgreSQL the tests run as in production: the app connects as a schema owner that is NOT a
 * superuser (only CREATEROLE, to create allmende_app once), so forced RLS binds the owner too.
 */
export const OWNER_ROLE = process.env.ALLMENDE_TEST_DB_OWNER ?? 'allmende_owner';

declare module 'vitest' {
  export interface ProvidedContext {
    testDb: 'pglite' | 'postgres';
    pgliteTemplate: string;
    pgAdminUrl: string;
    pgTemplateDb: string;
    pgOwner: string;
  }
}

export default async function setup(project: TestProject) {
  project.provide('testDb', TEST_DB);
  project.provide('pgAdminUrl', ADMIN_URL);
  project.provide('pgOwner', OWNER_ROLE);
  if (TEST_DB === 'pglite') {
    const database = await createDatabase({ kind: 'pglite' });
    await prepareDatabase(database);
    await seedDemo(database);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-test-'));
    const file = path.join(dir, 'template.tar.gz');
    const blob = await database.dump!();
    fs.writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
    await database.close();
    project.provide('pgliteTemplate', file);
    project.provide('pgTemplateDb', '');
    return () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const templateDb = `allmende_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  // Remove what crashed earlier runs left behind (their process is gone).
  const stale = await admin.query<{ datname: string }>(
    `select datname from pg_database where datname like 'allmende_tpl_%'`,
  );
  for (const { datname } of stale.rows) {
    const pid = Number(/^allmende_tpl_(\d+)/.exec(datname)?.[1]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {}
    if (!alive) await admin.query(`drop database if exists ${datname} with (force)`);
  }
  await admin.query(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = '${OWNER_ROLE}') then
        create role ${OWNER_ROLE} login createrole nosuperuser nobypassrls;
      end if;
    end $$`);
  await admin.query(`create database ${templateDb} owner ${OWNER_ROLE}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${templateDb}`;
  url.username = OWNER_ROLE;
  url.password = '';
  const database = await createDatabase({ kind: 'postgres', url: url.toString(), poolSize: 2 });
  await prepareDatabase(database);
  await seedDemo(database);
  await database.close();
  project.provide('pgliteTemplate', '');
  project.provide('pgTemplateDb', templateDb);
  return async () => {
    // Drop every database this run created (clones are named after the template).
    const res = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like $1`,
      [`${templateDb}_c_%`],
    );
    for (const r of res.rows) await admin.query(`drop database if exists ${r.datname} with (force)`);
    await admin.query(`drop database if exists ${templateDb} with (force)`);
    await admin.end();
  };
}
