/**
 * An empty database — nothing migrated — for tests of the migrator itself: an in-memory PGlite, or on
 * PostgreSQL a new database owned by the (non-superuser) test owner, dropped with the run's clones.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../src/db/database.js';

export async function freshDatabase(): Promise<Database> {
  if (inject('testDb') === 'pglite') return createDatabase({ kind: 'pglite' });
  // Named like the template's clones, so the global teardown drops it.
  const name = `${inject('pgTemplateDb')}_c_fresh_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    await admin.query(`create database ${name} owner ${inject('pgOwner')}`);
  } finally {
    await admin.end();
  }
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  url.username = inject('pgOwner');
  url.password = '';
  return createDatabase({ kind: 'postgres', url: url.toString(), poolSize: 2 });
}
