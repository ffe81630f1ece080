/**
 * The assembly over HTTP (PGlite and PostgreSQL): the API under /api/v1 and the pages at /sitzungen and
 * /versammlung. The association runs a meeting (TOPs, presence, resolutions, votes); a visitor sees
 * the public part only; refusals (a vote by a non-member or an absent member, a stale version, a member
 * admin writing) answer problem+json and change nothing; a resolution that fails quorum or majority has
 * no effect; applying is idempotent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftCatalogVersion, getCatalogVersion } from '../../src/modules/catalog/catalog.service.js';
import { admissionState } from '../../src/modules/governance/governance.service.js';
import { createMember, votingMembersOn } from '../../src/modules/members/members.service.js';
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

const voters = (day: string) => readAll(t.database, (tx) => votingMembersOn(tx, day));

/** A meeting with one public TOP and presence of the given share of the voting members. */
async function meeting(title: string, startsAt: string, share: number) {
  const m = await admin.api('POST', '/api/v1/meetings', { title, startsAt, place: 'Potsdam' });
  expect(m.statusCode, m.body).toBe(201);
  const meetingId = m.json().id as string;
  const top = await admin.api('POST', `/api/v1/meetings/${meetingId}/agenda-items`, {
    number: 'TOP 1',
    title: 'Beschlüsse',
    public: true,
  });
  expect(top.statusCode, top.body).toBe(201);
  const all = await voters(startsAt.slice(0, 10));
  const present = all.slice(0, Math.floor(all.length * share)).map((x) => x.id);
  const p = await admin.api('POST', `/api/v1/meetings/${meetingId}/presence`, {
    memberIds: present,
    version: m.json().version,
  });
  expect(p.statusCode, p.body).toBe(200);
  return { meetingId, agendaItemId: top.json().id as string, present, all };
}

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  return res.json() as { code: string; errors?: { field: string; code: string; message: string }[] };
}

