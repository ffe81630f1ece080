/**
 * SQL lives in repositories that take a Tx: no service, routes, pages or other module file builds a
 * query with the Tx's Kysely instance (`tx.db.selectFrom(…)`, aliased or not) or runs raw SQL on it —
 * Biome refuses importing kysely there (see boundaries.test.ts), this scan catches the builders reached
 * through `tx.db`, which need no import. Repositories, tests and the platform's src/db/ and src/jobs/
 * are exempt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** What builds or runs SQL: a query builder's entry points, raw SQL run on a db or transaction, the sql tag. */
const SQL_USES: readonly RegExp[] = [
  /\.\s*(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|selectNoFrom|executeQuery)\s*\(/g,
  /\.db\s*\.\s*(with|withRecursive|withSchema|schema|introspection|dynamic|fn)\b/g,
  /\.execute\(\s*[\w.]*\b(db|trx)\s*\)/g,
  /\bsql\s*(<[^`;]*>)?\s*`/g,
];

/** The lines of `source` that use SQL (1-based). */
function sqlUses(source: string): number[] {
  const lines = new Set<number>();
  for (const re of SQL_USES) {
    for (const m of source.matchAll(re)) lines.add(source.slice(0, m.index).split('\n').length);
  }
  return [...lines].sort((a, b) => a - b);
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : /\.tsx?$/.test(e.name) ? [full] : [];
  });
}

const exempt = (file: string) => /\.repository\.ts$|\.test\.tsx?$/.test(file);

describe('SQL only in repositories (scan)', () => {
  it('finds builders, raw SQL and the sql tag, also across lines and through an alias', () => {
    expect(sqlUses("const r = await tx.db\n  .selectFrom('sessions')\n  .execute();")).toEqual([2]);
    expect(sqlUses("const db = tx.db;\nawait db.deleteFrom('sessions').execute();")).toEqual([2]);
    expect(sqlUses('await sql`select 1`.execute(database.db);')).toEqual([1]);
    expect(sqlUses('const r = await sql<{ n: number }>`select 1`;\nawait q.execute(trx);')).toEqual([1, 2]);
    expect(sqlUses('await tx.db.with("x", (db) => db).execute();')).toEqual([1]);
    // Calling a repository, or opening the request's transaction, is not SQL.
    expect(sqlUses('const rows = await listSessionsOfUser(tx, p.id);')).toEqual([]);
    expect(sqlUses('const trx = await database.db.startTransaction().execute();')).toEqual([]);
    expect(sqlUses('await trx.rollback().execute();')).toEqual([]);
  });

  it('no service, routes, pages or other module file outside repositories uses SQL', () => {
    const dirs = ['src/modules', 'src/http', 'src/web', 'src/cli', 'src/shared', 'src/config'];
    const files = dirs.flatMap((d) => filesUnder(path.join(root, d))).filter((f) => !exempt(f));
    expect(files.some((f) => f.endsWith('.service.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('.routes.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('.pages.tsx'))).toBe(true);
    const offenders = files.flatMap((f) =>
      sqlUses(fs.readFileSync(f, 'utf8')).map((line) => `${path.relative(root, f)}:${line}`),
    );
    expect(offenders).toEqual([]);
  });
});
