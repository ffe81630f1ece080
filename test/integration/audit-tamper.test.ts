/**
 * The audit trail shows any tampering: bytes flipped, events deleted, swapped or inserted — even by a
 * database superuser who switches off the append-only triggers — is detected by verify, which names the
 * first broken event. Also checked through the real `allmende audit verify` command.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { eventHash, GENESIS_HASH } from '../../src/modules/audit/audit.chain.js';
import { verifyAuditTrail } from '../../src/modules/audit/audit.service.js';
import { asSuperuser, databaseUrlOf, memberIdByName, testDatabase, testDbKind } from '../helpers.js';

const run = promisify(execFile);

interface Row {
  id: string;
  member_id: string;
  seq: number;
  hash: string;
  prev_hash: string;
  action: string;
  occurred_at: Date;
}

/** Runs statements as the superuser with triggers off (session_replication_role = replica). */
async function tamper(database: Database, statements: [string, unknown[]?][]): Promise<void> {
  await asSuperuser(database, async (s) => {
    await s.script('begin');
    await s.script('set local session_replication_role = replica');
    for (const [q, p] of statements) await s.query(q, p ?? []);
    await s.script('commit');
  });
}

/** An event an intruder forges: correctly hashed and linked to `prev`, but not written by the app. */
function forgedEvent(memberId: string, prev: Row, occurredAt: Date) {
  const e = {
    memberId,
    seq: prev.seq + 1,
    occurredAt,
    actorType: 'system',
    actorId: 'intruder',
    action: 'member.updated',
    objectType: 'member',
    objectId: memberId,
    dataDigest: null,
    details: {},
    requestId: null,
    prevHash: prev.hash,
  };
  return [
    `insert into audit_events (member_id, seq, occurred_at, actor_type, actor_id, action, object_type, object_id, data_digest, details, request_id, prev_hash, hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8, null, '{}'::jsonb, null, $9, $10)`,
    [
      memberId,
      e.seq,
      e.occurredAt,
      e.actorType,
      e.actorId,
      e.action,
      e.objectType,
      e.objectId,
      e.prevHash,
      eventHash(e),
    ],
  ] as [string, unknown[]];
}

async function chainOf(database: Database, memberId: string): Promise<Row[]> {
  return asSuperuser(database, (s) =>
    s.query<Row>(
      'select id, member_id, seq, hash, prev_hash, action, occurred_at from audit_events where member_id = $1 order by seq',
      [memberId],
    ),
  );
}

async function withChain(fn: (database: Database, chain: Row[], memberId: string) => Promise<void>) {
  const database = await testDatabase();
  try {
    // The association's chain is the longest in the demo (creation, status, three people, seeding).
    const memberId = await memberIdByName(database, 'Zweckverband Digitale Kommunen Brandenburg');
    const chain = await chainOf(database, memberId);
    expect(chain.length).toBeGreaterThanOrEqual(5);
    await fn(database, chain, memberId);
  } finally {
    await database.close();
  }
}

async function firstProblem(database: Database, memberId: string) {
  const result = await verifyAuditTrail(database);
  expect(result.ok).toBe(false);
  const broken = result.chains.filter((c) => c.problem);
  expect(broken.map((c) => c.memberId)).toEqual([memberId]);
  return broken[0]!.problem!;
}

