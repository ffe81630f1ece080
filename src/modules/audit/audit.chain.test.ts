import { describe, expect, it } from 'vitest';
import { eventHash, GENESIS_HASH, type StoredEvent, verifyChain } from './audit.chain.js';

const M = '11111111-1111-4111-8111-111111111111';

function chain(n: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = {
      id: `e${seq}`,
      memberId: M,
      seq,
      occurredAt: new Date(Date.UTC(2026, 10, 23, 12, 0, seq)),
      actorType: 'user',
      actorId: 'u1',
      action: 'member.updated',
      objectType: 'member',
      objectId: M,
      dataDigest: null,
      details: { fields: ['city'] },
      requestId: `r${seq}`,
      prevHash: prev,
    };
    const hash = eventHash(e);
    out.push({ ...e, hash });
    prev = hash;
  }
  return out;
}
const headOf = (c: StoredEvent[]) => ({ lastSeq: c.length, lastHash: c.at(-1)!.hash });

describe('hash chain', () => {
  it('accepts an intact chain', () => {
    const c = chain(5);
    expect(verifyChain(M, c, headOf(c)).problem).toBeNull();
  });
  it('names the changed event', () => {
    const c = chain(5);
    const head = headOf(c);
    c[2] = { ...c[2]!, details: { fields: ['name'] } };
    expect(verifyChain(M, c, head).problem).toMatchObject({ kind: 'hash_mismatch', event: { id: 'e3' } });
  });
  it('names the event after a deleted one', () => {
    const c = chain(5);
    const head = headOf(c);
    c.splice(1, 1);
    expect(verifyChain(M, c, head).problem).toMatchObject({ kind: 'sequence_gap', event: { id: 'e3' } });
  });
  it('detects a cut-off tail against the head', () => {
    const c = chain(5);
    const head = headOf(c);
    expect(verifyChain(M, c.slice(0, 4), head).problem).toMatchObject({
      kind: 'head_mismatch',
      headSeq: 5,
      lastSeq: 4,
    });
  });
  it('detects a re-linked event whose hash was recomputed', () => {
    const c = chain(4);
    const head = headOf(c);
    const forged = { ...c[1]!, prevHash: '1'.repeat(64) };
    c[1] = { ...forged, hash: eventHash(forged) };
    expect(verifyChain(M, c, head).problem).toMatchObject({ kind: 'broken_link', event: { id: 'e2' } });
  });
  it('detects an event moved in from another chain', () => {
    const c = chain(3);
    const head = headOf(c);
    c[1] = { ...c[1]!, memberId: '22222222-2222-4222-8222-222222222222' };
    expect(verifyChain(M, c, head).problem?.kind).toBe('hash_mismatch');
  });
});
