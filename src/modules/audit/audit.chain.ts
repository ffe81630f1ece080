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
/**
 * Verifies one chain event by event, in seq order, without holding the chain: the verifier streams
 * the trail (see verifyAuditTrail). finish() compares the end of the chain with its head.
 */
export class ChainVerifier {
  #prevHash = GENESIS_HASH;
  #expectedSeq = 1;
  #events = 0;
  #problem: ChainProblem | null = null;
  constructor(readonly memberId: string) {}

  push(e: StoredEvent): void {
    this.#events++;
    if (this.#problem) return; // the first problem is the one reported; the rest is only counted
    if (e.seq !== this.#expectedSeq) {
      this.#problem = { kind: 'sequence_gap', event: e, expectedSeq: this.#expectedSeq };
    } else if (e.memberId !== this.memberId || eventHash(e) !== e.hash) {
      this.#problem = { kind: 'hash_mismatch', event: e };
    } else if (e.prevHash !== this.#prevHash) {
      this.#problem = { kind: 'broken_link', event: e };
    } else {
      this.#prevHash = e.hash;
      this.#expectedSeq++;
    }
  }

  finish(head: { lastSeq: number; lastHash: string } | undefined): ChainReport {
    const memberId = this.memberId;
    const events = this.#events;
    if (this.#problem)
      return { memberId, events, headHash: head?.lastHash ?? GENESIS_HASH, problem: this.#problem };
    const lastSeq = this.#expectedSeq - 1;
    let problem: ChainProblem | null = null;
    if (events === 0 && (!head || head.lastSeq === 0)) {
      problem = { kind: 'missing_chain', memberId };
    } else if (!head) {
      if (events > 0) problem = { kind: 'missing_head', memberId };
    } else if (head.lastSeq !== lastSeq || head.lastHash !== this.#prevHash) {
      problem = { kind: 'head_mismatch', memberId, headSeq: head.lastSeq, lastSeq };
    }
    return { memberId, events, headHash: this.#prevHash, problem };
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
