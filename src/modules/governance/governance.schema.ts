/**
 * Contracts of the assembly API (meetings, agenda items, presence, resolutions, votes): one schema per
 * request and response, used by routes, pages (parseForm), OpenAPI and tests.
 */
import { type Static, Type } from 'typebox';

const Uuid = Type.String({ format: 'uuid' });
const IsoDate = Type.String({ format: 'date', description: 'Civil date in Europe/Berlin, YYYY-MM-DD' });
const Instant = Type.String({ format: 'date-time', description: 'RFC 3339 instant with offset' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const RESOLUTION_KINDS = [
  'adopt_catalog_version',
  'admit_members',
  'release_member',
  'award_contract',
  'amend_statute',
  'other',
] as const;
export const ResolutionKindSchema = Type.Union([
  Type.Literal('adopt_catalog_version'),
  Type.Literal('admit_members'),
  Type.Literal('release_member'),
  Type.Literal('award_contract'),
  Type.Literal('amend_statute'),
  Type.Literal('other'),
]);
export const BALLOTS = ['yes', 'no', 'abstain'] as const;
const BallotSchema = Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('abstain')]);

export const MeetingParams = Type.Object({ meetingId: Uuid });
export const ResolutionParams = Type.Object({ resolutionId: Uuid });

export const Meeting = Type.Object({
  id: Uuid,
  title: Type.String(),
  startsAt: Instant,
  endsAt: Type.Union([Instant, Type.Null()]),
  place: Nullable(Type.String()),
  status: Type.Union([
    Type.Literal('planned'),
    Type.Literal('invited'),
    Type.Literal('held'),
    Type.Literal('cancelled'),
  ]),
  invitedOn: Nullable(IsoDate),
  /** Members represented at the meeting (recorded presence). */
  presentMemberIds: Type.Array(Uuid),
  version: Type.Integer({ description: 'Optimistic lock: send it back with presence' }),
});
export type MeetingDto = Static<typeof Meeting>;
export const MeetingList = Type.Object({ meetings: Type.Array(Meeting) });

export const AgendaItem = Type.Object({
  id: Uuid,
  meetingId: Uuid,
  position: Type.Integer(),
  number: Type.String({ description: 'TOP number as shown, e.g. "TOP 3"' }),
  title: Type.String(),
  public: Type.Boolean({ description: 'Non-public items are seen only by the association' }),
  preparedBySteeringGroup: Type.Boolean(),
});
export type AgendaItemDto = Static<typeof AgendaItem>;

const TallySchema = Type.Object({
  totalVotes: Type.Integer(),
  presentVotes: Type.Integer(),
  yes: Type.Integer(),
  no: Type.Integer(),
  abstain: Type.Integer(),
  quorate: Type.Boolean(),
  carried: Type.Boolean(),
  reason: Type.Union([Type.Literal('carried'), Type.Literal('not_quorate'), Type.Literal('no_majority')]),
});
export type TallyDto = Static<typeof TallySchema>;

export const Resolution = Type.Object({
  id: Uuid,
  meetingId: Uuid,
  agendaItemId: Uuid,
  number: Type.String({ description: 'number/year, e.g. 3/2021' }),
  kind: ResolutionKindSchema,
  title: Type.String(),
  text: Type.String(),
  majority: Type.Union([Type.Literal('simple'), Type.Literal('qualified')]),
  payload: Type.Object({}, { additionalProperties: true, description: 'What the kind needs' }),
  status: Type.Union([Type.Literal('draft'), Type.Literal('voted')]),
  carried: Type.Union([Type.Boolean(), Type.Null()]),
  tally: Type.Union([TallySchema, Type.Null()]),
  votedAt: Type.Union([Instant, Type.Null()]),
  effectiveOn: Nullable(IsoDate),
  appliedAt: Type.Union([Instant, Type.Null()]),
  version: Type.Integer({ description: 'Optimistic lock: send it back with the votes' }),
});
export type ResolutionDto = Static<typeof Resolution>;
export const ResolutionList = Type.Object({ resolutions: Type.Array(Resolution) });

