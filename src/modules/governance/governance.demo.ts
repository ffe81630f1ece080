/**
 * The demo assembly (Verbandsversammlung), as far as it is known and honestly marked where it is not.
 *
 * Facts (seed 004: Potsdam, Ausschuss für Partizipation, Transparenz und Digitalisierung, 16.03.2021):
 * the steering group (Projektsteuerungsgruppe) of Potsdam (since 2021), the association, the Städte- und
 * Gemeindebund, Angermünde, Senftenberg, Heideblick, Amt Rhinow, Bad Belzig and Nuthetal prepared the
 * assembly of 11 March 2021 (steering group meeting 18.02.2021); the assembly admitted seven new members
 * (44 members then), awarded the operation of the new data centre from 2022 (Deutsche Telekom Business
 * Solutions GmbH, competitive dialogue, 10 years, Cottbus, IaaS) and adopted the Leistungs- und
 * Entgeltverzeichnis version 2.0; it heard the preliminary result of 2020.
 *
 * Examples (not published): the seven members' names (demo.data.ts, "Beispiel-Beitritt"), every date of
 * their admission procedure but the assembly's, the place and hour, who was present and how each member
 * voted, the representatives' names, the non-public item and the next meeting.
 */
import type { Tx } from '../../db/tx.js';
import { addDays } from '../../shared/effective.js';
import { getCatalogVersion } from '../catalog/catalog.service.js';
import type { MemberDto } from '../members/members.schema.js';
import { associationMemberId, getMember, votingMembersOn } from '../members/members.service.js';
import { insertRepresentatives, insertSteeringGroupMembers, markInvited } from './assembly.repository.js';
import { uploadMeetingDocument } from './documents.service.js';
import {
  addAgendaItem,
  createMeeting,
  draftResolution,
  recordAdmissionStep,
  recordPresence,
  recordVote,
} from './governance.service.js';
import { renderInvitationPdf } from './minutes.pdf.js';
import type { Ballot } from './voting.js';

/** The catalogue version the assembly adopts, and from when (catalog.demo.ts seeds it as a draft). */
const DEMO_CATALOG_VERSION = '2.0';
const DEMO_CATALOG_IN_FORCE = '2022-01-01';

/** The steering group as seed 004 names it. Potsdam since its admission in 2021; the others' start is an example. */
export const DEMO_STEERING_GROUP: readonly { member: string; since: string }[] = [
  { member: 'Landeshauptstadt Potsdam', since: '2021-02-01' },
  { member: 'Zweckverband Digitale Kommunen Brandenburg', since: '2020-05-20' },
  { member: 'Städte- und Gemeindebund Brandenburg', since: '2020-05-20' },
  { member: 'Angermünde', since: '2020-05-20' },
  { member: 'Senftenberg', since: '2020-05-20' },
  { member: 'Heideblick', since: '2020-05-20' },
  { member: 'Amt Rhinow', since: '2020-05-20' },
  { member: 'Bad Belzig', since: '2020-05-20' },
  { member: 'Nuthetal', since: '2020-05-20' },
];

/**
 * The seven members admitted on 11 March 2021 (example accessions, see demo.data.ts) and the example
 * dates of their procedure: council decision (= applied_on in demo.data.ts), the assembly's amending
 * statute (the resolution), the approval of the Ministry of the Interior (MIK) and the publication in
 * the Amtsblatt für Brandenburg; members from the day after publication.
 */
export const DEMO_ADMISSIONS_2021 = {
  members: [
    { name: 'Forst (Lausitz)', council: 'Stadtverordnetenversammlung' },
    { name: 'Guben', council: 'Stadtverordnetenversammlung' },
    { name: 'Wittstock/Dosse', council: 'Stadtverordnetenversammlung' },
    { name: 'Kloster Lehnin', council: 'Gemeindevertretung' },
    { name: 'Milower Land', council: 'Gemeindevertretung' },
    { name: 'Neuhausen/Spree', council: 'Gemeindevertretung' },
    { name: 'Am Mellensee', council: 'Gemeindevertretung' },
  ],
  approvalOn: '2021-05-04',
  approvalRef: 'Beispiel: Genehmigung des Ministeriums des Innern und für Kommunales vom 04.05.2021',
  publicationOn: '2021-05-26',
  publicationRef: 'Beispiel: Amtsblatt für Brandenburg 2021 Nr. 20',
} as const;

export const DEMO_MEETING_2021 = {
  title: 'Verbandsversammlung am 11. März 2021',
  startsAt: '2021-03-11T10:00:00+01:00',
  invitedOn: '2021-02-25',
  place: 'Cottbus/Chóśebuz (Beispiel: Ort und Uhrzeit sind nicht veröffentlicht)',
  /** Example: the members not represented that day. */
  absent: ['Premnitz', 'Gumtow', 'Amt Neuzelle', 'Wittenberge'],
} as const;