describe('the assembly API', () => {
  let meetingId: string;
  let publicTop: string;
  let secretTop: string;
  let present: string[];
  let all: { id: string; name: string }[];

  it('creates a meeting with public and non-public TOPs and records presence with a version', async () => {
    const m = await admin.api('POST', '/api/v1/meetings', {
      title: 'Verbandsversammlung 4/2027',
      startsAt: '2027-11-04T16:00:00+01:00',
      place: 'Potsdam, Rathaus',
    });
    expect(m.statusCode, m.body).toBe(201);
    expect(m.headers.location).toBe(`/api/v1/meetings/${m.json().id}`);
    expect(m.json()).toMatchObject({ status: 'planned', version: 1, startsAt: '2027-11-04T15:00:00.000Z' });
    meetingId = m.json().id;
    const a = await admin.api('POST', `/api/v1/meetings/${meetingId}/agenda-items`, {
      number: 'TOP 1',
      title: 'Bericht des Verbandsvorstehers',
      public: true,
    });
    expect(a.statusCode, a.body).toBe(201);
    expect(a.json()).toMatchObject({ position: 1, public: true });
    publicTop = a.json().id;
    const b = await admin.api('POST', `/api/v1/meetings/${meetingId}/agenda-items`, {
      number: 'TOP 2',
      title: 'Personalangelegenheit Vertraulich',
      public: false,
    });
    expect(b.json()).toMatchObject({ position: 2, public: false });
    secretTop = b.json().id;
    const taken = await admin.api('POST', `/api/v1/meetings/${meetingId}/agenda-items`, {
      number: 'TOP 2a',
      title: 'Doppelt',
      public: true,
      position: 2,
    });
    expect(expectProblem(taken, 409).code).toBe('agenda_item.position_taken');

    all = await voters('2027-11-04');
    present = all.slice(0, Math.ceil(all.length * 0.8)).map((x) => x.id);
    const p = await admin.api('POST', `/api/v1/meetings/${meetingId}/presence`, {
      memberIds: present,
      version: 1,
    });
    expect(p.statusCode, p.body).toBe(200);
    expect(p.json()).toMatchObject({ status: 'held', version: 2 });
    expect(p.json().presentMemberIds).toHaveLength(present.length);
    const stale = await admin.api('POST', `/api/v1/meetings/${meetingId}/presence`, {
      memberIds: [],
      version: 1,
    });
    expect(expectProblem(stale, 409).code).toBe('version.stale');
    const niemegkTown = await memberIdByName(t.database, 'Niemegk');
    const stranger = await admin.api('POST', `/api/v1/meetings/${meetingId}/presence`, {
      memberIds: [niemegkTown],
      version: 2,
    });
    expect(expectProblem(stranger, 422).errors?.[0]?.code).toBe('vote.not_a_member');
    const after = await admin.api('GET', `/api/v1/meetings/${meetingId}`);
    expect(after.json().meeting.presentMemberIds).toHaveLength(present.length);
  });

  it('drafts resolutions; a visitor sees the public part only', async () => {
    const r = await admin.api('POST', `/api/v1/meetings/${meetingId}/resolutions`, {
      agendaItemId: publicTop,
      number: '21/2027',
      kind: 'other',
      title: 'Kenntnisnahme des Berichts',
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({
      status: 'draft',
      majority: 'simple',
      carried: null,
      tally: null,
      version: 1,
    });
    const s = await admin.api('POST', `/api/v1/meetings/${meetingId}/resolutions`, {
      agendaItemId: secretTop,
      number: '22/2027',
      kind: 'other',
      title: 'Vertrauliche Personalsache',
    });
    expect(s.statusCode, s.body).toBe(201);
    const wrongTop = await admin.api('POST', `/api/v1/meetings/${meetingId}/resolutions`, {
      agendaItemId: '00000000-0000-4000-8000-000000000000',
      number: '23/2027',
      kind: 'other',
      title: 'Nirgends',
    });
    expectProblem(wrongTop, 404);
    const bad = await admin.api('POST', `/api/v1/meetings/${meetingId}/resolutions`, {
      agendaItemId: publicTop,
      number: '24/2027',
      kind: 'adopt_catalog_version',
      title: 'Ohne Version',
      payload: {},
    });
    expect(expectProblem(bad, 422).errors?.[0]).toMatchObject({
      field: 'payload.versionId',
      code: 'resolution.payload_invalid',
    });

    const seen = await visitor.api('GET', `/api/v1/meetings/${meetingId}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json().agendaItems.map((a: { number: string }) => a.number)).toEqual(['TOP 1']);
    expect(seen.json().resolutions.map((x: { number: string }) => x.number)).toEqual(['21/2027']);
    expect(seen.body).not.toContain('Vertraulich');
    const staff = await admin.api('GET', `/api/v1/meetings/${meetingId}`);
    expect(staff.json().agendaItems).toHaveLength(2);
    expect(staff.json().resolutions).toHaveLength(2);
    // A member's staff are not the association: the public part, like a visitor.
    const member = await memberAdmin.api('GET', `/api/v1/meetings/${meetingId}`);
    expect(member.json().agendaItems).toHaveLength(1);
    expect((await visitor.api('GET', `/api/v1/resolutions/${s.json().id}`)).statusCode).toBe(404);
    const list = await visitor.api('GET', '/api/v1/resolutions?kind=other&status=draft');
    const numbers = list.json().resolutions.map((x: { number: string }) => x.number);
    expect(numbers).toContain('21/2027');
    expect(numbers).not.toContain('22/2027');
    const meetings = await visitor.api('GET', '/api/v1/meetings');
    expect(meetings.json().meetings.some((m: { id: string }) => m.id === meetingId)).toBe(true);
  });

  it('refuses a vote by a non-member or an absent member with a clear message, changing nothing', async () => {
    const id = (await admin.api('GET', '/api/v1/resolutions?status=draft'))
      .json()
      .resolutions.find((x: { number: string }) => x.number === '21/2027').id as string;
    const niemegkTown = await memberIdByName(t.database, 'Niemegk');
    const yes = present.map((memberId) => ({ memberId, ballot: 'yes' }));
    const stranger = await admin.api('POST', `/api/v1/resolutions/${id}/votes`, {
      ballots: [...yes, { memberId: niemegkTown, ballot: 'no' }],
      version: 1,
    });
    const p1 = expectProblem(stranger, 422);
    expect(p1.errors?.[0]).toMatchObject({ field: 'ballots', code: 'vote.not_a_member' });
    expect(p1.errors?.[0]?.message).toBe('Nur Mitglieder des Verbandes können abstimmen.');
    const absentId = all.find((m) => !present.includes(m.id))!.id;
    const absent = await admin.api('POST', `/api/v1/resolutions/${id}/votes`, {
      ballots: [...yes, { memberId: absentId, ballot: 'yes' }],
      version: 1,
    });
    expect(expectProblem(absent, 422).errors?.[0]?.code).toBe('vote.not_present');
    const unchanged = await admin.api('GET', `/api/v1/resolutions/${id}`);
    expect(unchanged.json()).toMatchObject({ resolution: { status: 'draft', version: 1 }, votes: [] });
    const stale = await admin.api('POST', `/api/v1/resolutions/${id}/votes`, { ballots: yes, version: 7 });
    expect(expectProblem(stale, 409).code).toBe('version.stale');

    const ok = await admin.api('POST', `/api/v1/resolutions/${id}/votes`, {
      ballots: present.map((memberId, i) => ({
        memberId,
        ballot: i === 0 ? 'no' : i === 1 ? 'abstain' : 'yes',
      })),
      version: 1,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      applied: true,
      resolution: {
        status: 'voted',
        carried: true,
        tally: {
          quorate: true,
          reason: 'carried',
          yes: present.length - 2,
          no: 1,
          abstain: 1,
          totalVotes: all.length,
          presentVotes: present.length,
        },
      },
    });
    expect(ok.json().resolution.appliedAt).not.toBeNull();
    const detail = await admin.api('GET', `/api/v1/resolutions/${id}`);
    expect(detail.json().votes).toHaveLength(all.length);
    const first = detail.json().votes.find((v: { memberId: string }) => v.memberId === present[0]);
    expect(first).toMatchObject({ ballot: 'no', votes: 1, memberName: all[0]!.name });
    expect(detail.json().votes.filter((v: { ballot: string }) => v.ballot === 'absent')).toHaveLength(
      all.length - present.length,
    );
    // The votes are public; the members' names only where the member register is readable.
    const seen = await visitor.api('GET', `/api/v1/resolutions/${id}`);
    expect(seen.json().votes).toHaveLength(all.length);
    expect(seen.json().votes.find((v: { memberId: string }) => v.memberId === present[0])).toMatchObject({
      ballot: 'no',
      memberName: null,
    });
    const again = await admin.api('POST', `/api/v1/resolutions/${id}/apply`);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().applied).toBe(false);
    const twice = await admin.api('POST', `/api/v1/resolutions/${id}/votes`, { ballots: yes, version: 2 });
    expect(expectProblem(twice, 409).code).toBe('resolution.already_voted');
  });

  it('a resolution that fails quorum has no effect: the catalogue version stays a draft', async () => {
    const v20 = (await writeAll(t.database, (tx) => getCatalogVersion(tx, { number: '2.0' }))).version;
    const draft = await writeAll(t.database, (tx) =>
      draftCatalogVersion(tx, { number: '2.7', title: 'LEV 2.7', basedOn: v20.id }),
    );
    const m = await meeting('Verbandsversammlung 5/2027', '2027-12-09T16:00:00+01:00', 0.3);
    const r = await admin.api('POST', `/api/v1/meetings/${m.meetingId}/resolutions`, {
      agendaItemId: m.agendaItemId,
      number: '25/2027',
      kind: 'adopt_catalog_version',
      title: 'LEV 2.7',
      payload: { versionId: draft.id, inForceFrom: '2028-07-01' },
    });
    expect(r.statusCode, r.body).toBe(201);
    const vote = await admin.api('POST', `/api/v1/resolutions/${r.json().id}/votes`, {
      ballots: m.present.map((memberId) => ({ memberId, ballot: 'yes' })),
      version: 1,
    });
    expect(vote.statusCode, vote.body).toBe(200);
    expect(vote.json()).toMatchObject({
      applied: false,
      resolution: { carried: false, appliedAt: null, tally: { quorate: false, reason: 'not_quorate' } },
    });
    const apply = await admin.api('POST', `/api/v1/resolutions/${r.json().id}/apply`);
    expect(expectProblem(apply, 409).code).toBe('resolution.not_carried');
    const after = await writeAll(t.database, (tx) => getCatalogVersion(tx, { id: draft.id }));
    expect(after.version.status).toBe('draft');
  });

  it('a resolution that fails the qualified majority has no effect: no admission step', async () => {
    const joining = await writeAll(t.database, (tx) =>
      createMember(tx, {
        name: 'Beitrittsgemeinde API',
        kind: 'gemeinde',
        ags: '12069017',
        appliedOn: '2027-09-01',
      }),
    );
    const m = await meeting('Verbandsversammlung 6/2027', '2027-12-16T16:00:00+01:00', 0.9);
    const r = await admin.api('POST', `/api/v1/meetings/${m.meetingId}/resolutions`, {
      agendaItemId: m.agendaItemId,
      number: '26/2027',
      kind: 'admit_members',
      title: 'Änderungssatzung: Aufnahme',
      payload: { memberIds: [joining.id] },
    });
    expect(r.json().majority).toBe('qualified');
    // More yes than no, but not two thirds of all votes.
    const half = Math.floor(m.all.length / 2);
    const vote = await admin.api('POST', `/api/v1/resolutions/${r.json().id}/votes`, {
      ballots: m.present.map((memberId, i) => ({ memberId, ballot: i < half ? 'yes' : 'no' })),
      version: 1,
    });
    expect(vote.statusCode, vote.body).toBe(200);
    expect(vote.json()).toMatchObject({
      applied: false,
      resolution: { carried: false, tally: { quorate: true, reason: 'no_majority' } },
    });
    const state = await writeAll(t.database, (tx) => admissionState(tx, joining.id));
    expect(state.steps.find((s) => s.step === 'amending_statute')?.doneOn).toBeNull();
  });

  it('a member admin reads but cannot write; a visitor cannot write', async () => {
    const create = await memberAdmin.api('POST', '/api/v1/meetings', {
      title: 'Unbefugt',
      startsAt: '2027-12-01T16:00:00+01:00',
    });
    expectProblem(create, 403);
    const top = await memberAdmin.api('POST', `/api/v1/meetings/${meetingId}/agenda-items`, {
      number: 'TOP 9',
      title: 'Unbefugt',
      public: true,
    });
    expectProblem(top, 403);
    const presence = await memberAdmin.api('POST', `/api/v1/meetings/${meetingId}/presence`, {
      memberIds: [],
      version: 2,
    });
    expectProblem(presence, 403);
    const draft = await memberAdmin.api('POST', `/api/v1/meetings/${meetingId}/resolutions`, {
      agendaItemId: publicTop,
      number: '29/2027',
      kind: 'other',
      title: 'Unbefugt',
    });
    expectProblem(draft, 403);
    const anyResolution = (await memberAdmin.api('GET', '/api/v1/resolutions')).json().resolutions[0].id;
    expectProblem(
      await memberAdmin.api('POST', `/api/v1/resolutions/${anyResolution}/votes`, {
        ballots: [],
        version: 1,
      }),
      403,
    );
    expectProblem(await memberAdmin.api('POST', `/api/v1/resolutions/${anyResolution}/apply`), 403);
    const anonymous = await visitor.api('POST', '/api/v1/meetings', {
      title: 'Anonym',
      startsAt: '2027-12-01T16:00:00+01:00',
    });
    expect([401, 403]).toContain(anonymous.statusCode);
    const meetings = await admin.api('GET', '/api/v1/meetings');
    expect(meetings.json().meetings.some((m: { title: string }) => m.title === 'Unbefugt')).toBe(false);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json() as {
      paths: Record<string, object>;
    };
    for (const p of [
      '/api/v1/meetings',
      '/api/v1/meetings/{meetingId}',
      '/api/v1/meetings/{meetingId}/agenda-items',
      '/api/v1/meetings/{meetingId}/presence',
      '/api/v1/meetings/{meetingId}/resolutions',
      '/api/v1/resolutions',
      '/api/v1/resolutions/{resolutionId}',
      '/api/v1/resolutions/{resolutionId}/votes',
      '/api/v1/resolutions/{resolutionId}/apply',
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });

  it('shows the public calendar and a meeting to a visitor without non-public items', async () => {
    const cal = await visitor.get('/sitzungen');
    expect(cal.statusCode).toBe(200);
    expect(cal.body).toContain('Sitzungen der Verbandsversammlung');
    expect(cal.body).toContain('Verbandsversammlung 4/2027');
    expect(cal.body).toContain('04.11.2027, 16:00 Uhr');
    // The public layout (no staff navigation), with the calendar in its footer.
    expect(cal.body).not.toContain('site-nav');
    expect(cal.body).toContain('href="/sitzungen"');
    const page = await visitor.get(`/sitzungen/${meetingId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Bericht des Verbandsvorstehers');
    expect(page.body).toContain('21/2027');
    expect(page.body).toContain('angenommen');
    expect(page.body).toContain(`/sitzungen/${meetingId}/niederschrift.pdf`);
    expect(page.body).not.toContain('Vertraulich');
    expect(page.body).not.toContain('22/2027');
    expect(page.body).not.toContain('/versammlung/');
    const staff = await admin.get(`/sitzungen/${meetingId}`);
    expect(staff.body).toContain('Personalangelegenheit Vertraulich');
    expect(staff.body).toContain('nichtöffentlich');
    expect((await visitor.get('/sitzungen/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });
});

describe('the association pages', () => {
  it('are for governance.manage only', async () => {
    expect((await admin.get('/versammlung')).statusCode).toBe(200);
    expect((await memberAdmin.get('/versammlung')).statusCode).toBe(403);
    const anon = await visitor.get('/versammlung');
    expect([302, 303, 401]).toContain(anon.statusCode);
    const finance = await loggedIn(t.app, DEMO.associationFinance);
    expect((await finance.get('/versammlung')).statusCode).toBe(403);
  });

  it('run a meeting by forms: create, TOP, presence, resolution, vote, result', async () => {
    await admin.get('/versammlung');
    let res = await admin.postForm('/versammlung/sitzungen', { title: 'X', date: '', time: '16:00' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="error-summary"');
    res = await admin.postForm('/versammlung/sitzungen', {
      title: 'Verbandsversammlung Formular 2028',
      date: '2028-03-09',
      time: '17:30',
      place: 'Cottbus',
    });
    expect(res.statusCode, res.body).toBe(303);
    const url = res.headers.location as string;
    const meetingId = url.split('/').pop()!;
    let page = await admin.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('09.03.2028, 17:30 Uhr');
    expect(page.body).toContain('Die Sitzung wurde angelegt.');
    // The rules in force, and where they are a configurable default because the statute is silent.
    expect(page.body).toContain('Jedes Mitglied hat eine Stimme.');
    expect(page.body).toContain('sind diese Regeln eine Voreinstellung und einstellbar');

    res = await admin.postForm(`${url}/tagesordnung`, { topNumber: 'TOP 1', topTitle: '', public: 'true' });
    expect(res.statusCode).toBe(422);
    await admin.get(url);
    res = await admin.postForm(`${url}/tagesordnung`, {
      topNumber: 'TOP 1',
      topTitle: 'Wirtschaftsplan 2028',
      public: 'true',
    });
    expect(res.statusCode).toBe(303);
    page = await admin.get(url);
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    const all = await voters('2028-03-09');
    const present = all.slice(0, Math.ceil(all.length * 0.75)).map((m) => m.id);
    res = await admin.postForm(`${url}/anwesenheit`, { memberIds: present, version });
    expect(res.statusCode, res.body).toBe(303);
    page = await admin.get(url);
    expect(page.body).toContain(`${present.length} von ${all.length} Mitgliedern vertreten`);
    const topId = /<option value="([0-9a-f-]{36})"[^>]*>TOP 1 – Wirtschaftsplan 2028/.exec(page.body)![1]!;
    res = await admin.postForm(`${url}/beschluesse`, {
      agendaItemId: topId,
      number: '1/2028',
      kind: 'adopt_catalog_version',
      title: 'Ohne Entwurf',
      versionId: '',
      inForceFrom: '',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Für diese Art von Beschluss fehlen Angaben.');
    await admin.get(url);
    res = await admin.postForm(`${url}/beschluesse`, {
      agendaItemId: topId,
      number: '1/2028',
      kind: 'other',
      title: 'Wirtschaftsplan 2028 beschließen',
      text: 'Die Verbandsversammlung beschließt den Wirtschaftsplan 2028.',
    });
    expect(res.statusCode, res.body).toBe(303);
    const voteUrl = res.headers.location as string;
    expect(voteUrl).toMatch(/^\/versammlung\/beschluesse\/[0-9a-f-]{36}\/abstimmung$/);
    page = await admin.get(voteUrl);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Abstimmung über Beschluss 1/2028');
    const rversion = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    // A missing ballot is shown at its row, nothing recorded.
    const partial: Record<string, string> = { version: rversion };
    for (const id of present.slice(1)) partial[`b-${id}`] = 'yes';
    res = await admin.postForm(voteUrl, partial);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain(`href="#f-b-${present[0]}"`);
    // A ballot of a non-member smuggled into the form is refused with the service's message.
    await admin.get(voteUrl);
    const niemegkTown = await memberIdByName(t.database, 'Niemegk');
    const smuggled: Record<string, string> = { version: rversion, [`b-${niemegkTown}`]: 'yes' };
    for (const id of present) smuggled[`b-${id}`] = 'yes';
    res = await admin.postForm(voteUrl, smuggled);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Nur Mitglieder des Verbandes können abstimmen.');
    await admin.get(voteUrl);
    const full: Record<string, string> = { version: rversion };
    for (const id of present) full[`b-${id}`] = 'yes';
    res = await admin.postForm(voteUrl, full);
    expect(res.statusCode, res.body).toBe(303);
    page = await admin.get(voteUrl);
    expect(page.body).toContain('Der Beschluss ist angenommen.');
    expect(page.body).toContain('beschlussfähig.');
    expect(page.body).toContain(`Ja: ${present.length}, Nein: 0, Enthaltung: 0 Stimmen`);
    expect(page.body).toContain('vollzogen am');
    // In force from the meeting day (the resolution has no date of its own).
    const pub0 = await visitor.get(`/sitzungen/${meetingId}`);
    expect(pub0.body).toMatch(/angenommen[\s\S]*09\.03\.2028/);
    const pub = await visitor.get(`/sitzungen/${meetingId}`);
    expect(pub.body).toContain('Wirtschaftsplan 2028 beschließen');
  });
});
