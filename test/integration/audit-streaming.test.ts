/**
 * The audit trail is read in batches for verify and for the CSV export: the results must be the same
 * whatever the batch size, and the streamed CSV must hold exactly the events of the filter, newest first.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTx } from '../../src/db/tx.js';
import {
  auditEventBatches,
  listAuditEvents,
  verifyAuditTrail,
} from '../../src/modules/audit/audit.service.js';
import { beginSessionRequest } from '../../src/modules/auth/sessions.service.js';
import { systemClock } from '../../src/shared/clock.js';
import { principalCtx } from '../../src/shared/context.js';
import { asSuperuser, DEMO, loggedIn, memberIdByName, readAll, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

describe('streamed audit reads', () => {
  it('the CSV export streams every event of the filter, newest first, and is audited with its count', async () => {
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const panketal = await memberIdByName(t.database, 'Panketal');
    for (const query of ['', `?mitglied=${panketal}`]) {
      const csv = await auditor.get(`/pruefung/export.csv${query}`);
      expect(csv.statusCode).toBe(200);
      expect(csv.body.startsWith('\uFEFF"Zeitpunkt (Europe/Berlin)";')).toBe(true);
      const lines = csv.body.slice(1).split('\r\n');
      expect(lines.at(-1)).toBe('');
      const idColumn = lines[0]!.split(';').indexOf('"event_id"');
      expect(idColumn).toBeGreaterThan(0);
      const ids = lines.slice(1, -1).map((l) => JSON.parse(l.split(';')[idColumn]!) as string);
      const listed = await auditor.api(
        'GET',
        `/api/v1/audit/events?pageSize=1000${query ? `&memberId=${panketal}` : ''}`,
      );
      const listedIds = (listed.json().items as { id: string }[]).map((e) => e.id);
      // The listing ran after the export, which added its own audit event (newest, first).
      expect(listedIds.slice(listedIds.length - ids.length)).toEqual(ids);
      expect(ids.length).toBeGreaterThan(0);
    }
    const exported = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('audit_events')
        .select(['details'])
        .where('action', '=', 'audit.exported')
        .orderBy('occurred_at', 'desc')
        .execute(),
    );
    expect(exported.length).toBe(2);
    expect((exported[0]!.details as { count: number }).count).toBeGreaterThan(0);
  });

  it('batches of any size yield the same events in the same order as the listing', async () => {
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const { principal, tx: requestTx } = await beginSessionRequest(
      t.database,
      t.config,
      auditor.cookies.get('__Host-allmende-session')!,
      t.app.allmende.registry,
      systemClock,
    );
    await requestTx!.end();
    const ctx = principalCtx('test', principal!);
    const all = await runInTx(t.database, ctx, (tx) => listAuditEvents(tx, { limit: 100_000 }));
    for (const size of [1, 7, 1000]) {
      const streamed = await runInTx(t.database, ctx, async (tx) => {
        const out: string[] = [];
        for await (const batch of auditEventBatches(tx, { limit: 100_000 }, size)) {
          expect(batch.length).toBeLessThanOrEqual(size);
          out.push(...batch.map((e) => e.id));
        }
        return out;
      });
      expect(streamed).toEqual(all.events.map((e) => e.id));
    }
    const limited = await runInTx(t.database, ctx, async (tx) => {
      const out: string[] = [];
      for await (const batch of auditEventBatches(tx, { limit: 10 }, 3)) out.push(...batch.map((e) => e.id));
      return out;
    });
    expect(limited).toEqual(all.events.slice(0, 10).map((e) => e.id));
  });

  it('verify gives the same report for every batch size, also when a chain was tampered with', async () => {
    const whole = await verifyAuditTrail(t.database);
    expect(whole.ok).toBe(true);
    for (const size of [1, 5, 64]) expect(await verifyAuditTrail(t.database, undefined, size)).toEqual(whole);

    const panketal = await memberIdByName(t.database, 'Panketal');
    await asSuperuser(t.database, async (s) => {
      await s.script('begin');
      await s.script('set local session_replication_role = replica');
      await s.query(
        `update audit_events set details = '{"tampered": true}' where member_id = $1 and seq = 2`,
        [panketal],
      );
      await s.script('commit');
    });
    const tampered = await verifyAuditTrail(t.database);
    expect(tampered.ok).toBe(false);
    const report = tampered.chains.find((c) => c.memberId === panketal)!;
    expect(report.problem?.kind).toBe('hash_mismatch');
    expect(report.events).toBe(whole.chains.find((c) => c.memberId === panketal)!.events);
    for (const size of [1, 5, 64])
      expect(await verifyAuditTrail(t.database, undefined, size)).toEqual(tampered);
  });
});
