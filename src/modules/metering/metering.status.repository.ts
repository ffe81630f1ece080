/**
 * SQL of the metering pages: the ingestion status per source and the search of raw events. Row-level
 * security limits both to the transaction's member scope.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/tx.js';

/** Per source: the last event received and its time of use, events received since `since`, all keys. */
export interface SourceStatusRow {
  readonly source: string;
  readonly lastReceived: Date;
  readonly lastTime: Date;
  readonly since: number;
  readonly total: number;
}

/**
 * Reads the status from the dedup keys (never purged, with the time received), one row per source.
 * A scan of the key table: fine at demo and pilot scale; at data-centre scale a per-source summary
 * kept by the ingest would replace it.
 */
export async function selectSourceStatus(tx: Tx, since: Date): Promise<SourceStatusRow[]> {
  const { rows } = await sql<{
    source: string;
    last_received: Date;
    last_time: Date;
    since: number | string;
    total: number | string;
  }>`
    select source, max(received_at) as last_received, max(time) as last_time,
           count(*) filter (where received_at >= ${since}) as since, count(*) as total
      from usage_event_keys
     group by source
     order by source`.execute(tx.db);
  return rows.map((r) => ({
    source: r.source,
    lastReceived: new Date(r.last_received),
    lastTime: new Date(r.last_time),
    since: Number(r.since),
    total: Number(r.total),
  }));
}

export interface StoredEventRow {
  readonly memberId: string;
  readonly time: Date;
  readonly source: string;
  readonly eventId: string;
  readonly meter: string;
  readonly quantity: string;
  readonly attributes: Record<string, string> | null;
  readonly receivedAt: Date;
}

/** Raw events matching the filter, latest time of use first, at most `limit`. */
export async function selectEvents(
  tx: Tx,
  filter: { memberId?: string; meter?: string; from?: Date; to?: Date; limit: number },
): Promise<StoredEventRow[]> {
  let q = tx.db
    .selectFrom('usage_events')
    .select([
      'member_id',
      'time',
      'source',
      'event_id',
      'meter_key',
      'quantity',
      'attributes',
      'received_at',
    ]);
  if (filter.memberId) q = q.where('member_id', '=', filter.memberId);
  if (filter.meter) q = q.where('meter_key', '=', filter.meter);
  if (filter.from) q = q.where('time', '>=', filter.from);
  if (filter.to) q = q.where('time', '<', filter.to);
  const rows = await q
    .orderBy('time', 'desc')
    .orderBy('source')
    .orderBy('event_id')
    .limit(filter.limit)
    .execute();
  return rows.map((r) => ({
    memberId: r.member_id,
    time: new Date(r.time),
    source: r.source,
    eventId: r.event_id,
    meter: r.meter_key,
    quantity: r.quantity,
    attributes: r.attributes,
    receivedAt: new Date(r.received_at),
  }));
}
