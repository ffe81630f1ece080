/**
 * Server-side sessions. The browser holds a random token in a __Host- cookie; the database holds its
 * SHA-256. Sessions end after an idle timeout, an absolute timeout, at logout, or by "end all sessions".
 */
import { sql } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/database.js';
import type { Role } from '../../db/schema.js';
import { APP_ROLE, RequestTransaction, runInTx, scopeKey, type Tx } from '../../db/tx.js';
import type { Clock } from '../../shared/clock.js';
import { ALL_MEMBERS_WRITE, type Ctx, NO_MEMBERS, type Principal, systemCtx } from '../../shared/context.js';
import { isIsoDate } from '../../shared/dates.js';
import { recordAudit } from '../audit/audit.service.js';
import type { Registry } from '../registry.js';
import { hashToken, newSecretToken } from './tokens.js';

/**
 * "Last seen" is written at most once a minute: a write per request would cost a row update (and its
 * WAL) on every page view. The idle timeout is counted in minutes, so it is off by at most this much.
 */
const TOUCH_AFTER_SECONDS = 60;

export async function createSession(
  tx: Tx,
  config: Config,
  user: { id: string; memberId: string },
  method: 'password' | 'oidc',
): Promise<string> {
  const { token, hash } = newSecretToken();
  await tx.db
    .insertInto('sessions')
    .values({
      id: hash,
      member_id: user.memberId,
      user_id: user.id,
      auth_method: method,
      expires_at: new Date(Date.now() + config.sessionAbsoluteHours * 3600_000),
    })
    .execute();
  await tx.db.updateTable('users').set({ last_login_at: sql`now()` }).where('id', '=', user.id).execute();
  recordAudit(tx, {
    action: 'auth.logged_in',
    memberId: user.memberId,
    objectType: 'user',
    objectId: user.id,
    actor: { type: 'user', id: user.id },
    details: { method },
  });
  return token;
}

interface RequestSessionRow {
  role: string;
  session_id: string | null;
  user_id: string;
  member_id: string;
  roles: Role[];
  is_association: boolean;
  member_status: string;
  acting_member_ids: string[];
  valid: boolean | null;
  scope_all_members: boolean;
  scope_member_ids: string[];
  scope_read_only: boolean;
  member_withdrawn: boolean | null;
}

/** A civil date checked before it goes into SQL as a literal (see the look-ups above). */
export function literalDate(day: string): string {
  if (!isIsoDate(day)) throw new Error(`not a date: ${day}`);
  return day;
}

export interface RequestAuth {
  /** null when the credential is unknown, expired, revoked or its person disabled. */
  principal: Principal | null;
  /** The request's transaction, opened by the look-up; null when the credential was malformed. */
  tx: RequestTransaction | null;
}

/**
 * Resolves a session cookie to its principal in the request's own transaction: BEGIN, then one
 * statement that looks the session up, ends it when idle, past its absolute end or its person is
 * disabled, records "last seen" (at most once a minute), switches to the app role and sets the
 * principal's member scope. The caller continues the returned transaction (runInTx) or ends it.
 */
export async function beginSessionRequest(
  database: Database,
  config: Config,
  token: string,
  grants: Pick<Registry, 'grantOfRoles' | 'writingRoles'>,
  clock: Clock,
): Promise<RequestAuth> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { principal: null, tx: null };
  const today = literalDate(clock.today());
  const id = hashToken(token);
  const trx = await database.db.startTransaction().execute();
  let row: RequestSessionRow | undefined;
  try {
    // Literals, not parameters (the hash is hex, the rest constants): a statement without parameters
    // goes out together with BEGIN, in one round trip (db/pg-dialect.ts).
    const r = await sql<RequestSessionRow>`select set_config('role', ${sql.lit(APP_ROLE)}, true) as role, p.*
      from (select 1) as one left join lateral auth_request_session(
        ${sql.lit(id)}, ${sql.lit(config.sessionIdleMinutes * 60)}, ${sql.lit(TOUCH_AFTER_SECONDS)},
        ${sql.lit(`{${grants.writingRoles.join(',')}}`)}::text[], ${sql.lit(today)}::date
      ) as p on true`.execute(trx);
    row = r.rows[0];
  } catch (err) {
    await trx
      .rollback()
      .execute()
      .catch(() => undefined);
    throw err;
  }
  const applied = row?.session_id
    ? scopeKey({
        allMembers: row.scope_all_members,
        memberIds: row.scope_member_ids,
        readOnly: row.scope_read_only,
      })
    : scopeKey(NO_MEMBERS);
  const tx = new RequestTransaction(database, trx, applied);
  if (!row?.session_id || !row.valid) return { principal: null, tx };
  const roles = row.roles;
  return {
    principal: {
      kind: 'user',
      id: row.user_id,
      memberId: row.member_id,
      isAssociation: row.is_association,
      roles,
      // Withdrawn on the clock's today (the look-up decided it with the same rule as the status shown).
      ...grants.grantOfRoles(roles, row.member_withdrawn === true),
      actingMemberIds: [row.member_id, ...row.acting_member_ids],
      sessionId: id,
    },
    tx,
  };
}

export async function endSession(tx: Tx, sessionId: string): Promise<void> {
  const p = tx.ctx.principal;
  if (!p) return;
  await tx.db.deleteFrom('sessions').where('id', '=', sessionId).where('user_id', '=', p.id).execute();
  recordAudit(tx, { action: 'auth.logged_out', memberId: p.memberId, objectType: 'user', objectId: p.id });
}

/** Ends every session of the current person, on every device (including this one). */
export async function endAllSessions(tx: Tx): Promise<number> {
  const p = tx.ctx.principal;
  if (p?.kind !== 'user') return 0;
  const res = await tx.db
    .deleteFrom('sessions')
    .where('user_id', '=', p.id)
    .where('member_id', '=', p.memberId)
    .executeTakeFirst();
  const n = Number(res.numDeletedRows);
  recordAudit(tx, {
    action: 'auth.sessions_ended',
    memberId: p.memberId,
    objectType: 'user',
    objectId: p.id,
    details: { count: n },
  });
  return n;
}

export interface SessionInfo {
  id: string;
  current: boolean;
  method: 'password' | 'oidc';
  createdAt: Date;
  lastSeenAt: Date;
}

export async function listOwnSessions(tx: Tx): Promise<SessionInfo[]> {
  const p = tx.ctx.principal;
  if (p?.kind !== 'user') return [];
  const rows = await tx.db
    .selectFrom('sessions')
    .select(['id', 'auth_method', 'created_at', 'last_seen_at'])
    .where('user_id', '=', p.id)
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id.slice(0, 8),
    current: r.id === p.sessionId,
    method: r.auth_method,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
  }));
}

/** Removes expired sessions (the scheduled job auth.session-purge, sessions.jobs.ts). */
export async function purgeExpiredSessions(
  database: Database,
  config: Config,
  ctx: Ctx = systemCtx('session-purge', ALL_MEMBERS_WRITE),
): Promise<number> {
  return runInTx(database, ctx, async (tx) => {
    const idleCutoff = new Date(Date.now() - config.sessionIdleMinutes * 60_000);
    const res = await tx.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<', new Date()), eb('last_seen_at', '<', idleCutoff)]))
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  });
}

/** Ends a person's sessions (all, or all but one): after a password change, new roles or disabling. */
export async function endSessionsOfPerson(tx: Tx, personId: string, exceptSessionId?: string): Promise<void> {
  let q = tx.db.deleteFrom('sessions').where('user_id', '=', personId);
  if (exceptSessionId) q = q.where('id', '<>', exceptSessionId);
  await q.execute();
}
