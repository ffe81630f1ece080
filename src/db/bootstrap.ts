/**
 * Brings a database to a runnable state: migrations, the instance secret, and (when configured)
 * the demo. Used by `allmende serve`, `allmende migrate` and the tests.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from './database.js';
import { migrate } from './migrator.js';

export interface InstanceState {
  secret: string;
  demoSeeded: boolean;
  migrationsApplied: string[];
}

export async function prepareDatabase(database: Database): Promise<InstanceState> {
  const { applied } = await migrate(database);
  return database.withOwnerSession(async (s) => {
    await s.query(
      `insert into instance_settings (key, value) values ('secret', $1) on conflict (key) do nothing`,
      [randomBytes(32).toString('base64url')],
    );
    const rows = await s.query<{ key: string; value: string }>(`select key, value from instance_settings`);
    const get = (k: string) => rows.find((r) => r.key === k)?.value;
    database.secret = get('secret')!;
    return { secret: database.secret, demoSeeded: get('demo') === 'seeded', migrationsApplied: applied };
  });
}

/** True when no member exists yet (a fresh installation). Checked as owner: RLS does not apply here. */
export async function isEmpty(database: Database): Promise<boolean> {
  return database.withOwnerSession(async (s) => {
    // The owner may be subject to forced RLS (when not a superuser): count through the scope setting.
    await s.script(`begin`);
    try {
      await s.query(`select set_config('allmende.all_members', 'on', true)`);
      const rows = await s.query<{ n: number }>(`select count(*)::int8 as n from members`);
      return Number(rows[0]?.n ?? 0) === 0;
    } finally {
      await s.script(`commit`);
    }
  });
}
