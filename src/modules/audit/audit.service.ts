/**
 * Recording, reading and verifying the audit trail.
 * record() buffers events in the transaction; right before commit they are chained and inserted in
 * the same transaction as the change they describe — both commit, or neither.
 */
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { ActorKind, AuditEventRow } from '../../db/schema.js';
import { runInTx, type Tx } from '../../db/tx.js';
import { keyedDigest } from '../../shared/canonical-json.js';
import { ALL_MEMBERS_READ, type Ctx, systemCtx } from '../../shared/context.js';
import { requirePermission } from '../auth/permissions.js';
import type { AuditInput } from './audit.catalog.js';
import { type ChainReport, eventHash, type StoredEvent, verifyChain } from './audit.chain.js';

const BAG_KEY = 'audit.pending';

interface PendingEvent {
  input: AuditInput;
  occurredAt: Date;
}

/** Records an audit event in the current transaction. */
export function recordAudit(tx: Tx, input: AuditInput): void {
  let pending = tx.bag.get(BAG_KEY) as PendingEvent[] | undefined;
  if (!pending) {
    pending = [];
    tx.bag.set(BAG_KEY, pending);
    tx.beforeCommit(BAG_KEY, () => flush(tx, pending!));
  }
  pending.push({ input, occurredAt: new Date() });
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
  // Lock chains in a fixed order so concurrent transactions touching several members cannot deadlock.
  const memberIds = [...new Set(pending.map((p) => p.input.memberId))].sort();
  for (const memberId of memberIds) {
    const head = await sql<{
      last_seq: number;
      last_hash: string;
    }>`select * from audit_chain_lock(${memberId})`.execute(tx.db);
    let seq = Number(head.rows[0]!.last_seq);
    let prevHash = head.rows[0]!.last_hash;
    const rows = [];
    for (const { input, occurredAt } of pending.filter((p) => p.input.memberId === memberId)) {
      seq++;
      const { actorType, actorId } = input.actor
        ? { actorType: input.actor.type, actorId: input.actor.id }
        : ctxActor;
      const event = {
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
      const hash = eventHash(event);
      rows.push({
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
    await tx.db.insertInto('audit_events').values(rows).execute();
  }
  pending.length = 0;
}

export function toStoredEvent(r: AuditEventRow): StoredEvent {
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
  events: StoredEvent[];
  total: number;
}

/** Lists events visible to the caller (RLS limits to the caller's members), newest first. */
export async function listAuditEvents(tx: Tx, filter: AuditFilter): Promise<AuditPage> {
  requirePermission(tx.ctx, 'audit.read');
  let q = tx.db.selectFrom('audit_events');
  if (filter.memberId) q = q.where('member_id', '=', filter.memberId);
  if (filter.action) q = q.where('action', '=', filter.action);
  if (filter.from)
    q = q.where(sql<boolean>`occurred_at >= (${filter.from}::date::timestamp at time zone 'Europe/Berlin')`);
  if (filter.to) {
    q = q.where(
      sql<boolean>`occurred_at < ((${filter.to}::date + 1)::timestamp at time zone 'Europe/Berlin')`,
    );
  }
  const total = Number(
    (await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
  );
  const rows = await q
    .selectAll()
    .orderBy('occurred_at', 'desc')
    .orderBy('seq', 'desc')
    .limit(filter.limit ?? 50)
    .offset(filter.offset ?? 0)
    .execute();
  return { events: rows.map(toStoredEvent), total };
}

export interface VerifyResult {
  ok: boolean;
  chains: ChainReport[];
  eventsChecked: number;
}

/** Verifies every chain visible in the context (all of them for the CLI). */
export async function verifyAuditTrail(database: Database, ctx?: Ctx): Promise<VerifyResult> {
  // One snapshot for heads, events and members: a commit in between must not look like tampering.
  return runInTx(
    database,
    ctx ?? systemCtx('audit-verify', ALL_MEMBERS_READ),
    async (tx) => {
      const heads = await tx.db.selectFrom('audit_chain_heads').selectAll().execute();
      const headByMember = new Map(
        heads.map((h) => [h.member_id, { lastSeq: Number(h.last_seq), lastHash: h.last_hash }]),
      );
      const rows = await tx.db
        .selectFrom('audit_events')
        .selectAll()
        .orderBy('member_id')
        .orderBy('seq')
        .execute();
      const members = await tx.db.selectFrom('members').select('id').execute();
      const byMember = new Map<string, StoredEvent[]>();
      // Every member has a chain from its creation on: a member without one lost its whole chain.
      for (const m of members) byMember.set(m.id, []);
      for (const r of rows) {
        const list = byMember.get(r.member_id) ?? [];
        list.push(toStoredEvent(r));
        byMember.set(r.member_id, list);
      }
      for (const [memberId, head] of headByMember) {
        if (!byMember.has(memberId) && head.lastSeq > 0) byMember.set(memberId, []);
      }
      const chains = [...byMember.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([memberId, events]) => verifyChain(memberId, events, headByMember.get(memberId)));
      return { ok: chains.every((c) => c.problem === null), chains, eventsChecked: rows.length };
    },
    { isolation: 'repeatable read' },
  );
}
