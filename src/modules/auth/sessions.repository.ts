/** SQL of sessions: the `sessions` table and the request look-up auth_request_session. */
import { sql, type Transaction } from 'kysely';
import type { DB, Role } from '../../db/schema.js';
import { APP_ROLE, type Tx } from '../../db/tx.js';

export type SessionAuthMethod = 'password' | 'oidc';

export async function insertSession(
  tx: Tx,
  s: { id: string; memberId: string; userId: string; method: SessionAuthMethod; expiresAt: Date },
): Promise<void> {
  await tx.db
    .insertInto('sessions')
    .values({
      id: s.id,
      member_id: s.memberId,
      user_id: s.userId,
      auth_method: s.method,
      expires_at: s.expiresAt,
    })
    .execute();
}

export interface RequestSessionRow {
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

/**
 * The request's first statement on its freshly begun transaction (before any Tx exists): looks the
 * session up (auth_request_session), switches to the app role and sets the scope. Literals, not
 * parameters (the hash is hex, the rest constants or checked): a statement without parameters goes
 * out together with BEGIN, in one round trip (db/pg-dialect.ts).
 */
export async function lookUpSessionRequest(
  trx: Transaction<DB>,
  q: {
    sessionId: string;
    idleSeconds: number;
    touchAfterSeconds: number;
    writingRoles: readonly string[];
    today: string;
  },
): Promise<RequestSessionRow | undefined> {
  const r = await sql<RequestSessionRow>`select set_config('role', ${sql.lit(APP_ROLE)}, true) as role, p.*
      from (select 1) as one left join lateral auth_request_session(
        ${sql.lit(q.sessionId)}, ${sql.lit(q.idleSeconds)}, ${sql.lit(q.touchAfterSeconds)},
        ${sql.lit(`{${q.writingRoles.join(',')}}`)}::text[], ${sql.lit(q.today)}::date
      ) as p on true`.execute(trx);
  return r.rows[0];
}

export async function deleteSessionOfUser(tx: Tx, sessionId: string, userId: string): Promise<void> {
  await tx.db.deleteFrom('sessions').where('id', '=', sessionId).where('user_id', '=', userId).execute();
}

/** Deletes the person's sessions in a member; returns how many. */
export async function deleteSessionsOfUserInMember(
  tx: Tx,
  userId: string,
  memberId: string,
): Promise<number> {
  const res = await tx.db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

export async function listSessionsOfUser(
  tx: Tx,
  userId: string,
): Promise<{ id: string; auth_method: SessionAuthMethod; created_at: Date; last_seen_at: Date }[]> {
  return tx.db
    .selectFrom('sessions')
    .select(['id', 'auth_method', 'created_at', 'last_seen_at'])
    .where('user_id', '=', userId)
    .orderBy('last_seen_at', 'desc')
    .execute();
}

/** Deletes sessions past their absolute end (`now`) or idle since before `idleCutoff`; returns how many. */
export async function deleteExpiredSessions(tx: Tx, now: Date, idleCutoff: Date): Promise<number> {
  const res = await tx.db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<', now), eb('last_seen_at', '<', idleCutoff)]))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Deletes a person's sessions, all or all but one. */
export async function deleteSessionsOfUser(tx: Tx, userId: string, exceptSessionId?: string): Promise<void> {
  let q = tx.db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptSessionId) q = q.where('id', '<>', exceptSessionId);
  await q.execute();
}
