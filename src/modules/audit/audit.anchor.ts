/**
 * The audit anchor: the chain heads (member, seq, hash) signed with a key that is not in the database
 * (HMAC-SHA-256, key from ALLMENDE_AUDIT_ANCHOR_KEY or generated into the data folder). The auditor
 * downloads it and keeps it outside the installation; compared later, it shows a chain rewritten
 * together with its head — which verify alone cannot see, since a rewritten chain is consistent.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/config.js';
import { canonicalJson } from '../../shared/canonical-json.js';

export const ANCHOR_FORMAT = 'allmende-audit-anchor' as const;

export interface AnchorHead {
  readonly memberId: string;
  readonly name: string;
  readonly seq: number;
  readonly hash: string;
}

export interface Anchor {
  readonly format: typeof ANCHOR_FORMAT;
  readonly version: 1;
  /** ISO instant (UTC) the anchor was made. */
  readonly createdAt: string;
  readonly heads: readonly AnchorHead[];
  readonly algorithm: 'HMAC-SHA256';
  /** Hex HMAC over the canonical JSON of every other field. */
  readonly signature: string;
}

const keys = new Map<string, string>();

/**
 * The anchor key: configured, or read from (on first use: generated into) `<dataDir>/audit-anchor.key`,
 * readable by the owner only. Never stored in the database: whoever rewrites the database must not
 * be able to re-sign.
 */
export function anchorKey(config: Config): string {
  if (config.auditAnchorKey) return config.auditAnchorKey;
  const file = path.join(config.dataDir, 'audit-anchor.key');
  const cached = keys.get(file);
  if (cached) return cached;
  let key: string;
  try {
    key = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(config.dataDir, { recursive: true });
    key = randomBytes(32).toString('hex');
    try {
      fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      // Another process wrote it first: use its key.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      key = fs.readFileSync(file, 'utf8').trim();
    }
  }
  keys.set(file, key);
  return key;
}

function mac(key: string, body: Omit<Anchor, 'signature'>): string {
  return createHmac('sha256', key).update(canonicalJson(body)).digest('hex');
}

export function signAnchor(key: string, createdAt: Date, heads: readonly AnchorHead[]): Anchor {
  const body = {
    format: ANCHOR_FORMAT,
    version: 1 as const,
    createdAt: createdAt.toISOString(),
    heads: [...heads],
    algorithm: 'HMAC-SHA256' as const,
  };
  return { ...body, signature: mac(key, body) };
}

export type ParsedAnchor = { ok: true; anchor: Anchor } | { ok: false; error: 'format' | 'signature' };

/** Reads an uploaded anchor: its shape, then its signature. */
export function parseAnchor(key: string, text: string): ParsedAnchor {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, error: 'format' };
  }
  const a = v as Partial<Anchor> | null;
  const headOk = (h: unknown): h is AnchorHead => {
    const x = h as Partial<AnchorHead> | null;
    return (
      !!x &&
      typeof x.memberId === 'string' &&
      typeof x.name === 'string' &&
      Number.isSafeInteger(x.seq) &&
      (x.seq as number) >= 0 &&
      typeof x.hash === 'string' &&
      /^[0-9a-f]{64}$/.test(x.hash)
    );
  };
  if (
    !a ||
    typeof a !== 'object' ||
    a.format !== ANCHOR_FORMAT ||
    a.version !== 1 ||
    a.algorithm !== 'HMAC-SHA256' ||
    typeof a.createdAt !== 'string' ||
    Number.isNaN(Date.parse(a.createdAt)) ||
    !Array.isArray(a.heads) ||
    !a.heads.every(headOk) ||
    typeof a.signature !== 'string' ||
    !/^[0-9a-f]{64}$/.test(a.signature)
  )
    return { ok: false, error: 'format' };
  const anchor = a as Anchor;
  const { signature, ...body } = anchor;
  const expected = Buffer.from(mac(key, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, error: 'signature' };
  return { ok: true, anchor };
}

/** One chain of an anchor compared with the database now. */
export interface AnchorComparison {
  readonly memberId: string;
  readonly name: string;
  readonly seq: number;
  /** unchanged: the event at the anchored seq still has the anchored hash; otherwise rewritten or missing. */
  readonly status: 'unchanged' | 'rewritten' | 'missing';
}