export const MeetingDocument = Type.Object({
  id: Uuid,
  agendaItemId: Type.Union([Uuid, Type.Null()]),
  kind: Type.String(),
  name: Type.String(),
  fileName: Type.String(),
  sizeBytes: Type.Integer(),
  public: Type.Boolean(),
  href: Type.String({ description: 'Download URL' }),
});
export type MeetingDocumentDto = Static<typeof MeetingDocument>;

export const MeetingDetail = Type.Object({
  meeting: Meeting,
  agendaItems: Type.Array(AgendaItem),
  resolutions: Type.Array(Resolution),
  documents: Type.Array(MeetingDocument),
});
export type MeetingDetailDto = Static<typeof MeetingDetail>;

export const MemberVote = Type.Object({
  memberId: Uuid,
  memberName: Type.Union([Type.String(), Type.Null()], {
    description: 'null where the caller cannot read the member register (visitors)',
  }),
  votes: Type.Integer({ description: 'Votes the member holds under the rules in force' }),
  ballot: Type.Union([BallotSchema, Type.Literal('absent')]),
});
export const ResolutionDetail = Type.Object({
  resolution: Resolution,
  votes: Type.Array(MemberVote),
});
export type ResolutionDetailDto = Static<typeof ResolutionDetail>;

export const ResolutionListQuery = Type.Object({
  kind: Type.Optional(ResolutionKindSchema),
  status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('voted')])),
  meetingId: Type.Optional(Uuid),
});

// ---- requests ----

export const MeetingCreateBody = Type.Object(
  {
    title: Type.String({ minLength: 2, maxLength: 200 }),
    startsAt: Instant,
    place: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
  },
  { additionalProperties: false },
);

/** The page's form: date and time in Berlin, made an instant by the page. */
export const MeetingForm = Type.Object({
  title: Type.String({ minLength: 2, maxLength: 200 }),
  date: IsoDate,
  time: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, Berlin time' }),
  place: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
});

export const AgendaItemCreateBody = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: 20 }),
    title: Type.String({ minLength: 2, maxLength: 300 }),
    public: Type.Boolean(),
    position: Type.Optional(Type.Integer({ minimum: 1, maximum: 9999, description: 'Default: last' })),
    preparedBySteeringGroup: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** The page's form for a TOP (field names unique on the meeting page). */
export const AgendaItemForm = Type.Object({
  topNumber: Type.String({ minLength: 1, maxLength: 20 }),
  topTitle: Type.String({ minLength: 2, maxLength: 300 }),
  public: Type.Boolean(),
});

export const PresenceBody = Type.Object(
  {
    memberIds: Type.Array(Uuid, { uniqueItems: true, description: 'Members represented' }),
    version: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

export const ResolutionDraftBody = Type.Object(
  {
    agendaItemId: Uuid,
    number: Type.String({ pattern: '^\\d{1,4}/\\d{4}$', description: 'number/year, e.g. 3/2021' }),
    kind: ResolutionKindSchema,
    title: Type.String({ minLength: 2, maxLength: 300 }),
    text: Type.Optional(Type.String({ maxLength: 20000 })),
    payload: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description:
            'adopt_catalog_version: {versionId, inForceFrom}; admit_members: {memberIds}; ' +
            'release_member: {memberId, lastDay}; award_contract: {contractor, subject}',
        },
      ),
    ),
    effectiveOn: Type.Optional(Nullable(IsoDate)),
  },
  { additionalProperties: false },
);

/** The page's form: the payload's fields flat, by kind. */
export const ResolutionDraftForm = Type.Object({
  agendaItemId: Uuid,
  number: Type.String({ pattern: '^\\d{1,4}/\\d{4}$' }),
  kind: ResolutionKindSchema,
  title: Type.String({ minLength: 2, maxLength: 300 }),
  text: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
  effectiveOn: Type.Optional(Nullable(IsoDate)),
  versionId: Type.Optional(Nullable(Uuid)),
  inForceFrom: Type.Optional(Nullable(IsoDate)),
  admitMemberIds: Type.Optional(Type.Array(Uuid)),
  releaseMemberId: Type.Optional(Nullable(Uuid)),
  lastDay: Type.Optional(Nullable(IsoDate)),
  contractor: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
  subject: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
});

