/**
 * Kysely dialect for the embedded PGlite database.
 * Kysely's bundled PGlite driver shares one connection without a lock, so two concurrent transactions
 * would interleave. PGlite is single-connection by nature: this driver hands the connection out behind a
 * mutex, so each Kysely connection (a query or a whole transaction) runs alone.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { CompiledQuery, DatabaseConnection, Dialect, QueryResult } from 'kysely';
import { type DeferredBeginConnection, DeferredBeginDriver, postgresDialect } from './pg-dialect.js';
import { TYPE_PARSERS } from './type-parsers.js';

class Mutex {
  #tail: Promise<void> = Promise.resolve();
  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const prev = this.#tail;
    this.#tail = prev.then(() => next);
    await prev;
    return release;
  }
}

class PGliteConnection implements DeferredBeginConnection {
  /** BEGIN not yet sent: it goes out with the next statement, as in the pg dialect (pg-dialect.ts). */
  pendingBegin: string | null = null;
  constructor(private readonly pg: PGlite) {}
  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const begin = this.pendingBegin;
    if (begin !== null) {
      this.pendingBegin = null;
      if (compiled.parameters.length === 0) {
        const results = await this.pg.exec(`${begin};\n${compiled.sql}`, {
          rowMode: 'object',
          parsers: TYPE_PARSERS,
        });
        const res = results[results.length - 1]!;
        return {
          rows: (res.rows ?? []) as R[],
          numAffectedRows: res.affectedRows === undefined ? undefined : BigInt(res.affectedRows),
        };
      }
      await this.pg.exec(begin);
    }
    const res = await this.pg.query<R>(compiled.sql, [...compiled.parameters], {
      rowMode: 'object',
      parsers: TYPE_PARSERS,
    });
    return {
      rows: res.rows ?? [],
      numAffectedRows: res.affectedRows === undefined ? undefined : BigInt(res.affectedRows),
    };
  }
  // biome-ignore lint/correctness/useYield: streaming is not supported by PGlite
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported by PGlite');
  }
}

class PGliteDriver extends DeferredBeginDriver {
  readonly #mutex = new Mutex();
  readonly #connection: PGliteConnection;
  readonly #releases = new WeakMap<DatabaseConnection, () => void>();
  constructor(private readonly pg: PGlite) {
    super();
    this.#connection = new PGliteConnection(pg);
  }
  async init(): Promise<void> {
    await this.pg.waitReady;
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#mutex.lock();
    this.#releases.set(this.#connection, release);
    return this.#connection;
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PGliteConnection).pendingBegin = null;
    const release = this.#releases.get(connection);
    this.#releases.delete(connection);
    release?.();
  }
  async destroy(): Promise<void> {
    // The owner of the PGlite instance closes it.
  }
}

/** The dialect over the embedded PGlite (one connection, handed out behind a mutex). */
export function pgliteDialect(pg: PGlite): Dialect {
  return postgresDialect(() => new PGliteDriver(pg));
}
