/**
 * The admission procedure and the assembly's composition over HTTP (PGlite and PostgreSQL): the pending
 * and admitted lists at /versammlung/aufnahmen, recording steps by page and API in the statute's order
 * (an out-of-order step is refused with 422 at the field and stores nothing), the member page's
 * "Aufnahme läuft – wartet auf: …", the demo's seven example accessions admitted from 2021-05-27, and
 * the steering group and representatives (staff view and public view).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMISSIONS_2021 } from '../../src/modules/governance/governance.demo.js';
import { admissionState, recordAdmissionStep } from '../../src/modules/governance/governance.service.js';
import { createMember } from '../../src/modules/members/members.service.js';
import { addDays } from '../../src/shared/effective.js';
import {
  Client,
  DEMO,
  loggedIn,
  memberIdByName,
  readAll,
  type TestApp,
  testApp,
  writeAll,
} from '../helpers.js';

let t: TestApp;
let admin: Client;
let memberAdmin: Client;
let visitor: Client;

beforeAll(async () => {
  t = await testApp();
  admin = await loggedIn(t.app, DEMO.associationAdmin);
  memberAdmin = await loggedIn(t.app, DEMO.panketalAdmin);
  visitor = new Client(t.app);
});
afterAll(async () => t?.close());

const steps = (id: string) =>
  readAll(t.database, (tx) =>
    tx.db.selectFrom('admission_steps').select(['step', 'done_on']).where('member_id', '=', id).execute(),
  );

async function applicant(name: string, appliedOn: string, ags: string) {
  return writeAll(t.database, (tx) => createMember(tx, { name, kind: 'gemeinde', ags, appliedOn }));
}

describe('the demo', () => {
  it('shows the seven example accessions admitted from 2021-05-27 (API and page)', async () => {
    const from = addDays(DEMO_ADMISSIONS_2021.publicationOn, 1);
    expect(from).toBe('2021-05-27');
    const page = await admin.get('/versammlung/aufnahmen');
    expect(page.statusCode).toBe(200);
    const admitted = page.body.slice(page.body.indexOf('id="admitted-h"'));
    for (const m of DEMO_ADMISSIONS_2021.members) {
      const id = await memberIdByName(t.database, m.name);
      const res = await admin.api('GET', `/api/v1/members/${id}/admission`);
      expect(res.statusCode, res.body).toBe(200);
      const a = res.json();
      expect(a).toMatchObject({ memberName: m.name, state: 'admitted', waitingFor: null, memberFrom: from });
      expect(a.steps.map((s: { doneOn: string }) => s.doneOn)).toEqual([
        expect.any(String),
        '2021-03-11',
        DEMO_ADMISSIONS_2021.approvalOn,
        DEMO_ADMISSIONS_2021.publicationOn,
      ]);
      expect(a.steps[1]).toMatchObject({ resolutionNumber: '1/2021', resolutionId: expect.any(String) });
      expect(admitted).toContain(m.name.replace('/', '/'));
    }
    expect(admitted).toContain('27.05.2021');
  });

  it('lists the demo applicants as pending, waiting for their council decision', async () => {
    const page = await admin.get('/versammlung/aufnahmen');
    const pending = page.body.slice(
      page.body.indexOf('id="pending-h"'),
      page.body.indexOf('id="admitted-h"'),
    );
    for (const name of ['Bernau bei Berlin', 'Rüdersdorf bei Berlin', 'Fürstenberg/Havel']) {
      expect(pending).toContain(name);
    }
    expect(pending).toContain('wartet auf Beitrittsbeschluss der Vertretung des Mitglieds');
    expect(pending).not.toContain('Guben');
    // The assembly's start page links to it, with the count.
    const start = await admin.get('/versammlung');
    expect(start.body).toContain('href="/versammlung/aufnahmen"');
    expect(start.body).toMatch(/\d+ laufend/);
  });
});

describe('recording steps', () => {
  it('API: in the statute order; out of order 422 at the field, nothing stored; publication admits from the day after', async () => {
    const m = await applicant('Beitrittsgemeinde API-Schritte', '2027-01-10', '12069017');
    const url = `/api/v1/members/${m.id}/admission`;
    let res = await admin.api('GET', url);
    expect(res.json()).toMatchObject({ state: 'pending', waitingFor: 'council_decision', memberFrom: null });

    res = await admin.api('POST', `${url}/steps`, { step: 'approval', doneOn: '2027-05-01' });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ field: 'step', code: 'admission.step_out_of_order' }),
    ]);
    expect(res.json().errors[0].message).toContain('Die Schritte der Aufnahme folgen aufeinander');
    expect(await steps(m.id)).toEqual([]);

    res = await admin.api('POST', `${url}/steps`, {
      step: 'council_decision',
      doneOn: '2027-01-05',
      reference: 'Beschluss der Gemeindevertretung 12/2027',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'pending', waitingFor: 'amending_statute' });
    // The same again changes nothing; another date is a conflict.
    res = await admin.api('POST', `${url}/steps`, { step: 'council_decision', doneOn: '2027-01-05' });
    expect(res.statusCode).toBe(200);
    res = await admin.api('POST', `${url}/steps`, { step: 'council_decision', doneOn: '2027-01-06' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('admission.step_already_recorded');

    // The amending statute is the assembly's resolution, never recorded by hand.
    res = await admin.api('POST', `${url}/steps`, { step: 'amending_statute', doneOn: '2027-03-18' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ field: 'step', code: 'admission.statute_by_resolution' });
    expect(await steps(m.id)).toHaveLength(1);

    // (The resolution's effect, as recordVote applies it.)
    await writeAll(t.database, (tx) =>
      recordAdmissionStep(tx, m.id, {
        step: 'amending_statute',
        doneOn: '2027-03-18',
        reference: 'Beschluss 4/2027',
      }),
    );
    res = await admin.api('POST', `${url}/steps`, {
      step: 'approval',
      doneOn: '2027-05-31',
      reference: 'MIK, Az. 33-347-27',
    });
    expect(res.json()).toMatchObject({ waitingFor: 'publication' });
    res = await admin.api('POST', `${url}/steps`, { step: 'publication', doneOn: '2027-05-01' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ field: 'doneOn', code: 'admission.step_before_previous' });
    res = await admin.api('POST', `${url}/steps`, {
      step: 'publication',
      doneOn: '2027-06-22',
      reference: 'Amtsblatt für Brandenburg 2027 Nr. 24, S. 562',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'admitted', waitingFor: null, memberFrom: '2027-06-23' });
    const member = await admin.api('GET', `/api/v1/members/${m.id}`);
    expect(member.json()).toMatchObject({ admittedOn: '2027-06-23' });
    // Once admitted there is nothing left to record.
    res = await admin.api('POST', `${url}/steps`, { step: 'approval', doneOn: '2027-06-01' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('admission.not_pending');
  });

  it('page: the next step by form, out of order refused at the field (422), the statute step links to the resolution', async () => {
    const m = await applicant('Beitrittsgemeinde Formular', '2027-02-01', '12069397');
    const url = `/versammlung/aufnahmen/${m.id}`;
    let page = await admin.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      'Aufnahme läuft – wartet auf: Beitrittsbeschluss der Vertretung des Mitglieds',
    );
    let res = await admin.postForm(url, { step: 'publication', doneOn: '2027-06-01', reference: '' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="f-step-error"');
    expect(res.body).toContain('Die Schritte der Aufnahme folgen aufeinander');
    expect(await steps(m.id)).toEqual([]);
    await admin.get(url);
    res = await admin.postForm(url, { step: 'council_decision', doneOn: '', reference: '' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="f-doneOn-error"');
    await admin.get(url);
    res = await admin.postForm(url, {
      step: 'council_decision',
      doneOn: '2027-01-28',
      reference: 'Beschluss der Gemeindevertretung',
    });
    expect(res.statusCode).toBe(303);
    page = await admin.get(url);
    expect(page.body).toContain('Der Schritt der Aufnahme wurde erfasst.');
    expect(page.body).toContain('wartet auf: Änderungssatzung der Verbandsversammlung');
    expect(page.body).toContain('einen Beschluss der Art „Aufnahme von Mitgliedern“ mit diesem Mitglied an');
    expect(page.body).not.toContain('name="doneOn"');
    expect(page.body).toContain('href="/versammlung"');
    // Once the assembly's resolution recorded the statute, the page links to it.
    const r = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('resolutions')
        .select(['id', 'number'])
        .where('number', '=', '1/2021')
        .executeTakeFirstOrThrow(),
    );
    await writeAll(t.database, async (tx) => {
      await tx.db
        .insertInto('admission_steps')
        .values({ member_id: m.id, step: 'amending_statute', done_on: '2027-03-18', resolution_id: r.id })
        .execute();
    });
    page = await admin.get(url);
    expect(page.body).toContain(`href="/versammlung/beschluesse/${r.id}/abstimmung"`);
    expect(page.body).toContain('wartet auf: Genehmigung der Aufsichtsbehörde');
    // The member's own page shows the admission state with the steps done.
    const detail = await admin.get(`/mitglieder/${m.id}`);
    expect(detail.body).toContain('Aufnahme läuft – wartet auf: Genehmigung der Aufsichtsbehörde');
    expect(detail.body).toContain('28.01.2027');
    expect(detail.body).toContain('Beschluss 1/2021');
    const list = await admin.get('/versammlung/aufnahmen');
    expect(list.body).toContain('Beitrittsgemeinde Formular');
    expect(list.body).toContain('wartet auf Genehmigung der Aufsichtsbehörde');
  });

  it('a member admin reads its own admission, cannot record, and does not see another member', async () => {
    const panketal = await memberIdByName(t.database, 'Panketal');
    const belzig = await memberIdByName(t.database, 'Bad Belzig');
    let res = await memberAdmin.api('GET', `/api/v1/members/${panketal}/admission`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'not_recorded', waitingFor: null });
    res = await memberAdmin.api('POST', `/api/v1/members/${panketal}/admission/steps`, {
      step: 'council_decision',
      doneOn: '2027-01-01',
    });
    expect(res.statusCode).toBe(403);
    res = await memberAdmin.api('GET', `/api/v1/members/${belzig}/admission`);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    res = await visitor.api('GET', `/api/v1/members/${panketal}/admission`);
    expect(res.statusCode).toBe(401);
    expect((await memberAdmin.get('/versammlung/aufnahmen')).statusCode).toBe(403);
    expect((await memberAdmin.get(`/versammlung/aufnahmen/${belzig}`)).statusCode).toBe(404);
    // The association sees that no procedure is on record for a founding member; there is no form.
    const page = await admin.get(`/versammlung/aufnahmen/${panketal}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Für dieses Mitglied ist kein Aufnahmeverfahren erfasst');
    expect(page.body).not.toContain('name="doneOn"');
    expect(await steps(panketal)).toEqual([]);
    expect((await readAll(t.database, (tx) => admissionState(tx, panketal))).waitingFor).toBe(
      'council_decision',
    );
  });
});

describe('composition', () => {
  it('the association sees the steering group today and the representatives with their members, examples marked', async () => {
    const page = await admin.get('/versammlung/zusammensetzung');
    expect(page.statusCode).toBe(200);
    for (const name of [
      'Landeshauptstadt Potsdam',
      'Städte- und Gemeindebund Brandenburg',
      'Amt Rhinow',
      'Nuthetal',
    ]) {
      expect(page.body).toContain(name);
    }
    expect(page.body).toContain('Beispieldaten');
    expect(page.body).toContain('Stellvertretung');
    expect(page.body).toContain('Bürgermeister/in');
    const reps = page.body.slice(page.body.indexOf('id="reps-h"'));
    expect(reps).toContain('Panketal');
    expect((await memberAdmin.get('/versammlung/zusammensetzung')).statusCode).toBe(403);
  });

  it('the public sees the steering group and the representatives by name and function only', async () => {
    const page = await visitor.get('/sitzungen/zusammensetzung');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Projektsteuerungsgruppe');
    expect(page.body).toContain('Landeshauptstadt Potsdam');
    expect(page.body).toContain('Beispieldaten');
    expect(page.body).toContain('Amtsdirektor/in');
    const reps = page.body.slice(page.body.indexOf('id="reps-h"'));
    expect(reps).not.toContain('Panketal');
    expect(reps).not.toContain('/mitglieder/');
    const calendar = await visitor.get('/sitzungen');
    expect(calendar.body).toContain('href="/sitzungen/zusammensetzung"');
  });
});
