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