export const VoteBody = Type.Object(
  {
    ballots: Type.Array(
      Type.Object({ memberId: Uuid, ballot: BallotSchema }, { additionalProperties: false }),
      {
        description: 'One ballot per present member; a present member without one abstains',
      },
    ),
    version: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

export const VoteAnswer = Type.Object({
  resolution: Resolution,
  applied: Type.Boolean({ description: 'The effect was applied now (carried resolutions)' }),
});

export const ApplyAnswer = Type.Object({
  resolution: Resolution,
  applied: Type.Boolean({ description: 'false: it had been applied before (idempotent)' }),
});

// ---- admission procedure (statute.md: council decision, amending statute, approval, publication) ----

export const ADMISSION_STEP_NAMES = [
  'council_decision',
  'amending_statute',
  'approval',
  'publication',
] as const;
const AdmissionStepSchema = Type.Union([
  Type.Literal('council_decision'),
  Type.Literal('amending_statute'),
  Type.Literal('approval'),
  Type.Literal('publication'),
]);

export const AdmissionParams = Type.Object({ memberId: Uuid });

export const Admission = Type.Object({
  memberId: Uuid,
  memberName: Type.String(),
  state: Type.Union(
    [
      Type.Literal('pending'),
      Type.Literal('admitted'),
      Type.Literal('withdrawn'),
      Type.Literal('not_recorded'),
    ],
    {
      description:
        'pending: steps outstanding; admitted: published (member from memberFrom); withdrawn: the ' +
        'application ended before publication; not_recorded: a member admitted before the procedure was recorded',
    },
  ),
  waitingFor: Type.Union([AdmissionStepSchema, Type.Null()], {
    description: 'The next step of a pending admission',
  }),
  memberFrom: Type.Union([IsoDate, Type.Null()], { description: 'The day after publication' }),
  steps: Type.Array(
    Type.Object({
      step: AdmissionStepSchema,
      doneOn: Type.Union([IsoDate, Type.Null()]),
      reference: Nullable(Type.String()),
      resolutionId: Type.Union([Uuid, Type.Null()], {
        description: 'The resolution that adopted the amending statute (step amending_statute)',
      }),
      resolutionNumber: Nullable(Type.String()),
    }),
  ),
});
export type AdmissionDto = Static<typeof Admission>;

export const AdmissionStepBody = Type.Object(
  {
    step: AdmissionStepSchema,
    doneOn: IsoDate,
    reference: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 500,
          description: 'e.g. "Amtsblatt für Brandenburg 2022 Nr. 24, S. 562" or the approval file number',
        }),
      ),
    ),
  },
  { additionalProperties: false },
);
export type AdmissionStepInput = Static<typeof AdmissionStepBody>;

/** The page's form for the next step (the step itself is a hidden field). */
export const AdmissionStepForm = Type.Object({
  step: AdmissionStepSchema,
  doneOn: IsoDate,
  reference: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
});

// ---- composition: steering group and representatives ----

export const SteeringGroupEntry = Type.Object({
  memberId: Uuid,
  memberName: Type.String(),
  validFrom: IsoDate,
  validUntil: Type.Union([IsoDate, Type.Null()]),
});
export type SteeringGroupEntryDto = Static<typeof SteeringGroupEntry>;

export const Representative = Type.Object({
  memberId: Uuid,
  memberName: Type.String(),
  name: Type.String(),
  function: Nullable(Type.String()),
  role: Type.Union([Type.Literal('representative'), Type.Literal('deputy')]),
  validFrom: IsoDate,
  validUntil: Type.Union([IsoDate, Type.Null()]),
  isExample: Type.Boolean(),
});
export type RepresentativeDto = Static<typeof Representative>;
