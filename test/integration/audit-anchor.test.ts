/**
 * Issue 7, point 8: the chain heads anchored outside the database. A superuser who rewrites a chain
 * together with its head leaves a trail that verifies in itself; the signed anchor the auditor
 * exported before shows the rewrite.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHashV2 } from '../../src/modules/audit/audit.chain.js';
import { verifyAuditTrail } from '../../src/modules/audit/audit.service.js';
import { asSuperuser, DEMO, loggedIn, memberIdByName, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
let dataDir: string;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-anchor-'));
  t = await testApp({ env: { ALLMENDE_DATA_DIR: dataDir } });
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Row {
  id: string;
  seq: number;
  at_us: string;
  actor_type: string;
  actor_id: string;
  action: string;
  object_type: string;
  object_id: string | null;
  data_digest: string | null;
  details: Record<string, unknown>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
  hash_version: number;
}

/** Rewrites a chain from `fromSeq` on with new details, recomputing every hash and the head. */
async function rewriteChainAndHead(memberId: string, fromSeq: number): Promise<void> {
  await asSuperuser(t.database, async (s) => {
    const rows = await s.query<Row>(
      `select *, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_us
         from audit_events where member_id = $1 order by seq`,
      [memberId],
    );
    await s.script('begin');
    await s.script('set local session_replication_role = replica');
    let prev = rows.find((r) => Number(r.seq) === fromSeq - 1)!.hash;
    for (const r of rows.filter((x) => Number(x.seq) >= fromSeq)) {
      expect(r.hash_version).toBe(2);
      const details = Number(r.seq) === fromSeq ? { rewritten: true } : r.details;
      const hash = eventHashV2({
        id: r.id,
        memberId,
        seq: Number(r.seq),
        occurredAt: r.at_us,
        actorType: r.actor_type,
        actorId: r.actor_id,
        action: r.action,
        objectType: r.object_type,
        objectId: r.object_id,
        dataDigest: r.data_digest,
        details,
        requestId: r.request_id,
        prevHash: prev,
      });
      await s.query('update audit_events set details = $1::jsonb, prev_hash = $2, hash = $3 where id = $4', [
        JSON.stringify(details),
        prev,
        hash,
        r.id,
      ]);
      prev = hash;
    }
    await s.query('update audit_chain_heads set last_hash = $1 where member_id = $2', [prev, memberId]);
    await s.script('commit');
  });
}

describe('audit anchor', () => {
  it('exports a signed head list, keyed with a key generated into the data folder', async () => {
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const res = await auditor.get('/pruefung/anker.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(
      /attachment; filename="pruefanker-\d{4}-\d{2}-\d{2}\.json"/,
    );
    const anchor = res.json();
    expect(anchor).toMatchObject({ format: 'allmende-audit-anchor', version: 1, algorithm: 'HMAC-SHA256' });
    expect(anchor.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(anchor.heads[0].name).toBe('Zweckverband Digitale Kommunen Brandenburg');
    expect(anchor.heads.every((h: { hash: string; seq: number }) => /^[0-9a-f]{64}$/.test(h.hash))).toBe(
      true,
    );
    const keyFile = path.join(dataDir, 'audit-anchor.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    // The key is not in the database.
    const key = fs.readFileSync(keyFile, 'utf8').trim();
    const dump = await asSuperuser(t.database, (s) =>
      s.query<{ n: number }>(`select count(*)::int as n from instance_settings where value = $1`, [key]),
    );
    expect(dump[0]!.n).toBe(0);
  });

  it('compares: unchanged, a forged signature, and a chain rewritten together with its head', async () => {
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const text = (await auditor.get('/pruefung/anker.json')).body;
    await auditor.get('/pruefung/verifizieren');
    const same = await auditor.postForm('/pruefung/anker', { anker: text });
    expect(same.statusCode).toBe(200);
    expect(same.body).toMatch(/Alle \d+ Ketten stimmen mit dem Prüfanker vom \d{2}\.\d{2}\.\d{4}/);

    const forged = JSON.parse(text);
    forged.heads[1].hash = '0'.repeat(64);
    const bad = await auditor.postForm('/pruefung/anker', { anker: JSON.stringify(forged) });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Die Signatur des Prüfankers ist ungültig');
    const junk = await auditor.postForm('/pruefung/anker', { anker: 'not json' });
    expect(junk.statusCode).toBe(422);
    expect(junk.body).toContain('keine Prüfanker-Datei');

    const panketal = await memberIdByName(t.database, 'Panketal');
    await rewriteChainAndHead(panketal, 2);
    // Verify alone cannot see it: the rewritten chain is consistent, head included.
    const verified = await verifyAuditTrail(t.database);
    expect(verified.chains.find((c) => c.memberId === panketal)!.problem).toBeNull();
    const cmp = await auditor.postForm('/pruefung/anker', { anker: text });
    expect(cmp.statusCode).toBe(200);
    expect(cmp.body).toMatch(
      /1 Kette\(n\) wurden seit dem Prüfanker vom \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2} neu geschrieben/,
    );
    expect(cmp.body).toMatch(
      /Kette „Panketal“ wurde seit dem Prüfanker vom [^<]* neu geschrieben \(Nr\. \d+ hat einen anderen Hash\)/,
    );
  });
});

describe('scheduled audit anchor', () => {
  it('the nightly job is registered and writes a signed anchor file that is never overwritten', async () => {
    const { ANCHOR_EXPORT_JOB, writeAnchorFile } = await import('../../src/modules/audit/audit.jobs.js');
    const { parseAnchor } = await import('../../src/modules/audit/audit.anchor.js');
    const { jobCtx, ALL_MEMBERS_READ } = await import('../../src/shared/context.js');
    expect(t.app.allmende.registry.jobs.map((j) => j.name)).toContain(ANCHOR_EXPORT_JOB);
    const dir = path.join(dataDir, 'anchors');
    const key = 'k'.repeat(40);
    const file = await writeAnchorFile(t.database, jobCtx(ANCHOR_EXPORT_JOB, ALL_MEMBERS_READ), key, dir);
    const parsed = parseAnchor(key, fs.readFileSync(file, 'utf8'));
    expect(parsed.ok).toBe(true);
    expect(parseAnchor('x'.repeat(40), fs.readFileSync(file, 'utf8'))).toEqual({
      ok: false,
      error: 'signature',
    });
    expect(fs.statSync(file).mode & 0o222).toBe(0);
  });
});
