/**
 * Kysely dialect for PostgreSQL over a `pg` pool, like Kysely's own PostgresDialect but with one round
 * trip less per transaction: BEGIN is not sent on its own but together with the transaction's first
 * statement when that statement has no parameters (one simple-protocol message, "begin; <statement>").
 * runInTx makes that first statement the one that sets the role and the member scope (its values are
 * inlined as literals, all of them checked), so a transaction costs BEGIN+scope, its queries, COMMIT.
 * A transaction in which nothing ran sends neither BEGIN nor COMMIT.
 */
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type pg from 'pg';

/** The first statement of a transaction merges with BEGIN only when it takes no parameters. */
export function beginStatement(settings: TransactionSettings): string {
  return settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : 'begin';
}

/** A connection that sends BEGIN together with its transaction's first statement (both drivers). */
export interface DeferredBeginConnection extends DatabaseConnection {
  /** BEGIN not yet sent: it goes out with the next statement. */
  pendingBegin: string | null;
}

/** Ends a transaction: nothing to send when no statement ran (BEGIN is still pending). */
export async function endTransaction(
  c: DeferredBeginConnection,
  statement: 'commit' | 'rollback',
): Promise<void> {
  if (c.pendingBegin !== null) {
    c.pendingBegin = null; // nothing ran: nothing to commit or roll back
    return;
  }
  await c.executeQuery(CompiledQuery.raw(statement));
}

/**
 * What both drivers share: BEGIN waits for the transaction's first statement; COMMIT and ROLLBACK are
 * sent only when a statement ran.
 */
export abstract class DeferredBeginDriver implements Driver {
  abstract init(): Promise<void>;
  abstract acquireConnection(): Promise<DatabaseConnection>;
  abstract releaseConnection(connection: DatabaseConnection): Promise<void>;
  abstract destroy(): Promise<void>;
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    (connection as DeferredBeginConnection).pendingBegin = beginStatement(settings);
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await endTransaction(connection as DeferredBeginConnection, 'commit');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await endTransaction(connection as DeferredBeginConnection, 'rollback');
  }
}

function toResult<R>(res: pg.QueryResult): QueryResult<R> {
  const affects = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(res.command);
  return {
    rows: (res.rows ?? []) as R[],
    ...(affects ? { numAffectedRows: BigInt(res.rowCount ?? 0) } : {}),
  };
}

class PgConnection implements DeferredBeginConnection {
  pendingBegin: string | null = null;
  constructor(readonly client: pg.PoolClient) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const begin = this.pendingBegin;
    if (begin !== null) {
      this.pendingBegin = null;
      if (compiled.parameters.length === 0) {
        // Simple protocol, two statements, one round trip; the statement's result is the last one.
        const res = (await this.client.query(`${begin};\n${compiled.sql}`)) as unknown as
          | pg.QueryResult
          | pg.QueryResult[];
        return toResult<R>(Array.isArray(res) ? res[res.length - 1]! : res);
      }
      await this.client.query(begin);
    }
    return toResult<R>(await this.client.query(compiled.sql, [...compiled.parameters]));
  }

  // biome-ignore lint/correctness/useYield: streaming reads use keyset batches (PGlite has no cursors either)
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported: read in keyset batches');
  }
}

class PgDriver extends DeferredBeginDriver {
  readonly #connections = new WeakMap<pg.PoolClient, PgConnection>();
  constructor(private readonly pool: pg.Pool) {
    super();
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const client = await this.pool.connect();
    let connection = this.#connections.get(client);
    if (!connection) {
      connection = new PgConnection(client);
      this.#connections.set(client, connection);
    }
    return connection;
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const c = connection as PgConnection;
    c.pendingBegin = null;
    c.client.release();
  }
  async destroy(): Promise<void> {
    await this.pool.end();
  }
}

/** A PostgreSQL dialect over a driver of ours (both drivers speak the same SQL). */
export function postgresDialect(createDriver: () => Driver): Dialect {
  return {
    createAdapter: (): DialectAdapter => new PostgresAdapter(),
    createDriver,
    createQueryCompiler: (): QueryCompiler => new PostgresQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>): DatabaseIntrospector => new PostgresIntrospector(db),
  };
}

/** The dialect over a `pg` pool. */
export function pgDialect(pool: pg.Pool): Dialect {
  return postgresDialect(() => new PgDriver(pool));
}
