/**
 * Principals beyond staff and machines: a citizen (anonymous with a case secret, or logged in by OIDC)
 * and a background job act with their own actor kind in the audit trail, in chains that verify.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../src/db/bootstrap.js';
import type { Database } from '../../src/db/database.js';
import { runInTx } from '../../src/db/tx.js';
import { recordAudit, verifyAuditTrail } from '../../src/modules/audit/audit.service.js';
import { requireMemberPermission, requirePermission } from '../../src/modules/auth/permissions.js';
import {
  type CitizenPrincipal,
  citizenCtx,
  citizenOidcId,
  jobCtx,
  memberScope,
} from '../../src/shared/context.js';
import { NotFoundError, UnauthenticatedError } from '../../src/shared/errors.js';
import { memberIdByName, readAll, testDatabase } from '../helpers.js';

let database: Database;
let panketal: string;
let belzig: string;
beforeAll(async () => {
  database = await testDatabase();
  await prepareDatabase(database);
  panketal = await memberIdByName(database, 'Panketal');
  belzig = await memberIdByName(database, 'Bad Belzig');
});
afterAll(async () => database?.close());

const lastEvents = (memberId: string, count: number) =>
  readAll(database, (tx) =>
    tx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('member_id', '=', memberId)
      .orderBy('seq', 'desc')
      .limit(count)
      .execute(),
  );

describe('citizen and job principals', () => {
  it('records, chains and verifies events of an anonymous citizen, an OIDC citizen and a job', async () => {
    const caseId = randomUUID();
    const anonymous: CitizenPrincipal = {
      kind: 'citizen',
      auth: 'case_secret',
      id: caseId,
      memberId: panketal,
      caseIds: [caseId],
    };
    const oidcId = citizenOidcId(database.secret!, 'https://id.bund.example', 'subject-4711');
    const loggedIn: CitizenPrincipal = {
      kind: 'citizen',
      auth: 'oidc',
      id: oidcId,
      memberId: panketal,
      caseIds: [],
    };
    expect(oidcId).toMatch(/^oidc-[0-9a-f]{32}$/);
    // A keyed hash, not an encoding of the subject (a bare "4711" would turn up in random hex now and then).
    expect(oidcId).not.toContain(Buffer.from('subject-4711').toString('hex').slice(0, 16));

    for (const ctx of [
      citizenCtx('req-citizen-1', anonymous),
      citizenCtx('req-citizen-2', loggedIn),
      jobCtx('session-purge', memberScope(panketal)),
    ]) {
      await runInTx(database, ctx, async (tx) => {
        recordAudit(tx, {
          action: 'member.viewed',
          memberId: panketal,
          objectType: 'member',
          objectId: panketal,
        });
      });
    }
    const events = (await lastEvents(panketal, 3)).reverse();
    expect(events.map((e) => [e.actor_type, e.actor_id, e.request_id])).toEqual([
      ['citizen', caseId, 'req-citizen-1'],
      ['citizen', oidcId, 'req-citizen-2'],
      ['job', 'session-purge', 'job-session-purge'],
    ]);
    expect(events[1]!.prev_hash).toBe(events[0]!.hash);
    expect(events[2]!.prev_hash).toBe(events[1]!.hash);
    expect(Number(events[2]!.seq)).toBe(Number(events[0]!.seq) + 2);
    const report = await verifyAuditTrail(database);
    expect(report.ok).toBe(true);
    expect(report.chains.find((c) => c.memberId === panketal)?.problem).toBeNull();
  });

  it('gives a citizen no member permission and a read-only scope of its member', async () => {
    const caseId = randomUUID();
    const ctx = citizenCtx('req-citizen-3', {
      kind: 'citizen',
      auth: 'case_secret',
      id: caseId,
      memberId: panketal,
      caseIds: [caseId],
    });
    expect(ctx.principal).toBeNull();
    expect(ctx.system).toBeNull();
    expect(ctx.scope).toEqual({ allMembers: false, memberIds: [panketal], readOnly: true });
    expect(() => requirePermission(ctx, 'members.read')).toThrow(UnauthenticatedError);
    expect(() => requireMemberPermission(ctx, panketal, 'members.read')).toThrow(UnauthenticatedError);
    // The database refuses the citizen's writes to member data (RLS: read-only scope).
    const updated = await runInTx(database, ctx, async (tx) =>
      Number(
        (await tx.db.updateTable('members').set({ city: 'X' }).where('id', '=', panketal).executeTakeFirst())
          .numUpdatedRows,
      ),
    );
    expect(updated).toBe(0);
  });

  it('lets a job act as system work within its scope only', async () => {
    const ctx = jobCtx('nightly', memberScope(panketal), 'job-nightly-42');
    expect(ctx).toMatchObject({
      requestId: 'job-nightly-42',
      principal: null,
      system: 'nightly',
      job: 'nightly',
    });
    expect(() => requireMemberPermission(ctx, panketal, 'members.read')).not.toThrow();
    expect(() => requireMemberPermission(ctx, belzig, 'members.read')).toThrow(NotFoundError);
    const seen = await runInTx(database, ctx, (tx) => tx.db.selectFrom('members').select('id').execute());
    expect(seen.map((r) => r.id)).toEqual([panketal]);
  });
});
