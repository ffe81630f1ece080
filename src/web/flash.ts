/**
 * The flash: a short-lived server-side message for the page after a redirect (POST → 303 → GET),
 * e.g. "The member has been created", optionally with a one-time secret (a new API token, an initial
 * password). Stored per session and member (RLS), sealed with the instance secret (AES-256-GCM), read
 * once (deleted when read), expired after minutes — so a secret is never in a URL, never in the
 * browser's history, and gone on reload.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Tx } from '../db/tx.js';
import { insertFlash, takeFlashRows } from './form.repository.js';

export interface Flash {
  /** i18n key of the success message. */
  title: string;
  params?: Record<string, string | number>;
  /** A secret shown exactly once, with its explanation (i18n key). */
  secret?: { explanation: string; value: string };
}

const TTL_SECONDS = 300;

function keyOf(instanceSecret: string): Buffer {
  return createHash('sha256').update(`allmende-flash:${instanceSecret}`).digest();
}

function seal(instanceSecret: string, flash: Flash): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(instanceSecret), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(flash), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function open(instanceSecret: string, sealed: string): Flash | undefined {
  try {
    const buf = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyOf(instanceSecret), buf.subarray(0, 12));
    decipher.setAuthTag(buf.subarray(12, 28));
    const text = Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as Flash;
  } catch {
    return undefined; // sealed with another instance secret: nothing to show
  }
}

export async function writeFlash(
  tx: Tx,
  instanceSecret: string,
  memberId: string,
  sessionId: string,
  flash: Flash,
): Promise<void> {
  await insertFlash(tx, {
    memberId,
    sessionId,
    payload: seal(instanceSecret, flash),
    ttlSeconds: TTL_SECONDS,
  });
}

const taken = new WeakMap<FastifyRequest, Flash[]>();

/** The flashes read for this request (rendered by sendPage above the page's content). */
export function flashesOf(req: FastifyRequest): readonly Flash[] {
  return taken.get(req) ?? [];
}

/**
 * preHandler hook: on a page GET of a session whose browser holds the "flash waits" cookie, takes
 * (reads and deletes) the session's flashes and clears the cookie. Without the cookie no query runs.
 * Runs as the person's own account (the flash belongs to the session, also for read-only scopes).
 */
export async function takeFlashHook(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  // Pages only: a stylesheet, the API or a probe must not take the message meant for the page.
  if (req.method !== 'GET' || /^\/(api|static)\/|^\/(healthz|readyz|metrics)\b/.test(req.url)) return;
  const services = req.server.allmende;
  if (req.cookies[services.flashCookie] === undefined) return;
  reply.clearCookie(services.flashCookie, services.cookieOptions);
  const p = req.principal;
  if (!p?.sessionId) return;
  const sessionId = p.sessionId;
  const rows = await services.ownAccountTx(req, (tx) => takeFlashRows(tx, p.memberId, sessionId));
  const flashes = rows.map((r) => open(services.deps.secret, r)).filter((f): f is Flash => f !== undefined);
  if (flashes.length) taken.set(req, flashes);
}
