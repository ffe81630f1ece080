/**
 * Every database access of the application runs through runInTx: one transaction, switched to the
 * application role (no superuser, no BYPASSRLS) and given the member scope of the context with
 * transaction-local settings (set_config(..., true)) — never per session, so a pooled connection
 * can never carry one request's scope into the next.
 */
import { sql, type Transaction } from 'kysely';
import type { Ctx } from '../shared/context.js';
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

export async function runInTx<T>(
  database: Database,
  ctx: Ctx,
  fn: (tx: Tx) => Promise<T>,
  opts: TxOptions = {},
): Promise<T> {
  for (const id of ctx.scope.memberIds) {
    if (!isUuid(id)) throw new Error(`invalid member id in scope: ${id}`);
  }
  const builder = database.db.transaction();
  return (opts.isolation ? builder.setIsolationLevel(opts.isolation) : builder).execute(async (trx) => {
    await sql`select
        set_config('role', ${APP_ROLE}, true),
        set_config('allmende.all_members', ${ctx.scope.allMembers ? 'on' : 'off'}, true),
        set_config('allmende.member_ids', ${`{${ctx.scope.memberIds.join(',')}}`}, true),
        set_config('allmende.read_only', ${ctx.scope.readOnly ? 'on' : 'off'}, true)`.execute(trx);
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
  });
}
