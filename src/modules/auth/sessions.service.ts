/**
 * Server-side sessions. The browser holds a random token in a __Host- cookie; the database holds its
 * SHA-256. Sessions end after an idle timeout, an absolute timeout, at logout, or by "end all sessions".
 */
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/database.js';
import { beginWith, RequestTransaction, runInTx, scopeKey, scopeKeyOfLookUp, type Tx } from '../../db/tx.js';
import type { Clock } from '../../shared/clock.js';
import { ALL_MEMBERS_WRITE, type Ctx, NO_MEMBERS, type Principal, systemCtx } from '../../shared/context.js';
import { isIsoDate } from '../../shared/dates.js';
import { recordAudit } from '../audit/audit.service.js';
import { recordLogin } from '../people/people.service.js';
import type { Registry } from '../registry.js';
import {
  deleteExpiredSessions,
  deleteSessionOfUser,
  deleteSessionsOfUser,
  deleteSessionsOfUserInMember,
  insertSession,
  listSessionsOfUser,
  lookUpSessionRequest,
} from './sessions.repository.js';
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
  await insertSession(tx, {
    id: hash,
    memberId: user.memberId,
    userId: user.id,
    method,
    expiresAt: new Date(Date.now() + config.sessionAbsoluteHours * 3600_000),
  });
  await recordLogin(tx, user.id);
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
  // One statement without parameters: it goes out together with BEGIN, in one round trip.
  const { trx, result: row } = await beginWith(database, (t) =>
    lookUpSessionRequest(t, {
      sessionId: id,
      idleSeconds: config.sessionIdleMinutes * 60,
      touchAfterSeconds: TOUCH_AFTER_SECONDS,
      writingRoles: grants.writingRoles,
      today,
    }),
  );
  const applied = row?.session_id ? scopeKeyOfLookUp(row) : scopeKey(NO_MEMBERS);
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
  await deleteSessionOfUser(tx, sessionId, p.id);
  recordAudit(tx, { action: 'auth.logged_out', memberId: p.memberId, objectType: 'user', objectId: p.id });
}

/** Ends every session of the current person, on every device (including this one). */
export async function endAllSessions(tx: Tx): Promise<number> {
  const p = tx.ctx.principal;
  if (p?.kind !== 'user') return 0;
  const n = await deleteSessionsOfUserInMember(tx, p.id, p.memberId);
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
  const rows = await listSessionsOfUser(tx, p.id);
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
    return deleteExpiredSessions(tx, new Date(), idleCutoff);
  });
}

/** Ends a person's sessions (all, or all but one): after a password change, new roles or disabling. */
export async function endSessionsOfPerson(tx: Tx, personId: string, exceptSessionId?: string): Promise<void> {
  await deleteSessionsOfUser(tx, personId, exceptSessionId);
}
