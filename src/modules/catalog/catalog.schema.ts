/**
 * Contracts of the catalogue and agreements API: one schema per request and response, used by routes,
 * OpenAPI and tests.
 */
import { type Static, Type } from 'typebox';

const IsoDate = Type.String({ format: 'date', description: 'Civil date in Europe/Berlin, YYYY-MM-DD' });
const DecimalString = Type.String({
  pattern: '^\\d{1,20}(\\.\\d{1,12})?$',
  description: 'Exact non-negative decimal, e.g. "25" or "1234.5"',
});
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const Tier = Type.Object({
  upTo: Type.Union([DecimalString, Type.Null()], {
    description: 'Upper bound (inclusive); null for the last tier',
  }),
  unitCents: Type.String({ description: 'Price per unit in cents, may have decimals ("3.5")' }),
  flatCents: Type.Optional(Type.Integer({ minimum: 0, description: 'Flat fee once the tier is reached' })),
});
const Minimum = { minimumCents: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])) };

export const Price = Type.Union(
  [
    Type.Object({ model: Type.Literal('unit'), unitCents: Type.String(), ...Minimum }),
    Type.Object({ model: Type.Literal('graduated'), tiers: Type.Array(Tier), ...Minimum }),
    Type.Object({ model: Type.Literal('volume'), tiers: Type.Array(Tier), ...Minimum }),
    Type.Object({
      model: Type.Literal('package'),
      packageSize: Type.String(),
      packageCents: Type.Integer({ minimum: 0 }),
      ...Minimum,
    }),
    Type.Object({ model: Type.Literal('flat'), monthlyCents: Type.Integer({ minimum: 0 }), ...Minimum }),
    Type.Object({
      model: Type.Literal('per_inhabitant'),
      yearlyCentsPerInhabitant: Type.String(),
      ...Minimum,
    }),
  ],
  { description: 'Price model (see ARCHITECTURE.md "Prices"); amounts in cents' },
);

export const CatalogItem = Type.Object({
  serviceCode: Type.String({ description: 'Stable across versions' }),
  number: Type.String(),
  categoryCode: Type.String(),
  nameDe: Type.String(),
  nameEn: Type.String(),
  unitCode: Type.String(),
  meterKey: Nullable(Type.String({ description: 'Usage meter that feeds it, null if not metered' })),
  aggregation: Nullable(Type.String()),
  price: Price,
  vat: Type.Union([Type.Literal('not_taxable'), Type.Literal('standard'), Type.Literal('reduced')]),
  vatNote: Nullable(Type.String()),
  noticeDays: Type.Integer(),
  isExample: Type.Boolean({ description: 'An example price (demo data)' }),
});

export const CatalogVersion = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.String(),
  title: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('adopted')]),
  adoptedOn: Nullable(IsoDate),
  inForceFrom: Nullable(IsoDate),
  basedOn: Nullable(Type.String({ format: 'uuid' })),
  resolutionRef: Nullable(Type.String()),
});
export const CatalogVersionWithState = Type.Object({
  ...CatalogVersion.properties,
  inForceUntil: Nullable(IsoDate),
  state: Type.Union(
    [Type.Literal('draft'), Type.Literal('planned'), Type.Literal('in_force'), Type.Literal('superseded')],
    {
      description: 'On the request day, computed from the dates',
    },
  ),
});
export const CatalogVersionList = Type.Object({
  day: IsoDate,
  versions: Type.Array(CatalogVersionWithState),
});
export const CatalogVersionDetail = Type.Object({ version: CatalogVersion, items: Type.Array(CatalogItem) });
export const VersionNumberParams = Type.Object({ number: Type.String({ pattern: '^\\d{1,3}\\.\\d{1,3}$' }) });

