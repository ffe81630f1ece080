/**
 * createDatabase(config): the one place that knows whether we run on the embedded PGlite or on a
 * PostgreSQL server. Everything above it sees a Kysely<DB> with the PostgreSQL dialect.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import pg from 'pg';
import { pgDialect } from './pg-dialect.js';
import { pgliteDialect } from './pglite-dialect.js';
import type { DB } from './schema.js';
import { TYPE_PARSERS } from './type-parsers.js';

export type DatabaseKind = 'pglite' | 'postgres';

/** A raw session as the connecting (owning) role, for migrations and maintenance. */
export interface OwnerSession {
  /** Runs a script of one or more statements without parameters. */
  script(sql: string): Promise<void>;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Kysely<DB>;
  /** Human-readable location without credentials, for logs. */
  readonly location: string;
  /**
   * The instance secret, known once prepareDatabase ran: the key of the audit trail's data digests
   * (HMAC), so a digest cannot be used to confirm a guessed name or e-mail address.
   */
  secret?: string;
  /**
   * Statements sent by the application (BEGIN and COMMIT included; owner sessions not), for tests
   * that hold the number of round trips per request.
   */
  readonly stats: { statements: number };
  withOwnerSession<T>(fn: (s: OwnerSession) => Promise<T>): Promise<T>;
  /** PGlite only: a gzip'd dump of the data directory (tests clone databases from it). */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { kind: 'postgres'; url: string; poolSize?: number }
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob };

export async function createDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.kind === 'postgres' ? createPostgres(opts.url, opts.poolSize ?? 10) : createPglite(opts);
}

/**
 * PGlite has no lock of its own: two processes on one data folder (say `allmende serve` and
 * `allmende user add`) would corrupt it. A lock file with the owner's pid refuses the second one.
 */
function lockDataDir(dataDir: string): () => void {
  const lock = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(lock, 'utf8'));
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {}
      if (alive) {
        throw new Error(
          `The embedded database in ${dataDir} is in use by process ${pid}. Stop it first (or use DATABASE_URL).`,
        );
      }
      fs.rmSync(lock, { force: true }); // left behind by a process that is gone
    }
  }
  throw new Error(`Cannot lock ${dataDir}`);
}

async function createPglite(opts: { dataDir?: string; loadDataDir?: Blob }): Promise<Database> {
  if (opts.dataDir) fs.mkdirSync(opts.dataDir, { recursive: true });
  const unlock = opts.dataDir ? lockDataDir(opts.dataDir) : () => undefined;
  // PGlite ignores options passed beside an undefined dataDir: pass a single options object.
  let pglite: PGlite;
  try {
    pglite = new PGlite({
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    });
    await pglite.waitReady;
  } catch (err) {
    unlock();
    throw err;
  }
  const stats = { statements: 0 };
  const db = new Kysely<DB>({ dialect: pgliteDialect(pglite), log: () => void stats.statements++ });
  return {
    kind: 'pglite',
    db,
    stats,
    location: opts.dataDir ? `pglite:${path.relative(process.cwd(), opts.dataDir) || '.'}` : 'pglite:memory',
    async withOwnerSession(fn) {
      return fn({
        async script(sql) {
          await pglite.exec(sql);
        },
        async query<R>(sql: string, params: unknown[] = []) {
          return (await pglite.query<R>(sql, params, { parsers: TYPE_PARSERS })).rows;
        },
      });
    },
    async dump() {
      await pglite.exec('CHECKPOINT');
      return pglite.dumpDataDir('none');
    },
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      unlock();
    },
  };
}

async function createPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        TYPE_PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  const stats = { statements: 0 };
  const db = new Kysely<DB>({ dialect: pgDialect(pool), log: () => void stats.statements++ });
  const u = new URL(url);
  return {
    kind: 'postgres',
    db,
    stats,
    location: `postgres://${u.hostname}:${u.port || 5432}${u.pathname}`,
    async withOwnerSession(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          async script(sql) {
            await client.query(sql);
          },
          async query<R>(sql: string, params: unknown[] = []) {
            return (await client.query(sql, params)).rows as R[];
          },
        });
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy(); // ends the pool
    },
  };
}
