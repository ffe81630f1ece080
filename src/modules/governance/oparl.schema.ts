/**
 * OParl 1.1 object shapes as TypeBox schemas — the contract the later read-only OParl API of the
 * association's assembly (Verbandsversammlung) is tested against. No routes here, only shapes.
 *
 * What was read (repository OParl/spec on GitHub, via the stored index; the index keeps single file
 * versions per commit, so the commit is given per source):
 * - Object schemas: `schema/<Type>.json` for all twelve types at commit
 *   16af8d71716f03138d7feb15d90da748324b3bc6 (JSON Schema draft-07, `"$id": "https://schema.oparl.org/1.1/<Type>"`,
 *   `type` as `const`). Seven of them (System, Body, Organization, Person, Meeting, AgendaItem, Paper) were
 *   cross-checked at b1e71403a7357572068452d7aded35097dd4a2e4: same properties, types, formats and `required`;
 *   only the notation of embedded objects differs (`"$ref": "File.json"` instead of `"schema": "File.json"`).
 * - Property descriptions ("ZWINGEND", "Neu in OParl 1.1"): `schema/strings.yml` at
 *   fbdc221933a53284b4501b4f692ec14ace2a79ee.
 * - Prose chapters (German text despite the folder name): `locales/en/src/2-04-json-ausgabe.md`,
 *   `2-03-urls.md`, `2-09-ausnahmebehandlung.md`, `2-10-endpunkt.md` at dde7c9a474e2ee7755f0785ca3461c62f20df5e1;
 *   `locales/en/src/2-05-objektlisten-und-paginierung.md`, `2-08-geloeschte-objekte.md`,
 *   `3-01-eigenschaften-mit-verwendung-in-mehreren-objekttypen.md` at f6883bc0bef2f876807236f9722bbfea4bc317ab;
 *   `locales/en/src/3-00-schema.md` at dde7c9a…; `src/2-06-cross-origin-resource-sharing-cors.md` and
 *   `src/2-07-dateizugriffe.md` at 10a7948f3c338bfe925c27767224a8bb40c9f1b0;
 *   `src/1-09-änderungen-in-oparl-1-1.md` at 505c099015fa9faed5a697b3e6f36f76c8bfac37.
 * Section numbers below (§2.5 …) are the chapter numbers of those file names; see docs/oparl-notes.md.
 *
 * Mapping rules (decisions, each from the spec):
 * - `required` is exactly the `required` array of the JSON schema file. Stricter prose rules that the
 *   schema files do not encode are listed in OPARL_PROSE_REQUIRED, not silently added.
 * - `"format": "url"` (§2.4: "eine URL ist ein String, der entsprechend des URL-Kapitels formatiert wurde";
 *   §2.3: RFC 3986) → `format: 'uri'` plus an http(s) scheme. ajv-formats' own `url` format is not used:
 *   it rejects localhost and private addresses, which RFC 3986 allows.
 * - `date-time` (§2.4 "Datums- und Zeitangaben"): "**muss** in der Form `yyyy-mm-ddThh:mm:ss±hh:mm`" →
 *   RFC 3339 `date-time` AND that exact pattern (no `Z`, no fractional seconds). `date`: `yyyy-mm-dd`.
 * - Additional properties stay allowed: §3 "Herstellerspezifische Erweiterungen" permits vendor-prefixed
 *   properties (e.g. `"BeispielHersteller:faxNumber"`).
 * - Embedded ("intern ausgegebene") objects use the same schema as the stand-alone object (§3 "Die Objekte");
 *   there the back-reference to the parent is left out, which the schemas allow since it is optional.
 *   The schemas carry no `$id`: an embedded schema (File inside Meeting four times) would repeat it, which
 *   ajv refuses as ambiguous. The type URI is the `type` literal instead.
 */
import { type Static, type TSchema, Type } from 'typebox';

/** The namespace of OParl 1.1 (System.oparlVersion; every `type` starts with it). §3.1 `type`. */
export const OPARL_VERSION = 'https://schema.oparl.org/1.1/';