export const PriceAtParams = Type.Object({ serviceCode: Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$' }) });
export const PriceAtQuery = Type.Object({
  date: Type.Optional(IsoDate),
  quantity: Type.Optional(DecimalString),
  inhabitants: Type.Optional(Type.Integer({ minimum: 0 })),
});
const ChargeStep = Type.Object({ kind: Type.String() }, { additionalProperties: true });
export const PriceAtAnswer = Type.Object({
  serviceCode: Type.String(),
  date: IsoDate,
  version: Type.Object({ number: Type.String(), inForceFrom: IsoDate, inForceUntil: Nullable(IsoDate) }),
  item: CatalogItem,
  charge: Type.Optional(
    Type.Object({
      quantity: Type.String(),
      amountCents: Type.Integer(),
      exactCents: Type.String(),
      steps: Type.Array(ChargeStep),
      explanation: Type.Array(Type.String(), { description: 'The steps in words, in the request language' }),
    }),
  ),
});

export const DiffQuery = Type.Object({
  from: Type.String({ pattern: '^\\d{1,3}\\.\\d{1,3}$' }),
  to: Type.String({ pattern: '^\\d{1,3}\\.\\d{1,3}$' }),
});
export const CatalogDiff = Type.Object({
  from: CatalogVersion,
  to: CatalogVersion,
  entries: Type.Array(
    Type.Object(
      {
        change: Type.Union([Type.Literal('added'), Type.Literal('removed'), Type.Literal('changed')]),
        serviceCode: Type.String(),
        prices: Type.Optional(
          Type.Array(
            Type.Object({
              field: Type.String(),
              from: Nullable(Type.String()),
              to: Nullable(Type.String()),
              percent: Nullable(Type.String()),
            }),
          ),
        ),
        fields: Type.Optional(Type.Array(Type.String())),
      },
      { additionalProperties: true },
    ),
  ),
});

// ---- agreements ----

export const AgreementParams = Type.Object({
  memberId: Type.String({ format: 'uuid' }),
  agreementId: Type.String({ format: 'uuid' }),
});
export const MemberParams = Type.Object({ memberId: Type.String({ format: 'uuid' }) });

export const Agreement = Type.Object({
  id: Type.String({ format: 'uuid' }),
  memberId: Type.String({ format: 'uuid' }),
  serviceCode: Type.String(),
  startsOn: IsoDate,
  endsOn: Nullable(IsoDate),
  noticeGivenOn: Nullable(IsoDate),
  note: Nullable(Type.String()),
  terms: Type.Array(
    Type.Object({ validFrom: IsoDate, validUntil: Nullable(IsoDate), quantity: Nullable(Type.String()) }),
  ),
  version: Type.Integer(),
});
export const AgreementList = Type.Object({ agreements: Type.Array(Agreement) });

export const AgreementCreateBody = Type.Object(
  {
    serviceCode: Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$' }),
    startsOn: IsoDate,
    endsOn: Type.Optional(Nullable(IsoDate)),
    quantity: Type.Optional(Nullable(DecimalString)),
    note: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  },
  { additionalProperties: false },
);
export type AgreementCreateInput = Static<typeof AgreementCreateBody>;

export const AgreementQuantityBody = Type.Object(
  { from: IsoDate, quantity: DecimalString, version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export const AgreementCancelBody = Type.Object(
  {
    endsOn: Type.Optional(Nullable(IsoDate)),
    version: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

export const MonthQuery = Type.Object({
  month: Type.Optional(
    Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM; default: the current month' }),
  ),
});
export const AgreementCosts = Type.Object({
  month: Type.String(),
  totalCents: Type.Integer(),
  agreements: Type.Array(
    Type.Object({
      agreementId: Type.String({ format: 'uuid' }),
      serviceCode: Type.String(),
      amountCents: Type.Integer(),
      lines: Type.Array(
        Type.Object({
          validFrom: IsoDate,
          validUntil: IsoDate,
          versionNumber: Type.String(),
          quantity: Nullable(Type.String()),
          amountCents: Type.Integer(),
          explanation: Type.Array(Type.String()),
        }),
      ),
    }),
  ),
});
