/**
 * Every change and every read of personal data writes an audit event in the same transaction, with a
 * digest of the data and no personal data in clear. Auditors browse and export the trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTx } from '../../src/db/tx.js';
import { recordAudit } from '../../src/modules/audit/audit.service.js';
import { canonicalJson, keyedDigest, sha256Hex } from '../../src/shared/canonical-json.js';
import { ALL_MEMBERS_WRITE, systemCtx } from '../../src/shared/context.js';
import { DEMO, loggedIn, memberIdByName, readAll, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

const eventsOf = (memberId: string) =>
  readAll(t.database, (tx) =>
    tx.db.selectFrom('audit_events').selectAll().where('member_id', '=', memberId).orderBy('seq').execute(),
  );

describe('audit trail', () => {
  it('records a change with who, what, which object and a digest — no personal data in clear', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const res = await admin.api('POST', '/api/v1/members', {
      name: 'Gemeinde Auditdorf',
      kind: 'gemeinde',
      ags: '12060005',
      contactName: 'Erika Mustermann',
      contactEmail: 'erika.mustermann@auditdorf.example',
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    const events = await eventsOf(id);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({
      action: 'member.created',
      object_type: 'member',
      object_id: id,
      actor_type: 'user',
      seq: 1,
    });
    // The digest is keyed with the instance secret: whoever holds it can confirm the data, nobody can guess.
    expect(e.data_digest).toBe(keyedDigest(t.database.secret!, res.json()));
    expect(e.data_digest).not.toBe(sha256Hex(canonicalJson(res.json())));
    expect(e.request_id).toBeTruthy();
    const serialized = JSON.stringify(e);
    expect(serialized).not.toContain('Mustermann');
    expect(serialized).not.toContain('auditdorf.example');
  });

  it('records a login with the person as actor', async () => {
    const belzig = await memberIdByName(t.database, 'Bad Belzig');
    await loggedIn(t.app, DEMO.badBelzigClerk);
    const last = (await eventsOf(belzig)).at(-1)!;
    const clerk = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', DEMO.badBelzigClerk)
        .executeTakeFirstOrThrow(),
    );
    expect(last).toMatchObject({
      action: 'auth.logged_in',
      actor_type: 'user',
      actor_id: clerk.id,
      object_id: clerk.id,
    });
  });

  it('records reads of personal data (people lists, person details, member contacts)', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const panketal = await memberIdByName(t.database, 'Panketal');
    const before = (await eventsOf(panketal)).length;
    const people = await admin.api('GET', `/api/v1/members/${panketal}/people`);
    await admin.api('GET', `/api/v1/members/${panketal}/people/${people.json()[0].id}`);
    await admin.api('GET', `/api/v1/members/${panketal}`);
    const actions = (await eventsOf(panketal)).slice(before).map((e) => e.action);
    expect(actions).toEqual(['user.listed', 'user.viewed', 'member.viewed']);
  });

  it('writes nothing when the transaction fails: change and event commit together or not at all', async () => {
    const assoc = await memberIdByName(t.database, 'Zweckverband Digitale Kommunen Brandenburg');
    const before = (await eventsOf(assoc)).length;
    await expect(
      runInTx(t.database, systemCtx('test', ALL_MEMBERS_WRITE), async (tx) => {
        recordAudit(tx, { action: 'member.updated', memberId: assoc, objectType: 'member', objectId: assoc });
        await tx.db.updateTable('members').set({ city: 'Zwischenstand' }).where('id', '=', assoc).execute();
        throw new Error('crash in the middle');
      }),
    ).rejects.toThrow('crash in the middle');
    expect((await eventsOf(assoc)).length).toBe(before);
    const m = await readAll(t.database, (tx) =>
      tx.db.selectFrom('members').select('city').where('id', '=', assoc).executeTakeFirstOrThrow(),
    );
    expect(m.city).not.toBe('Zwischenstand');
  });

  it('keeps chains consistent under concurrent writes to one member', async () => {
    const belzig = await memberIdByName(t.database, 'Bad Belzig');
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runInTx(t.database, systemCtx(`test-${i}`, ALL_MEMBERS_WRITE), async (tx) => {
          recordAudit(tx, {
            action: 'member.viewed',
            memberId: belzig,
            objectType: 'member',
            objectId: belzig,
          });
        }),
      ),
    );
    const seqs = (await eventsOf(belzig)).map((e) => Number(e.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('lets auditors browse, filter and export the trail; others may not', async () => {
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const panketal = await memberIdByName(t.database, 'Panketal');
    const page = await auditor.get(`/pruefung?mitglied=${panketal}&aktion=member.created`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Mitglied angelegt');
    const csv = await auditor.get('/pruefung/export.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment/);
    expect(csv.body.split('\r\n')[0]).toContain('"event_id";"member_id";"seq"');
    const json = await auditor.get(`/pruefung/export.json?mitglied=${panketal}`);
    const rows = JSON.parse(json.body) as { memberId: string; hash: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.memberId === panketal && /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
    const verify = await auditor.get('/pruefung/verifizieren');
    expect(verify.statusCode).toBe(200);
    expect(verify.body).toContain('Der Prüfpfad ist unverändert');
    const api = await auditor.api('GET', '/api/v1/audit/verify');
    expect(api.json().ok).toBe(true);

    const clerk = await loggedIn(t.app, DEMO.badBelzigClerk);
    expect((await clerk.get('/pruefung')).statusCode).toBe(403);
    expect((await clerk.get('/pruefung/export.csv')).statusCode).toBe(403);
  });
});