/** `type` namespace URLs, §3.1 (3-01-eigenschaften…, table "Typ (kurz) | Namespace-URL"). */
export const OPARL_TYPE = {
  AgendaItem: 'https://schema.oparl.org/1.1/AgendaItem',
  Body: 'https://schema.oparl.org/1.1/Body',
  Consultation: 'https://schema.oparl.org/1.1/Consultation',
  File: 'https://schema.oparl.org/1.1/File',
  LegislativeTerm: 'https://schema.oparl.org/1.1/LegislativeTerm',
  Location: 'https://schema.oparl.org/1.1/Location',
  Meeting: 'https://schema.oparl.org/1.1/Meeting',
  Membership: 'https://schema.oparl.org/1.1/Membership',
  Organization: 'https://schema.oparl.org/1.1/Organization',
  Paper: 'https://schema.oparl.org/1.1/Paper',
  Person: 'https://schema.oparl.org/1.1/Person',
  System: 'https://schema.oparl.org/1.1/System',
} as const;
export type OParlTypeName = keyof typeof OPARL_TYPE;

// ---------------------------------------------------------------------------------------------------------
// Data types, §2.4 "In OParl verwendete Datentypen" and "Datums- und Zeitangaben"
// ---------------------------------------------------------------------------------------------------------

/** `url` / `url (Object)`: an absolute http(s) URL (RFC 3986, §2.3). Ids are URLs that dereference. */
export const OParlUrl = Type.String({ format: 'uri', pattern: '^https?://' });
/** `date-time`: `yyyy-mm-ddThh:mm:ss±hh:mm`, e.g. `1969-07-21T02:56:00+00:00` (§2.4). */
export const OParlDateTime = Type.String({
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}[+-]\\d{2}:\\d{2}$',
});
/** `date`: `yyyy-mm-dd` without time and zone, e.g. `1969-07-21` (§2.4). */
export const OParlDate = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

const UrlList = Type.Array(OParlUrl);
const Strings = Type.Array(Type.String());
const typeOf = (name: OParlTypeName) => Type.Literal(OPARL_TYPE[name]);

/**
 * Properties every 1.1 schema file ends with (§3.1 "Eigenschaften mit Verwendung in mehreren Objekttypen"):
 * `license` (a plain string in the files of all types except System/Body, which say url), `keyword`
 * (array of string), `created`/`modified` (date-time), `web` (url), `deleted` (boolean).
 */
const common = {
  license: Type.Optional(Type.String()),
  keyword: Type.Optional(Strings),
  created: Type.Optional(OParlDateTime),
  modified: Type.Optional(OParlDateTime),
  web: Type.Optional(OParlUrl),
  deleted: Type.Optional(Type.Boolean()),
};
const opt = Type.Optional;

// ---------------------------------------------------------------------------------------------------------
// Leaf objects (embedded in others): Location, File, LegislativeTerm, Membership, Consultation
// ---------------------------------------------------------------------------------------------------------

/**
 * oparl:Location — schema/Location.json; prose `Location.properties.geojson.description` in strings.yml:
 * "es **muss** ein vollständiges `Feature`-Objekt ausgegeben werden" (the file itself only says `object`).
 * Embedded in Body, Organization, Meeting and Paper (§3 "Die Objekte"), and as Person.locationObject.
 */
export const Location = Type.Object(
  {
    id: OParlUrl,
    type: typeOf('Location'),
    description: opt(Type.String()),
    geojson: opt(Type.Object({ type: Type.Literal('Feature') })),
    streetAddress: opt(Type.String()),
    room: opt(Type.String()),
    postalCode: opt(Type.String()),
    subLocality: opt(Type.String()),
    locality: opt(Type.String()),
    // Back-references, output only when the Location is fetched on its own (not embedded).
    bodies: opt(UrlList),
    organizations: opt(UrlList),
    persons: opt(UrlList),
    meetings: opt(UrlList),
    papers: opt(UrlList),
    ...common,
  },
  { title: 'Location' },
);

/**
 * oparl:File — schema/File.json (required: id, type, accessUrl); file access rules §2.7 (src/2-07-dateizugriffe.md).
 * `date` is a `date` in 1.1 (it was date-time in 1.0). `sha1Checksum` is deprecated in favour of
 * `sha512Checksum` (§1.9). Embedded in Meeting (invitation, resultsProtocol, verbatimProtocol, auxiliaryFile),
 * AgendaItem (resolutionFile, auxiliaryFile), Paper (mainFile, auxiliaryFile) and Person.image.
 */
