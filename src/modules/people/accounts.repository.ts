/** SQL of the account links (`account_links`), the reset throttle and the password of a person. */
import { sql } from 'kysely';
import type { Tx } from '../../db/tx.js';

export type LinkPurpose = 'invitation' | 'reset' | 'first_login';

export interface LinkRow {
  member_id: string;
  user_id: string;
  purpose: LinkPurpose;
  expires_at: Date;
  used_at: Date | null;
}

/** A new link; earlier unused links of the person for the same purpose stop working. */
export async function replaceLink(
  tx: Tx,
  l: { memberId: string; userId: string; purpose: LinkPurpose; hash: string; expiresAt: Date },
): Promise<void> {
  await tx.db
    .deleteFrom('account_links')
    .where('user_id', '=', l.userId)
    .where('purpose', '=', l.purpose)
    .where('used_at', 'is', null)
    .execute();
  await tx.db
    .insertInto('account_links')
    .values({
      member_id: l.memberId,
      user_id: l.userId,
      purpose: l.purpose,
      token_hash: l.hash,
      expires_at: l.expiresAt,
    })
    .execute();
}

/** The link of a token hash, whatever the scope (account_link_lookup, for the anonymous link page). */
export async function lookUpLink(tx: Tx, hash: string): Promise<LinkRow | undefined> {
  const r = await sql<LinkRow>`select * from account_link_lookup(${hash})`.execute(tx.db);
  return r.rows[0];
}

/** Marks a link used, once: only an unused link valid at `now`; returns it, or undefined. */
export async function claimLink(
  tx: Tx,
  hash: string,
  now: Date,
): Promise<{ user_id: string; member_id: string; purpose: LinkPurpose } | undefined> {
  return tx.db
    .updateTable('account_links')
    .set({ used_at: now })
    .where('token_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['user_id', 'member_id', 'purpose'])
    .executeTakeFirst();
}

export interface AccountRow {
  id: string;
  member_id: string;
  email: string;
  display_name: string;
  status: 'active' | 'disabled';
  has_password: boolean;
  must_change_password: boolean;
}

export async function findAccount(tx: Tx, userId: string): Promise<AccountRow | undefined> {
  return tx.db
    .selectFrom('users')
    .select([
      'id',
      'member_id',
      'email',
      'display_name',
      'status',
      'must_change_password',
      sql<boolean>`password_hash is not null`.as('has_password'),
    ])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** The person with a login e-mail address, across members (auth_find_user_by_email). */
export async function findAccountIdByEmail(
  tx: Tx,
  email: string,
): Promise<{ id: string; member_id: string; status: string } | undefined> {
  const r = await sql<{ id: string; member_id: string; status: string }>`
      select id, member_id, status from auth_find_user_by_email(${email})`.execute(tx.db);
  return r.rows[0];
}

/** A new password: the flag of a printed initial password goes with it. */
export async function storePassword(tx: Tx, userId: string, hash: string): Promise<void> {
  await tx.db
    .updateTable('users')
    .set({
      password_hash: hash,
      must_change_password: false,
      password_changed_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where('id', '=', userId)
    .execute();
}

export async function setMustChangePassword(tx: Tx, userId: string): Promise<void> {
  await tx.db.updateTable('users').set({ must_change_password: true }).where('id', '=', userId).execute();
}

/**
 * Counts a reset request for each key and returns, per key, how many there were in the last hour
 * before this one (in parallel too). Requests older than a day are removed on the way.
 */
export async function countResetRequests(tx: Tx, keys: readonly string[]): Promise<number[]> {
  await tx.db
    .deleteFrom('password_reset_requests')
    .where('requested_at', '<', sql<Date>`now() - interval '1 day'`)
    .execute();
  const out: number[] = [];
  for (const key of keys) {
    // Parallel requests for one key are counted one after the other.
    await sql`select pg_advisory_xact_lock(hashtext(${`reset:${key}`}))`.execute(tx.db);
    const r = await tx.db
      .selectFrom('password_reset_requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('key', '=', key)
      .where('requested_at', '>', sql<Date>`now() - interval '1 hour'`)
      .executeTakeFirstOrThrow();
    out.push(Number(r.n));
    await tx.db.insertInto('password_reset_requests').values({ key }).execute();
  }
  return out;
}

/** Removes links that expired more than `days` ago (used or not); returns how many. */
export async function deleteOldLinks(tx: Tx, days: number): Promise<number> {
  const res = await tx.db
    .deleteFrom('account_links')
    .where('expires_at', '<', sql<Date>`now() - make_interval(days => ${days})`)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
