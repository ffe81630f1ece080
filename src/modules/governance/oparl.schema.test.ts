/**
 * The OParl 1.1 shapes compile with ajv (set up as in src/web/form.ts and src/http/app.ts) and accept a
 * hand-written object of every type, built after the spec's own examples; a missing required property,
 * a wrong or 1.0 type URI and wrong date formats are refused.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import {
  AgendaItem,
  Body,
  BodyOmitInternal,
  File,
  Location,
  Meeting,
  Membership,
  OPARL_OMIT_INTERNAL,
  OPARL_PROSE_REQUIRED,
  OPARL_SCHEMAS,
  OPARL_TYPE,
  OPARL_VERSION,
  OParlError,
  OParlList,
  OParlListQuery,
  type OParlTypeName,
  Organization,
  orDeleted,
  Paper,
  Person,
  System,
} from './oparl.schema.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajvOpts = { allErrors: true, removeAdditional: false, strict: false, useDefaults: false } as const;
/** Response bodies: no coercion, like the body validator. */
const ajv = addFormats(new Ajv({ ...ajvOpts, coerceTypes: false }));
/** Query strings arrive as text: coerced, like the parameter validator in src/http/app.ts. */
const paramAjv = addFormats(new Ajv({ ...ajvOpts, coerceTypes: 'array' }));

