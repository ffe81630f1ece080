/**
 * Applies the SQL files in ./migrations in name order, each once, each in its own transaction, under an
 * advisory lock so two starting instances never migrate at the same time. Migrations are frozen: never
 * edit an applied file, add a new one. They run as the connecting (owning) role, not the app role.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_KEY = 7_246_911_402; // arbitrary, constant: "allmende migrations"

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export function listMigrations(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^(\d{4}|\d{14})_[a-z0-9_]+\.sql$/.test(f))
    .sort();
}

export async function migrate(database: Database): Promise<MigrationResult> {
  return database.withOwnerSession(async (s) => {
    await s.script(`create table if not exists allmende_migrations (
      name text primary key,
      applied_at timestamptz not null default now()
    )`);
    await s.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      const done = new Set(
        (await s.query<{ name: string }>('select name from allmende_migrations')).map((r) => r.name),
      );
      const applied: string[] = [];
      for (const file of listMigrations()) {
        if (done.has(file)) continue;
        const sql = fs.readFileSync(MIGRATIONS_DIR + file, 'utf8');
        await s.script('begin');
        try {
          await s.script(sql);
          await s.query('insert into allmende_migrations (name) values ($1)', [file]);
          await s.script('commit');
        } catch (err) {
          await s.script('rollback');
          throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(file);
      }
      return { applied, alreadyApplied: done.size };
    } finally {
      await s.query('select pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  });
}
