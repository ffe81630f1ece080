/**
 * Applies the SQL files in ./migrations, each once, under an advisory lock so two starting instances
 * never migrate at the same time. They run as the connecting (owning) role, not the app role.
 *
 * Rules (see ARCHITECTURE.md, "Migrations"):
 * - Names are `YYYYMMDDHHMMSS_<name>.sql` (UTC timestamp); the legacy `0001_foundation.sql` sorts first.
 *   Any other `.sql` file in the folder is an error, not silently skipped.
 * - Applied files are frozen: the SHA-256 of each file is stored in `allmende_migrations.checksum`, and
 *   the migrator refuses to start when an applied file changed or is missing.
 * - Each file runs in its own transaction — unless its first line is `-- allmende:no-transaction`
 *   (for CREATE INDEX CONCURRENTLY and the like): then its statements run one by one outside a
 *   transaction, still under the lock. Write such files idempotently (IF NOT EXISTS): if one statement
 *   fails, the ones before it stay applied and the next run starts the file again.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, OwnerSession } from './database.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_KEY = 7_246_911_402; // arbitrary, constant: "allmende migrations"
export const NO_TRANSACTION_MARKER = '-- allmende:no-transaction';
const LEGACY_NAME = /^\d{4}_[a-z0-9_]+\.sql$/;
const TIMESTAMPED_NAME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})_[a-z0-9_]+\.sql$/;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
  /** Applied before checksums existed: their checksum was recorded on this run. */
  checksumsRecorded: string[];
}

export interface MigrateOptions {
  /** The folder of the .sql files (default: src/db/migrations). Tests pass a temporary one. */
  dir?: string;
}

