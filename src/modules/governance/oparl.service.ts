/**
 * The public part of the assembly (Verbandsversammlung) as OParl 1.1 objects (shapes in oparl.schema.ts,
 * rules in docs/oparl-notes.md). One body (the association), two organizations (the assembly and the
 * steering group), the representatives as persons with their membership in the assembly, meetings with
 * their public agenda items, resolutions as papers (each with one consultation: its agenda item), public
 * documents as files, meeting places as locations.
 *
 * The assembly's public data is small (a few meetings a year), so a request loads all of it in five
 * queries — in a visitor's transaction, see oparl.routes.ts — builds every object once and answers from
 * that graph: an object looks the same in every list, embedded or alone (only the back-reference to its
 * parent is left out when embedded, §3 "Die Objekte"), and lists filter and paginate in memory.
 */
import type { Tx } from '../../db/tx.js';
import { TIME_ZONE } from '../../shared/dates.js';
import {
  type OParlAgendaItemRow,
  type OParlDocumentRow,
  type OParlMeetingRow,
  type OParlRepresentativeRow,
  type OParlResolutionRow,
  selectOParlAgendaItems,
  selectOParlDocuments,
  selectOParlMeetings,
  selectOParlRepresentatives,
  selectOParlResolutions,
} from './oparl.repository.js';
import { OPARL_OMIT_INTERNAL, OPARL_TYPE, OPARL_VERSION, type OParlTypeName } from './oparl.schema.js';

/** An OParl object as served (JSON). */
export type OParlObject = { id: string; type: string; created: string; modified: string } & Record<
  string,
  unknown
>;

/**
 * The association as the one Body. Its name is public, but the members table is not readable without a
 * member scope, so it is written here like on the site's static pages (src/web/static-pages.tsx).
 */
export const OPARL_BODY = {
  name: 'Zweckverband Digitale Kommunen Brandenburg',
  shortName: 'DIKOM',
  classification: 'Zweckverband',
} as const;

/** When this API began: `created`/`modified` of the objects that never change (System, Body, …). */
export const OPARL_SINCE = new Date('2026-12-02T00:00:00+01:00');

/** Resolution kinds as German paper types (Drucksachenart). */
export const PAPER_TYPE: Readonly<Record<OParlResolutionRow['kind'], string>> = {
  adopt_catalog_version: 'Beschlussvorlage Leistungs- und Entgeltverzeichnis',
  admit_members: 'Beschlussvorlage Aufnahme von Mitgliedern',
  release_member: 'Beschlussvorlage Ausscheiden eines Mitglieds',
  award_contract: 'Beschlussvorlage Vergabe',
  amend_statute: 'Beschlussvorlage Satzungsänderung',
  other: 'Beschlussvorlage',
};

const MEETING_STATE: Readonly<Record<OParlMeetingRow['status'], string>> = {
  planned: 'terminiert',
  invited: 'eingeladen',
  held: 'durchgeführt',
  cancelled: 'abgesagt',
};

const ROLE: Readonly<Record<OParlRepresentativeRow['role'], string>> = {
  representative: 'Vertreter/in',
  deputy: 'Stellvertreter/in',
};

// ---------------------------------------------------------------------------------------------------------
// Dates, §2.4: date-time as yyyy-mm-ddThh:mm:ss±hh:mm (here in Europe/Berlin), date as yyyy-mm-dd
// ---------------------------------------------------------------------------------------------------------

const berlinParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** An instant in Berlin time with its offset, whole seconds: `2021-03-11T16:00:00+01:00`. */
export function oparlDateTime(at: Date): string {
  const p = Object.fromEntries(berlinParts.formatToParts(at).map((x) => [x.type, x.value]));
  const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  const offset = Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** The Berlin civil date of an instant. */
function oparlDate(at: Date): string {
  return oparlDateTime(at).slice(0, 10);
}

const latest = (...dates: Date[]): Date => new Date(Math.max(...dates.map((d) => d.getTime())));

/** Leaves out undefined properties and empty optional lists (§2.4 "null-Werte und leere Listen"). */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

function object(
  name: OParlTypeName,
  id: string,
  props: Record<string, unknown>,
  created: Date,
  modified: Date,
): OParlObject {
  return {
    id,
    type: OPARL_TYPE[name],
    ...compact(props),
    created: oparlDateTime(created),
    modified: oparlDateTime(modified),
  };
}

/** The object as embedded in its parent: without the back-references to it. */
function embedded(o: OParlObject, ...backReferences: string[]): OParlObject {
  const copy = { ...o };
  for (const k of backReferences) delete copy[k];
  return copy;
}

// ---------------------------------------------------------------------------------------------------------
// The graph
// ---------------------------------------------------------------------------------------------------------

/** The external object lists of the Body (§2.5) by their path segment. */
export const OPARL_LISTS = [
  'organization',
  'person',
  'meeting',
  'paper',
  'agendaItem',
  'consultation',
  'file',
  'location',
  'legislativeTerm',
  'membership',
] as const;
export type OParlListName = (typeof OPARL_LISTS)[number];

/** The path segment of each object type that can be fetched on its own. */
export const OPARL_OBJECT_PATHS = {
  Organization: 'organization',
  Person: 'person',
  Membership: 'membership',
  Meeting: 'meeting',
  AgendaItem: 'agendaItem',
  Paper: 'paper',
  Consultation: 'consultation',
  File: 'file',
  Location: 'location',
} as const satisfies Partial<Record<OParlTypeName, string>>;

export interface OParlGraph {
  readonly base: string;
  readonly system: OParlObject;
  readonly body: OParlObject;
  /** The lists' objects (standalone form), in their stable order. */
  readonly lists: Readonly<Record<OParlListName | 'body', readonly OParlObject[]>>;
  /** Every object that can be fetched on its own, by its id (its URL). */
  readonly byId: ReadonlyMap<string, OParlObject>;
}

export const BODY_KEY = 'verband';
export const ASSEMBLY_KEY = 'verbandsversammlung';
export const STEERING_GROUP_KEY = 'projektsteuerungsgruppe';

/**
 * Reads the public part of the assembly and builds every OParl object. `base` is the absolute URL of the
 * API without a trailing slash (e.g. `https://allmende.example/oparl/v1`); ids are `${base}/<type>/<key>`.
 * Call it in a visitor's transaction: what row-level security hides never reaches the graph.
 */
export async function loadOParlGraph(tx: Tx, base: string): Promise<OParlGraph> {
  const meetings = await selectOParlMeetings(tx);
  const items = await selectOParlAgendaItems(tx);
  const documents = await selectOParlDocuments(tx);
  const resolutions = await selectOParlResolutions(tx);
  const representatives = await selectOParlRepresentatives(tx);
  return buildGraph(base, { meetings, items, documents, resolutions, representatives });
}

const byCreated = <T extends { created_at: Date; id: string }>(a: T, b: T) =>
  a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function groupBy<T>(rows: readonly T[], key: (r: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    if (k === null) continue;
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

function buildGraph(
  base: string,
  data: {
    meetings: OParlMeetingRow[];
    items: OParlAgendaItemRow[];
    documents: OParlDocumentRow[];
    resolutions: OParlResolutionRow[];
    representatives: OParlRepresentativeRow[];
  },
): OParlGraph {
  const url = {
    system: `${base}/system`,
    bodyList: `${base}/body`,
    body: `${base}/body/${BODY_KEY}`,
    list: (name: OParlListName) => `${base}/body/${BODY_KEY}/${name}`,
    of: (path: (typeof OPARL_OBJECT_PATHS)[keyof typeof OPARL_OBJECT_PATHS], key: string) =>
      `${base}/${path}/${key}`,
  };
  const assemblyUrl = url.of('organization', ASSEMBLY_KEY);
  const steeringUrl = url.of('organization', STEERING_GROUP_KEY);
  const meetingUrl = (id: string) => url.of('meeting', id);
  const itemUrl = (id: string) => url.of('agendaItem', id);
  const paperUrl = (id: string) => url.of('paper', id);
  const consultationUrl = (id: string) => url.of('consultation', id);

  const meetings = [...data.meetings].sort(byCreated);
  const meetingById = new Map(meetings.map((m) => [m.id, m]));
  const items = data.items.filter((i) => meetingById.has(i.meeting_id));
  const itemById = new Map(items.map((i) => [i.id, i]));
  const documents = data.documents
    .filter(
      (d) => meetingById.has(d.meeting_id) && (d.agenda_item_id === null || itemById.has(d.agenda_item_id)),
    )
    .sort(byCreated);
  const resolutions = data.resolutions.filter((r) => itemById.has(r.agenda_item_id)).sort(byCreated);
  const resolutionsOfItem = groupBy(resolutions, (r) => r.agenda_item_id);
  const docsOfItem = groupBy(documents, (d) => d.agenda_item_id);
  const docsOfMeeting = groupBy(
    documents.filter((d) => d.agenda_item_id === null),
    (d) => d.meeting_id,
  );
  const itemsOfMeeting = groupBy(
    [...items].sort((a, b) => a.position - b.position),
    (i) => i.meeting_id,
  );

  // --- Files -------------------------------------------------------------------------------------------
  /** The draft-resolution documents of an agenda item belong to the papers (resolutions) on it. */
  const papersOfDocument = (d: OParlDocumentRow): string[] =>
    d.kind === 'draft_resolution' && d.agenda_item_id
      ? (resolutionsOfItem.get(d.agenda_item_id) ?? []).map((r) => paperUrl(r.id))
      : [];
  const files = documents.map((d) => {
    const id = url.of('file', d.id);
    return object(
      'File',
      id,
      {
        name: d.name,
        fileName: d.file_name,
        mimeType: d.content_type,
        date: oparlDate(d.created_at),
        size: d.size_bytes,
        accessUrl: `${id}/access`,
        downloadUrl: `${id}/download`,
        meeting: [meetingUrl(d.meeting_id)],
        agendaItem: d.agenda_item_id ? [itemUrl(d.agenda_item_id)] : [],
        paper: papersOfDocument(d),
      },
      d.created_at,
      d.created_at,
    );
  });
  const fileById = new Map(documents.map((d, i) => [d.id, files[i]!]));
  const embeddedFile = (d: OParlDocumentRow) =>
    embedded(fileById.get(d.id)!, 'meeting', 'agendaItem', 'paper');

  // --- Consultations and papers (one of each per resolution) -------------------------------------------
  const consultations = resolutions.map((r) =>
    object(
      'Consultation',
      consultationUrl(r.id),
      {
        paper: paperUrl(r.id),
        agendaItem: itemUrl(r.agenda_item_id),
        meeting: meetingUrl(r.meeting_id),
        organization: [assemblyUrl],
        authoritative: true,
        role: 'Entscheidung',
      },
      r.created_at,
      r.updated_at,
    ),
  );
  const papers = resolutions.map((r, i) => {
    const item = itemById.get(r.agenda_item_id)!;
    const meeting = meetingById.get(r.meeting_id)!;
    const drafts = (docsOfItem.get(r.agenda_item_id) ?? []).filter((d) => d.kind === 'draft_resolution');
    // One resolution on the item: its draft document is the paper's main file; with several the
    // documents cannot be told apart, so each paper lists them as auxiliary files.
    const single = (resolutionsOfItem.get(r.agenda_item_id) ?? []).length === 1;
    const main = single ? drafts[0] : undefined;
    const auxiliary = single ? drafts.slice(1) : drafts;
    return object(
      'Paper',
      paperUrl(r.id),
      {
        body: url.body,
        name: r.title,
        reference: r.number,
        date: oparlDate(meeting.starts_at),
        paperType: PAPER_TYPE[r.kind],
        mainFile: main ? embeddedFile(main) : undefined,
        auxiliaryFile: auxiliary.map(embeddedFile),
        originatorOrganization: item.prepared_by_steering_group ? [steeringUrl] : [],
        consultation: [embedded(consultations[i]!, 'paper')],
      },
      r.created_at,
      latest(r.updated_at, ...drafts.map((d) => d.created_at)),
    );
  });

  // --- Agenda items ------------------------------------------------------------------------------------
  const agendaItems = new Map<string, OParlObject>();
  for (const [meetingId, list] of itemsOfMeeting) {
    list.forEach((item, order) => {
      const onIt = resolutionsOfItem.get(item.id) ?? [];
      const docs = docsOfItem.get(item.id) ?? [];
      const voted = onIt.length > 0 && onIt.every((r) => r.status === 'voted');
      const carried = onIt.filter((r) => r.carried === true);
      const result = !voted
        ? undefined
        : carried.length === onIt.length
          ? 'beschlossen'
          : carried.length === 0
            ? 'abgelehnt'
            : 'teilweise beschlossen';
      const resolutionText = carried
        .map((r) => r.text.trim())
        .filter((t) => t.length > 0)
        .join('\n\n');
      agendaItems.set(
        item.id,
        object(
          'AgendaItem',
          itemUrl(item.id),
          {
            meeting: meetingUrl(meetingId),
            number: item.number,
            // Counted over the public items only: a gap must not betray a non-public one.
            order,
            name: item.title,
            public: true,
            consultation: onIt[0] ? consultationUrl(onIt[0].id) : undefined,
            result,
            resolutionText: resolutionText || undefined,
            auxiliaryFile: docs.map(embeddedFile),
          },
          item.created_at,
          latest(item.updated_at, ...docs.map((d) => d.created_at), ...onIt.map((r) => r.updated_at)),
        ),
      );
    });
  }

  // --- Locations and meetings --------------------------------------------------------------------------
  // Lists keep one stable order (§2.5): by creation, then id — both never change.
  const locations = new Map<string, OParlObject>();
  for (const m of meetings) {
    if (!m.place) continue;
    locations.set(
      m.id,
      object(
        'Location',
        url.of('location', m.id),
        { description: m.place, meetings: [meetingUrl(m.id)] },
        m.created_at,
        m.updated_at,
      ),
    );
  }
  const meetingObjects = meetings.map((m) => {
    const docs = docsOfMeeting.get(m.id) ?? [];
    const invitation = docs.find((d) => d.kind === 'invitation');
    const minutes = docs.find((d) => d.kind === 'minutes');
    const auxiliary = docs.filter((d) => d !== invitation && d !== minutes);
    const ownItems = (itemsOfMeeting.get(m.id) ?? []).map((i) => agendaItems.get(i.id)!);
    const location = locations.get(m.id);
    return object(
      'Meeting',
      meetingUrl(m.id),
      {
        name: m.title,
        meetingState: MEETING_STATE[m.status],
        cancelled: m.status === 'cancelled' ? true : undefined,
        start: oparlDateTime(m.starts_at),
        end: m.ends_at ? oparlDateTime(m.ends_at) : undefined,
        location: location ? embedded(location, 'meetings') : undefined,
        organization: [assemblyUrl],
        invitation: invitation ? embeddedFile(invitation) : undefined,
        resultsProtocol: minutes ? embeddedFile(minutes) : undefined,
        auxiliaryFile: auxiliary.map(embeddedFile),
        agendaItem: ownItems.map((i) => embedded(i, 'meeting')),
      },
      m.created_at,
      latest(m.updated_at, ...docs.map((d) => d.created_at), ...ownItems.map((i) => new Date(i.modified))),
    );
  });

  // --- Persons and memberships (one per representative row) --------------------------------------------
  const representatives = [...data.representatives].sort(byCreated);
  const memberships = representatives.map((r) =>
    object(
      'Membership',
      url.of('membership', r.id),
      {
        person: url.of('person', r.id),
        organization: assemblyUrl,
        role: ROLE[r.role],
        votingRight: r.role === 'representative',
        startDate: r.valid_from,
        endDate: r.valid_until ?? undefined,
      },
      r.created_at,
      r.updated_at,
    ),
  );
  const persons = representatives.map((r, i) =>
    object(
      'Person',
      url.of('person', r.id),
      {
        body: url.body,
        name: r.name,
        status: r.function ? [r.function] : [],
        membership: [embedded(memberships[i]!, 'person')],
        // Demo representatives are invented: say so to every client (§3.1 `keyword`).
        keyword: r.is_example ? ['Beispieldaten'] : [],
      },
      r.created_at,
      r.updated_at,
    ),
  );

  // --- Organizations, body, system ---------------------------------------------------------------------
  const organizations = [
    object(
      'Organization',
      assemblyUrl,
      {
        body: url.body,
        name: 'Verbandsversammlung',
        membership: memberships.map((m) => m.id),
        meeting: url.list('meeting'),
        organizationType: 'Gremium',
        classification: 'Verbandsversammlung',
      },
      OPARL_SINCE,
      latest(OPARL_SINCE, ...representatives.map((r) => r.updated_at)),
    ),
    object(
      'Organization',
      steeringUrl,
      {
        body: url.body,
        name: 'Projektsteuerungsgruppe',
        organizationType: 'Gremium',
        classification: 'Arbeitsgruppe',
      },
      OPARL_SINCE,
      OPARL_SINCE,
    ),
  ];
  const body = object(
    'Body',
    url.body,
    {
      system: url.system,
      name: OPARL_BODY.name,
      shortName: OPARL_BODY.shortName,
      website: new URL(base).origin,
      oparlSince: oparlDateTime(OPARL_SINCE),
      organization: url.list('organization'),
      person: url.list('person'),
      meeting: url.list('meeting'),
      paper: url.list('paper'),
      agendaItem: url.list('agendaItem'),
      consultation: url.list('consultation'),
      file: url.list('file'),
      locationList: url.list('location'),
      legislativeTermList: url.list('legislativeTerm'),
      membership: url.list('membership'),
      classification: OPARL_BODY.classification,
      mainOrganization: assemblyUrl,
    },
    OPARL_SINCE,
    OPARL_SINCE,
  );
  // Required list: output as [] (compact() left it out).
  body.legislativeTerm = [];
  const system = object(
    'System',
    url.system,
    {
      oparlVersion: OPARL_VERSION,
      body: url.bodyList,
      name: `OParl-Schnittstelle der Verbandsversammlung – ${OPARL_BODY.name}`,
      website: new URL(base).origin,
    },
    OPARL_SINCE,
    OPARL_SINCE,
  );

  const lists = {
    body: [body],
    organization: organizations,
    person: persons,
    meeting: meetingObjects,
    paper: papers,
    agendaItem: [...items].sort(byCreated).map((i) => agendaItems.get(i.id)!),
    consultation: consultations,
    file: files,
    location: [...locations.values()],
    legislativeTerm: [],
    membership: memberships,
  } satisfies Record<OParlListName | 'body', OParlObject[]>;
  const byId = new Map<string, OParlObject>();
  for (const o of [system, ...Object.values(lists).flat()]) byId.set(o.id, o);
  return { base, system, body, lists, byId };
}

// ---------------------------------------------------------------------------------------------------------
// Lists: filters and pagination, §2.5
// ---------------------------------------------------------------------------------------------------------

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const FILTERS = ['created_since', 'created_until', 'modified_since', 'modified_until'] as const;

export class OParlQueryError extends Error {
  constructor(readonly parameter: string) {
    super(`invalid query parameter: ${parameter}`);
  }
}

export interface OParlListQuery {
  readonly filters: Partial<Record<(typeof FILTERS)[number], { text: string; seconds: number }>>;
  readonly omitInternal: boolean;
  readonly limit: number | undefined;
  readonly page: number;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Reads a list's query parameters: the four filters (any RFC 3339 date-time; a `+` that arrived as a space
 * because the client did not encode it is read as `+`), `omit_internal`, `limit` (capped at
 * MAX_PAGE_SIZE) and `page` (from 1). Other parameters are ignored. Throws OParlQueryError.
 */
export function parseListQuery(query: Record<string, unknown>): OParlListQuery {
  const one = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new OParlQueryError(name);
    return v;
  };
  const filters: Record<string, { text: string; seconds: number }> = {};
  for (const name of FILTERS) {
    const raw = one(name);
    if (raw === undefined) continue;
    const text = raw.replace(/ (\d{2}:\d{2})$/, '+$1');
    const ms = Date.parse(text);
    if (!DATE_TIME.test(text) || Number.isNaN(ms)) throw new OParlQueryError(name);
    filters[name] = { text, seconds: Math.floor(ms / 1000) };
  }
  const omit = one('omit_internal');
  if (omit !== undefined && omit !== 'true' && omit !== 'false') throw new OParlQueryError('omit_internal');
  const positive = (name: string): number | undefined => {
    const raw = one(name);
    if (raw === undefined) return undefined;
    if (!/^[1-9]\d{0,8}$/.test(raw)) throw new OParlQueryError(name);
    return Number(raw);
  };
  const limit = positive('limit');
  return {
    filters,
    omitInternal: omit === 'true',
    limit: limit === undefined ? undefined : Math.min(limit, MAX_PAGE_SIZE),
    page: positive('page') ?? 1,
  };
}

const seconds = (dateTime: string) => Math.floor(Date.parse(dateTime) / 1000);

/** Leaves out the embedded lists `omit_internal=true` names (§2.5 "Filter"). */
function omitInternal(o: OParlObject): OParlObject {
  const name = o.type.slice(OPARL_VERSION.length);
  const drop = OPARL_OMIT_INTERNAL[name];
  return drop ? embedded(o, ...drop) : o;
}

export interface OParlListPage {
  data: OParlObject[];
  pagination: { totalElements: number; elementsPerPage: number; currentPage: number; totalPages: number };
  links: { first: string; prev?: string; self: string; next?: string; last: string };
}

/**
 * One page of an external list. Bounds are inclusive and compare whole seconds (the precision of the
 * output, so a client may pass back a `modified` it read). No object is ever deleted here, so
 * `modified_since` adds no tombstones. Every link keeps the filters and the limit, with the parameters in
 * one fixed order (canonical URLs, §2.3). Returns undefined for a page after the last.
 */
export function listPage(
  objects: readonly OParlObject[],
  q: OParlListQuery,
  listUrl: string,
): OParlListPage | undefined {
  const f = q.filters;
  const matching = objects.filter((o) => {
    const c = seconds(o.created);
    const m = seconds(o.modified);
    return (
      (!f.created_since || c >= f.created_since.seconds) &&
      (!f.created_until || c <= f.created_until.seconds) &&
      (!f.modified_since || m >= f.modified_since.seconds) &&
      (!f.modified_until || m <= f.modified_until.seconds)
    );
  });
  const size = q.limit ?? DEFAULT_PAGE_SIZE;
  const totalPages = Math.max(1, Math.ceil(matching.length / size));
  if (q.page > totalPages) return undefined;
  const params: [string, string][] = [];
  for (const name of FILTERS) {
    const v = f[name];
    if (v) params.push([name, v.text]);
  }
  if (q.limit !== undefined) params.push(['limit', String(q.limit)]);
  if (q.omitInternal) params.push(['omit_internal', 'true']);
  params.sort(([a], [b]) => (a < b ? -1 : 1));
  const link = (page: number) => {
    const all = page === 1 ? params : [...params, ['page', String(page)] as [string, string]];
    const search = new URLSearchParams(all).toString();
    return search ? `${listUrl}?${search}` : listUrl;
  };
  const data = matching.slice((q.page - 1) * size, q.page * size);
  return {
    data: q.omitInternal ? data.map(omitInternal) : data,
    pagination: {
      totalElements: matching.length,
      elementsPerPage: size,
      currentPage: q.page,
      totalPages,
    },
    links: {
      first: link(1),
      ...(q.page > 1 ? { prev: link(q.page - 1) } : {}),
      self: link(q.page),
      ...(q.page < totalPages ? { next: link(q.page + 1) } : {}),
      last: link(totalPages),
    },
  };
}
