/**
 * Recording, reading and verifying the audit trail.
 * record() buffers events in the transaction; right before commit they are chained and inserted in
 * the same transaction as the change they describe — both commit, or neither.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.js';
import type { ActorKind } from '../../db/schema.js';
import { runInTx, type Tx } from '../../db/tx.js';
import { keyedDigest } from '../../shared/canonical-json.js';
import { ALL_MEMBERS_READ, type Ctx, systemCtx } from '../../shared/context.js';
import { isUuid } from '../../shared/ids.js';
import { requirePermission } from '../auth/permissions.js';
import { listMemberIds } from '../members/members.service.js';
import { type Anchor, type AnchorComparison, signAnchor } from './audit.anchor.js';
import type { AuditInput } from './audit.catalog.js';
import {
  type ChainedEvent,
  type ChainReport,
  ChainVerifier,
  eventHashV2,
  HASH_VERSION,
  nowMicroIso,
  type StoredEvent,
  verifyChain,
} from './audit.chain.js';
import { type EventRefs, idsToName, type NameBook } from './audit.format.js';
import {
  type AuditEventListRow,
  auditEventsBefore,
  type ChainEventRow,
  chainEventsAfter,
  chainHashAt,
  countAuditEvents,
  hasViewEvent,
  insertAuditEvents,
  listAuditEventRows,
  listChainHeads,
  lockChains,
  memberNames,
  tokenNames,
  userNames,
} from './audit.repository.js';

const BAG_KEY = 'audit.pending';

interface PendingEvent {
  input: AuditInput;
  /** Microsecond UTC string: hashed as it is and stored exactly (timestamptz has microseconds). */
  occurredAt: string;
}

/** Records an audit event in the current transaction. */
export function recordAudit(tx: Tx, input: AuditInput): void {
  let pending = tx.bag.get(BAG_KEY) as PendingEvent[] | undefined;
  if (!pending) {
    pending = [];
    tx.bag.set(BAG_KEY, pending);
    tx.beforeCommit(BAG_KEY, () => flush(tx, pending!));
  }
  pending.push({ input, occurredAt: nowMicroIso() });
}

/** The digest of audited data: keyed with the instance secret, so it reveals nothing by guessing. */
function dataDigest(tx: Tx, data: unknown): string {
  if (!tx.digestKey) throw new Error('audit: the instance secret is not loaded (call prepareDatabase first)');
  return keyedDigest(tx.digestKey, data);
}

/** Who acts in a context, as the audit trail records it: an id or a name, never a person's name. */
export function actorOf(ctx: Ctx): { actorType: ActorKind; actorId: string } {
  if (ctx.principal) return { actorType: ctx.principal.kind, actorId: ctx.principal.id };
  if (ctx.citizen) return { actorType: 'citizen', actorId: ctx.citizen.id };
  if (ctx.job) return { actorType: 'job', actorId: ctx.job };
  if (ctx.system) return { actorType: 'system', actorId: ctx.system };
  return { actorType: 'anonymous', actorId: '-' };
}

async function flush(tx: Tx, pending: PendingEvent[]): Promise<void> {
  if (pending.length === 0) return;
  const ctxActor = actorOf(tx.ctx);
  // Lock chains in a fixed order so concurrent transactions touching several members cannot deadlock;
  // all of them in one statement and all events in one insert (an ingest of usage for 80 members
  // audits 80 chains: two round trips instead of 160).
  const memberIds = [...new Set(pending.map((p) => p.input.memberId))].sort();
  const heads = await lockChains(tx, memberIds);
  const rows = [];
  for (const memberId of memberIds) {
    const head = heads.get(memberId)!;
    let seq = head.lastSeq;
    let prevHash = head.lastHash;
    for (const { input, occurredAt } of pending.filter((p) => p.input.memberId === memberId)) {
      seq++;
      const { actorType, actorId } = input.actor
        ? { actorType: input.actor.type, actorId: input.actor.id }
        : ctxActor;
      const event = {
        id: randomUUID(),
        memberId,
        seq,
        occurredAt,
        actorType,
        actorId,
        action: input.action,
        objectType: input.objectType,
        objectId: input.objectId ?? null,
        dataDigest: input.data === undefined ? null : dataDigest(tx, input.data),
        details: (input.details ?? {}) as Record<string, unknown>,
        requestId: tx.ctx.requestId,
        prevHash,
      };
      const hash = eventHashV2(event);
      rows.push({
        id: event.id,
        hash_version: HASH_VERSION,
        member_id: memberId,
        seq,
        occurred_at: occurredAt,
        actor_type: actorType,
        actor_id: actorId,
        action: event.action,
        object_type: event.objectType,
        object_id: event.objectId,
        data_digest: event.dataDigest,
        details: JSON.stringify(event.details),
        request_id: event.requestId,
        prev_hash: prevHash,
        hash,
      });
      prevHash = hash;
    }
  }
  await insertAuditEvents(tx, rows);
  pending.length = 0;
}

