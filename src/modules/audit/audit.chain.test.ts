import { describe, expect, it } from 'vitest';
import {
  eventHash,
  eventHashV2,
  GENESIS_HASH,
  nowMicroIso,
  type StoredEvent,
  verifyChain,
} from './audit.chain.js';

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
  it('names the event whose content changed and whose hash was recomputed, not its successor', () => {
    const c = chain(5);
    const head = headOf(c);
    const forged = { ...c[2]!, details: { fields: ['name'] } };
    c[2] = { ...forged, hash: eventHash(forged) };
    expect(verifyChain(M, c, head).problem).toMatchObject({ kind: 'recomputed', event: { id: 'e3' } });
    // The last event recomputed: the head decides.
    const d = chain(3);
    const dHead = headOf(d);
    const last = { ...d[2]!, details: { fields: ['name'] } };
    d[2] = { ...last, hash: eventHash(last) };
    expect(verifyChain(M, d, dHead).problem).toMatchObject({ kind: 'recomputed', event: { id: 'e3' } });
  });
  it('verifies v2 events after v1 events; v2 covers the id and microseconds', () => {
    const c: StoredEvent[] = chain(2);
    const at = '2026-12-02T14:05:09.123456Z';
    const base = {
      id: 'e3',
      memberId: M,
      seq: 3,
      actorType: 'user',
      actorId: 'u1',
      action: 'member.updated',
      objectType: 'member',
      objectId: M,
      dataDigest: null,
      details: {},
      requestId: null,
      prevHash: c[1]!.hash,
    };
    const hash = eventHashV2({ ...base, occurredAt: at });
    c.push({ ...base, occurredAt: at, hashVersion: 2, hash });
    const head = { lastSeq: 3, lastHash: hash };
    expect(verifyChain(M, c, head).problem).toBeNull();
    const moved = [...c.slice(0, 2), { ...c[2]!, occurredAt: '2026-12-02T14:05:09.123999Z' }];
    expect(verifyChain(M, moved, head).problem).toMatchObject({ kind: 'hash_mismatch', event: { id: 'e3' } });
    const renamed = [...c.slice(0, 2), { ...c[2]!, id: 'other' }];
    expect(verifyChain(M, renamed, head).problem).toMatchObject({ kind: 'hash_mismatch' });
    expect(nowMicroIso()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });
  it('reports an event that cannot be hashed instead of throwing', () => {
    const c: StoredEvent[] = chain(3);
    const head = headOf(c);
    c[1] = { ...c[1]!, details: '{"n": 1e400}' };
    expect(verifyChain(M, c, head).problem).toMatchObject({ kind: 'unverifiable', event: { id: 'e2' } });
    c[1] = { ...c[1]!, details: `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}` };
    expect(verifyChain(M, c, head).problem).toMatchObject({
      kind: 'unverifiable',
      reason: 'details nested too deeply',
    });
  });
});
