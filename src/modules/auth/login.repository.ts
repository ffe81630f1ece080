/** SQL of the logins: the throttle (`login_throttle`) and the look-ups of a person by e-mail or OIDC subject. */
import { sql } from 'kysely';
import type { Tx } from '../../db/tx.js';

/**
 * Counts an attempt for a throttle key, atomically (insert or update in one statement). A new window
 * starts after `windowMs` unless the key is still blocked — and then the key starts over: one failure,
 * no block (the block of the old window must not be carried into the new one). Beyond `max` failures
 * within a window each attempt doubles the block (up to the window). Returns how many milliseconds the
 * key is still blocked (0 when it is not) and the failures counted in this window, this attempt included.
 */
export async function countThrottledAttempt(
  tx: Tx,
  key: string,
  max: number,
  windowMs: number,
): Promise<{ blockedMs: number; failures: number }> {
  const window = `${windowMs} milliseconds`;
  // "fresh": the old window is over and no block is running, so this attempt opens a new window.
  const fresh = sql`(t.window_started_at < now() - ${window}::interval
                     and (t.blocked_until is null or t.blocked_until < now()))`;
  const r = await sql<{ blocked_ms: number; failures: number }>`
        insert into login_throttle as t (key, failures, window_started_at, blocked_until)
        values (${key}, 1, now(), case when 1 > ${max}::int then now() + interval '1 second' end)
        on conflict (key) do update set
          failures = case when ${fresh} then 1 else t.failures + 1 end,
          window_started_at = case when ${fresh} then now() else t.window_started_at end,
          blocked_until = case
                            when ${fresh} then case when 1 > ${max}::int then now() + interval '1 second' end
                            when t.failures + 1 > ${max}::int
                              then now() + least(${windowMs}::int8, 1000 * power(2, least(t.failures - ${max}::int, 40))::int8)
                                           * interval '1 millisecond'
                            else t.blocked_until end
        returning greatest(0, extract(epoch from (coalesce(blocked_until, now()) - now())) * 1000)::int8 as blocked_ms,
                  failures`.execute(tx.db);
  return { blockedMs: Number(r.rows[0]?.blocked_ms ?? 0), failures: Number(r.rows[0]?.failures ?? 1) };
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

/**
 * The person with a login e-mail address, across members (auth_find_user_by_email): exact equality on
 * the stored form, so pass the address normalised by normalizeEmail (src/shared/email.ts).
 */
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
