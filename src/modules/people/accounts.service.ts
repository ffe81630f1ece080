/**
 * Accounts a person runs themselves: one-time links to set a password — the invitation of a new person
 * (72 hours), "Passwort vergessen" (2 hours), and the change forced at the first login with a printed
 * initial password (15 minutes). A link carries 32 random bytes; only their SHA-256 is stored; it works
 * once. Mails leave through the outbox: the business transaction queues the job `people.send-account-link`,
 * which creates the link after commit and sends the mail (so no token ever sits in the outbox).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/database.js';
import { runInTx, type Tx } from '../../db/tx.js';
import { sendInTx } from '../../jobs/outbox.js';
import { composeMail, type Mail, type MailLang } from '../../mail/mail.js';
import { sha256Hex } from '../../shared/canonical-json.js';
import type { Clock } from '../../shared/clock.js';
import { memberScope, NO_MEMBERS, systemCtx } from '../../shared/context.js';
import { formatDateTime } from '../../shared/dates.js';
import { normalizeEmail } from '../../shared/email.js';
import { ValidationError } from '../../shared/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { hashPassword, passwordProblems } from '../auth/passwords.service.js';
import { createSession, endSessionsOfPerson } from '../auth/sessions.service.js';
import { getMemberSummary } from '../members/members.service.js';
import messages from './accounts.messages.json' with { type: 'json' };
import {
  claimLink,
  countResetRequests,
  deleteOldLinks,
  findAccount,
  findAccountIdByEmail,
  type LinkPurpose,
  lookUpLink,
  replaceLink,
  storePassword,
} from './accounts.repository.js';

export type { LinkPurpose };

/** How long a link is valid, in minutes. */
export const LINK_MINUTES: Readonly<Record<LinkPurpose, number>> = Object.freeze({
  invitation: 72 * 60,
  reset: 2 * 60,
  first_login: 15,
});
export const INVITATION_HOURS = LINK_MINUTES.invitation / 60;
/** "Passwort vergessen": mails per hour, per address asked for and per account. */
export const RESET_MAX_PER_HOUR = 3;

export const SEND_LINK_JOB = 'people.send-account-link';

export interface SendLinkPayload {
  userId: string;
  purpose: 'invitation' | 'reset';
  lang: MailLang;
}

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256Hex(token) };
}

/** The path of the page a link opens. */
export function linkPath(token: string): string {
  return `/passwort-setzen/${token}`;
}

/**
 * In the business transaction that added the person: queue the invitation mail (through the outbox,
 * so it leaves exactly when this transaction commits) and record it.
 */
export async function invitePerson(
  tx: Tx,
  person: { id: string; memberId: string },
  lang: MailLang = 'de',
): Promise<void> {
  const payload: SendLinkPayload = { userId: person.id, purpose: 'invitation', lang };
  await sendInTx(tx, SEND_LINK_JOB, payload, {
    memberId: person.memberId,
    key: randomBytes(8).toString('hex'),
  });
  recordAudit(tx, {
    action: 'user.invited',
    memberId: person.memberId,
    objectType: 'user',
    objectId: person.id,
    details: { validHours: INVITATION_HOURS },
  });
}

function text(key: keyof typeof messages, lang: MailLang, params: Record<string, string> = {}): string {
  let s = messages[key][lang];
  for (const [k, v] of Object.entries(params)) s = s.replaceAll(`{${k}}`, v);
  return s;
}

/**
 * The job's part (in its transaction, after the business transaction committed): a new link for the
 * person and the mail that carries it; undefined when there is nothing to send any more (the person is
 * gone or disabled, or has set a password since the invitation).
 */
export async function composeLinkMail(
  tx: Tx,
  publicUrl: string,
  p: SendLinkPayload,
): Promise<Mail | undefined> {
  const account = await findAccount(tx, p.userId);
  if (account?.status !== 'active') return undefined;
  if (p.purpose === 'invitation' && account.has_password) return undefined;
  const { token, hash } = newLinkToken();
  const expiresAt = new Date(tx.ctx.clock.now().getTime() + LINK_MINUTES[p.purpose] * 60_000);
  await replaceLink(tx, {
    memberId: account.member_id,
    userId: account.id,
    purpose: p.purpose,
    hash,
    expiresAt,
  });
  const member = await getMemberSummary(tx, account.member_id);
  const params = {
    name: account.display_name,
    email: account.email,
    member: member.name,
    until: `${formatDateTime(expiresAt, p.lang)}${p.lang === 'de' ? ' Uhr' : ''}`,
  };
  const keys =
    p.purpose === 'invitation'
      ? ({ subject: 'mail.invitation.subject', body: 'mail.invitation.body' } as const)
      : ({ subject: 'mail.reset.subject', body: 'mail.reset.body' } as const);
  return composeMail({
    to: account.email,
    lang: p.lang,
    subject: text(keys.subject, p.lang),
    paragraphs: [text(keys.body, p.lang, params), text('mail.footer', p.lang)],
    link: { url: `${publicUrl}${linkPath(token)}`, after: 1 },
  });
}

/** A link for the first login with a printed initial password; null when none is due. */
export async function firstLoginLink(tx: Tx, userId: string): Promise<string | null> {
  const account = await findAccount(tx, userId);
  if (!account?.must_change_password) return null;
  const { token, hash } = newLinkToken();
  await replaceLink(tx, {
    memberId: account.member_id,
    userId,
    purpose: 'first_login',
    hash,
    expiresAt: new Date(tx.ctx.clock.now().getTime() + LINK_MINUTES.first_login * 60_000),
  });
  return token;
}

