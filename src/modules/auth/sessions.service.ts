/**
 * Server-side sessions. The browser holds a random token in a __Host- cookie; the database holds its
 * SHA-256. Sessions end after an idle timeout, an absolute timeout, at logout, or by "end all sessions".
 */
import { sql } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/database.js';
import type { MemberStatus, Role } from '../../db/schema.js';
import { runInTx, type Tx } from '../../db/tx.js';
import type { Clock } from '../../shared/clock.js';
import {
  ALL_MEMBERS_WRITE,
  type Ctx,
  memberScope,
  NO_MEMBERS,
  type Principal,
  systemCtx,
} from '../../shared/context.js';
import { recordAudit } from '../audit/audit.service.js';
import { isWithdrawnOn } from '../members/members.service.js';
import type { Registry } from '../registry.js';
import { hashToken, newSecretToken } from './tokens.js';

const TOUCH_AFTER_MS = 60_000;

export interface SessionRow {
  session_id: string;
  user_id: string;
  member_id: string;
  roles: Role[];
  user_status: string;
  is_association: boolean;
  member_status: MemberStatus;
  acting_member_ids: string[];
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  member_admitted_on: string | null;
  member_withdrawn_on: string | null;
}

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

/**
 * Resolves a session cookie to its principal, or null when unknown, expired or the person is disabled.
 * Staff of a member withdrawn on the clock's today only read.
 */
export async function resolveSession(
  database: Database,
  config: Config,
  token: string,
  grants: Pick<Registry, 'grantOfRoles'>,
  clock: Clock,
): Promise<Principal | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const id = hashToken(token);
  const row = await runInTx(database, systemCtx('session', NO_MEMBERS), async (tx) => {
    const r = await sql<SessionRow>`select * from auth_session_principal(${id})`.execute(tx.db);
    return r.rows[0];
  });
  if (!row) return null;
  const now = Date.now();
  const idleExpired = row.last_seen_at.getTime() + config.sessionIdleMinutes * 60_000 < now;
  const absoluteExpired = row.expires_at.getTime() < now;
  if (idleExpired || absoluteExpired || row.user_status !== 'active') {
    await runInTx(database, systemCtx('session', memberScope(row.member_id)), (tx) =>
      tx.db.deleteFrom('sessions').where('id', '=', id).execute(),
    );
    return null;
  }
  if (now - row.last_seen_at.getTime() > TOUCH_AFTER_MS) {
    await runInTx(database, systemCtx('session', memberScope(row.member_id)), (tx) =>
      tx.db.updateTable('sessions').set({ last_seen_at: sql`now()` }).where('id', '=', id).execute(),
    );
  }
  const roles = row.roles as Role[];
  return {
    kind: 'user',
    id: row.user_id,
    memberId: row.member_id,
    isAssociation: row.is_association,
    roles,
    ...grants.grantOfRoles(roles, isWithdrawnOn(membershipOf(row), clock.today())),
    actingMemberIds: [row.member_id, ...row.acting_member_ids],
    sessionId: id,
  };
}

function membershipOf(row: SessionRow) {
  return {
    status: row.member_status,
    admittedOn: row.member_admitted_on,
    withdrawnOn: row.member_withdrawn_on,
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
