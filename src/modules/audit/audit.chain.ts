/**
 * The hash chain itself: pure functions, shared by the writer and the verifier.
 * hash_n = SHA-256(canonical JSON of the event's fields including prev_hash = hash_{n-1});
 * the first event of a chain has prev_hash = 64 zeros.
 *
 * Two formulas, recorded per event in `hash_version`:
 * - v1 (events written before 2026-12-02): occurred_at in milliseconds, without the event id;
 * - v2: the event id and occurred_at in microseconds, exactly as PostgreSQL stores it
 *   (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, read back with to_char in SQL on both drivers).
 * A v1 event after v2 events is not refused as such: an event switched to v1 has another hash, so
 * its successor (or the head) no longer links to it, as with any recomputed event.
 */
import { canonicalJson, sha256Hex } from '../../shared/canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);
/** The formula the writer uses. */
export const HASH_VERSION = 2;

export interface ChainedEvent {
  readonly memberId: string;
  readonly seq: number;
  readonly occurredAt: Date;
  readonly actorType: string;
  readonly actorId: string;
  readonly action: string;
  readonly objectType: string;
  readonly objectId: string | null;
  readonly dataDigest: string | null;
  readonly details: Record<string, unknown>;
  readonly requestId: string | null;
  readonly prevHash: string;
}

/** A v2 event: with its id, and occurred_at as the microsecond UTC string PostgreSQL stores. */
export interface ChainedEventV2 extends Omit<ChainedEvent, 'occurredAt'> {
  readonly id: string;
  readonly occurredAt: string;
}

/** What the v1 formula accepts: a ChainedEvent, or a stored event read as text. */
export type ChainedEventLoose = Omit<ChainedEvent, 'seq' | 'occurredAt' | 'details'> & {
  readonly seq: number | string;
  readonly occurredAt: Date | string | null;
  readonly details: Record<string, unknown> | string;
};

/** Hash formula v1 (millisecond timestamp, no id): events written before hash_version 2. */
export function eventHash(e: ChainedEventLoose): string {
  if (e.occurredAt === null) throw new Error('occurred_at is not a finite time');
  const at = e.occurredAt instanceof Date ? e.occurredAt : new Date(e.occurredAt);
  if (Number.isNaN(at.getTime())) throw new Error('occurred_at is not a valid time');
  return sha256Hex(
    canonicalJson({
      v: 1,
      memberId: e.memberId,
      seq: Number(e.seq),
      occurredAt: at.toISOString(),
      actorType: e.actorType,
      actorId: e.actorId,
      action: e.action,
      objectType: e.objectType,
      objectId: e.objectId,
      dataDigest: e.dataDigest,
      details: typeof e.details === 'string' ? JSON.parse(e.details) : e.details,
      requestId: e.requestId,
      prevHash: e.prevHash,
    }),
  );
}

/** Hash formula v2: also the event id, and the timestamp in full (microsecond) precision. */
export function eventHashV2(e: ChainedEventV2): string {
  if (!MICRO_ISO.test(e.occurredAt)) throw new Error(`occurred_at not in microsecond form: ${e.occurredAt}`);
  return sha256Hex(
    canonicalJson({
      v: 2,
      id: e.id,
      memberId: e.memberId,
      seq: e.seq,
      occurredAt: e.occurredAt,
      actorType: e.actorType,
      actorId: e.actorId,
      action: e.action,
      objectType: e.objectType,
      objectId: e.objectId,
      dataDigest: e.dataDigest,
      details: e.details,
      requestId: e.requestId,
      prevHash: e.prevHash,
    }),
  );
}

const MICRO_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

let lastMicros = 0n;

/**
 * Now, as a microsecond UTC string: the wall clock's milliseconds plus the sub-millisecond part of the
 * high-resolution clock, strictly increasing within the process (so events recorded in one millisecond
 * keep their order). PostgreSQL stores exactly this value (timestamptz has microseconds).
 */