const compiled = new Map<TSchema, ValidateFunction>();
function check(schema: TSchema, value: unknown): { ok: boolean; errors: string[] } {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema as object);
    compiled.set(schema, v);
  }
  const ok = v(value) as boolean;
  return { ok, errors: (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
}
const clone = <T>(v: T): T => structuredClone(v);
const base = 'https://oparl.example.org';
const at = '2012-01-06T12:01:00+01:00';
const stamp = { created: at, modified: '2012-01-08T14:05:27+01:00' };

// --- Hand-written examples, one per type (after the examples in the spec's chapters 2.5 and 3) ---------

const location = {
  id: `${base}/location/1`,
  type: OPARL_TYPE.Location,
  description: 'Ratshausvorplatz 1, 12345 Beispielstadt',
  geojson: { type: 'Feature', geometry: { type: 'Point', coordinates: [7.03291, 50.98249] } },
  streetAddress: 'Ratshausvorplatz 1',
  postalCode: '12345',
  locality: 'Beispielstadt',
  ...stamp,
};
const file = {
  id: `${base}/files/57739`,
  type: OPARL_TYPE.File,
  name: 'Einladung',
  fileName: 'einladung.pdf',
  mimeType: 'application/pdf',
  date: '2012-01-08',
  size: 82930,
  sha512Checksum: 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce',
  accessUrl: `${base}/files/57739.pdf`,
  downloadUrl: `${base}/files/download/57739.pdf`,
  ...stamp,
};
const legislativeTerm = {
  id: `${base}/term/21`,
  type: OPARL_TYPE.LegislativeTerm,
  name: 'Wahlperiode 2024–2029',
  startDate: '2024-07-01',
  endDate: '2029-06-30',
  ...stamp,
};
const membership = {
  id: `${base}/memberships/385`,
  type: OPARL_TYPE.Membership,
  organization: `${base}/organizations/5`,
  role: 'Vorsitzende',
  votingRight: true,
  startDate: '2013-12-03',
  ...stamp,
};
const consultation = {
  id: `${base}/consultation/47594`,
  type: OPARL_TYPE.Consultation,
  agendaItem: `${base}/agendaitem/15569`,
  meeting: `${base}/meeting/243`,
  organization: [`${base}/organization/96`],
  authoritative: false,
  role: 'Beschlussfassung',
  ...stamp,
};
const agendaItem = {
  id: `${base}/agendaitem/1045`,
  type: OPARL_TYPE.AgendaItem,
  number: '10.1',
  order: 0,
  name: 'Satzungsänderung',
  public: true,
  consultation: `${base}/consultation/47594`,
  result: 'Unverändert beschlossen',
  auxiliaryFile: [file],
  ...stamp,
};
const meeting = {
  id: `${base}/meeting/281`,
  type: OPARL_TYPE.Meeting,
  name: '4. Sitzung der Verbandsversammlung',
  meetingState: 'eingeladen',
  cancelled: false,
  start: '2013-01-04T08:00:00+01:00',
  end: '2013-01-04T12:00:00+01:00',
  location,
  organization: [`${base}/organization/34`],
  invitation: file,
  auxiliaryFile: [file],
  agendaItem: [agendaItem],
  web: 'https://ris.example.org/meeting/281',
  ...stamp,
};
const paper = {
  id: `${base}/paper/749`,
  type: OPARL_TYPE.Paper,
  body: `${base}/body/0`,
  name: 'Änderung der Verbandssatzung',
  reference: 'VV/2013/12',
  date: '2013-01-04',
  paperType: 'Beschlussvorlage',
  mainFile: file,
  auxiliaryFile: [file],
  location: [location],
  consultation: [consultation],
  underDirectionOf: [`${base}/organization/2`],
  keyword: ['satzung'],
  ...stamp,
};
const person = {
  id: `${base}/person/29`,
  type: OPARL_TYPE.Person,
  body: `${base}/body/0`,
  name: 'Prof. Dr. Max Mustermann',
  familyName: 'Mustermann',
  givenName: 'Max',
  title: ['Prof.', 'Dr.'],
  gender: 'male',
  email: ['max@example.org'],
  membership: [membership],
  ...stamp,
};
const organization = {
  id: `${base}/organization/34`,
  type: OPARL_TYPE.Organization,
  body: `${base}/body/0`,
  name: 'Verbandsversammlung',
  shortName: 'VV',
  membership: [`${base}/memberships/385`],
  meeting: `${base}/organization/34/meeting`,
  organizationType: 'Gremium',
  classification: 'Parlament',
  startDate: '2012-07-01',
  location,
  ...stamp,
};
const body = {
  id: `${base}/body/0`,
  type: OPARL_TYPE.Body,
  system: `${base}/`,
  name: 'Zweckverband Kommunale IT',
  shortName: 'ZV KIT',
  license: 'https://creativecommons.org/licenses/by/4.0/',
  organization: `${base}/body/0/organization`,
  person: `${base}/body/0/person`,
  meeting: `${base}/body/0/meeting`,
  paper: `${base}/body/0/paper`,
  legislativeTerm: [legislativeTerm],
  agendaItem: `${base}/body/0/agendaItem`,
  consultation: `${base}/body/0/consultation`,
  file: `${base}/body/0/file`,
  locationList: `${base}/body/0/location`,
  legislativeTermList: `${base}/body/0/legislativeTerm`,
  membership: `${base}/body/0/membership`,
  location,
  ...stamp,
};
const system = {
  id: `${base}/`,
  type: OPARL_TYPE.System,
  oparlVersion: OPARL_VERSION,
  body: `${base}/body`,
  name: 'Allmende OParl',
  license: 'https://creativecommons.org/licenses/by/4.0/',
  contactEmail: 'oparl@example.org',
  ...stamp,
};

const examples: Record<OParlTypeName, Record<string, unknown>> = {
  System: system,
  Body: body,
  Organization: organization,
  Person: person,
  Meeting: meeting,
  AgendaItem: agendaItem,
  Paper: paper,
  File: file,
  Consultation: consultation,
  Location: location,
  LegislativeTerm: legislativeTerm,
  Membership: membership,
};
/** `required` of each schema file (OParl/spec schema/*.json @ 16af8d7). */
const requiredBySpec: Record<OParlTypeName, string[]> = {
  System: ['id', 'type', 'oparlVersion', 'body'],
  Body: ['id', 'type', 'name', 'organization', 'person', 'meeting', 'paper', 'legislativeTerm'],
  Organization: ['id', 'type'],
  Person: ['id', 'type'],
  Meeting: ['id', 'type'],
  AgendaItem: ['id', 'type', 'order'],
  Paper: ['id', 'type'],
  File: ['id', 'type', 'accessUrl'],
  Consultation: ['id', 'type'],
  Location: ['id', 'type'],
  LegislativeTerm: ['id', 'type'],
  Membership: ['id', 'type'],
};
const names = Object.keys(OPARL_SCHEMAS) as OParlTypeName[];

describe('OParl 1.1 object schemas', () => {
  it('cover the twelve types of the spec with their namespace URLs', () => {
    expect(names.sort()).toEqual(Object.keys(OPARL_TYPE).sort());
    for (const name of names) expect(OPARL_TYPE[name]).toBe(`https://schema.oparl.org/1.1/${name}`);
  });

  it.each(names)('%s: compiles and accepts the hand-written example', (name) => {
    expect(check(OPARL_SCHEMAS[name], examples[name])).toEqual({ ok: true, errors: [] });
  });

  it.each(names)('%s: requires exactly what the schema file requires', (name) => {
    const schema = OPARL_SCHEMAS[name] as TSchema & { required?: string[] };
    expect([...(schema.required ?? [])].sort()).toEqual([...requiredBySpec[name]].sort());
    for (const prop of requiredBySpec[name]) {
      const value = clone(examples[name]);
      delete value[prop];
      const r = check(OPARL_SCHEMAS[name], value);
      expect(r.ok, `${name} without ${prop}`).toBe(false);
      expect(r.errors.join()).toContain(`must have required property '${prop}'`);
    }
  });

  it.each(names)('%s: refuses a wrong type URI, the 1.0 URI and another type', (name) => {
    const other = name === 'File' ? 'Paper' : 'File';
    for (const type of [
      `https://schema.oparl.org/1.0/${name}`,
      `https://oparl.org/schema/1.0/${name}`,
      `https://schema.oparl.org/1.1/${name.toLowerCase()}`,
      OPARL_TYPE[other],
    ]) {
      expect(check(OPARL_SCHEMAS[name], { ...examples[name], type }).ok, type).toBe(false);
    }
  });

  it('accepts the minimal objects (only what is required)', () => {
    expect(check(Meeting, { id: `${base}/meeting/1`, type: OPARL_TYPE.Meeting }).ok).toBe(true);
    expect(check(AgendaItem, { id: `${base}/ai/1`, type: OPARL_TYPE.AgendaItem, order: 0 }).ok).toBe(true);
    expect(check(File, { id: `${base}/f/1`, type: OPARL_TYPE.File, accessUrl: `${base}/f/1.pdf` }).ok).toBe(
      true,
    );
    expect(
      check(Body, {
        ...Object.fromEntries(requiredBySpec.Body.map((k) => [k, body[k as keyof typeof body]])),
        legislativeTerm: [],
      }).ok,
    ).toBe(true);
  });

  it('checks embedded objects: a File inside an AgendaItem inside a Meeting', () => {
    const bad = clone(meeting) as { agendaItem: { auxiliaryFile: { type: string }[] }[] };
    bad.agendaItem[0]!.auxiliaryFile[0]!.type = OPARL_TYPE.Paper;
    const r = check(Meeting, bad);
    expect(r.ok).toBe(false);
    expect(r.errors.join()).toContain('/agendaItem/0/auxiliaryFile/0/type');
    const noOrder = clone(meeting) as { agendaItem: Record<string, unknown>[] };
    delete noOrder.agendaItem[0]!.order;
    expect(check(Meeting, noOrder).ok).toBe(false);
    const noAccessUrl = clone(paper) as { mainFile: Record<string, unknown> };
    delete noAccessUrl.mainFile.accessUrl;
    expect(check(Paper, noAccessUrl).ok).toBe(false);
  });

  it('embeds objects where 1.1 embeds them and links by URL elsewhere', () => {
    expect(check(Meeting, { ...meeting, agendaItem: [`${base}/agendaitem/1045`] }).ok).toBe(false);
    expect(check(Meeting, { ...meeting, invitation: `${base}/files/57739` }).ok).toBe(false);
    expect(check(Paper, { ...paper, consultation: [`${base}/consultation/1`] }).ok).toBe(false);
    expect(check(Person, { ...person, membership: [`${base}/memberships/385`] }).ok).toBe(false);
    expect(check(Body, { ...body, legislativeTerm: `${base}/body/0/legislativeTerm` }).ok).toBe(false);
    // …and the other way round: Body's lists and Organization.meeting are URLs of external lists.
    expect(check(Body, { ...body, meeting: [meeting] }).ok).toBe(false);
    expect(check(Organization, { ...organization, meeting: [meeting.id] }).ok).toBe(false);
    expect(check(Meeting, { ...meeting, organization: [organization] }).ok).toBe(false);
  });

  it('uses the date formats of §2.4: date-time with ±hh:mm offset, date as yyyy-mm-dd', () => {
    expect(check(Meeting, { ...meeting, start: '2013-01-04T08:00:00Z' }).ok).toBe(false);
    expect(check(Meeting, { ...meeting, start: '2013-01-04T08:00:00.000+01:00' }).ok).toBe(false);
    expect(check(Meeting, { ...meeting, start: '2013-01-04' }).ok).toBe(false);
    expect(check(Meeting, { ...meeting, modified: '2013-13-04T08:00:00+01:00' }).ok).toBe(false);
    expect(check(File, { ...file, date: '2012-01-08T00:00:00+01:00' }).ok).toBe(false);
    expect(check(Paper, { ...paper, date: '2013-1-4' }).ok).toBe(false);
    expect(check(Membership, { ...membership, startDate: '2013-12-03T16:30:00+01:00' }).ok).toBe(false);
  });

  it('wants URLs (http/https, RFC 3986) for ids and links, localhost included', () => {
    expect(check(Meeting, { ...meeting, id: '/meeting/281' }).ok).toBe(false);
    expect(check(Meeting, { ...meeting, id: 'urn:oparl:meeting:281' }).ok).toBe(false);
    expect(check(Meeting, { ...meeting, id: 'http://localhost:3000/oparl/v1/meeting/281' }).ok).toBe(true);
    expect(check(Meeting, { ...meeting, participant: ['Max Mustermann'] }).ok).toBe(false);
  });

  it('allows vendor-prefixed extension properties (§3 "Herstellerspezifische Erweiterungen")', () => {
    expect(check(Person, { ...person, 'BeispielHersteller:faxNumber': '012345678' }).ok).toBe(true);
  });

  it('accepts only the two version URLs in System.oparlVersion and a GeoJSON Feature in Location', () => {
    expect(check(System, { ...system, oparlVersion: 'https://schema.oparl.org/1.2/' }).ok).toBe(false);
    expect(check(Location, { ...location, geojson: { type: 'Point', coordinates: [7, 50] } }).ok).toBe(false);
  });

  it('accepts a deleted object (§2.8) only with id, type, created, modified and deleted: true', () => {
    const tombstone = { id: body.id, type: OPARL_TYPE.Body, deleted: true, ...stamp };
    expect(check(Body, tombstone).ok).toBe(false);
    expect(check(orDeleted(Body, 'Body'), tombstone).ok).toBe(true);
    expect(check(orDeleted(Body, 'Body'), body).ok).toBe(true);
    const { created: _, ...withoutCreated } = tombstone;
    expect(check(orDeleted(Body, 'Body'), withoutCreated).ok).toBe(false);
    expect(check(orDeleted(Body, 'Body'), { ...tombstone, deleted: false }).ok).toBe(false);
  });

  it('lets a Body without legislativeTerm pass only in the omit_internal variant', () => {
    const { legislativeTerm: _, ...omitted } = body;
    expect(check(Body, omitted).ok).toBe(false);
    expect(check(BodyOmitInternal, omitted).ok).toBe(true);
    for (const [type, props] of Object.entries(OPARL_OMIT_INTERNAL)) {
      const schema = OPARL_SCHEMAS[type as OParlTypeName] as TSchema & { properties: object };
      for (const p of props) expect(schema.properties, `${type}.${p}`).toHaveProperty(p);
    }
  });

  it('names the prose-only MUST properties, each of them present in the schemas', () => {
    for (const name of names) {
      const schema = OPARL_SCHEMAS[name] as TSchema & { properties: object; required: string[] };
      for (const p of OPARL_PROSE_REQUIRED.everyObject) {
        expect(schema.properties).toHaveProperty(p);
        expect(schema.required).not.toContain(p);
      }
    }
    for (const p of OPARL_PROSE_REQUIRED.Body) expect(Body.properties).toHaveProperty(p);
  });

  it('describes the error object of §2.9', () => {
    const error = { type: 'https://schema.oparl.org/1.1/Error', message: 'Nicht gefunden', debug: 'no row' };
    expect(check(OParlError, error).ok).toBe(true);
    expect(check(OParlError, { ...error, type: OPARL_TYPE.File }).ok).toBe(false);
  });
});

describe('OParl 1.1 external object lists', () => {
  const MeetingList = OParlList(orDeleted(Meeting, 'Meeting'));
  const page = {
    data: [meeting, { id: `${base}/meeting/282`, type: OPARL_TYPE.Meeting, deleted: true, ...stamp }],
    pagination: { totalElements: 50000, elementsPerPage: 100, currentPage: 3, totalPages: 500 },
    links: {
      first: `${base}/meeting/`,
      prev: `${base}/meeting/?page=2`,
      self: `${base}/meeting/?page=3`,
      next: `${base}/meeting/?page=4`,
      last: `${base}/meeting/?page=500`,
      web: 'https://web.example.org/meeting/?page=3',
    },
  };

  it('accepts a list page with data, pagination and links (the example of §2.5)', () => {
    expect(check(MeetingList, page)).toEqual({ ok: true, errors: [] });
    expect(check(MeetingList, { data: [], pagination: {}, links: {} }).ok).toBe(true);
  });

  it('refuses a page without data, pagination or links, or with a wrong object in data', () => {
    for (const key of ['data', 'pagination', 'links'] as const) {
      const { [key]: _, ...rest } = page;
      expect(check(MeetingList, rest).ok, key).toBe(false);
    }
    expect(check(MeetingList, { ...page, data: [paper] }).ok).toBe(false);
    expect(check(MeetingList, { ...page, links: { next: '?page=4' } }).ok).toBe(false);
    expect(check(MeetingList, { ...page, pagination: { currentPage: '3' } }).ok).toBe(false);
  });

  it('reads the filters of §2.5 from the query string (as text, coerced like the API does)', () => {
    const validate = paramAjv.compile(OParlListQuery as object);
    const query: Record<string, unknown> = {
      modified_since: '2014-01-01T02:00:00+01:00',
      created_since: '2014-01-01T00:00:00+01:00',
      created_until: '2014-01-31T23:59:59Z',
      modified_until: '2014-01-31T23:59:59+01:00',
      omit_internal: 'true',
      limit: '20',
    };
    expect(validate(query)).toBe(true);
    expect(query).toMatchObject({ omit_internal: true, limit: 20 });
    for (const bad of [
      { modified_since: '2014-01-01' },
      { created_until: 'yesterday' },
      { limit: '0' },
      { limit: 'ten' },
      { omit_internal: 'yes' },
    ]) {
      expect(validate({ ...bad }), JSON.stringify(bad)).toBe(false);
    }
    expect(validate({})).toBe(true);
  });
});
