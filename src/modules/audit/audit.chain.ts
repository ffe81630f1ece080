/**
 * The hash chain itself: pure functions, shared by the writer and the verifier.
 * hash_n = SHA-256(canonical JSON of the event's fields including prev_hash = hash_{n-1});
 * the first event of a chain has prev_hash = 64 zeros.
 */
import { canonicalJson, sha256Hex } from '../../shared/canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

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

export function eventHash(e: ChainedEvent): string {
  return sha256Hex(
    canonicalJson({
      v: 1,
      memberId: e.memberId,
      seq: e.seq,
      occurredAt: e.occurredAt.toISOString(),
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

export interface StoredEvent extends ChainedEvent {
  readonly id: string;
  readonly hash: string;
}

export type ChainProblem =
  | { kind: 'hash_mismatch'; event: StoredEvent }
  | { kind: 'broken_link'; event: StoredEvent }
  | { kind: 'sequence_gap'; event: StoredEvent; expectedSeq: number }
  | { kind: 'head_mismatch'; memberId: string; headSeq: number; lastSeq: number }
  | { kind: 'missing_head'; memberId: string }
  | { kind: 'missing_chain'; memberId: string };

export interface ChainReport {
  readonly memberId: string;
  readonly events: number;
  readonly headHash: string;
  /** The first problem found in the chain, if any. */
  readonly problem: ChainProblem | null;
}

/**
 * Verifies one member's chain (events in seq order) against its head. Reports the first broken event:
 * a changed byte breaks that event's hash; a deleted, inserted or swapped event breaks the sequence or
 * the link to its predecessor; events cut off the end disagree with the head.
 */
export function verifyChain(
  memberId: string,
  events: readonly StoredEvent[],
  head: { lastSeq: number; lastHash: string } | undefined,
): ChainReport {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of events) {
    const fail = (problem: ChainProblem): ChainReport => ({
      memberId,
      events: events.length,
      headHash: head?.lastHash ?? GENESIS_HASH,
      problem,
    });
    if (e.seq !== expectedSeq) return fail({ kind: 'sequence_gap', event: e, expectedSeq });
    if (e.memberId !== memberId || eventHash(e) !== e.hash) return fail({ kind: 'hash_mismatch', event: e });
    if (e.prevHash !== prevHash) return fail({ kind: 'broken_link', event: e });
    prevHash = e.hash;
    expectedSeq++;
  }
  const lastSeq = expectedSeq - 1;
  let problem: ChainProblem | null = null;
  if (events.length === 0 && (!head || head.lastSeq === 0)) {
    problem = { kind: 'missing_chain', memberId };
  } else if (!head) {
    if (events.length > 0) problem = { kind: 'missing_head', memberId };
  } else if (head.lastSeq !== lastSeq || head.lastHash !== prevHash) {
    problem = { kind: 'head_mismatch', memberId, headSeq: head.lastSeq, lastSeq };
  }
  return { memberId, events: events.length, headHash: prevHash, problem };
}
