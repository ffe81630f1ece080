/**
 * Contracts of the metering API: the usage event as machines send it, the answer, and the problem
 * document of a refused request (one entry per invalid line).
 */
import { type Static, Type } from 'typebox';

export const UsageEventSchema = Type.Object(
  {
    member: Type.String({ description: 'Member id (uuid) or AGS (8 digits)' }),
    meter: Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$', description: 'Meter key of the catalogue' }),
    quantity: Type.Union([Type.String(), Type.Number()], {
      description:
        'Exact non-negative decimal (up to 20 integer and 12 fraction digits), as string or number',
    }),
    time: Type.String({ description: 'Time of use, ISO 8601 with offset (Z or ±hh:mm)' }),
    source: Type.String({ description: 'The reporting system, e.g. "vmware-cluster-1"' }),
    eventId: Type.String({ description: 'Unique per member and source; a re-sent id counts nothing new' }),
    attributes: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'e.g. VM name; distinct sets feed unique counts',
      }),
    ),
  },
  { additionalProperties: false },
);
export type UsageEventInput = Static<typeof UsageEventSchema>;

export const UsageBody = Type.Array(UsageEventSchema, {
  maxItems: 10_000,
  description:
    'Up to 10,000 usage events: a JSON array, or NDJSON (application/x-ndjson, one event per line). All or nothing.',
});

export const UsageAnswer = Type.Object({
  accepted: Type.Integer({ description: 'New events stored' }),
  duplicates: Type.Integer({ description: 'Events already stored with the same payload (counted nothing)' }),
});

export const UsageProblem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          line: Type.Optional(Type.Integer({ description: 'Line (NDJSON) or position from 1 (JSON array)' })),
          field: Type.Optional(Type.String()),
          code: Type.String(),
          reason: Type.Optional(Type.String()),
          message: Type.Optional(Type.String()),
        }),
      ),
    ),
  },
  { description: 'RFC 9457 problem details; a refused batch lists every invalid line' },
);

// ---- billing months, corrections and voids ----

const Month = Type.String({
  pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
  description: 'Billing month YYYY-MM (Europe/Berlin)',
});
const Decimal = Type.String({ description: 'Exact decimal' });

export const MonthParams = Type.Object({ month: Month });
export const UsageMemberParams = Type.Object({ memberId: Type.String({ format: 'uuid' }) });

export const BillingMonths = Type.Object({
  closed: Type.Array(
    Type.Object({
      month: Month,
      closedAt: Type.String({ format: 'date-time' }),
      closedBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    }),
    { description: 'Closed billing months, latest first' },
  ),
  next: Type.Object({
    month: Month,
    closable: Type.Boolean({ description: 'The month has ended' }),
  }),
});

export const ClosedMonthAnswer = Type.Object({
  month: Month,
  totals: Type.Integer({ description: 'Totals frozen (member × meter × aggregation kind)' }),
  corrections: Type.Integer({ description: "Corrections of earlier months this month's bill carries" }),
});

const CorrectionFields = {
  memberId: Type.String({ format: 'uuid' }),
  month: Month,
  meter: Type.String(),
  aggregation: Type.String(),
  quantityBefore: Decimal,
  quantityAfter: Decimal,
  eventsBefore: Type.Integer(),
  eventsAfter: Type.Integer(),
};

export const MemberCorrections = Type.Object({
  pending: Type.Array(Type.Object(CorrectionFields), {
    description: 'What the next bill will carry: closed months changed since by late events or voids',
  }),
  carried: Type.Array(Type.Object({ ...CorrectionFields, billedMonth: Month }), {
    description: 'Corrections carried by bills of closed months, each referring to its original month',
  }),
});

export const VoidBody = Type.Object(
  {
    member: Type.String({ format: 'uuid' }),
    source: Type.String({ minLength: 1 }),
    eventId: Type.String({ minLength: 1 }),
    reason: Type.String({ minLength: 3, maxLength: 500 }),
  },
  { additionalProperties: false },
);

export const VoidAnswer = Type.Object({
  memberId: Type.String({ format: 'uuid' }),
  source: Type.String(),
  eventId: Type.String(),
  time: Type.String({ format: 'date-time' }),
  meter: Type.String(),
  quantity: Decimal,
  voidedAt: Type.String({ format: 'date-time' }),
  correctsMonth: Type.Union([Month, Type.Null()], {
    description: 'The closed month the next bill corrects, if the event lies in one',
  }),
});
