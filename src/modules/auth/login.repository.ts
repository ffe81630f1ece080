/** SQL of the logins: the throttle (`login_throttle`) and the look-ups of a person by e-mail or OIDC subject. */
import { sql } from 'kysely';
import type { Tx } from '../../db/tx.js';

/**
 * Counts an attempt for a throttle key, atomically (insert or update in one statement): a new window
 * after `windowMs` unless still blocked; beyond `max` failures each attempt doubles the block (up to
 * the window). Returns how many milliseconds the key is still blocked (0 when it is not).
 */
export async function countThrottledAttempt(
  tx: Tx,
  key: string,
  max: number,
  windowMs: number,
): Promise<number> {
  const window = `${windowMs} milliseconds`;
  const r = await sql<{ blocked_ms: number }>`
        insert into login_throttle as t (key, failures, window_started_at, blocked_until)
        values (${key}, 1, now(), null)
        on conflict (key) do update set
          failures = case when t.window_started_at < now() - ${window}::interval
                           and (t.blocked_until is null or t.blocked_until < now()) then 1 else t.failures + 1 end,
          window_started_at = case when t.window_started_at < now() - ${window}::interval
                           and (t.blocked_until is null or t.blocked_until < now()) then now() else t.window_started_at end,
          blocked_until = case when t.failures + 1 > ${max}::int
                           then now() + least(${windowMs}::int8, 1000 * power(2, t.failures - ${max}::int)::int8) * interval '1 millisecond'
                           else t.blocked_until end
        returning greatest(0, extract(epoch from (coalesce(blocked_until, now()) - now())) * 1000)::int8 as blocked_ms`.execute(
    tx.db,
  );
  return Number(r.rows[0]?.blocked_ms ?? 0);
}

export async function deleteThrottleKey(tx: Tx, key: string): Promise<void> {
  await tx.db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

/** Counts one failure of a throttle key off (not below zero). */
export async function forgiveOneFailure(tx: Tx, key: string): Promise<void> {
  await tx.db
    .updateTable('login_throttle')
    .set({ failures: sql`greatest(failures - 1, 0)` })
    .where('key', '=', key)
    .execute();
}

/** The person with a login e-mail address, across members (auth_find_user_by_email). */
export async function findLoginByEmail(
  tx: Tx,
  email: string,
): Promise<{ id: string; member_id: string; password_hash: string | null; status: string } | undefined> {
  const r = await sql<{ id: string; member_id: string; password_hash: string | null; status: string }>`
      select * from auth_find_user_by_email(${email})`.execute(tx.db);
  return r.rows[0];
}

/** The person of an OIDC subject, or of a verified e-mail address not yet linked (auth_find_user_by_oidc). */
export async function findLoginByOidc(
  tx: Tx,
  issuer: string,
  subject: string,
  email: string | null,
): Promise<{ id: string; member_id: string; status: string; oidc_subject: string | null } | undefined> {
  const r = await sql<{ id: string; member_id: string; status: string; oidc_subject: string | null }>`
        select * from auth_find_user_by_oidc(${issuer}, ${subject}, ${email})`.execute(tx.db);
  return r.rows[0];
}