const FIRST_NAMES = [
  'Anke',
  'Bernd',
  'Claudia',
  'Dirk',
  'Elke',
  'Frank',
  'Gabriele',
  'Heiko',
  'Ines',
  'Jens',
  'Katrin',
  'Lars',
  'Manuela',
  'Norbert',
  'Petra',
  'Ralf',
  'Sabine',
  'Thomas',
  'Ulrike',
  'Volker',
  'Yvonne',
];
const SURNAMES = ['Muster', 'Beispiel', 'Exempel', 'Mustermann', 'Musterfrau', 'Probe'];

/** An obviously invented name (the list of real representatives is not published). */
function exampleName(i: number): string {
  return `${FIRST_NAMES[i % FIRST_NAMES.length]} ${SURNAMES[Math.floor(i / FIRST_NAMES.length) % SURNAMES.length]}`;
}

function functionOf(kind: string, name: string): { rep: string; deputy: string } {
  if (name === 'Landeshauptstadt Potsdam' || name === 'Cottbus/Chóśebuz')
    return { rep: 'Oberbürgermeister/in', deputy: 'Beigeordnete/r' };
  if (kind === 'amt') return { rep: 'Amtsdirektor/in', deputy: 'Allgemeine/r Stellvertreter/in' };
  if (kind === 'verband') return { rep: 'Geschäftsführer/in', deputy: 'Referent/in' };
  return { rep: 'Bürgermeister/in', deputy: 'Allgemeine/r Stellvertreter/in' };
}

/** The Berlin UTC offset of a day ("+01:00" or "+02:00"). */
function berlinOffset(day: string): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'shortOffset' })
    .formatToParts(new Date(`${day}T12:00:00Z`))
    .find((p) => p.type === 'timeZoneName')?.value;
  return name === 'GMT+2' ? '+02:00' : '+01:00';
}

/** The next assembly: the first Thursday at least eight weeks after today, 10:00 in Berlin. */
export function nextDemoMeetingDay(today: string): string {
  let day = addDays(today, 56);
  while (new Date(`${day}T12:00:00Z`).getUTCDay() !== 4) day = addDays(day, 1);
  return day;
}

const ballotsFor = (present: readonly string[], pattern: Record<number, Ballot>) =>
  present.map((memberId, i) => ({ memberId, ballot: pattern[i] ?? ('yes' as Ballot) }));

/**
 * Seeds the assembly: steering group, representatives, the meeting of 11 March 2021 with its agenda,
 * three resolutions voted per member and applied (admission, award, catalogue 2.0), the seven members'
 * admission procedure, and the next meeting (invited, with a non-public item). Runs once, inside the
 * demo seed's transaction (which is skipped as a whole when the demo exists).
 */
