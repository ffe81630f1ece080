/** SQL of the audit trail: `audit_events` and `audit_chain_heads`. RLS limits reads to the scope. */
import { type Insertable, sql } from 'kysely';
import type { AuditEventRow, AuditEventsTable } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';

/** Which events: by member, action and Berlin days (YYYY-MM-DD, both included). */
export interface AuditEventFilter {
  memberId?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * Locks the chains of `memberIds` for appending (audit_chain_lock), in the order given, in one statement,
 * and returns their heads. Callers pass the ids sorted, so that concurrent transactions lock in the same
 * order.
 */
export async function lockChains(
  tx: Tx,
  memberIds: readonly string[],
): Promise<Map<string, { lastSeq: number; lastHash: string }>> {
  // A lateral call per row of the unnest, in its order (a nested loop: the call depends on the row).
  const { rows } = await sql<{ member_id: string; last_seq: number; last_hash: string }>`
    select m.member_id, h.last_seq, h.last_hash
      from unnest(${memberIds}::uuid[]) with ordinality as m(member_id, n)
      cross join lateral audit_chain_lock(m.member_id) as h
     order by m.n`.execute(tx.db);
  return new Map(rows.map((r) => [r.member_id, { lastSeq: Number(r.last_seq), lastHash: r.last_hash }]));
}

/** Inserts events in the order given (each must extend its chain: the trigger checks it row by row). */
export async function insertAuditEvents(tx: Tx, rows: Insertable<AuditEventsTable>[]): Promise<void> {
  // 15 columns: 1,000 rows stay far below PostgreSQL's 65,535 parameters per statement.
  for (let i = 0; i < rows.length; i += 1000) {
    await tx.db
      .insertInto('audit_events')
      .values(rows.slice(i, i + 1000))
      .execute();
  }
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

/** The columns pages read; seq as text (a tampered seq beyond 2^53 must not fail the page). */
export type AuditEventListRow = Omit<AuditEventRow, 'seq'> & { seq: string };
const listColumns = [
  'id',
  'member_id',
  sql<string>`seq::text`.as('seq'),
  'occurred_at',
  'actor_type',
  'actor_id',
  'action',
  'object_type',
  'object_id',
  'data_digest',
  'details',
  'request_id',
  'prev_hash',
  'hash',
  'hash_version',
] as const;

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
): Promise<AuditEventListRow[]> {
  return filteredEvents(tx, filter)
    .select(listColumns)
    .orderBy('occurred_at', 'desc')
    .orderBy(sql`audit_events.seq`, 'desc')
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
): Promise<(AuditEventListRow & { cursor_at: string })[]> {
  let q = filteredEvents(tx, filter);
  if (after) {
    q = q.where(
      sql<boolean>`(occurred_at, seq, id) < (${after.at}::timestamptz, ${after.seq}::int8, ${after.id}::uuid)`,
    );
  }
  return q
    .select(listColumns)
    .select(sql<string>`occurred_at::text`.as('cursor_at'))
    .orderBy('occurred_at', 'desc')
    .orderBy(sql`audit_events.seq`, 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/**
 * An event as the verifier reads it: whatever could fail to parse comes as text (seq beyond 2^53,
 * details the jsonb text, occurred_at as the microsecond UTC string — formatted in SQL, so PGlite and
 * pg return the same string), so a single bad row is reported, not a failed read.
 */
export interface ChainEventRow {
  id: string;
  member_id: string;
  seq: string;
  occurred_at_us: string | null;
  hash_version: number;
  actor_type: string;
  actor_id: string;
  action: string;
  object_type: string;
  object_id: string | null;
  data_digest: string | null;
  details: string;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** occurred_at as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds); null for ±infinity. */
const occurredAtMicros = sql<
  string | null
>`case when isfinite(occurred_at) then to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') end`;

/** The next batch of every visible event in chain order (member_id, seq), after a keyset position. */
export async function chainEventsAfter(
  tx: Tx,
  after: { memberId: string; seq: string | number } | undefined,
  limit: number,
): Promise<ChainEventRow[]> {
  let q = tx.db.selectFrom('audit_events');
  if (after) q = q.where(sql<boolean>`(member_id, seq) > (${after.memberId}::uuid, ${after.seq}::int8)`);
  return q
    .select([
      'id',
      'member_id',
      sql<string>`seq::text`.as('seq'),
      occurredAtMicros.as('occurred_at_us'),
      'hash_version',
      'actor_type',
      'actor_id',
      'action',
      'object_type',
      'object_id',
      'data_digest',
      sql<string>`details::text`.as('details'),
      'request_id',
      'prev_hash',
      'hash',
    ])
    .orderBy('member_id')
    .orderBy(sql`audit_events.seq`)
    .limit(limit)
    .execute();
}

/** The chain heads, last_seq as text (a tampered head may hold an int8 beyond 2^53). */
export async function listChainHeads(
  tx: Tx,
): Promise<{ member_id: string; last_seq: string; last_hash: string }[]> {
  return tx.db
    .selectFrom('audit_chain_heads')
    .select(['member_id', sql<string>`last_seq::text`.as('last_seq'), 'last_hash'])
    .execute();
}

/*
 * Names for the trail, looked up at read time (the trail itself records only ids). RLS limits each
 * look-up to the reader's scope: an id outside it stays unnamed and shows as the id.
 */

/** Members visible to the reader, or only the given ones: id, name and whether it is the association. */
export async function memberNames(
  tx: Tx,
  ids?: readonly string[],
): Promise<{ id: string; name: string; is_association: boolean }[]> {
  if (ids && ids.length === 0) return [];
  let q = tx.db.selectFrom('members').select(['id', 'name', 'is_association']);
  if (ids) q = q.where('id', 'in', ids);
  return q.execute();
}

export async function userNames(tx: Tx, ids: readonly string[]): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  return tx.db.selectFrom('users').select(['id', 'display_name as name']).where('id', 'in', ids).execute();
}

export async function tokenNames(tx: Tx, ids: readonly string[]): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  return tx.db.selectFrom('api_tokens').select(['id', 'name']).where('id', 'in', ids).execute();
}

/** Whether the member's chain already holds an "audit.viewed" event with this view key. */
export async function hasViewEvent(tx: Tx, memberId: string, viewKey: string): Promise<boolean> {
  const row = await tx.db
    .selectFrom('audit_events')
    .select('id')
    .where('member_id', '=', memberId)
    .where('action', '=', 'audit.viewed')
    .where(sql<boolean>`details->>'view' = ${viewKey}`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The event at one position of a chain: its hash, or undefined (for comparing with an anchor). */
export async function chainHashAt(tx: Tx, memberId: string, seq: number): Promise<string | undefined> {
  const row = await tx.db
    .selectFrom('audit_events')
    .select('hash')
    .where('member_id', '=', memberId)
    .where(sql<boolean>`seq = ${String(seq)}::int8`)
    .executeTakeFirst();
  return row?.hash;
}