export const File = Type.Object(
  {
    id: OParlUrl,
    type: typeOf('File'),
    name: opt(Type.String()),
    fileName: opt(Type.String()),
    mimeType: opt(Type.String()),
    date: opt(OParlDate),
    size: opt(Type.Integer()),
    sha1Checksum: opt(Type.String()),
    sha512Checksum: opt(Type.String()),
    text: opt(Type.String()),
    accessUrl: OParlUrl,
    downloadUrl: opt(OParlUrl),
    externalServiceUrl: opt(OParlUrl),
    masterFile: opt(OParlUrl),
    derivativeFile: opt(UrlList),
    fileLicense: opt(OParlUrl),
    // Back-references, output only when the File is fetched on its own. `person` is a single url in the file.
    meeting: opt(UrlList),
    agendaItem: opt(UrlList),
    person: opt(OParlUrl),
    paper: opt(UrlList),
    ...common,
  },
  { title: 'File' },
);

/** oparl:LegislativeTerm — schema/LegislativeTerm.json. Embedded in Body.legislativeTerm. */
export const LegislativeTerm = Type.Object(
  {
    id: OParlUrl,
    type: typeOf('LegislativeTerm'),
    body: opt(OParlUrl),
    name: opt(Type.String()),
    startDate: opt(OParlDate),
    endDate: opt(OParlDate),
    ...common,
  },
  { title: 'LegislativeTerm' },
);

/** oparl:Membership — schema/Membership.json. Embedded in Person.membership; Organization only links them. */
export const Membership = Type.Object(
  {
    id: OParlUrl,
    type: typeOf('Membership'),
    person: opt(OParlUrl),
    organization: opt(OParlUrl),
    role: opt(Type.String()),
    votingRight: opt(Type.Boolean()),
    startDate: opt(OParlDate),
    endDate: opt(OParlDate),
    onBehalfOf: opt(OParlUrl),
    ...common,
  },
  { title: 'Membership' },
);

/** oparl:Consultation — schema/Consultation.json. Embedded in Paper.consultation; AgendaItem links it. */
export const Consultation = Type.Object(
  {
    id: OParlUrl,
    type: typeOf('Consultation'),
    paper: opt(OParlUrl),
    agendaItem: opt(OParlUrl),
    meeting: opt(OParlUrl),
    organization: opt(UrlList),
    authoritative: opt(Type.Boolean()),
    role: opt(Type.String()),
    ...common,
  },
  { title: 'Consultation' },
);

// ---------------------------------------------------------------------------------------------------------
// Objects with embedded objects
// ---------------------------------------------------------------------------------------------------------

/**
 * oparl:AgendaItem — schema/AgendaItem.json (required: id, type, order). `order` is new in 1.1: the position
 * in Meeting.agendaItem when all items are numbered from 0 (strings.yml). Embedded in Meeting.agendaItem.
 */
export const AgendaItem = Type.Object(
  {
    id: OParlUrl,
    type: typeOf('AgendaItem'),
    meeting: opt(OParlUrl),
    number: opt(Type.String()),
    order: Type.Integer({ minimum: 0 }),
    name: opt(Type.String()),
    public: opt(Type.Boolean()),
    consultation: opt(OParlUrl),
    result: opt(Type.String()),
    resolutionText: opt(Type.String()),
    resolutionFile: opt(File),
    auxiliaryFile: opt(Type.Array(File)),
    start: opt(OParlDateTime),
    end: opt(OParlDateTime),
    ...common,
  },
  { title: 'AgendaItem' },
);

/**
 * oparl:Meeting — schema/Meeting.json (required: id, type). Embeds Location, File (invitation, protocols,
 * auxiliaryFile) and the ordered AgendaItem list; organization and participant are url lists.
 */
export const Meeting = Type.Object(
  {
    id: OParlUrl,
    type: typeOf('Meeting'),
    name: opt(Type.String()),
    meetingState: opt(Type.String()),
    cancelled: opt(Type.Boolean()),
    start: opt(OParlDateTime),
    end: opt(OParlDateTime),
    location: opt(Location),
    organization: opt(UrlList),
    participant: opt(UrlList),
    invitation: opt(File),
    resultsProtocol: opt(File),
    verbatimProtocol: opt(File),
    auxiliaryFile: opt(Type.Array(File)),
    agendaItem: opt(Type.Array(AgendaItem)),
    ...common,
  },
  { title: 'Meeting' },
);

/**
 * oparl:Paper — schema/Paper.json (required: id, type). `date` is a `date`. Embeds File (mainFile,
 * auxiliaryFile), Location (array) and Consultation (array).
 */