export async function seedDemoAssembly(
  tx: Tx,
  byName: ReadonlyMap<string, string>,
): Promise<{ meetingId: string; nextMeetingId: string }> {
  const id = (name: string) => {
    const v = byName.get(name);
    if (!v) throw new Error(`demo assembly: unknown member ${name}`);
    return v;
  };

  await insertSteeringGroupMembers(
    tx,
    DEMO_STEERING_GROUP.map((s) => ({ member_id: id(s.member), valid_from: s.since })),
  );

  // Representatives (examples) of everyone entitled to vote once the seven are in.
  const admitted = DEMO_ADMISSIONS_2021.members.map((m) => id(m.name));
  const newFrom = addDays(DEMO_ADMISSIONS_2021.publicationOn, 1);
  const voters = await votingMembersOn(tx, '2021-03-10');
  const members = new Map<string, MemberDto>();
  for (const memberId of [...voters.map((v) => v.id), ...admitted])
    members.set(memberId, await getMember(tx, memberId));
  const represented = [...voters.map((v) => v.id), ...admitted];
  await insertRepresentatives(
    tx,
    represented.flatMap((memberId, i) => {
      const m = members.get(memberId)!;
      const f = functionOf(m.kind, m.name);
      const from = m.admittedOn ?? newFrom;
      return [
        {
          member_id: memberId,
          name: exampleName(2 * i),
          function: f.rep,
          role: 'representative' as const,
          valid_from: from,
          is_example: true,
        },
        {
          member_id: memberId,
          name: exampleName(2 * i + 1),
          function: f.deputy,
          role: 'deputy' as const,
          valid_from: from,
          is_example: true,
        },
      ];
    }),
  );

  // The seven's councils decided to join (example dates: their application day).
  for (const m of DEMO_ADMISSIONS_2021.members) {
    const memberId = id(m.name);
    const appliedOn = members.get(memberId)!.appliedOn!;
    await recordAdmissionStep(tx, memberId, {
      step: 'council_decision',
      doneOn: appliedOn,
      reference: `Beispiel: Beschluss der ${m.council} ${m.name} vom ${appliedOn.split('-').reverse().join('.')}`,
    });
  }

  // Catalogue 2.0, seeded by the catalogue as a draft: the assembly adopts it.
  const v20 = (await getCatalogVersion(tx, { number: DEMO_CATALOG_VERSION })).version;
  if (v20.status !== 'draft') throw new Error('demo assembly: catalogue 2.0 is not a draft');

  // The meeting of 11 March 2021.
  const mt = DEMO_MEETING_2021;
  const { id: meetingId } = await createMeeting(tx, {
    title: mt.title,
    startsAt: mt.startsAt,
    place: mt.place,
  });
  await markInvited(tx, meetingId, mt.invitedOn);
  const items: { number: string; title: string; public: boolean; steering?: boolean }[] = [
    {
      number: 'TOP 1',
      title: 'Eröffnung, Feststellung der ordnungsgemäßen Ladung und der Beschlussfähigkeit',
      public: true,
    },
    { number: 'TOP 2', title: 'Bestätigung der Tagesordnung', public: true },
    {
      number: 'TOP 3',
      title:
        'Bericht des Verbandsvorstehers: Übergang des kommunalen Rechenzentrums Cottbus (Vertrag unterzeichnet)',
      public: true,
      steering: true,
    },
    {
      number: 'TOP 4',
      title: 'Aufnahme von sieben neuen Mitgliedern – Satzung zur Änderung der Verbandssatzung',
      public: true,
      steering: true,
    },
    {
      number: 'TOP 5',
      title: 'Vergabe des Betriebs des neuen Rechenzentrums ab 2022',
      public: true,
      steering: true,
    },
    {
      number: 'TOP 6',
      title: 'Leistungs- und Entgeltverzeichnis (Version 2.0)',
      public: true,
      steering: true,
    },
    {
      number: 'TOP 7',
      title: 'Information zum vorläufigen Jahresergebnis 2020',
      public: true,
      steering: true,
    },
    { number: 'TOP 8', title: 'Personalangelegenheiten der Geschäftsstelle (Beispiel)', public: false },
    { number: 'TOP 9', title: 'Verschiedenes', public: true },
  ];
  const top = new Map<string, string>();
  for (const [i, it] of items.entries()) {
    const { id: itemId } = await addAgendaItem(tx, meetingId, {
      position: i + 1,
      number: it.number,
      title: it.title,
      public: it.public,
      preparedBySteeringGroup: it.steering ?? false,
    });
    top.set(it.number, itemId);
  }
  const absent = new Set(mt.absent.map(id));
  const present = voters.map((v) => v.id).filter((v) => !absent.has(v));
  await recordPresence(tx, meetingId, present);

  const r1 = await draftResolution(tx, {
    agendaItemId: top.get('TOP 4')!,
    number: '1/2021',
    kind: 'admit_members',
    title: 'Aufnahme von sieben neuen Mitgliedern (Satzung zur Änderung der Verbandssatzung)',
    text:
      'Die Verbandsversammlung beschließt die Satzung zur Änderung der Verbandssatzung, mit der ' +
      `${DEMO_ADMISSIONS_2021.members.map((m) => m.name).join(', ')} als Verbandsmitglieder in die Anlage 1 ` +
      'aufgenommen werden (Namen sind Beispiele; die Namen der sieben Mitglieder sind nicht veröffentlicht). ' +
      'Die Änderungssatzung bedarf der Genehmigung durch das Ministerium des Innern und für Kommunales und ' +
      'tritt am Tag nach ihrer Bekanntmachung im Amtsblatt für Brandenburg in Kraft.',
    payload: { memberIds: admitted },
  });
  const r2 = await draftResolution(tx, {
    agendaItemId: top.get('TOP 5')!,
    number: '2/2021',
    kind: 'award_contract',
    title: 'Vergabe des Betriebs des neuen Rechenzentrums ab 2022',
    text:
      'Die Verbandsversammlung stimmt dem Zuschlag im wettbewerblichen Dialog an die Deutsche Telekom ' +
      'Business Solutions GmbH zu: Betrieb des neuen Rechenzentrums am Standort Cottbus als Infrastructure ' +
      'as a Service (IaaS) ab dem 01.01.2022, Laufzeit 10 Jahre. Neben technischen und wirtschaftlichen ' +
      'Kriterien wurden Umweltaspekte bewertet (Strom zum Teil aus Photovoltaik).',
    payload: {
      contractor: 'Deutsche Telekom Business Solutions GmbH',
      subject: 'Betrieb des neuen Rechenzentrums (IaaS), Standort Cottbus, Laufzeit 10 Jahre',
      from: '2022-01-01',
      until: '2031-12-31',
    },
    effectiveOn: '2022-01-01',
  });
  const r3 = await draftResolution(tx, {
    agendaItemId: top.get('TOP 6')!,
    number: '3/2021',
    kind: 'adopt_catalog_version',
    title: 'Beschluss des Leistungs- und Entgeltverzeichnisses (Version 2.0)',
    text:
      'Die Verbandsversammlung beschließt das Leistungs- und Entgeltverzeichnis Version 2.0 mit den ' +
      'Bereichen IT-Strategie, Fachanwendungen, Rechenzentrums- und Netzbetrieb, Groupware sowie Druck & ' +
      'Kuvertierung. Es gilt ab dem 01.01.2022 (Beispiel: Beginn des Betriebs im neuen Rechenzentrum) und ' +
      'ersetzt die Version 1.0. Die Entgelte sind Beispielwerte, zum Beispiel IT-Consulting 105,00 € je ' +
      'Stunde (angelehnt an die Entgeltordnung der SAKD ab 2021).',
    payload: { versionId: v20.id, inForceFrom: DEMO_CATALOG_IN_FORCE },
    effectiveOn: DEMO_CATALOG_IN_FORCE,
  });
  // Votes per member (examples): the admission unanimous but one abstention; the award with one no.
  await recordVote(tx, r1.id, ballotsFor(present, { 5: 'abstain' }));
  await recordVote(tx, r2.id, ballotsFor(present, { 3: 'no', 8: 'abstain', 14: 'abstain' }));
  await recordVote(tx, r3.id, ballotsFor(present, { 8: 'abstain', 20: 'abstain' }));

  // The supervisory authority approves, the Amtsblatt publishes: members from the day after.
  for (const memberId of admitted) {
    await recordAdmissionStep(tx, memberId, {
      step: 'approval',
      doneOn: DEMO_ADMISSIONS_2021.approvalOn,
      reference: DEMO_ADMISSIONS_2021.approvalRef,
    });
    await recordAdmissionStep(tx, memberId, {
      step: 'publication',
      doneOn: DEMO_ADMISSIONS_2021.publicationOn,
      reference: DEMO_ADMISSIONS_2021.publicationRef,
    });
  }

  // The next meeting: planned, invited today, with a non-public item.
  const today = tx.ctx.clock.today();
  const day = nextDemoMeetingDay(today);
  const next = {
    title: 'Verbandsversammlung (nächste Sitzung, Beispiel)',
    startsAt: `${day}T10:00:00${berlinOffset(day)}`,
    place: 'Cottbus/Chóśebuz, Sitz des Verbandes (Beispiel)',
  };
  const { id: nextMeetingId } = await createMeeting(tx, next);
  const nextItems = [
    {
      number: 'TOP 1',
      title: 'Eröffnung, Feststellung der ordnungsgemäßen Ladung und der Beschlussfähigkeit',
      public: true,
    },
    { number: 'TOP 2', title: 'Bericht des Verbandsvorstehers', public: true },
    { number: 'TOP 3', title: 'Haushaltssatzung und Wirtschaftsplan (Beispiel)', public: true },
    { number: 'TOP 4', title: 'Leistungs- und Entgeltverzeichnis: Fortschreibung (Beispiel)', public: true },
    { number: 'TOP 5', title: 'Vertragsangelegenheiten Rechenzentrum (Beispiel)', public: false },
    { number: 'TOP 6', title: 'Verschiedenes', public: true },
  ];
  for (const [i, it] of nextItems.entries()) {
    await addAgendaItem(tx, nextMeetingId, {
      position: i + 1,
      number: it.number,
      title: it.title,
      public: it.public,
      preparedBySteeringGroup: i > 0 && i < 5,
    });
  }
  await markInvited(tx, nextMeetingId, today);
  // The invitation itself, as the public PDF members and visitors download.
  const association = (await getMember(tx, await associationMemberId(tx))).name;
  const invitation = await renderInvitationPdf(
    {
      association,
      title: next.title,
      startsAt: new Date(next.startsAt),
      place: next.place,
      items: nextItems,
    },
    { createdAt: tx.ctx.clock.now() },
  );
  await uploadMeetingDocument(tx, nextMeetingId, {
    name: 'Einladung mit Tagesordnung',
    kind: 'invitation',
    public: true,
    fileName: `Einladung-Verbandsversammlung-${day}.pdf`,
    contentType: 'application/pdf',
    content: invitation,
  });
  return { meetingId, nextMeetingId };
}