/** A migration that cannot be applied, or a folder that disagrees with what the database applied. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
  noTransaction: boolean;
}

function checkName(file: string): void {
  if (LEGACY_NAME.test(file)) return;
  const m = TIMESTAMPED_NAME.exec(file);
  if (!m) {
    throw new MigrationError(
      `migration file name ${file} does not match YYYYMMDDHHMMSS_<name>.sql (lower-case letters, digits, _)`,
    );
  }
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  if (date.getUTCMonth() !== mo! - 1 || date.getUTCDate() !== d! || h! > 23 || mi! > 59 || s! > 59) {
    throw new MigrationError(`migration file name ${file}: ${file.slice(0, 14)} is not a valid timestamp`);
  }
}

/** Legacy four-digit files first (by number), then timestamped files by name. */
function compareNames(a: string, b: string): number {
  const la = LEGACY_NAME.test(a);
  const lb = LEGACY_NAME.test(b);
  if (la !== lb) return la ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function checksumOf(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The migration files of a folder in the order they apply. */
export function listMigrations(dir = MIGRATIONS_DIR): string[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sql'));
  for (const f of files) checkName(f);
  return files.sort(compareNames);
}

export function readMigration(dir: string, name: string): MigrationFile {
  const bytes = fs.readFileSync(path.join(dir, name));
  const sql = bytes.toString('utf8');
  const firstLine = sql.split('\n', 1)[0]!.trim();
  return { name, sql, checksum: checksumOf(bytes), noTransaction: firstLine === NO_TRANSACTION_MARKER };
}

export async function migrate(database: Database, opts: MigrateOptions = {}): Promise<MigrationResult> {
  const dir = opts.dir ?? MIGRATIONS_DIR;
  const files = listMigrations(dir).map((f) => readMigration(dir, f));
  return database.withOwnerSession(async (s) => {
    await s.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await s.script(`create table if not exists allmende_migrations (
        name text primary key,
        applied_at timestamptz not null default now()
      );
      alter table allmende_migrations add column if not exists checksum text
        check (checksum ~ '^[0-9a-f]{64}$')`);
      const done = await s.query<{ name: string; checksum: string | null }>(
        'select name, checksum from allmende_migrations order by name',
      );
      const byName = new Map(files.map((f) => [f.name, f]));
      const checksumsRecorded: string[] = [];
      for (const row of done) {
        const file = byName.get(row.name);
        if (!file) {
          throw new MigrationError(
            `applied migration ${row.name} is missing from ${dir}: restore the file (applied migrations are frozen)`,
          );
        }
        if (row.checksum === null) {
          // Applied before checksums existed: trust the file as it is now and freeze it from here on.
          await s.query('update allmende_migrations set checksum = $2 where name = $1', [
            row.name,
            file.checksum,
          ]);
          checksumsRecorded.push(row.name);
        } else if (row.checksum !== file.checksum) {
          throw new MigrationError(
            `applied migration ${row.name} was changed (checksum ${file.checksum}, applied ${row.checksum}): ` +
              'restore the applied version and put the change into a new migration',
          );
        }
      }
      const applied: string[] = [];
      const doneNames = new Set(done.map((r) => r.name));
      for (const file of files) {
        if (doneNames.has(file.name)) continue;
        if (file.noTransaction) await applyWithoutTransaction(s, file);
        else await applyInTransaction(s, file);
        applied.push(file.name);
      }
      return { applied, alreadyApplied: done.length, checksumsRecorded };
    } finally {
      await s.query('select pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  });
}

async function record(s: OwnerSession, file: MigrationFile): Promise<void> {
  await s.query('insert into allmende_migrations (name, checksum) values ($1, $2)', [
    file.name,
    file.checksum,
  ]);
}

async function applyInTransaction(s: OwnerSession, file: MigrationFile): Promise<void> {
  await s.script('begin');
  try {
    await s.script(file.sql);
    await record(s, file);
    await s.script('commit');
  } catch (err) {
    await s.script('rollback');
    throw new MigrationError(`migration ${file.name} failed: ${(err as Error).message}`, { cause: err });
  }
}

async function applyWithoutTransaction(s: OwnerSession, file: MigrationFile): Promise<void> {
  // A multi-statement string runs as one implicit transaction, so each statement goes on its own.
  const statements = splitStatements(file.sql);
  for (const [i, statement] of statements.entries()) {
    try {
      await s.script(statement);
    } catch (err) {
      throw new MigrationError(
        `migration ${file.name} (no transaction) failed at statement ${i + 1} of ${statements.length}: ` +
          `${(err as Error).message}; the statements before it stay applied, the next run starts the file again`,
        { cause: err },
      );
    }
  }
  await record(s, file);
}

const DOLLAR_TAG = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/;

/**
 * Splits SQL into statements at top-level semicolons, skipping those inside quotes ('…', "…"),
 * dollar quotes ($$…$$, $tag$…$tag$) and comments. Comment-only pieces are dropped.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  let meaningful = false; // the current piece has something besides whitespace and comments
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1; // PostgreSQL block comments nest
      i += 2;
      while (i < n && depth > 0) {
        const pair = sql.slice(i, i + 2);
        if (pair === '/*' || pair === '*/') {
          depth += pair === '/*' ? 1 : -1;
          i += 2;
        } else i++;
      }
    } else if (c === "'" || c === '"') {
      // E'…' strings know backslash escapes (E'it\'s'); standard strings only the doubled quote.
      const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_$]/.test(sql[i - 2] ?? ' ');
      meaningful = true;
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c)
          i += 2; // doubled quote
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
    } else if (
      c === '$' &&
      !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? ' ') &&
      DOLLAR_TAG.test(sql.slice(i, i + 64))
    ) {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))![0];
      meaningful = true;
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
    } else if (c === ';') {
      if (meaningful) out.push(sql.slice(start, i + 1).trim());
      start = i + 1;
      meaningful = false;
      i++;
    } else {
      if (!/\s/.test(c)) meaningful = true;
      i++;
    }
  }
  if (meaningful) out.push(sql.slice(start).trim());
  return out;
}