/** An event as pages and the API show it: the chained fields with its id and hash. */
export interface AuditEventView extends ChainedEvent {
  readonly id: string;
  readonly hash: string;
}

export function toStoredEvent(r: AuditEventListRow): AuditEventView {
  return {
    id: r.id,
    memberId: r.member_id,
    seq: Number(r.seq),
    occurredAt: r.occurred_at,
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    dataDigest: r.data_digest,
    details: r.details,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface AuditFilter {
  memberId?: string | undefined;
  action?: string | undefined;
  from?: string | undefined; // YYYY-MM-DD, Europe/Berlin
  to?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface AuditPage {
  events: AuditEventView[];
  total: number;
}

function chainEventOf(r: ChainEventRow): StoredEvent {
  return {
    id: r.id,
    memberId: r.member_id,
    seq: r.seq,
    occurredAt: r.occurred_at_us,
    hashVersion: r.hash_version,
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    dataDigest: r.data_digest,
    details: r.details,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Lists events visible to the caller (RLS limits to the caller's members), newest first. */
export async function listAuditEvents(tx: Tx, filter: AuditFilter): Promise<AuditPage> {
  requirePermission(tx.ctx, 'audit.read');
  const total = await countAuditEvents(tx, filter);
  const rows = await listAuditEventRows(tx, filter, filter.limit ?? 50, filter.offset ?? 0);
  return { events: rows.map(toStoredEvent), total };
}

export interface VerifyResult {
  ok: boolean;
  chains: ChainReport[];
  eventsChecked: number;
}

/** Rows per round trip when the trail is read in full (verify, export): memory stays bounded. */
export const AUDIT_BATCH_ROWS = 1000;

/**
 * Every event visible in the transaction, chain by chain in seq order, in batches (keyset on the
 * unique (member_id, seq)): the verifier never holds the whole trail in memory.
 */
async function* chainBatches(tx: Tx, batchRows: number): AsyncGenerator<ChainEventRow[]> {
  let after: { memberId: string; seq: string | number } | undefined;
  for (;;) {
    const rows = await chainEventsAfter(tx, after, batchRows);
    if (rows.length > 0) yield rows;
    if (rows.length < batchRows) return;
    const last = rows[rows.length - 1]!;
    after = { memberId: last.member_id, seq: last.seq };
  }
}

/** Verifies every chain visible in the context (all of them for the CLI), streaming the trail. */
export async function verifyAuditTrail(
  database: Database,
  ctx?: Ctx,
  batchRows = AUDIT_BATCH_ROWS,
): Promise<VerifyResult> {
  // One snapshot for heads, events and members: a commit in between must not look like tampering.
  return runInTx(
    database,
    ctx ?? systemCtx('audit-verify', ALL_MEMBERS_READ),
    async (tx) => {
      const heads = await listChainHeads(tx);
      const headByMember = new Map(
        heads.map((h) => [h.member_id, { lastSeq: Number(h.last_seq), lastHash: h.last_hash }]),
      );
      const memberIds = await listMemberIds(tx);
      const reports = new Map<string, ChainReport>();
      let current: ChainVerifier | undefined;
      let eventsChecked = 0;
      const finish = () => {
        if (current) reports.set(current.memberId, current.finish(headByMember.get(current.memberId)));
      };
      for await (const batch of chainBatches(tx, batchRows)) {
        for (const r of batch) {
          if (current?.memberId !== r.member_id) {
            finish();
            current = new ChainVerifier(r.member_id);
          }
          current.push(chainEventOf(r));
          eventsChecked++;
        }
      }
      finish();
      // Every member has a chain from its creation on: a member without one lost its whole chain.
      for (const id of memberIds) {
        if (!reports.has(id)) reports.set(id, verifyChain(id, [], headByMember.get(id)));
      }
      for (const [memberId, head] of headByMember) {
        if (!reports.has(memberId) && head.lastSeq > 0)
          reports.set(memberId, verifyChain(memberId, [], head));
      }
      const chains = [...reports.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, report]) => report);
      return { ok: chains.every((c) => c.problem === null), chains, eventsChecked };
    },
    { isolation: 'repeatable read' },
  );
}

/**
 * The events of a filter, newest first, in batches (keyset on occurred_at, seq, id — compared in
 * PostgreSQL's own microsecond precision), at most `limit` of them: for exports that stream.
 */
export async function* auditEventBatches(
  tx: Tx,
  filter: Omit<AuditFilter, 'offset'>,
  batchRows = AUDIT_BATCH_ROWS,
): AsyncGenerator<AuditEventView[]> {
  requirePermission(tx.ctx, 'audit.read');
  let left = filter.limit ?? Number.POSITIVE_INFINITY;
  let after: { at: string; seq: string | number; id: string } | undefined;
  while (left > 0) {
    const rows = await auditEventsBefore(tx, filter, after, Math.min(batchRows, left));
    if (rows.length > 0) yield rows.map(toStoredEvent);
    left -= rows.length;
    if (rows.length < batchRows) return;
    const last = rows[rows.length - 1]!;
    after = { at: last.cursor_at, seq: last.seq, id: last.id };
  }
}

/** The names of the members, people and tokens the events refer to, as far as the reader may see them. */
export async function auditNames(tx: Tx, events: readonly EventRefs[]): Promise<NameBook> {
  requirePermission(tx.ctx, 'audit.read');
  const ids = idsToName(events);
  const [members, users, tokens] = await Promise.all([
    memberNames(tx, ids.members.filter(isUuid)),
    userNames(tx, ids.users.filter(isUuid)),
    tokenNames(tx, ids.tokens.filter(isUuid)),
  ]);
  return {
    members: new Map(members.map((m) => [m.id, m.name])),
    users: new Map(users.map((u) => [u.id, u.name])),
    tokens: new Map(tokens.map((k) => [k.id, k.name])),
  };
}

/**
 * The names of the people and API tokens among `actors` (as far as the transaction's scope sees them),
 * for other modules' lists of who did what (e.g. refused usage deliveries). No permission of its own:
 * the caller checked its own; jobs and system work are named by their name already.
 */
export async function actorNames(
  tx: Tx,
  actors: readonly { actorType: string; actorId: string }[],
): Promise<Pick<NameBook, 'users' | 'tokens'>> {
  const ids = (kind: string) => [
    ...new Set(actors.filter((a) => a.actorType === kind && isUuid(a.actorId)).map((a) => a.actorId)),
  ];
  const [users, tokens] = await Promise.all([userNames(tx, ids('user')), tokenNames(tx, ids('token'))]);
  return {
    users: new Map(users.map((u) => [u.id, u.name])),
    tokens: new Map(tokens.map((k) => [k.id, k.name])),
  };
}

/** The members whose trail the reader sees: the association first, then by name (German collation). */
export async function auditMembers(tx: Tx): Promise<{ id: string; name: string; isAssociation: boolean }[]> {
  requirePermission(tx.ctx, 'audit.read');
  const rows = await memberNames(tx);
  return rows
    .map((m) => ({ id: m.id, name: m.name, isAssociation: m.is_association }))
    .sort(
      (a, b) =>
        Number(b.isAssociation) - Number(a.isAssociation) ||
        a.name.localeCompare(b.name, 'de') ||
        a.id.localeCompare(b.id),
    );
}

/**
 * Records that the reader viewed the trail with a filter — once per session (or token) and filter, so
 * paging back and forth adds no events. The key is keyed with the instance secret: the session id,
 * a credential, never reaches the trail. Checked in the database, in the reader's own chain.
 */
export async function recordTrailViewed(
  tx: Tx,
  filter: Omit<AuditFilter, 'limit' | 'offset'>,
  total: number,
): Promise<void> {
  const principal = tx.ctx.principal;
  if (!principal) throw new Error('audit: viewing the trail needs a principal');
  const normalized = {
    memberId: filter.memberId ?? null,
    action: filter.action ?? null,
    from: filter.from ?? null,
    to: filter.to ?? null,
  };
  const view = dataDigest(tx, {
    by: principal.sessionId ?? `${principal.kind}:${principal.id}`,
    filter: normalized,
  }).slice(0, 32);
  if (await hasViewEvent(tx, principal.memberId, view)) return;
  recordAudit(tx, {
    action: 'audit.viewed',
    memberId: principal.memberId,
    objectType: 'audit_trail',
    details: {
      view,
      total,
      ...(normalized.memberId ? { member: normalized.memberId } : {}),
      ...(normalized.action ? { action: normalized.action } : {}),
      ...(normalized.from ? { from_day: normalized.from } : {}),
      ...(normalized.to ? { to_day: normalized.to } : {}),
    },
  });
}

/**
 * The signed anchor of every chain the reader sees: verified head (seq, hash) and the member's name.
 * Recorded as "audit.anchor_exported" in the reader's chain.
 */
export async function exportAnchor(database: Database, ctx: Ctx, key: string): Promise<Anchor> {
  requirePermission(ctx, 'audit.export');
  const result = await verifyAuditTrail(database, ctx);
  return runInTx(database, ctx, async (tx) => {
    const members = new Map((await auditMembers(tx)).map((m, i) => [m.id, { name: m.name, order: i }]));
    const heads = result.chains
      .map((c) => ({
        memberId: c.memberId,
        name: members.get(c.memberId)?.name ?? c.memberId,
        seq: c.headSeq,
        hash: c.headHash,
      }))
      .sort(
        (a, b) =>
          (members.get(a.memberId)?.order ?? Number.MAX_SAFE_INTEGER) -
            (members.get(b.memberId)?.order ?? Number.MAX_SAFE_INTEGER) ||
          a.memberId.localeCompare(b.memberId),
      );
    const anchor = signAnchor(key, new Date(), heads);
    if (ctx.principal)
      recordAudit(tx, {
        action: 'audit.anchor_exported',
        memberId: ctx.principal.memberId,
        objectType: 'audit_trail',
        data: anchor,
        details: { chains: heads.length },
      });
    return anchor;
  });
}

/**
 * Compares a signed anchor with the chains now: a chain whose event at the anchored seq has another
 * hash (or is gone) was rewritten since the anchor was made — even if it verifies in itself.
 */
export async function compareAnchor(tx: Tx, anchor: Anchor): Promise<AnchorComparison[]> {
  requirePermission(tx.ctx, 'audit.read');
  const out: AnchorComparison[] = [];
  for (const h of anchor.heads) {
    if (h.seq === 0) {
      out.push({ memberId: h.memberId, name: h.name, seq: 0, status: 'unchanged' });
      continue;
    }
    const now = isUuid(h.memberId) ? await chainHashAt(tx, h.memberId, h.seq) : undefined;
    const status = now === undefined ? 'missing' : now === h.hash ? 'unchanged' : 'rewritten';
    out.push({ memberId: h.memberId, name: h.name, seq: h.seq, status });
  }
  const changed = out.filter((c) => c.status !== 'unchanged').length;
  if (tx.ctx.principal)
    recordAudit(tx, {
      action: 'audit.anchor_compared',
      memberId: tx.ctx.principal.memberId,
      objectType: 'audit_trail',
      details: { anchored: anchor.createdAt, chains: out.length, changed },
    });
  return out;
}
