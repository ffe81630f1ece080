/** SQL of the people module: the `users` table. */
import { sql } from 'kysely';
import type { NewUserRow, Role, UserRow, UserUpdate } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';

export async function listUsersOfMember(tx: Tx, memberId: string): Promise<UserRow[]> {
  return tx.db
    .selectFrom('users')
    .selectAll()
    .where('member_id', '=', memberId)
    .orderBy('display_name')
    .execute();
}

export async function findUser(
  tx: Tx,
  memberId: string,
  personId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<UserRow | undefined> {
  const q = tx.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', personId)
    .where('member_id', '=', memberId);
  return (opts.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

/** A user by id alone, within the transaction's member scope (RLS). */
export async function findUserById(
  tx: Tx,
  personId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<UserRow | undefined> {
  const q = tx.db.selectFrom('users').selectAll().where('id', '=', personId);
  return (opts.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

/** Locks and returns the member's active people holding any of the roles. */
export async function lockActiveUsersWithRoles(
  tx: Tx,
  memberId: string,
  roles: readonly Role[],
): Promise<{ id: string }[]> {
  return tx.db
    .selectFrom('users')
    .select('id')
    .where('member_id', '=', memberId)
    .where('status', '=', 'active')
    .where(sql<boolean>`roles && ${sql.val(roles)}::text[]`)
    .forUpdate()
    .execute();
}

/** Is the login e-mail address taken anywhere in the installation? (login addresses are unique) */
export async function isEmailTaken(tx: Tx, email: string): Promise<boolean> {
  const r = await sql<{ id: string }>`select id from auth_find_user_by_email(${email})`.execute(tx.db);
  return r.rows.length > 0;
}

export async function insertUser(tx: Tx, row: NewUserRow): Promise<UserRow> {
  return tx.db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Updates a user and counts the version up. */
export async function updateUserRow(tx: Tx, personId: string, patch: UserUpdate): Promise<UserRow> {
  return tx.db
    .updateTable('users')
    .set({ ...patch, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', personId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Sets a new password hash (no version change: the account's data did not change). */
export async function setPasswordHash(tx: Tx, personId: string, hash: string): Promise<void> {
  await tx.db
    .updateTable('users')
    .set({ password_hash: hash, password_changed_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', personId)
    .execute();
}

/** Records the time of a login (no version change: the account's data did not change). */
export async function setLastLogin(tx: Tx, personId: string): Promise<void> {
  await tx.db.updateTable('users').set({ last_login_at: sql`now()` }).where('id', '=', personId).execute();
}

/** Links an OIDC subject to a person (no version change, like a new password). */
export async function setOidcSubject(
  tx: Tx,
  personId: string,
  issuer: string,
  subject: string,
): Promise<void> {
  await tx.db
    .updateTable('users')
    .set({ oidc_issuer: issuer, oidc_subject: subject, updated_at: sql`now()` })
    .where('id', '=', personId)
    .execute();
}

/**
 * Active accounts per member in scope: people whose account is active (every account holds at least
 * one role, a constraint of the table). Members without any are absent.
 */
export async function countActiveUsersByMember(tx: Tx): Promise<Map<string, number>> {
  const rows = await tx.db
    .selectFrom('users')
    .select(['member_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('status', '=', 'active')
    .groupBy('member_id')
    .execute();
  return new Map(rows.map((r) => [r.member_id, Number(r.n)]));
}