export function nowMicroIso(): string {
  let micros = BigInt(Date.now()) * 1000n + ((process.hrtime.bigint() / 1000n) % 1000n);
  if (micros <= lastMicros) micros = lastMicros + 1n;
  lastMicros = micros;
  const ms = Number(micros / 1000n);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micros % 1000n).padStart(3, '0')}Z`;
}

/**
 * An event as read for verification. From the database every value comes as text where parsing could
 * fail (seq as text: an int8 beyond 2^53; details as the jsonb text; occurred_at as the microsecond
 * string), so that one bad event is reported instead of failing the whole read.
 */
export interface StoredEvent {
  readonly id: string;
  readonly memberId: string;
  readonly seq: number | string;
  /** A Date (v1 in memory) or the microsecond UTC string read with to_char; null if unreadable. */
  readonly occurredAt: Date | string | null;
  /** Absent: 1. */
  readonly hashVersion?: number;
  readonly actorType: string;
  readonly actorId: string;
  readonly action: string;
  readonly objectType: string;
  readonly objectId: string | null;
  readonly dataDigest: string | null;
  /** The object, or the jsonb text. */
  readonly details: Record<string, unknown> | string;
  readonly requestId: string | null;
  readonly prevHash: string;
  readonly hash: string;
}

/** Which event a problem is about. `seq` is a number (approximate beyond 2^53), `seqText` exact. */
export interface EventRef {
  readonly id: string;
  readonly seq: number;
  readonly seqText: string;
}

export type ChainProblem =
  /** The event's content or stored hash changed. */
  | { kind: 'hash_mismatch'; event: EventRef }
  /** The event was re-linked to another predecessor (its hash recomputed). */
  | { kind: 'broken_link'; event: EventRef }
  /** The event's content changed and its hash was recomputed: its successor (or the head) disagrees. */
  | { kind: 'recomputed'; event: EventRef }
  | { kind: 'sequence_gap'; event: EventRef; expectedSeq: number }
  /** The event cannot be hashed at all (unreadable seq, time or details). */
  | { kind: 'unverifiable'; event: EventRef; reason: string }
  | { kind: 'head_mismatch'; memberId: string; headSeq: number; lastSeq: number }
  | { kind: 'missing_head'; memberId: string }
  | { kind: 'missing_chain'; memberId: string };

export interface ChainReport {
  readonly memberId: string;
  readonly events: number;
  /** The verified end of the chain (seq and hash); for a broken chain, what its head says. */
  readonly headSeq: number;
  readonly headHash: string;
  /** The first problem found in the chain, if any. */
  readonly problem: ChainProblem | null;
}

function refOf(e: StoredEvent): EventRef {
  const seqText = String(e.seq);
  return { id: e.id, seq: Number(seqText), seqText };
}

/** Recomputes an event's hash with the formula it was written with. Throws if it cannot. */
export function recomputeHash(e: StoredEvent, seq: number): string {
  const version = e.hashVersion ?? 1;
  if (e.occurredAt === null) throw new Error('occurred_at is not a finite time');
  const details =
    typeof e.details === 'string' ? (JSON.parse(e.details) as Record<string, unknown>) : e.details;
  if (details === null || typeof details !== 'object' || Array.isArray(details))
    throw new Error('details are not an object');
  if (nestingDepth(details) > MAX_DETAILS_DEPTH) throw new Error('details nested too deeply');
  const common = {
    memberId: e.memberId,
    seq,
    actorType: e.actorType,
    actorId: e.actorId,
    action: e.action,
    objectType: e.objectType,
    objectId: e.objectId,
    dataDigest: e.dataDigest,
    details,
    requestId: e.requestId,
    prevHash: e.prevHash,
  };
  if (version === 1) return eventHash({ ...common, occurredAt: e.occurredAt });
  if (version === 2) {
    const at = e.occurredAt instanceof Date ? e.occurredAt.toISOString().replace(/Z$/, '000Z') : e.occurredAt;
    return eventHashV2({ ...common, id: e.id, occurredAt: at });
  }
  throw new Error(`unknown hash version ${version}`);
}

/** Details are flat (values, lists of strings); anything deeper than this was not written by the app. */
const MAX_DETAILS_DEPTH = 32;

/** How deeply a JSON value nests, counted without recursion (so it cannot overflow the stack). */
function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > MAX_DETAILS_DEPTH) return max;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
  }
  return max;
}

function reasonOf(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return 'details nested too deeply';
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/^canonicalJson: /, '').slice(0, 200);
}

/**
 * Verifies one chain event by event, in seq order, without holding the chain: the verifier streams
 * the trail (see verifyAuditTrail). finish() compares the end of the chain with its head.
 * It reports the first broken event and never throws: an event that cannot be hashed is reported as
 * "unverifiable" with the reason.
 *
 * A broken link between two events that are each consistent in themselves means one of them was
 * recomputed: the predecessor (content changed, hash recomputed) or the successor (re-linked). The
 * next event (or the head) decides: if it still links to the successor, the successor is untouched,
 * so the predecessor was recomputed.
 */
export class ChainVerifier {
  #prevHash = GENESIS_HASH;
  #prev: StoredEvent | undefined;
  #expectedSeq = 1;
  #events = 0;
  #problem: ChainProblem | null = null;
  /** A broken link awaiting the next event to decide which side was recomputed. */
  #pendingBreak: { prev: StoredEvent; event: StoredEvent } | undefined;
  constructor(readonly memberId: string) {}

  push(e: StoredEvent): void {
    this.#events++;
    if (this.#problem) return; // the first problem is the one reported; the rest is only counted
    if (this.#pendingBreak) {
      const { prev, event } = this.#pendingBreak;
      this.#problem =
        e.prevHash === event.hash
          ? { kind: 'recomputed', event: refOf(prev) }
          : { kind: 'broken_link', event: refOf(event) };
      return;
    }
    if (String(e.seq) !== String(this.#expectedSeq)) {
      this.#problem = { kind: 'sequence_gap', event: refOf(e), expectedSeq: this.#expectedSeq };
      return;
    }
    let hash: string;
    try {
      hash = recomputeHash(e, this.#expectedSeq);
    } catch (err) {
      this.#problem = { kind: 'unverifiable', event: refOf(e), reason: reasonOf(err) };
      return;
    }
    if (e.memberId !== this.memberId || hash !== e.hash) {
      this.#problem = { kind: 'hash_mismatch', event: refOf(e) };
    } else if (e.prevHash !== this.#prevHash) {
      if (this.#prev) this.#pendingBreak = { prev: this.#prev, event: e };
      else this.#problem = { kind: 'broken_link', event: refOf(e) };
    } else {
      this.#prevHash = e.hash;
      this.#prev = e;
      this.#expectedSeq++;
    }
  }

  finish(head: { lastSeq: number; lastHash: string } | undefined): ChainReport {
    const memberId = this.memberId;
    const events = this.#events;
    if (!this.#problem && this.#pendingBreak) {
      // The broken link is at the last event: the head decides as a successor would.
      const { prev, event } = this.#pendingBreak;
      this.#problem =
        head && head.lastHash === event.hash
          ? { kind: 'recomputed', event: refOf(prev) }
          : { kind: 'broken_link', event: refOf(event) };
    }
    if (this.#problem)
      return {
        memberId,
        events,
        headSeq: head?.lastSeq ?? 0,
        headHash: head?.lastHash ?? GENESIS_HASH,
        problem: this.#problem,
      };
    const lastSeq = this.#expectedSeq - 1;
    let problem: ChainProblem | null = null;
    if (events === 0 && (!head || head.lastSeq === 0)) {
      problem = { kind: 'missing_chain', memberId };
    } else if (!head) {
      if (events > 0) problem = { kind: 'missing_head', memberId };
    } else if (head.lastSeq === lastSeq && head.lastHash !== this.#prevHash && this.#prev) {
      // Same length, other hash: the last event was recomputed (or the head rewritten).
      problem = { kind: 'recomputed', event: refOf(this.#prev) };
    } else if (head.lastSeq !== lastSeq || head.lastHash !== this.#prevHash) {
      problem = { kind: 'head_mismatch', memberId, headSeq: head.lastSeq, lastSeq };
    }
    return { memberId, events, headSeq: lastSeq, headHash: this.#prevHash, problem };
  }
}

export function verifyChain(
  memberId: string,
  events: readonly StoredEvent[],
  head: { lastSeq: number; lastHash: string } | undefined,
): ChainReport {
  const verifier = new ChainVerifier(memberId);
  for (const e of events) verifier.push(e);
  return verifier.finish(head);
}