export const Paper = Type.Object(
  {
    id: OParlUrl,
    type: typeOf('Paper'),
    body: opt(OParlUrl),
    name: opt(Type.String()),
    reference: opt(Type.String()),
    date: opt(OParlDate),
    paperType: opt(Type.String()),
    relatedPaper: opt(UrlList),
    superordinatedPaper: opt(UrlList),
    subordinatedPaper: opt(UrlList),
    mainFile: opt(File),
    auxiliaryFile: opt(Type.Array(File)),
    location: opt(Type.Array(Location)),
    originatorPerson: opt(UrlList),
    underDirectionOf: opt(UrlList),
    originatorOrganization: opt(UrlList),
    consultation: opt(Type.Array(Consultation)),
    ...common,
  },
  { title: 'Paper' },
);

/**
 * oparl:Person — schema/Person.json (required: id, type). Embeds Membership (array), Location
 * (`locationObject`, new in 1.1; if given, `location` **muss** point to the same object) and File (`image`,
 * present in the schema file without a description in strings.yml@fbdc221).
 */
export const Person = Type.Object(
  {
    id: OParlUrl,
    type: typeOf('Person'),
    body: opt(OParlUrl),
    name: opt(Type.String()),
    familyName: opt(Type.String()),
    givenName: opt(Type.String()),
    formOfAddress: opt(Type.String()),
    affix: opt(Type.String()),
    title: opt(Strings),
    gender: opt(Type.String()),
    phone: opt(Strings),
    email: opt(Strings),
    location: opt(OParlUrl),
    locationObject: opt(Location),
    status: opt(Strings),
    membership: opt(Type.Array(Membership)),
    image: opt(File),
    life: opt(Type.String()),
    lifeSource: opt(Type.String()),
    ...common,
  },
  { title: 'Person' },
);

/**
 * oparl:Organization — schema/Organization.json (required: id, type). `meeting` and `consultation` are
 * urls of external object lists (not arrays); `membership` is a url list; `location` is embedded.
 * `memberCount`, `votingMemberCount` and `consultation` have no description in strings.yml@fbdc221.
 */
export const Organization = Type.Object(
  {
    id: OParlUrl,
    type: typeOf('Organization'),
    body: opt(OParlUrl),
    name: opt(Type.String()),
    membership: opt(UrlList),
    meeting: opt(OParlUrl),
    consultation: opt(OParlUrl),
    shortName: opt(Type.String()),
    post: opt(Strings),
    subOrganizationOf: opt(OParlUrl),
    organizationType: opt(Type.String()),
    classification: opt(Type.String()),
    startDate: opt(OParlDate),
    endDate: opt(OParlDate),
    website: opt(OParlUrl),
    location: opt(Location),
    externalBody: opt(OParlUrl),
    memberCount: opt(Type.Integer()),
    votingMemberCount: opt(Type.Integer()),
    ...common,
  },
  { title: 'Organization' },
);

const bodyProperties = {
  id: OParlUrl,
  type: typeOf('Body'),
  system: opt(OParlUrl),
  shortName: opt(Type.String()),
  name: Type.String(),
  website: opt(OParlUrl),
  license: opt(OParlUrl),
  licenseValidSince: opt(OParlDateTime),
  oparlSince: opt(OParlDateTime),
  ags: opt(Type.String()),
  rgs: opt(Type.String()),
  equivalent: opt(UrlList),
  contactEmail: opt(Type.String()),
  contactName: opt(Type.String()),
  // External object lists (urls of list pages), §2.5 "Externe Objektlisten".
  organization: OParlUrl,
  person: OParlUrl,
  meeting: OParlUrl,
  paper: OParlUrl,
  // Embedded, required: an empty list is output as [] (§2.4 "null-Werte und leere Listen").
  legislativeTerm: Type.Array(LegislativeTerm),
  // New external lists in 1.1 ("**ZWINGEND** … Neu in OParl 1.1" in strings.yml, optional in Body.json).
  agendaItem: opt(OParlUrl),
  consultation: opt(OParlUrl),
  file: opt(OParlUrl),
  locationList: opt(OParlUrl),
  legislativeTermList: opt(OParlUrl),
  membership: opt(OParlUrl),
  classification: opt(Type.String()),
  location: opt(Location),
  mainOrganization: opt(OParlUrl),
  keyword: common.keyword,
  created: common.created,
  modified: common.modified,
  web: common.web,
  deleted: common.deleted,
};