describe('audit trail tamper detection', () => {
  it('verifies an untouched trail', async () => {
    const database = await testDatabase();
    try {
      const result = await verifyAuditTrail(database);
      expect(result.ok).toBe(true);
      expect(result.eventsChecked).toBeGreaterThan(60);
      expect(result.chains.every((c) => c.problem === null)).toBe(true);
    } finally {
      await database.close();
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the owner and even to a superuser while triggers are on', async () => {
    const database = await testDatabase();
    try {
      const before = await verifyAuditTrail(database);
      for (const q of [
        'update audit_events set action = $1',
        'delete from audit_events',
        'truncate audit_events',
      ]) {
        const params = q.includes('$1') ? ['member.updated'] : [];
        await expect(asSuperuser(database, (s) => s.query(q, params))).rejects.toThrow(/append-only/);
        // The owner (not a superuser on PostgreSQL) is refused by the trigger, or sees no row at all:
        // forced RLS has no UPDATE or DELETE policy on audit events.
        await database
          .withOwnerSession((s) => s.query(q, params))
          .catch((err: Error) => {
            expect(err.message).toMatch(/append-only/);
          });
      }
      const after = await verifyAuditTrail(database);
      expect(after.ok).toBe(true);
      expect(after.eventsChecked).toBe(before.eventsChecked);
    } finally {
      await database.close();
    }
  });

  it('detects a flipped byte in an event and names it', async () => {
    await withChain(async (database, chain, memberId) => {
      const victim = chain[1]!;
      await tamper(database, [
        [`update audit_events set details = '{"kind":"stadt"}'::jsonb where id = $1`, [victim.id]],
      ]);
      const p = await firstProblem(database, memberId);
      expect(p.kind).toBe('hash_mismatch');
      expect('event' in p && p.event.id).toBe(victim.id);
    });
  });

  it('detects a flipped byte in a stored hash', async () => {
    await withChain(async (database, chain, memberId) => {
      const victim = chain[2]!;
      const flipped = `${victim.hash.slice(0, -1)}${victim.hash.endsWith('0') ? '1' : '0'}`;
      await tamper(database, [['update audit_events set hash = $1 where id = $2', [flipped, victim.id]]]);
      const p = await firstProblem(database, memberId);
      expect(p.kind).toBe('hash_mismatch');
      expect('event' in p && p.event.seq).toBe(victim.seq);
    });
  });

  it('detects a deleted event in the middle', async () => {
    await withChain(async (database, chain, memberId) => {
      await tamper(database, [['delete from audit_events where id = $1', [chain[1]!.id]]]);
      const p = await firstProblem(database, memberId);
      expect(p.kind).toBe('sequence_gap');
      expect('event' in p && p.event.id).toBe(chain[2]!.id);
    });
  });

  it('detects a deleted last event (against the chain head)', async () => {
    await withChain(async (database, chain, memberId) => {
      await tamper(database, [['delete from audit_events where id = $1', [chain.at(-1)!.id]]]);
      const p = await firstProblem(database, memberId);
      expect(p.kind).toBe('head_mismatch');
    });
  });

  it('detects two swapped events', async () => {
    await withChain(async (database, chain, memberId) => {
      const [a, b] = [chain[1]!, chain[2]!];
      await tamper(database, [
        ['update audit_events set seq = 999999 where id = $1', [a.id]],
        ['update audit_events set seq = $1 where id = $2', [a.seq, b.id]],
        ['update audit_events set seq = $1 where id = $2', [b.seq, a.id]],
      ]);
      const p = await firstProblem(database, memberId);
      expect(['hash_mismatch', 'broken_link']).toContain(p.kind);
      expect('event' in p && p.event.id).toBe(b.id);
    });
  });

  it('detects an event inserted in the middle, even with a correctly computed hash', async () => {
    await withChain(async (database, chain, memberId) => {
      const k = 1;
      const before = chain[k]!;
      const statements: [string, unknown[]?][] = [];
      // Make room: shift later events up by one (highest first, to respect the unique key).
      for (const e of [...chain].reverse().filter((e) => e.seq > before.seq)) {
        statements.push(['update audit_events set seq = seq + 1 where id = $1', [e.id]]);
      }
      statements.push(forgedEvent(memberId, before, new Date(before.occurred_at.getTime() + 1)));
      await tamper(database, statements);
      const p = await firstProblem(database, memberId);
      // The forged event itself is consistent; the next genuine event no longer is.
      expect('event' in p && p.event.id).toBe(chain[k + 1]!.id);
    });
  });

  it('detects an event appended at the end without the chain head', async () => {
    await withChain(async (database, chain, memberId) => {
      const last = chain.at(-1)!;
      await tamper(database, [forgedEvent(memberId, last, new Date())]);
      const p = await firstProblem(database, memberId);
      expect(p.kind).toBe('head_mismatch');
    });
  });

  it('detects a whole chain deleted together with its head', async () => {
    await withChain(async (database, _chain, memberId) => {
      await tamper(database, [
        ['delete from audit_events where member_id = $1', [memberId]],
        ['delete from audit_chain_heads where member_id = $1', [memberId]],
      ]);
      const p = await firstProblem(database, memberId);
      expect(p.kind).toBe('missing_chain');
    });
  });

  it('starts every chain at the genesis hash', async () => {
    await withChain(async (_database, chain) => {
      expect(chain[0]!.seq).toBe(1);
      expect(chain[0]!.prev_hash).toBe(GENESIS_HASH);
    });
  });

  it('`allmende audit verify` exits 0 on an intact trail and 1 naming the first broken event', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-cli-'));
    const pgliteDir = path.join(dir, 'pglite');
    const database = await testDatabase(testDbKind() === 'pglite' ? { pgliteDataDir: pgliteDir } : {});
    const env = {
      ...process.env,
      LOG_LEVEL: 'silent',
      ...(testDbKind() === 'pglite'
        ? { ALLMENDE_DATA_DIR: dir }
        : { DATABASE_URL: databaseUrlOf(database)! }),
    };
    const cli = async () =>
      run(process.execPath, ['bin/allmende.js', 'audit', 'verify'], { env, cwd: process.cwd() }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    try {
      const memberId = await memberIdByName(database, 'Panketal');
      const chain = await chainOf(database, memberId);
      if (testDbKind() === 'pglite') await database.close(); // one process at a time on a PGlite folder
      const ok = await cli();
      expect(ok.code, ok.out).toBe(0);
      expect(ok.out).toMatch(/Audit trail intact/);
      const again = testDbKind() === 'pglite' ? await testDatabaseAt(pgliteDir) : database;
      await tamper(again, [
        [`update audit_events set action = 'member.viewed' where id = $1`, [chain[2]!.id]],
      ]);
      if (testDbKind() === 'pglite') await again.close();
      const broken = await cli();
      expect(broken.code).toBe(1);
      expect(broken.out).toContain(`first broken event: seq ${chain[2]!.seq}, id ${chain[2]!.id}`);
    } finally {
      await database.close().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function testDatabaseAt(dataDir: string): Promise<Database> {
  const { createDatabase } = await import('../../src/db/database.js');
  return createDatabase({ kind: 'pglite', dataDir });
}
