/**
 * Findings of the security probe on `audit verify` (issue 7, point 8): it must name the broken event
 * and never crash — on a huge seq, a non-finite number or deeply nested details —, name the event
 * that was recomputed (not its successor), and notice a 900 µs change of occurred_at and a changed id.
 */
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import * as chainModule from '../../src/modules/audit/audit.chain.js';
import { verifyAuditTrail } from '../../src/modules/audit/audit.service.js';
import { asSuperuser, DEMO, loggedIn, memberIdByName, testApp, testDatabase } from '../helpers.js';

interface Row {
  id: string;
  member_id: string;
  seq: number;
  hash: string;
  prev_hash: string;
}

async function tamper(database: Database, statements: [string, unknown[]?][]): Promise<void> {
  await asSuperuser(database, async (s) => {
    await s.script('begin');
    await s.script('set local session_replication_role = replica');
    for (const [q, p] of statements) await s.query(q, p ?? []);
    await s.script('commit');
  });
}

async function chainOf(database: Database, memberId: string): Promise<Row[]> {
  return asSuperuser(database, (s) =>
    s.query<Row>(
      'select id, member_id, seq, hash, prev_hash from audit_events where member_id = $1 order by seq',
      [memberId],
    ),
  );
}

const ASSOCIATION = 'Zweckverband Digitale Kommunen Brandenburg';

async function withChain(fn: (database: Database, chain: Row[], memberId: string) => Promise<void>) {
  const database = await testDatabase();
  try {
    const memberId = await memberIdByName(database, ASSOCIATION);
    const chain = await chainOf(database, memberId);
    expect(chain.length).toBeGreaterThanOrEqual(5);
    await fn(database, chain, memberId);
  } finally {
    await database.close();
  }
}

/** Verify must not throw; exactly this member's chain is reported broken. */
async function firstProblem(database: Database, memberId: string) {
  const result = await verifyAuditTrail(database);
  expect(result.ok).toBe(false);
  const broken = result.chains.filter((c) => c.problem);
  expect(broken.map((c) => c.memberId)).toEqual([memberId]);
  return broken[0]!.problem as { kind: string; event?: { id: string; seq: number }; reason?: string };
}

describe('audit verify: findings of the security probe', () => {
  it('names the event whose seq was set beyond 2^53 instead of crashing', async () => {
    await withChain(async (database, chain, memberId) => {
      const last = chain.at(-1)!;
      await tamper(database, [
        ['update audit_events set seq = 9223372036854775807 where id = $1', [last.id]],
      ]);
      const p = await firstProblem(database, memberId);
      expect(p.kind).toBe('sequence_gap');
      expect(p.event?.id).toBe(last.id);
    });
  });

  it('reports a chain with a huge seq in the middle and the auditor page answers 200', async () => {
    const database = await testDatabase();
    const t = await testApp({ database });
    try {
      const memberId = await memberIdByName(database, ASSOCIATION);
      const chain = await chainOf(database, memberId);
      await tamper(database, [
        ['update audit_events set seq = 9223372036854775807 where id = $1', [chain[2]!.id]],
      ]);
      const p = await firstProblem(database, memberId);
      // Event 3 is missing from its place: the event found there is named.
      expect(p.kind).toBe('sequence_gap');
      expect(p.event?.id).toBe(chain[3]!.id);
      const auditor = await loggedIn(t.app, DEMO.auditor);
      const page = await auditor.get('/pruefung/verifizieren');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Der Prüfpfad wurde verändert');
      const trail = await auditor.get('/pruefung');
      expect(trail.statusCode).toBe(200);
      const api = await auditor.api('GET', '/api/v1/audit/verify');
      expect(api.statusCode).toBe(200);
      expect(api.json().ok).toBe(false);
    } finally {
      await t.close();
    }
  });

  it('reports a number beyond the double range (parsed as Infinity) as unverifiable, naming the event', async () => {
    await withChain(async (database, chain, memberId) => {
      const victim = chain[1]!;
      await tamper(database, [
        [`update audit_events set details = '{"n": 1e400}'::jsonb where id = $1`, [victim.id]],
      ]);
      const p = await firstProblem(database, memberId);
      expect(p.kind).toBe('unverifiable');
      expect(p.event?.id).toBe(victim.id);
      expect(p.reason).toMatch(/non-finite/);
    });
  });

  it('reports deeply nested details as unverifiable, naming the event', async () => {
    await withChain(async (database, chain, memberId) => {
      const victim = chain[1]!;
      const depth = 5_000;
      const nested = `{"a":${'['.repeat(depth)}1${']'.repeat(depth)}}`;
      await tamper(database, [
        ['update audit_events set details = $1::jsonb where id = $2', [nested, victim.id]],
      ]);
      const p = await firstProblem(database, memberId);
      expect(p.kind).toBe('unverifiable');
      expect(p.event?.id).toBe(victim.id);
      expect(p.reason).toMatch(/nested too deeply/);
    });
  });

  it('names the recomputed event, not its successor', async () => {
    await withChain(async (database, chain, memberId) => {
      const victim = chain[2]!;
      // The intruder changes the details and recomputes the hash with the formula the event used.
      await tamper(database, [
        [`update audit_events set details = '{"forged":true}'::jsonb where id = $1`, [victim.id]],
      ]);
      const [row] = await asSuperuser(database, (s) =>
        s.query<Record<string, unknown>>(
          `select *, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_us
             from audit_events where id = $1`,
          [victim.id],
        ),
      );
      const e = {
        id: row!.id as string,
        memberId,
        seq: Number(row!.seq),
        actorType: row!.actor_type as string,
        actorId: row!.actor_id as string,
        action: row!.action as string,
        objectType: row!.object_type as string,
        objectId: row!.object_id as string | null,
        dataDigest: row!.data_digest as string | null,
        details: { forged: true },
        requestId: row!.request_id as string | null,
        prevHash: row!.prev_hash as string,
      };
      const v2 = (chainModule as Record<string, unknown>).eventHashV2 as ((x: unknown) => string) | undefined;
      const hash =
        row!.hash_version === 2 && v2
          ? v2({ ...e, occurredAt: row!.at_us })
          : chainModule.eventHash({ ...e, occurredAt: row!.occurred_at as Date });
      await tamper(database, [['update audit_events set hash = $1 where id = $2', [hash, victim.id]]]);
      const p = await firstProblem(database, memberId);
      expect(p.event?.id).toBe(victim.id);
      expect(p.kind).toBe('recomputed');
    });
  });

  it('detects a 900 µs change of occurred_at', async () => {
    await withChain(async (database, chain, memberId) => {
      const victim = chain[1]!;
      await tamper(database, [
        [
          `update audit_events set occurred_at = date_trunc('milliseconds', occurred_at) + interval '900 microseconds' where id = $1`,
          [victim.id],
        ],
      ]);
      const p = await firstProblem(database, memberId);
      expect(p.kind).toBe('hash_mismatch');
      expect(p.event?.id).toBe(victim.id);
    });
  });

  it('detects a changed event id', async () => {
    await withChain(async (database, chain, memberId) => {
      const victim = chain[1]!;
      const newId = '00000000-0000-4000-8000-00000000abcd';
      await tamper(database, [['update audit_events set id = $1 where id = $2', [newId, victim.id]]]);
      const p = await firstProblem(database, memberId);
      expect(p.kind).toBe('hash_mismatch');
      expect(p.event?.id).toBe(newId);
    });
  });
});