/**
 * oparl:Body — schema/Body.json (required: id, type, name, organization, person, meeting, paper,
 * legislativeTerm). Reached from System.body (an external list). `license` is a url here.
 */
export const Body = Type.Object(bodyProperties, { title: 'Body' });

/**
 * Body as output with `omit_internal=true` (§2.5 "Filter"): the server need not output the embedded
 * `legislativeTerm` then, although Body.json requires it — the one conflict between the two rules.
 */
export const BodyOmitInternal = Type.Object(
  { ...bodyProperties, legislativeTerm: opt(Type.Array(LegislativeTerm)) },
  { title: 'Body (omit_internal)' },
);

/**
 * oparl:System — schema/System.json (required: id, type, oparlVersion, body); the entry point (§2.10 "OParl
 * Endpunkt"). `oparlVersion` is one of the two version URLs the file enumerates; a 1.1 server outputs
 * OPARL_VERSION. `body` is the url of the external list of all bodies.
 */
export const System = Type.Object(
  {
    id: OParlUrl,
    type: typeOf('System'),
    oparlVersion: Type.Union([
      Type.Literal('https://schema.oparl.org/1.0/'),
      Type.Literal('https://schema.oparl.org/1.1/'),
    ]),
    otherOparlVersions: opt(UrlList),
    license: opt(OParlUrl),
    body: OParlUrl,
    name: opt(Type.String()),
    contactEmail: opt(Type.String()),
    contactName: opt(Type.String()),
    website: opt(OParlUrl),
    vendor: opt(OParlUrl),
    product: opt(OParlUrl),
    created: common.created,
    modified: common.modified,
    web: common.web,
    deleted: common.deleted,
  },
  { title: 'System' },
);

/** The twelve object schemas by type name. */
export const OPARL_SCHEMAS = {
  System,
  Body,
  Organization,
  Person,
  Meeting,
  AgendaItem,
  Paper,
  File,
  Consultation,
  Location,
  LegislativeTerm,
  Membership,
} as const satisfies Record<OParlTypeName, TSchema>;

export type OParlSystem = Static<typeof System>;
export type OParlBody = Static<typeof Body>;
export type OParlOrganization = Static<typeof Organization>;
export type OParlPerson = Static<typeof Person>;
export type OParlMeeting = Static<typeof Meeting>;
export type OParlAgendaItem = Static<typeof AgendaItem>;
export type OParlPaper = Static<typeof Paper>;
export type OParlFile = Static<typeof File>;
export type OParlConsultation = Static<typeof Consultation>;
export type OParlLocation = Static<typeof Location>;
export type OParlLegislativeTerm = Static<typeof LegislativeTerm>;
export type OParlMembership = Static<typeof Membership>;

/**
 * MUST rules of the prose that the `required` arrays of the schema files do not carry. A server following
 * the spec to the letter outputs these too; tests of the API should check them on top of the schemas.
 * - §3.1 `created`/`modified`: "**muss** in allen Objekttypen angegeben werden", in 1.1 also in embedded objects.
 * - strings.yml: Body.agendaItem/consultation/file/locationList/legislativeTermList/membership are "**ZWINGEND**".
 */
export const OPARL_PROSE_REQUIRED = {
  everyObject: ['created', 'modified'],
  Body: ['agendaItem', 'consultation', 'file', 'locationList', 'legislativeTermList', 'membership'],
} as const;

/**
 * Embedded lists a server need not output when the client sends `omit_internal=true` (§2.5 "Filter",
 * new in 1.1).
 */
export const OPARL_OMIT_INTERNAL: Readonly<Record<string, readonly string[]>> = {
  AgendaItem: ['auxiliaryFile'],
  Meeting: ['auxiliaryFile', 'agendaItem'],
  Paper: ['auxiliaryFile', 'location'],
  Person: ['membership'],
  Body: ['legislativeTerm'],
};

// ---------------------------------------------------------------------------------------------------------
// Deleted objects, §2.8 "Gelöschte Objekte" (2-08-geloeschte-objekte.md)
// ---------------------------------------------------------------------------------------------------------

/**
 * A soft-deleted object: `deleted: true`, `modified` = time of deletion, `id`, `type` and `created` kept,
 * all other properties may be removed; still HTTP 200 under its id. (Such a tombstone does not satisfy e.g.
 * Body.json's `required` — the spec allows removing those properties, so validate with `orDeleted`.)
 */
