/**
 * Password login with a throttle that cannot be used to lock the real person out: failures are
 * counted per (account, client address) and per client address, never per account alone. An attacker
 * guessing from one address is slowed down; the person logging in from their own address is not.
 */
import { sql } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/database.js';
import { runInTx } from '../../db/tx.js';
import { memberScope, NO_MEMBERS, systemCtx } from '../../shared/context.js';
import { RateLimitedError, UnauthenticatedError } from '../../shared/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { verifyPassword } from './passwords.js';
import { createSession } from './sessions.service.js';
import { hmacHex } from './tokens.js';

export interface LoginInput {
  email: string;
  password: string;
  clientIp: string;
}

interface ThrottleKeys {
  account: string;
  client: string;
}

/** Failures from one client address across all accounts allowed before it is slowed down. */
const CLIENT_FACTOR = 10;

function keys(secret: string, email: string, ip: string): ThrottleKeys {
  return {
    account: hmacHex(secret, `acct\u0000${email.trim().toLowerCase()}\u0000${ip}`),
    client: hmacHex(secret, `ip\u0000${ip}`),
  };
}

async function checkThrottle(database: Database, k: ThrottleKeys): Promise<void> {
  const rows = await runInTx(database, systemCtx('login', NO_MEMBERS), (tx) =>
    tx.db
      .selectFrom('login_throttle')
      .select(['blocked_until'])
      .where('key', 'in', [k.account, k.client])
      .execute(),
  );
  const now = Date.now();
  const until = Math.max(0, ...rows.map((r) => r.blocked_until?.getTime() ?? 0));
  if (until > now) throw new RateLimitedError(Math.ceil((until - now) / 1000));
}

async function registerFailure(database: Database, config: Config, k: ThrottleKeys): Promise<void> {
  const windowMs = config.loginWindowMinutes * 60_000;
  await runInTx(database, systemCtx('login', NO_MEMBERS), async (tx) => {
    for (const [key, max] of [
      [k.account, config.loginMaxFailures],
      [k.client, config.loginMaxFailures * CLIENT_FACTOR],
    ] as const) {
      // One statement: start a new window if the old one is over, else count; block with growing delay.
      await sql`
        insert into login_throttle as t (key, failures, window_started_at, blocked_until)
        values (${key}, 1, now(), null)
        on conflict (key) do update set
          failures = case when t.window_started_at < now() - ${`${windowMs} milliseconds`}::interval then 1 else t.failures + 1 end,
          window_started_at = case when t.window_started_at < now() - ${`${windowMs} milliseconds`}::interval then now() else t.window_started_at end`.execute(
        tx.db,
      );
      await sql`
        update login_throttle set blocked_until = now() + least(
            ${windowMs}::int8, 1000 * power(2, failures - ${max})::int8) * interval '1 millisecond'
        where key = ${key} and failures >= ${max}`.execute(tx.db);
    }
  });
}

async function clearAccountThrottle(database: Database, k: ThrottleKeys): Promise<void> {
  await runInTx(database, systemCtx('login', NO_MEMBERS), (tx) =>
    tx.db.deleteFrom('login_throttle').where('key', '=', k.account).execute(),
  );
}

export interface LoginResult {
  token: string;
  userId: string;
  memberId: string;
}

export async function loginWithPassword(
  database: Database,
  config: Config,
  secret: string,
  input: LoginInput,
  requestId: string,
): Promise<LoginResult> {
  const k = keys(secret, input.email, input.clientIp);
  await checkThrottle(database, k);
  const user = await runInTx(database, systemCtx('login', NO_MEMBERS, requestId), async (tx) => {
    const r = await sql<{ id: string; member_id: string; password_hash: string | null; status: string }>`
      select * from auth_find_user_by_email(${input.email.trim()})`.execute(tx.db);
    return r.rows[0];
  });
  const ok = await verifyPassword(user?.status === 'active' ? user.password_hash : null, input.password);
  if (!user || !ok) {
    await registerFailure(database, config, k);
    if (user) {
      await runInTx(database, systemCtx('login', memberScope(user.member_id), requestId), async (tx) => {
        recordAudit(tx, {
          action: 'auth.login_failed',
          memberId: user.member_id,
          objectType: 'user',
          objectId: user.id,
          details: { reason: user.status === 'active' ? 'credentials' : 'disabled' },
        });
      });
    }
    throw new UnauthenticatedError('auth.invalid_credentials');
  }
  await clearAccountThrottle(database, k);
  const token = await runInTx(database, systemCtx('login', memberScope(user.member_id), requestId), (tx) =>
    createSession(tx, config, { id: user.id, memberId: user.member_id }, 'password'),
  );
  return { token, userId: user.id, memberId: user.member_id };
}
