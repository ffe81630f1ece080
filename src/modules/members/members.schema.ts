/**
 * Contracts of the members API: one schema per request and response, used by routes, OpenAPI and tests.
 */
import { type Static, Type } from 'typebox';

export const MEMBER_KINDS = ['stadt', 'gemeinde', 'amt', 'landkreis', 'verband', 'other'] as const;
export const MEMBER_STATUSES = ['applied', 'active', 'withdrawn'] as const;

export const MemberKind = Type.Union([
  Type.Literal('stadt'),
  Type.Literal('gemeinde'),
  Type.Literal('amt'),
  Type.Literal('landkreis'),
  Type.Literal('verband'),
  Type.Literal('other'),
]);
export const MemberStatus = Type.Union([
  Type.Literal('applied'),
  Type.Literal('active'),
  Type.Literal('withdrawn'),
]);
const Uuid = Type.String({ format: 'uuid' });
const IsoDate = Type.String({ format: 'date', description: 'Civil date in Europe/Berlin, YYYY-MM-DD' });

/** The status on a day follows from the dates (members.status.ts); these describe it in the contract. */
const StatusOnDay = Type.Union([Type.Literal('applied'), Type.Literal('active'), Type.Literal('withdrawn')], {
  description:
    'Status today (Europe/Berlin), computed from the dates: active from admittedOn through withdrawnOn ' +
    '(the last day of membership), withdrawn from the day after, applied before admission',
});
const NextStatus = Type.Union(
  [
    Type.Object({
      status: MemberStatus,
      from: Type.String({ format: 'date', description: 'First day of that status' }),
    }),
    Type.Null(),
  ],
  { description: 'The next change already recorded (admission or withdrawal with a later date), or null' },
);
const Text = (max: number) => Type.String({ maxLength: max });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const MemberFields = {
  name: Type.String({ minLength: 2, maxLength: 200 }),
  kind: MemberKind,
  ags: Nullable(
    Type.String({
      description:
        'Amtlicher Gemeindeschlüssel, 8 digits; its Land and district (Kreis) must exist. Not for an ' +
        'Amt. Spaces are ignored (at most 3, as printed: "12 0 60 269").',
      maxLength: 11,
    }),
  ),
  ars: Nullable(
    Type.String({
      description:
        'Regionalschlüssel (12 digits); for an Amt its Gemeindeverbandsschlüssel (9 digits, the first 9 ' +
        "of its municipalities' ARS), required. Spaces are ignored (at most 4, as printed: " +
        '"12 0 60 0181 181").',
      maxLength: 16,
    }),
  ),
  leitwegId: Nullable(Type.String({ description: 'Leitweg-ID for XRechnung BT-10', maxLength: 46 })),
  street: Nullable(Text(200)),
  postalCode: Nullable(Text(5)),
  city: Nullable(Text(100)),
  population: Type.Union([Type.Integer({ minimum: 0, maximum: 100_000_000 }), Type.Null()]),
  populationYear: Type.Union([Type.Integer({ minimum: 1900, maximum: 2100 }), Type.Null()]),
  contactName: Nullable(Text(200)),
  contactEmail: Nullable(Text(254)),
  contactPhone: Nullable(Text(50)),
  website: Nullable(Text(300)),
  amtId: Type.Union([Uuid, Type.Null()]),
};

/** Every member field, optional: the shared part of the create and the patch contract. */
const OptionalMemberFields = Type.Partial(Type.Object(MemberFields)).properties;

export const MemberCreateBody = Type.Object(
  {
    ...OptionalMemberFields,
    name: MemberFields.name,
    kind: MemberFields.kind,
    appliedOn: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
);
export type MemberCreateInput = Static<typeof MemberCreateBody>;

export const MemberPatchBody = Type.Object(
  {
    version: Type.Integer({ minimum: 1, description: 'The version you read; a stale version gives 409' }),
    ...OptionalMemberFields,
  },
  { additionalProperties: false },
);
export type MemberPatchInput = Static<typeof MemberPatchBody>;

export const MemberStatusBody = Type.Object(
  {
    status: MemberStatus,
    on: Type.String({
      format: 'date',
      description:
        'Admission (active): the first day of membership; withdrawal: the last day of membership ' +
        '("zum 30.06.2031"). May lie in the future: the status follows on that day.',
    }),
    version: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type MemberStatusInput = Static<typeof MemberStatusBody>;

export const Member = Type.Object({
  id: Uuid,
  isAssociation: Type.Boolean(),
  name: Type.String(),
  kind: MemberKind,
  ags: Type.Union([Type.String(), Type.Null()]),
  ars: Type.Union([Type.String(), Type.Null()]),
  leitwegId: Type.Union([Type.String(), Type.Null()]),
  street: Type.Union([Type.String(), Type.Null()]),
  postalCode: Type.Union([Type.String(), Type.Null()]),
  city: Type.Union([Type.String(), Type.Null()]),
  population: Type.Union([Type.Integer(), Type.Null()]),
  populationYear: Type.Union([Type.Integer(), Type.Null()]),
  contactName: Type.Union([Type.String(), Type.Null()]),
  contactEmail: Type.Union([Type.String(), Type.Null()]),
  contactPhone: Type.Union([Type.String(), Type.Null()]),
  website: Type.Union([Type.String(), Type.Null()]),
  status: StatusOnDay,
  statusOn: Type.String({
    format: 'date',
    description: 'The day `status` refers to (today in Europe/Berlin)',
  }),
  recordedStatus: Type.Union([Type.Literal('applied'), Type.Literal('active'), Type.Literal('withdrawn')], {
    description:
      'The last recorded decision (applied; admitted = active; withdrawal recorded = withdrawn), ' +
      'which POST /members/{id}/status moves on from',
  }),
  nextStatus: NextStatus,
  appliedOn: Type.Union([IsoDate, Type.Null()]),
  admittedOn: Type.Union([
    Type.String({ format: 'date', description: 'First day of membership' }),
    Type.Null(),
  ]),
  withdrawnOn: Type.Union([
    Type.String({ format: 'date', description: 'Last day of membership (withdrawn from the day after)' }),
    Type.Null(),
  ]),
  amtId: Type.Union([Uuid, Type.Null()]),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type MemberDto = Static<typeof Member>;

export const MemberSummary = Type.Object({
  id: Uuid,
  isAssociation: Type.Boolean(),
  name: Type.String(),
  kind: MemberKind,
  ags: Type.Union([Type.String(), Type.Null()]),
  status: StatusOnDay,
  nextStatus: NextStatus,
  population: Type.Union([Type.Integer(), Type.Null()]),
  amtId: Type.Union([Uuid, Type.Null()]),
  amtName: Type.Union([Type.String(), Type.Null()]),
});
export type MemberSummaryDto = Static<typeof MemberSummary>;

export const MemberListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Search in name and AGS' })),
    kind: Type.Optional(MemberKind),
    status: Type.Optional(
      Type.Union([Type.Literal('applied'), Type.Literal('active'), Type.Literal('withdrawn')], {
        description: 'Status today (computed from the dates, as `status` in the result)',
      }),
    ),
    amtId: Type.Optional(Uuid),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);
export type MemberListQueryInput = Static<typeof MemberListQuery>;

export const MemberList = Type.Object({
  items: Type.Array(MemberSummary),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});
export type MemberListDto = Static<typeof MemberList>;

export const MemberIdParams = Type.Object({ memberId: Uuid }, { additionalProperties: false });