export function OParlDeleted(name: OParlTypeName) {
  return Type.Object(
    {
      id: OParlUrl,
      type: typeOf(name),
      created: OParlDateTime,
      modified: OParlDateTime,
      deleted: Type.Literal(true),
    },
    { title: `${name} (deleted)` },
  );
}

/** The full object or its tombstone (as a list filtered by `modified_since` returns them, §2.5). */
export function orDeleted<T extends TSchema>(schema: T, name: OParlTypeName) {
  return Type.Union([schema, OParlDeleted(name)]);
}

// ---------------------------------------------------------------------------------------------------------
// External object lists, pagination and filters, §2.5 "Objektlisten und Paginierung"
// ---------------------------------------------------------------------------------------------------------

/** `pagination`: all four attributes optional; elementsPerPage equal on every page but the last. */
export const OParlPagination = Type.Object({
  totalElements: opt(Type.Integer({ minimum: 0 })),
  elementsPerPage: opt(Type.Integer({ minimum: 0 })),
  currentPage: opt(Type.Integer({ minimum: 0 })),
  totalPages: opt(Type.Integer({ minimum: 0 })),
});

/**
 * `links`: all optional except `next`, which is **zwingend** on every page but the last — a rule about the
 * sequence of pages, checked by walking the list, not expressible per page. `self` is the canonical url of
 * the page, `web` (new in 1.1) its HTML view. Filters of the request **muss** be kept in every link.
 */
export const OParlLinks = Type.Object({
  first: opt(OParlUrl),
  prev: opt(OParlUrl),
  self: opt(OParlUrl),
  next: opt(OParlUrl),
  last: opt(OParlUrl),
  web: opt(OParlUrl),
});

/** One page of an external object list: `data`, `pagination` and `links` **muss** be present. */
export function OParlList<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), pagination: OParlPagination, links: OParlLinks });
}

/**
 * Query parameters of every external object list (§2.5 "Filter" and "Der Aktualisierungsmechanismus").
 * Written for the API's parameter validator, which coerces text (src/http/app.ts: `coerceTypes: 'array'`).
 * - `created_since`, `created_until`, `modified_since`, `modified_until`: a server **muss** support them on
 *   all external lists; they expect a full date-time (URL-encoded, e.g. `2014-01-01T00%3A00%3A00%2B01%3A00`)
 *   and refer to the objects' `created`/`modified`. Accepted here as any RFC 3339 date-time (be liberal in
 *   what is accepted; what the server outputs is strict). Inclusive bounds are not specified.
 * - With `modified_since`, deleted objects matching the filters **muss** be in the list; without it they
 *   **dürfen nicht** (§2.5, new in 1.1).
 * - `omit_internal=true`: the server **soll** leave out the embedded lists in OPARL_OMIT_INTERNAL.
 * - `limit`: objects per page wished by the client; a client **darf nicht** expect the server to follow it,
 *   so a server caps it instead of refusing large values.
 * The parameter naming the page itself is the server's choice (the spec leaves list-page URLs open).
 */
export const OParlListQuery = Type.Object({
  created_since: opt(Type.String({ format: 'date-time', description: 'Objects created at or after' })),
  created_until: opt(Type.String({ format: 'date-time', description: 'Objects created up to' })),
  modified_since: opt(
    Type.String({ format: 'date-time', description: 'Objects modified since; includes deleted objects' }),
  ),
  modified_until: opt(Type.String({ format: 'date-time', description: 'Objects modified up to' })),
  omit_internal: opt(Type.Boolean({ description: 'true: leave out embedded lists (auxiliaryFile, …)' })),
  limit: opt(Type.Integer({ minimum: 1, description: 'Objects per page wished; the server may cap it' })),
});
export type OParlListQueryInput = Static<typeof OParlListQuery>;

// ---------------------------------------------------------------------------------------------------------
// Errors, §2.9 "Ausnahmebehandlung" (new in 1.1)
// ---------------------------------------------------------------------------------------------------------

/**
 * The error object a server **sollte** send with an error status code: "ein Objekt …, das die folgenden
 * 3 Attribute enthält" — `type`, `message` (for the user, in the language of the content), `debug`.
 */
export const OParlError = Type.Object({
  type: Type.Literal('https://schema.oparl.org/1.1/Error'),
  message: Type.String(),
  debug: Type.String(),
});
