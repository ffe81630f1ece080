/**
 * The assembly on a real database (PGlite and PostgreSQL): a vote that carries puts a catalogue version
 * in force, once; a vote that fails quorum or the majority has no effect; a vote by a non-member is refused and changes
 * nothing; an admission runs through its four steps and the member is in from the day after publication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/tx.js';
import {
  draftCatalogVersion,
  getCatalogVersion,
  priceAt,
  setDraftItem,
} from '../../src/modules/catalog/catalog.service.js';
import {
  addAgendaItem,
  admissionState,
  applyResolution,
  createMeeting,
  draftResolution,
  recordAdmissionStep,
  recordPresence,
  recordVote,
} from '../../src/modules/governance/governance.service.js';
import { createMember, getMember, votingMembersOn } from '../../src/modules/members/members.service.js';
import { InvalidStateError, ValidationError } from '../../src/shared/errors.js';
import { memberIdByName, type TestApp, testApp, writeAll } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

const asAssociation = <T>(fn: (tx: Tx) => Promise<T>) => writeAll(t.database, fn);

async function meetingWith(title: string, startsAt: string, presentShare: number) {
  return asAssociation(async (tx) => {
    const { id } = await createMeeting(tx, { title, startsAt, place: 'Cottbus' });
    const voters = await votingMembersOn(tx, startsAt.slice(0, 10));
    const present = voters.slice(0, Math.floor(voters.length * presentShare)).map((m) => m.id);
    await recordPresence(tx, id, present);
    const top = await addAgendaItem(tx, id, {
      position: 1,
      number: 'TOP 1',
      title: 'Beschlüsse',
      public: true,
    });
    return { meetingId: id, agendaItemId: top.id, present, voters };
  });
}

describe('resolutions and votes', () => {
  it('a carried resolution adopts a catalogue version in force from its date, applied once', async () => {
    const v20 = (await asAssociation((tx) => getCatalogVersion(tx, { number: '2.0' }))).version;
    const draft = await asAssociation(async (tx) => {
      const d = await draftCatalogVersion(tx, { number: '2.3', title: 'LEV 2.3', basedOn: v20.id });
      const items = (await getCatalogVersion(tx, { id: d.id })).items;
      const it = items.find((i) => i.serviceCode === 'druck-sw')!;
      await setDraftItem(tx, d.id, { ...it, price: { model: 'unit', unitCents: '3.2' } });
      return d;
    });
    const m = await meetingWith('Verbandsversammlung 1/2027', '2027-03-11T16:00:00+01:00', 0.8);
    const { id } = await asAssociation((tx) =>
      draftResolution(tx, {
        agendaItemId: m.agendaItemId,
        number: '1/2027',
        kind: 'adopt_catalog_version',
        title: 'Leistungs- und Entgeltverzeichnis 2.3',
        payload: { versionId: draft.id, inForceFrom: '2027-07-01' },
      }),
    );
    const result = await asAssociation((tx) =>
      recordVote(
        tx,
        id,
        m.present.map((memberId, i) => ({ memberId, ballot: i === 0 ? ('no' as const) : ('yes' as const) })),
      ),
    );
    expect(result).toMatchObject({ carried: true, applied: true });
    expect(result.tally).toMatchObject({ quorate: true, no: 1, totalVotes: m.voters.length });
    const adopted = await asAssociation((tx) => getCatalogVersion(tx, { id: draft.id }));
    expect(adopted.version).toMatchObject({
      status: 'adopted',
      adoptedOn: '2027-03-11',
      inForceFrom: '2027-07-01',
    });
    expect(adopted.version.resolutionRef).toBe('Beschluss 1/2027 vom 11.03.2027');
    await asAssociation(async (tx) => {
      expect((await priceAt(tx, 'druck-sw', '2027-06-30'))?.item.price).toEqual({
        model: 'unit',
        unitCents: '3.5',
      });
      expect((await priceAt(tx, 'druck-sw', '2027-07-01'))?.item.price).toEqual({
        model: 'unit',
        unitCents: '3.2',
      });
    });
    expect(await asAssociation((tx) => applyResolution(tx, id))).toBe(false);
    await expect(asAssociation((tx) => recordVote(tx, id, []))).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('a vote without quorum is recorded and has no effect', async () => {
    const v20 = (await asAssociation((tx) => getCatalogVersion(tx, { number: '2.0' }))).version;
    const draft = await asAssociation((tx) =>
      draftCatalogVersion(tx, { number: '2.4', title: 'LEV 2.4', basedOn: v20.id }),
    );
    const m = await meetingWith('Verbandsversammlung 2/2027', '2027-06-10T16:00:00+02:00', 0.3);
    const { id } = await asAssociation((tx) =>
      draftResolution(tx, {
        agendaItemId: m.agendaItemId,
        number: '2/2027',
        kind: 'adopt_catalog_version',
        title: 'LEV 2.4',
        payload: { versionId: draft.id, inForceFrom: '2028-01-01' },
      }),
    );
    const result = await asAssociation((tx) =>
      recordVote(
        tx,
        id,
        m.present.map((memberId) => ({ memberId, ballot: 'yes' as const })),
      ),
    );
    expect(result).toMatchObject({
      carried: false,
      applied: false,
      tally: { quorate: false, reason: 'not_quorate' },
    });
    expect((await asAssociation((tx) => getCatalogVersion(tx, { id: draft.id }))).version.status).toBe(
      'draft',
    );
    await expect(asAssociation((tx) => applyResolution(tx, id))).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('a vote that misses the majority is recorded and has no effect', async () => {
    // 60 % present, all yes but one third of them no: quorate, yet below two thirds of all members.
    const m = await meetingWith('Verbandsversammlung 5/2027', '2027-11-11T16:00:00+01:00', 0.6);
    const applicant = await asAssociation((tx) =>
      createMember(tx, {
        name: 'Anwärtergemeinde',
        kind: 'gemeinde',
        ags: '12070999',
        appliedOn: '2027-05-01',
      }),
    );
    const { id } = await asAssociation((tx) =>
      draftResolution(tx, {
        agendaItemId: m.agendaItemId,
        number: '5/2027',
        kind: 'admit_members',
        title: 'Aufnahme der Anwärtergemeinde',
        payload: { memberIds: [applicant.id] },
      }),
    );
    const result = await asAssociation((tx) =>
      recordVote(
        tx,
        id,
        m.present.map((memberId, i) => ({
          memberId,
          ballot: i % 3 === 0 ? ('no' as const) : ('yes' as const),
        })),
      ),
    );
    expect(result.tally.quorate).toBe(true);
    expect(result.tally.yes).toBeGreaterThan(result.tally.no);
    expect(result).toMatchObject({ carried: false, applied: false, tally: { reason: 'no_majority' } });
    const state = await asAssociation((tx) => admissionState(tx, applicant.id));
    expect(state.steps.find((s) => s.step === 'amending_statute')?.doneOn).toBeNull();
    expect(state.memberFrom).toBeNull();
    await expect(asAssociation((tx) => applyResolution(tx, id))).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('refuses a vote by a non-member and changes nothing', async () => {
    const m = await meetingWith('Verbandsversammlung 3/2027', '2027-09-09T16:00:00+02:00', 0.9);
    const { id } = await asAssociation((tx) =>
      draftResolution(tx, {
        agendaItemId: m.agendaItemId,
        number: '3/2027',
        kind: 'other',
        title: 'Sonstiges',
      }),
    );
    // A municipality of an Amt is not itself a member: its Amt votes.
    const niemegkTown = await memberIdByName(t.database, 'Niemegk');
    await expect(
      asAssociation((tx) => recordVote(tx, id, [{ memberId: niemegkTown, ballot: 'yes' }])),
    ).rejects.toMatchObject({ issues: [{ field: 'ballots', code: 'vote.not_a_member' }] });
    const again = await asAssociation((tx) =>
      recordVote(tx, id, [{ memberId: m.present[0]!, ballot: 'yes' }]),
    );
    expect(again.carried).toBe(true);
  });
});

describe('admission', () => {
  it('runs council decision → amending statute (by vote) → approval → publication; a member from the day after', async () => {
    const joining = await asAssociation((tx) =>
      createMember(tx, { name: 'Beitrittsstadt', kind: 'stadt', ags: '12069017', appliedOn: '2027-01-15' }),
    );
    await asAssociation((tx) =>
      recordAdmissionStep(tx, joining.id, {
        step: 'council_decision',
        doneOn: '2027-01-10',
        reference: 'SVV-Beschluss 12/2027',
      }),
    );
    await expect(
      asAssociation((tx) => recordAdmissionStep(tx, joining.id, { step: 'approval', doneOn: '2027-05-01' })),
    ).rejects.toBeInstanceOf(InvalidStateError);
    const m = await meetingWith('Verbandsversammlung 4/2027', '2027-03-18T16:00:00+01:00', 0.9);
    const { id } = await asAssociation((tx) =>
      draftResolution(tx, {
        agendaItemId: m.agendaItemId,
        number: '4/2027',
        kind: 'admit_members',
        title: 'Änderungssatzung: Aufnahme der Beitrittsstadt',
        payload: { memberIds: [joining.id] },
      }),
    );
    const vote = await asAssociation((tx) =>
      recordVote(
        tx,
        id,
        m.present.map((memberId) => ({ memberId, ballot: 'yes' as const })),
      ),
    );
    expect(vote).toMatchObject({ carried: true, applied: true });
    let state = await asAssociation((tx) => admissionState(tx, joining.id));
    expect(state.waitingFor).toBe('approval');
    await asAssociation((tx) =>
      recordAdmissionStep(tx, joining.id, {
        step: 'approval',
        doneOn: '2027-05-31',
        reference: 'MIK 33-347-27',
      }),
    );
    await expect(
      asAssociation((tx) =>
        recordAdmissionStep(tx, joining.id, { step: 'publication', doneOn: '2027-05-01' }),
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    state = await asAssociation((tx) =>
      recordAdmissionStep(tx, joining.id, {
        step: 'publication',
        doneOn: '2027-06-22',
        reference: 'ABl. 2027 Nr. 24',
      }),
    );
    expect(state).toMatchObject({ waitingFor: null, memberFrom: '2027-06-23' });
    const member = await asAssociation((tx) => getMember(tx, joining.id));
    expect(member).toMatchObject({ admittedOn: '2027-06-23', recordedStatus: 'active' });
    // Recording the same step again changes nothing.
    await asAssociation((tx) =>
      recordAdmissionStep(tx, joining.id, { step: 'publication', doneOn: '2027-06-22' }),
    );
    expect((await asAssociation((tx) => getMember(tx, joining.id))).version).toBe(member.version);
  });
});
