/**
 * The events of `npm run bench:ingest`, deterministic, so that the HTTP client (a child process) and the
 * COPY baseline (the bench process) send the same rows. Distinct events are numbered 0…distinct-1 and
 * spread evenly over one month in time order (a data centre reports as time goes by); event i names a
 * member and a meter by a seeded hash of i. VM hours carry a `vm` attribute (unique counts have values).
 * Quantities are written normalised (no trailing zeros), as the ingest stores them.
 */
import { payloadHash } from '../src/modules/metering/metering.events.js';

export interface EventPlan {
  /** Member ids the events are spread over. */
  readonly members: readonly string[];
  /** Meter keys of the catalogue. */
  readonly meters: readonly string[];
  /** First instant of the month (UTC ms) and its length. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Events sent in all, duplicates included, and per request. */
  readonly total: number;
  readonly batchSize: number;
  /** Share of each batch that re-sends events of earlier batches (0.05). */
  readonly duplicateShare: number;
  /**
   * Re-sends of batch k come from batches before k - lag (already acknowledged: a client retrying
   * after a lost answer); the first `lag` batches re-send their own events (duplicates within a request).
   */
  readonly lag: number;
}

export interface BenchEvent {
  readonly member: string;
  readonly meter: string;
  readonly quantity: string;
  readonly time: string;
  readonly source: string;
  readonly eventId: string;
  readonly attributes?: { readonly vm: string };
}

/** A 32-bit integer hash (splitmix-like) for deterministic choices. */
function mix(x: number): number {
  let h = (x ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function newPerBatch(plan: EventPlan): number {
  return plan.batchSize - Math.round(plan.batchSize * plan.duplicateShare);
}

export function batchCount(plan: EventPlan): number {
  return Math.ceil(plan.total / plan.batchSize);
}

/** How many distinct events the plan sends. */
export function distinctCount(plan: EventPlan): number {
  return batchCount(plan) * newPerBatch(plan);
}

/** Distinct event i. */
export function eventAt(plan: EventPlan, i: number): BenchEvent {
  const distinct = distinctCount(plan);
  const h = mix(i);
  const meter = plan.meters[h % plan.meters.length]!;
  const member = plan.members[mix(h) % plan.members.length]!;
  const ms = plan.fromMs + Math.floor(((plan.toMs - plan.fromMs) * i) / distinct);
  const thousandths = 1 + (mix(h ^ 0x5bd1e995) % 100_000);
  const whole = Math.floor(thousandths / 1000);
  const frac = String(thousandths % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return {
    member,
    meter,
    quantity: frac ? `${whole}.${frac}` : String(whole),
    time: new Date(ms).toISOString(),
    source: `bench-${meter}`,
    eventId: `e${i}`,
    ...(meter === 'vm-stunden' ? { attributes: { vm: `vm${h % 40}` } } : {}),
  };
}

/** The distinct event numbers batch k sends, in order: its new events, then its re-sends. */
export function batchIndexes(plan: EventPlan, k: number): number[] {
  const fresh = newPerBatch(plan);
  const first = k * fresh;
  const out: number[] = [];
  for (let j = 0; j < fresh; j++) out.push(first + j);
  const resends = plan.batchSize - fresh;
  // Earlier, acknowledged events; the first batches re-send their own.
  const pool = k >= plan.lag ? (k - plan.lag + 1) * fresh : fresh;
  const base = k >= plan.lag ? 0 : first;
  for (let j = 0; j < resends; j++) out.push(base + (mix(k * 7919 + j) % pool));
  return out;
}

/** One row of the COPY baseline in text format (the columns of COPY_COLUMNS). */
export function copyLine(e: BenchEvent): string {
  const attributes = e.attributes ? JSON.stringify(e.attributes) : '\\N';
  return `${e.member}\t${e.time}\t${e.source}\t${e.eventId}\t${e.meter}\t${e.quantity}\t${attributes}\n`;
}

export const COPY_COLUMNS = '(member_id, time, source, event_id, meter_key, quantity, attributes)';

/** The dedup key of an event as a COPY row of KEY_COPY_COLUMNS, with the ingest's payload hash. */
export function keyCopyLine(e: BenchEvent): string {
  const hash = payloadHash({
    meter: e.meter,
    quantity: e.quantity,
    time: `${e.time.slice(0, 23)}000Z`,
    attributes: e.attributes ?? null,
  });
  return `${e.member}\t${e.source}\t${e.eventId}\t${hash}\t${e.time}\n`;
}

export const KEY_COPY_COLUMNS = '(member_id, source, event_id, payload_hash, time)';