export interface OpenLink {
  purpose: LinkPurpose;
  email: string;
}

/** What an unused, unexpired link is for (the form), or undefined for any other token. */
export async function openLink(
  database: Database,
  token: string,
  clock: Clock,
  requestId: string,
): Promise<OpenLink | undefined> {
  if (!TOKEN_RE.test(token)) return undefined;
  const hash = sha256Hex(token);
  const link = await runInTx(database, systemCtx('password-link', NO_MEMBERS, requestId, clock), (tx) =>
    lookUpLink(tx, hash),
  );
  if (!link || link.used_at || link.expires_at <= clock.now()) return undefined;
  const account = await runInTx(
    database,
    systemCtx('password-link', memberScope(link.member_id, true), requestId, clock),
    (tx) => findAccount(tx, link.user_id),
  );
  if (account?.status !== 'active') return undefined;
  return { purpose: link.purpose, email: account.email };
}

export class InvalidLinkError extends Error {
  override name = 'InvalidLinkError';
}

/**
 * Sets the password with a link: the link is used up (at most once, also in parallel), the password
 * stored, every session of the person ended, and a new session started (returned: its cookie token).
 */
export async function setPasswordWithLink(
  database: Database,
  config: Config,
  input: { token: string; password: string; repeat: string },
  clock: Clock,
  requestId: string,
): Promise<string> {
  if (!TOKEN_RE.test(input.token)) throw new InvalidLinkError();
  const problems = passwordProblems(input.password).map((code) => ({ field: 'password', code }));
  if (problems.length === 0 && input.password !== input.repeat)
    problems.push({ field: 'passwordRepeat', code: 'password.mismatch' });
  if (problems.length) throw new ValidationError(problems);
  const hash = sha256Hex(input.token);
  const link = await runInTx(database, systemCtx('password-link', NO_MEMBERS, requestId, clock), (tx) =>
    lookUpLink(tx, hash),
  );
  if (!link) throw new InvalidLinkError();
  const passwordHash = await hashPassword(input.password);
  const ctx = systemCtx('password-link', memberScope(link.member_id), requestId, clock);
  const session = await runInTx(database, ctx, async (tx) => {
    const claimed = await claimLink(tx, hash, clock.now());
    if (!claimed) return undefined;
    const account = await findAccount(tx, claimed.user_id);
    if (account?.status !== 'active') return undefined;
    await storePassword(tx, account.id, passwordHash);
    await endSessionsOfPerson(tx, account.id);
    recordAudit(tx, {
      action: 'user.password_set',
      memberId: account.member_id,
      objectType: 'user',
      objectId: account.id,
      actor: { type: 'user', id: account.id },
      details: { via: claimed.purpose },
    });
    return createSession(tx, config, { id: account.id, memberId: account.member_id }, 'password');
  });
  if (!session) throw new InvalidLinkError();
  return session;
}

/**
 * "Passwort vergessen". Answers nothing: the page says the same whatever happened. Counts the request
 * per address and, for an existing account, per account (at most RESET_MAX_PER_HOUR each); within the
 * limits and for an active account, queues the mail through the outbox and records the request.
 */
export async function requestPasswordReset(
  database: Database,
  instanceSecret: string,
  input: { email: string; lang: MailLang },
  clock: Clock,
  requestId: string,
): Promise<void> {
  // The one stored form (src/shared/email.ts); an address that has none is counted as typed.
  const normalized = normalizeEmail(input.email);
  const email = normalized.ok ? normalized.email : input.email.trim().toLowerCase();
  const key = (what: string) =>
    createHmac('sha256', instanceSecret).update(`reset\u0000${what}`).digest('hex');
  const found = await runInTx(
    database,
    systemCtx('password-reset', NO_MEMBERS, requestId, clock),
    async (tx) => {
      const user = normalized.ok && email.length <= 254 ? await findAccountIdByEmail(tx, email) : undefined;
      const keys = [key(`address\u0000${email}`), ...(user ? [key(`account\u0000${user.id}`)] : [])];
      const counts = await countResetRequests(tx, keys);
      const within = counts.every((n) => n < RESET_MAX_PER_HOUR);
      return user && within && user.status === 'active' ? user : undefined;
    },
  );
  if (!found) return;
  await runInTx(
    database,
    systemCtx('password-reset', memberScope(found.member_id), requestId, clock),
    async (tx) => {
      const payload: SendLinkPayload = { userId: found.id, purpose: 'reset', lang: input.lang };
      await sendInTx(tx, SEND_LINK_JOB, payload, {
        memberId: found.member_id,
        key: randomBytes(8).toString('hex'),
      });
      recordAudit(tx, {
        action: 'user.password_reset_requested',
        memberId: found.member_id,
        objectType: 'user',
        objectId: found.id,
      });
    },
  );
}

/** Links are kept this long after they expired (to trace a complaint), then removed. */
export const LINK_KEEP_DAYS = 30;

/** Removes long-expired links (the scheduled job people.account-link-cleanup). */
export function purgeOldLinks(tx: Tx, days = LINK_KEEP_DAYS): Promise<number> {
  return deleteOldLinks(tx, days);
}
