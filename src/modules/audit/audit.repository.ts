/** SQL of the audit trail: `audit_events` and `audit_chain_heads`. RLS limits reads to the scope. */
import { type Insertable, type Selectable, sql } from 'kysely';
import type { AuditChainHeadsTable, AuditEventRow, AuditEventsTable } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';

/** Which events: by member, action and Berlin days (YYYY-MM-DD, both included). */
export interface AuditEventFilter {
  memberId?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Locks a member's chain for appending (audit_chain_lock) and returns its head. */
export async function lockChain(tx: Tx, memberId: string): Promise<{ lastSeq: number; lastHash: string }> {
  const head = await sql<{
    last_seq: number;
    last_hash: string;
  }>`select * from audit_chain_lock(${memberId})`.execute(tx.db);
  return { lastSeq: Number(head.rows[0]!.last_seq), lastHash: head.rows[0]!.last_hash };
}

export async function insertAuditEvents(tx: Tx, rows: Insertable<AuditEventsTable>[]): Promise<void> {
  await tx.db.insertInto('audit_events').values(rows).execute();
}

function filteredEvents(tx: Tx, filter: AuditEventFilter) {
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
  return q;
}

export async function countAuditEvents(tx: Tx, filter: AuditEventFilter): Promise<number> {
  const q = filteredEvents(tx, filter);
  return Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

/** A page of the filtered events, newest first. */
export async function listAuditEventRows(
  tx: Tx,
  filter: AuditEventFilter,
  limit: number,
  offset: number,
): Promise<AuditEventRow[]> {
  return filteredEvents(tx, filter)
    .selectAll()
    .orderBy('occurred_at', 'desc')
    .orderBy('seq', 'desc')
    .orderBy('id', 'desc') // a total order, the same as the streamed export's
    .limit(limit)
    .offset(offset)
    .execute();
}

/**
 * The next batch of the filtered events, newest first, after a keyset position (occurred_at, seq, id
 * — compared in PostgreSQL's own microsecond precision, hence `cursor_at` as text).
 */
export async function auditEventsBefore(
  tx: Tx,
  filter: AuditEventFilter,
  after: { at: string; seq: string | number; id: string } | undefined,
  limit: number,
): Promise<(AuditEventRow & { cursor_at: string })[]> {
  let q = filteredEvents(tx, filter);
  if (after) {
    q = q.where(
      sql<boolean>`(occurred_at, seq, id) < (${after.at}::timestamptz, ${after.seq}::int8, ${after.id}::uuid)`,
    );
  }
  return q
    .selectAll()
    .select(sql<string>`occurred_at::text`.as('cursor_at'))
    .orderBy('occurred_at', 'desc')
    .orderBy('seq', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The next batch of every visible event in chain order (member_id, seq), after a keyset position. */
export async function chainEventsAfter(
  tx: Tx,
  after: { memberId: string; seq: string | number } | undefined,
  limit: number,
): Promise<AuditEventRow[]> {
  let q = tx.db.selectFrom('audit_events').selectAll();
  if (after) q = q.where(sql<boolean>`(member_id, seq) > (${after.memberId}::uuid, ${after.seq}::int8)`);
  return q.orderBy('member_id').orderBy('seq').limit(limit).execute();
}

export async function listChainHeads(tx: Tx): Promise<Selectable<AuditChainHeadsTable>[]> {
  return tx.db.selectFrom('audit_chain_heads').selectAll().execute();
}
