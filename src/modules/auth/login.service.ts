/**
 * Password login with a throttle that cannot be used to lock the real person out: failures are
 * counted per (account, client address) and per client address, never per account alone. An attacker
 * guessing from one address is slowed down; the person logging in from their own address is not.
 */
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/database.js';
import { runInTx } from '../../db/tx.js';
import { memberScope, NO_MEMBERS, systemCtx } from '../../shared/context.js';
import { RateLimitedError, UnauthenticatedError } from '../../shared/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { firstLoginLink } from '../people/accounts.service.js';
import {
  countThrottledAttempt,
  deleteThrottleKey,
  findLoginByEmail,
  forgiveOneFailure,
} from './login.repository.js';
import { verifyPassword } from './passwords.service.js';
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

/**
 * Counts this attempt for both keys before the password is checked — atomically, so parallel
 * attempts cannot slip past the limit — and refuses it when a key is over its limit or still blocked.
 * Each attempt beyond the limit doubles the block (up to the window).
 */
async function admitAttempt(database: Database, config: Config, k: ThrottleKeys): Promise<void> {
  const windowMs = config.loginWindowMinutes * 60_000;
  const keys = [
    [k.account, config.loginMaxFailures],
    [k.client, config.loginMaxFailures * CLIENT_FACTOR],
  ] as const;
  const waits = await runInTx(database, systemCtx('login', NO_MEMBERS), async (tx) => {
    const out: number[] = [];
    for (const [key, max] of keys) {
      out.push(await countThrottledAttempt(tx, key, max, windowMs));
    }
    return out;
  });
  const wait = Math.max(...waits);
  if (wait > 0) throw new RateLimitedError(Math.ceil(wait / 1000));
}

/** A successful login forgives the account's failures and does not count against the client address. */
async function forgiveAttempt(database: Database, k: ThrottleKeys): Promise<void> {
  await runInTx(database, systemCtx('login', NO_MEMBERS), async (tx) => {
    await deleteThrottleKey(tx, k.account);
    await forgiveOneFailure(tx, k.client);
  });
}

export interface LoginResult {
  /** The session's cookie token; '' when passwordLink is given (no session yet). */
  token: string;
  userId: string;
  memberId: string;
  /**
   * A printed initial password must be replaced first: no session, only a one-time link (15 minutes) to
   * the page that sets a new password and then logs in.
   */
  passwordLink?: string;
}

export async function loginWithPassword(
  database: Database,
  config: Config,
  secret: string,
  input: LoginInput,
  requestId: string,
): Promise<LoginResult> {
  const k = keys(secret, input.email, input.clientIp);
  await admitAttempt(database, config, k);
  const user = await runInTx(database, systemCtx('login', NO_MEMBERS, requestId), (tx) =>
    findLoginByEmail(tx, input.email.trim()),
  );
  const ok = await verifyPassword(user?.status === 'active' ? user.password_hash : null, input.password);
  if (!user || !ok) {
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
  await forgiveAttempt(database, k);
  const done = await runInTx(
    database,
    systemCtx('login', memberScope(user.member_id), requestId),
    async (tx) => {
      const passwordLink = await firstLoginLink(tx, user.id);
      if (passwordLink) return { token: '', passwordLink };
      return {
        token: await createSession(tx, config, { id: user.id, memberId: user.member_id }, 'password'),
      };
    },
  );
  return { ...done, userId: user.id, memberId: user.member_id };
}
