/**
 * The demo assembly (seed 004): 37 members the day before 11 March 2021, 44 once the seven admitted that
 * day are in (the day after the Amtsblatt publication, not before); the meeting's three resolutions
 * carried by votes recorded per member and applied once — catalogue 2.0 adopted BY resolution 3/2021;
 * the steering group; example representatives; the next meeting invited with a non-public item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCatalogVersion, priceAt } from '../../src/modules/catalog/catalog.service.js';
import { DEMO_ADMISSIONS_2021, DEMO_STEERING_GROUP } from '../../src/modules/governance/governance.demo.js';
import { admissionState, applyResolution } from '../../src/modules/governance/governance.service.js';
import { votingMembersOn } from '../../src/modules/members/members.service.js';
import { addDays } from '../../src/shared/effective.js';
import { memberIdByName, readAll, type TestApp, testApp, writeAll } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

const count = (day: string) => readAll(t.database, async (tx) => (await votingMembersOn(tx, day)).length);

async function march2021() {
  return readAll(t.database, async (tx) => {
    const meeting = await tx.db
      .selectFrom('meetings')
      .selectAll()
      .where('starts_at', '=', new Date('2021-03-11T09:00:00Z'))
      .executeTakeFirstOrThrow();
    const resolutions = await tx.db
      .selectFrom('resolutions')
      .selectAll()
      .where('meeting_id', '=', meeting.id)
      .orderBy('number')
      .execute();
    const items = await tx.db
      .selectFrom('agenda_items')
      .selectAll()
      .where('meeting_id', '=', meeting.id)
      .orderBy('position')
      .execute();
    return { meeting, resolutions, items };
  });
}

describe('demo assembly of 11 March 2021', () => {
  it('counts 29 members after the founding, 37 on 2021-03-10, 44 once the seven are in', async () => {
    const published = DEMO_ADMISSIONS_2021.publicationOn;
    expect(await count('2020-05-20')).toBe(29);
    expect(await count('2021-01-31')).toBe(29);
    expect(await count('2021-02-01')).toBe(37);
    expect(await count('2021-03-10')).toBe(37);
    expect(await count('2021-03-11')).toBe(37);
    expect(await count(published)).toBe(37);
    expect(await count(addDays(published, 1))).toBe(44);
  });

  it('the seven went through council decision, amending statute, approval and publication', async () => {
    const { resolutions } = await march2021();
    const admission = resolutions.find((r) => r.number === '1/2021')!;
    for (const m of DEMO_ADMISSIONS_2021.members) {
      const id = await memberIdByName(t.database, m.name);
      const state = await readAll(t.database, (tx) => admissionState(tx, id));
      expect(state.waitingFor).toBeNull();
      expect(state.steps.map((s) => s.step)).toEqual([
        'council_decision',
        'amending_statute',
        'approval',
        'publication',
      ]);
      expect(state.steps[1]!.doneOn).toBe('2021-03-11');
      expect(state.memberFrom).toBe(addDays(DEMO_ADMISSIONS_2021.publicationOn, 1));
      const step = await readAll(t.database, (tx) =>
        tx.db
          .selectFrom('admission_steps')
          .select('resolution_id')
          .where('member_id', '=', id)
          .where('step', '=', 'amending_statute')
          .executeTakeFirstOrThrow(),
      );
      expect(step.resolution_id).toBe(admission.id);
      expect((admission.payload as { memberIds: string[] }).memberIds).toContain(id);
    }
  });

  it('has its three public resolutions carried and applied, votes recorded per present member', async () => {
    const { meeting, resolutions } = await march2021();
    expect(meeting.status).toBe('held');
    expect(resolutions.map((r) => [r.number, r.kind, r.carried, r.applied_at !== null])).toEqual([
      ['1/2021', 'admit_members', true, true],
      ['2/2021', 'award_contract', true, true],
      ['3/2021', 'adopt_catalog_version', true, true],
    ]);
    for (const r of resolutions) {
      const votes = await readAll(t.database, (tx) =>
        tx.db.selectFrom('resolution_votes').selectAll().where('resolution_id', '=', r.id).execute(),
      );
      // Everyone entitled that day has a row: present with a ballot, the others absent.
      expect(votes).toHaveLength(37);
      expect(votes.filter((v) => v.ballot !== 'absent')).toHaveLength(meeting.present_member_ids.length);
      const tally = r.tally as { yes: number; no: number; abstain: number };
      expect(votes.filter((v) => v.ballot === 'yes').reduce((s, v) => s + v.votes, 0)).toBe(tally.yes);
    }
    // A second application changes nothing.
    expect(await writeAll(t.database, (tx) => applyResolution(tx, resolutions[0]!.id))).toBe(false);
  });

  it('catalogue 2.0 is adopted by resolution 3/2021 and in force from 2022-01-01', async () => {
    const { resolutions } = await march2021();
    const r3 = resolutions.find((r) => r.number === '3/2021')!;
    const v20 = await readAll(t.database, (tx) => getCatalogVersion(tx, { number: '2.0' }));
    expect(v20.version.adoptedOn).toBe('2021-03-11');
    expect(v20.version.resolutionRef).toBe('Beschluss 3/2021 vom 11.03.2021');
    const row = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('catalog_versions')
        .selectAll()
        .where('id', '=', v20.version.id)
        .executeTakeFirstOrThrow(),
    );
    expect(row.resolution_id).toBe(r3.id);
    const before = await readAll(t.database, (tx) => priceAt(tx, 'it-consulting', '2021-12-31'));
    const after = await readAll(t.database, (tx) => priceAt(tx, 'it-consulting', '2022-01-01'));
    expect(before?.item.price).toEqual({ model: 'unit', unitCents: '9500' });
    expect(after?.item.price).toEqual({ model: 'unit', unitCents: '10500' });
  });

  it('has a non-public item and the steering group of seed 004', async () => {
    const { items } = await march2021();
    expect(items.filter((i) => !i.public).map((i) => i.number)).toEqual(['TOP 8']);
    const group = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('steering_group_members')
        .innerJoin('members', 'members.id', 'steering_group_members.member_id')
        .select('members.name')
        .execute(),
    );
    expect(group.map((g) => g.name).sort()).toEqual(DEMO_STEERING_GROUP.map((s) => s.member).sort());
  });

  it('every member entitled after the admissions has example representatives', async () => {
    const reps = await readAll(t.database, (tx) =>
      tx.db.selectFrom('assembly_representatives').selectAll().execute(),
    );
    const voters = await readAll(t.database, (tx) => votingMembersOn(tx, '2021-06-01'));
    for (const v of voters) {
      const own = reps.filter((r) => r.member_id === v.id);
      expect(own.map((r) => r.role).sort()).toEqual(['deputy', 'representative']);
    }
    expect(reps.every((r) => r.is_example)).toBe(true);
    expect(reps.every((r) => r.function && r.function.length > 3)).toBe(true);
  });

  it('has a next meeting in the future, invited, with a non-public item', async () => {
    const today = new Date();
    const next = await readAll(t.database, (tx) =>
      tx.db.selectFrom('meetings').selectAll().where('starts_at', '>', today).execute(),
    );
    const demo = next.filter((m) => m.title.includes('nächste Sitzung'));
    expect(demo).toHaveLength(1);
    expect(demo[0]!.status).toBe('invited');
    expect(demo[0]!.invited_on).not.toBeNull();
    const items = await readAll(t.database, (tx) =>
      tx.db.selectFrom('agenda_items').selectAll().where('meeting_id', '=', demo[0]!.id).execute(),
    );
    expect(items.some((i) => !i.public)).toBe(true);
  });
});
