/**
 * Every database access of the application runs through runInTx: one transaction, switched to the
 * application role (no superuser, no BYPASSRLS) and given the member scope of the context with
 * transaction-local settings (set_config(..., true)) — never per session, so a pooled connection
 * can never carry one request's scope into the next.
 *
 * An authenticated HTTP request opens its transaction before the route runs (RequestTransaction): the
 * statement that resolves the session or API token also switches the role and sets the scope, and the
 * route's first runInTx continues that same transaction instead of opening another one (see
 * ARCHITECTURE.md, "Performance: the request's round trips").
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type ControlledTransaction, sql, type Transaction } from 'kysely';
import type { Ctx, Scope } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import type { Database } from './database.js';
import type { DB } from './schema.js';

export const APP_ROLE = 'allmende_app';
export interface Tx {
  readonly db: Transaction<DB>;
  readonly ctx: Ctx;
  readonly kind: Database['kind'];
  /** Key of the audit data digests (the instance secret); undefined before prepareDatabase. */
  readonly digestKey: string | undefined;
  /** Registers work to run inside the transaction right before it commits (e.g. the audit flush). */
  beforeCommit(key: string, fn: () => Promise<void>): void;
  /** Per-transaction storage for modules (e.g. the buffered audit events). */
  readonly bag: Map<string, unknown>;
}

export interface TxOptions {
  /** 'repeatable read' for reads that must see one snapshot (e.g. verifying the audit trail). */
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
}

function checkScope(scope: Scope): void {
  for (const id of scope.memberIds) {
    if (!isUuid(id)) throw new Error(`invalid member id in scope: ${id}`);
  }
}

/** Identifies a scope's settings, to tell whether a transaction already has the scope a context needs. */
export function scopeKey(scope: Scope): string {
  return `${scope.allMembers ? 'on' : 'off'}|{${scope.memberIds.join(',')}}|${scope.readOnly ? 'on' : 'off'}`;
}

/**
 * Switches to the app role and sets the scope. The values are inlined as literals (constants and
 * checked uuids, see checkScope): a statement without parameters goes out together with BEGIN, in one
 * round trip (pg-dialect.ts).
 */
async function setRoleAndScope(trx: Transaction<DB>, scope: Scope): Promise<void> {
  await sql`select
      set_config('role', ${sql.lit(APP_ROLE)}, true),
      set_config('allmende.all_members', ${sql.lit(scope.allMembers ? 'on' : 'off')}, true),
      set_config('allmende.member_ids', ${sql.lit(`{${scope.memberIds.join(',')}}`)}, true),
      set_config('allmende.read_only', ${sql.lit(scope.readOnly ? 'on' : 'off')}, true)`.execute(trx);
}

/** Rolls back after a failure; a rollback that fails too (connection gone) changes nothing more. */
async function rollbackQuietly(trx: ControlledTransaction<DB>): Promise<void> {
  await trx
    .rollback()
    .execute()
    .catch(() => undefined);
}

/** Runs fn with a Tx over trx, then the before-commit hooks. The caller commits or rolls back. */
async function runBody<T>(database: Database, trx: Transaction<DB>, ctx: Ctx, fn: (tx: Tx) => Promise<T>) {
  const hooks = new Map<string, () => Promise<void>>();
  const tx: Tx = {
    db: trx,
    ctx,
    kind: database.kind,
    digestKey: database.secret,
    bag: new Map(),
    beforeCommit(key, hook) {
      if (!hooks.has(key)) hooks.set(key, hook);
    },
  };
  const result = await fn(tx);
  for (const hook of hooks.values()) await hook();
  return result;
}

/**
 * The transaction an authenticated request opened before its route ran. Its first statement resolved
 * the principal, switched to the app role and set the principal's scope (`appliedScope`). The first
 * runInTx of the request on the same database continues it and commits it; a request that never calls
 * runInTx commits it when the response is sent (the session's "last seen" or its removal are kept).
 */
export class RequestTransaction {
  #trx: ControlledTransaction<DB> | null;
  #appliedScope: string | null;
  constructor(
    readonly database: Database,
    trx: ControlledTransaction<DB>,
    /** scopeKey() of the scope the first statement set, or null when unknown. */
    appliedScope: string | null,
  ) {
    this.#trx = trx;
    this.#appliedScope = appliedScope;
  }

  /** Still open and not yet taken by a runInTx. */
  get open(): boolean {
    return this.#trx !== null;
  }

  /** Continues the transaction with fn (setting the context's scope when it differs) and commits it. */
  async run<T>(ctx: Ctx, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const trx = this.#trx;
    if (!trx) throw new Error('request transaction already used');
    this.#trx = null;
    try {
      if (scopeKey(ctx.scope) !== this.#appliedScope) await setRoleAndScope(trx, ctx.scope);
      const result = await runBody(this.database, trx, ctx, fn);
      await trx.commit().execute();
      return result;
    } catch (err) {
      if (!trx.isCommitted && !trx.isRolledBack) await rollbackQuietly(trx);
      throw err;
    }
  }

  /** Ends the transaction if no runInTx took it. */
  async end(commit = true): Promise<void> {
    const trx = this.#trx;
    if (!trx) return;
    this.#trx = null;
    try {
      await (commit ? trx.commit() : trx.rollback()).execute();
    } catch (err) {
      await rollbackQuietly(trx);
      if (commit) throw err;
    }
  }
}

/**
 * The request's open transaction, for the runInTx calls made while handling it (also those of services
 * that receive only the database, such as the login). Entered once per request by the HTTP layer.
 */
export const requestTransactions = new AsyncLocalStorage<{ current: RequestTransaction | null }>();

export async function runInTx<T>(
  database: Database,
  ctx: Ctx,
  fn: (tx: Tx) => Promise<T>,
  opts: TxOptions = {},
): Promise<T> {
  checkScope(ctx.scope);
  const pending = requestTransactions.getStore()?.current;
  if (pending?.open && pending.database === database) {
    // Continue the request's transaction; a different isolation level needs a fresh one (and at most
    // one connection per request at a time: never wait for a second while holding the first).
    if (!opts.isolation) return pending.run(ctx, fn);
    await pending.end(true);
  }
  const builder = database.db.transaction();
  return (opts.isolation ? builder.setIsolationLevel(opts.isolation) : builder).execute(async (trx) => {
    await setRoleAndScope(trx, ctx.scope);
    return runBody(database, trx, ctx, fn);
  });
}

/**
 * Starts a request's own transaction together with its first statement (the credential look-up, which
 * also switches the role and sets the scope) and returns both; if the look-up fails, the transaction is
 * rolled back.
 */
export async function beginWith<R>(
  database: Database,
  first: (trx: ControlledTransaction<DB>) => Promise<R>,
): Promise<{ trx: ControlledTransaction<DB>; result: R }> {
  const trx = await database.db.startTransaction().execute();
  try {
    return { trx, result: await first(trx) };
  } catch (err) {
    await rollbackQuietly(trx);
    throw err;
  }
}

/** The scope a credential look-up reports it set (auth_request_session / auth_request_token). */
export function scopeKeyOfLookUp(row: {
  scope_all_members: boolean;
  scope_member_ids: string[];
  scope_read_only: boolean;
}): string {
  return scopeKey({
    allMembers: row.scope_all_members,
    memberIds: row.scope_member_ids,
    readOnly: row.scope_read_only,
  });
}
