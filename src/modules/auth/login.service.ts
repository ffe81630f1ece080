/**
 * Password login with a throttle that cannot be used to lock the real person out: failures are
 * counted per (account, client) and per client, never per account alone. An attacker guessing from one
 * client is slowed down; the person logging in from their own address is not.
 *
 * - The account is keyed by its normalised address (src/shared/email.ts), the same form the database
 *   compares: spellings of one address share one counter.
 * - A client is an IPv4 address or an IPv6 /64 (one host usually holds a whole /64); an IPv4-mapped
 *   IPv6 address is its IPv4 address.
 * - The per-(account, client) limit is hard: beyond it the account is blocked for that client.
 * - The per-client limit is soft: many failures from one address (all users behind one proxy) block
 *   guessing from there, but never a correct password for an account without failures of its own.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/database.js';
import { runInTx } from '../../db/tx.js';
import { memberScope, NO_MEMBERS, systemCtx } from '../../shared/context.js';
import { normalizeEmail } from '../../shared/email.js';
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

/** Failures from one client across all accounts before its soft limit applies. */
const CLIENT_FACTOR = 10;

function ipv6Groups(ip: string): number[] | undefined {
  const [head = '', tail] = ip.split('::', 2);
  const parts = (s: string) => (s === '' ? [] : s.split(':'));
  const h = parts(head);
  const t = tail === undefined ? [] : parts(tail);
  const last = tail === undefined ? h : t;
  const v4 = last.at(-1);
  if (v4?.includes('.')) {
    if (!isIPv4(v4)) return undefined;
    const b = v4.split('.').map(Number) as [number, number, number, number];
    last.splice(-1, 1, ((b[0] << 8) | b[1]).toString(16), ((b[2] << 8) | b[3]).toString(16));
  }
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = tail === undefined ? h : [...h, ...Array<string>(missing).fill('0'), ...t];
  const out = groups.map((g) => Number.parseInt(g, 16));
  return out.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? out : undefined;
}

/** The client a throttle counts: an IPv4 address, or the /64 of an IPv6 address. */
export function throttleClient(ip: string): string {
  const bare = ip.trim().replace(/%.*$/, '').toLowerCase();
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return bare;
  const g = ipv6Groups(bare);
  if (!g) return bare;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
  }
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}

/** The throttle keys of an attempt: HMACs, so neither the address nor the IP is stored in clear. */
export function throttleKeys(secret: string, email: string, ip: string): ThrottleKeys {
  const n = normalizeEmail(email);
  // An address that cannot be normalised never logs in; it is counted under its lowercased spelling.
  const account = n.ok ? n.email : email.trim().toLowerCase();
  const client = throttleClient(ip);
  return {
    account: hmacHex(secret, `acct\u0000${account}\u0000${client}`),
    client: hmacHex(secret, `ip\u0000${client}`),
  };
}

/**
 * Counts this attempt for both keys before the password is checked — atomically, so parallel
 * attempts cannot slip past the limit — and refuses it when the account is over its limit for this
 * client. Returns the seconds of the client's block when only its soft limit is exceeded (else 0):
 * then the attempt goes on, but only a correct password gets through (an account with failures of its
 * own is refused right here).
 */
async function admitAttempt(database: Database, config: Config, k: ThrottleKeys): Promise<{ soft: number }> {
  const windowMs = config.loginWindowMinutes * 60_000;
  const [account, client] = await runInTx(database, systemCtx('login', NO_MEMBERS), async (tx) => [
    await countThrottledAttempt(tx, k.account, config.loginMaxFailures, windowMs),
    await countThrottledAttempt(tx, k.client, config.loginMaxFailures * CLIENT_FACTOR, windowMs),
  ]);
  if (account!.blockedMs > 0) throw new RateLimitedError(Math.ceil(account!.blockedMs / 1000));
  if (client!.blockedMs > 0) {
    // Failures of its own (this attempt is counted already): refused like a blocked account.
    if (account!.failures > 1) throw new RateLimitedError(Math.ceil(client!.blockedMs / 1000));
    return { soft: Math.ceil(client!.blockedMs / 1000) };
  }
  return { soft: 0 };
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
  const k = throttleKeys(secret, input.email, input.clientIp);
  const { soft } = await admitAttempt(database, config, k);
  const normalized = normalizeEmail(input.email);
  const user = normalized.ok
    ? await runInTx(database, systemCtx('login', NO_MEMBERS, requestId), (tx) =>
        findLoginByEmail(tx, normalized.email),
      )
    : undefined;
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
    if (soft > 0) throw new RateLimitedError(soft);
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
