/**
 * The OParl 1.1 API on a real database (PGlite and PostgreSQL). A crawler starts at /oparl/v1/system and
 * follows every URL it is given — all list pages, every object, every file — validating each object
 * (also every embedded one) against the shapes of oparl.schema.ts and checking that each id dereferences
 * to the same object. Then: pagination with a small limit, the created/modified filters, the CORS header,
 * errors, and that non-public agenda items, documents and resolutions appear nowhere — not in lists, not
 * embedded, not by their id, not for a logged-in association admin either.
 */
import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/tx.js';
import {
  addAgendaItem,
  createMeeting,
  draftResolution,
  recordPresence,
  recordVote,
} from '../../src/modules/governance/governance.service.js';
import {
  OPARL_PROSE_REQUIRED,
  OPARL_SCHEMAS,
  OPARL_TYPE,
  OPARL_VERSION,
  OParlError,
  OParlList,
  type OParlTypeName,
} from '../../src/modules/governance/oparl.schema.js';
import { votingMembersOn } from '../../src/modules/members/members.service.js';
import { DEMO, loggedIn, readAll, type TestApp, testApp, writeAll } from '../helpers.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(
  new Ajv({
    allErrors: true,
    removeAdditional: false,
    strict: false,
    useDefaults: false,
    coerceTypes: false,
  }),
);
const compiled = new Map<TSchema, ValidateFunction>();
function validate(schema: TSchema, value: unknown, where: string): void {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema as object);
    compiled.set(schema, v);
  }
  const ok = v(value) as boolean;
  expect(ok, `${where}: ${(v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('; ')}`).toBe(
    true,
  );
}
const ListPage = OParlList(Type.Unknown());
const typeName = (type: string) => type.slice(OPARL_VERSION.length) as OParlTypeName;

let t: TestApp;
let base: string;
const asAssociation = <T>(fn: (tx: Tx) => Promise<T>) => writeAll(t.database, fn);
const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`, 'utf8');

/** What the test created, public and hidden. */
const made = {
  meetingA: '',
  meetingB: '',
  publicItems: [] as string[],
  hiddenItem: '',
  hiddenItemTitle: 'Personalangelegenheit Geschäftsführung (nichtöffentlich)',
  publicResolutions: [] as string[],
  hiddenResolution: '',
  hiddenResolutionTitle: 'Vergabe an Firma Geheim GmbH',
  invitation: '',
  draftDoc: '',
  hiddenDocs: [] as string[],
  hiddenDocName: 'Vertraulicher Bericht',
  representatives: [] as string[],
  invitationBytes: pdf('Einladung zur Verbandsversammlung'),
};

async function insertDocument(
  tx: Tx,
  d: {
    meetingId: string;
    agendaItemId?: string;
    kind: 'invitation' | 'report' | 'draft_resolution' | 'minutes' | 'other';
    name: string;
    fileName: string;
    content: Buffer;
    public: boolean;
  },
): Promise<string> {
  const row = await tx.db
    .insertInto('meeting_documents')
    .values({
      meeting_id: d.meetingId,
      agenda_item_id: d.agendaItemId ?? null,
      kind: d.kind,
      name: d.name,
      file_name: d.fileName,
      content_type: 'application/pdf',
      size_bytes: d.content.length,
      sha256: createHash('sha256').update(d.content).digest('hex'),
      content: d.content,
      public: d.public,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  t = await testApp();
  base = `${t.config.publicUrl}/oparl/v1`;
  await asAssociation(async (tx) => {
    const a = await createMeeting(tx, {
      title: 'Verbandsversammlung 1/2027',
      startsAt: '2027-03-11T16:00:00+01:00',
      place: 'Cottbus, Rathaus, Saal 1',
    });
    made.meetingA = a.id;
    const top1 = await addAgendaItem(tx, a.id, {
      position: 1,
      number: 'TOP 1',
      title: 'Leistungsverzeichnis',
      public: true,
      preparedBySteeringGroup: true,
    });
    const top2 = await addAgendaItem(tx, a.id, {
      position: 2,
      number: 'TOP 2',
      title: made.hiddenItemTitle,
      public: false,
    });
    const top3 = await addAgendaItem(tx, a.id, {
      position: 3,
      number: 'TOP 3',
      title: 'Satzungsänderung',
      public: true,
    });
    made.publicItems = [top1.id, top3.id];
    made.hiddenItem = top2.id;
    const r1 = await draftResolution(tx, {
      agendaItemId: top1.id,
      number: '1/2027',
      kind: 'other',
      title: 'Kenntnisnahme des Berichts',
      text: 'Die Verbandsversammlung nimmt den Bericht zur Kenntnis.',
    });
    const r2 = await draftResolution(tx, {
      agendaItemId: top2.id,
      number: '2/2027',
      kind: 'award_contract',
      title: made.hiddenResolutionTitle,
      payload: { contractor: 'Geheim GmbH', subject: 'Betrieb' },
    });
    const r3 = await draftResolution(tx, {
      agendaItemId: top3.id,
      number: '3/2027',
      kind: 'amend_statute',
      title: 'Zweite Änderungssatzung',
    });
    made.publicResolutions = [r1.id, r3.id];
    // The meeting is held and resolution 1/2027 carried: TOP 1 shows the result and the text.
    const voters = (await votingMembersOn(tx, '2027-03-11')).map((m) => m.id);
    await recordPresence(tx, a.id, voters);
    await recordVote(
      tx,
      r1.id,
      voters.map((memberId) => ({ memberId, ballot: 'yes' as const })),
    );
    made.hiddenResolution = r2.id;
    made.invitation = await insertDocument(tx, {
      meetingId: a.id,
      kind: 'invitation',
      name: 'Einladung',
      fileName: 'einladung-1-2027.pdf',
      content: made.invitationBytes,
      public: true,
    });
    made.draftDoc = await insertDocument(tx, {
      meetingId: a.id,
      agendaItemId: top1.id,
      kind: 'draft_resolution',
      name: 'Beschlussvorlage 1/2027',
      fileName: 'beschlussvorlage 1-2027 Ä.pdf',
      content: pdf('Vorlage'),
      public: true,
    });
    made.hiddenDocs = [
      // Non-public at meeting level, public on a non-public item, non-public on a public item.
      await insertDocument(tx, {
        meetingId: a.id,
        kind: 'minutes',
        name: made.hiddenDocName,
        fileName: 'geheim1.pdf',
        content: pdf('a'),
        public: false,
      }),
      await insertDocument(tx, {
        meetingId: a.id,
        agendaItemId: top2.id,
        kind: 'report',
        name: made.hiddenDocName,
        fileName: 'geheim2.pdf',
        content: pdf('b'),
        public: true,
      }),
      await insertDocument(tx, {
        meetingId: a.id,
        agendaItemId: top3.id,
        kind: 'report',
        name: made.hiddenDocName,
        fileName: 'geheim3.pdf',
        content: pdf('c'),
        public: false,
      }),
    ];
    await insertDocument(tx, {
      meetingId: a.id,
      agendaItemId: top3.id,
      kind: 'report',
      name: 'Bericht zur Satzung',
      fileName: 'bericht.pdf',
      content: pdf('d'),
      public: true,
    });

    const b = await createMeeting(tx, {
      title: 'Verbandsversammlung 2/2020',
      startsAt: '2020-07-01T10:00:00+02:00',
    });
    made.meetingB = b.id;
    // Meeting B was recorded long ago: its created/modified drive the filter tests.
    await tx.db
      .updateTable('meetings')
      .set({
        created_at: new Date('2020-01-15T10:00:00+01:00'),
        updated_at: new Date('2020-02-01T12:30:00+01:00'),
      })
      .where('id', '=', b.id)
      .execute();

    const member = await tx.db
      .selectFrom('members')
      .select('id')
      .orderBy('name')
      .limit(1)
      .executeTakeFirstOrThrow();
    const reps = await tx.db
      .insertInto('assembly_representatives')
      .values([
        {
          member_id: member.id,
          name: 'Erika Beispiel',
          function: 'Bürgermeisterin',
          role: 'representative',
          valid_from: '2024-01-01',
        },
        {
          member_id: member.id,
          name: 'Max Muster',
          function: null,
          role: 'deputy',
          valid_from: '2024-01-01',
          valid_until: '2026-06-30',
          is_example: true,
        },
      ])
      .returning('id')
      .execute();
    made.representatives = reps.map((r) => r.id);
  });
});
afterAll(async () => t?.close());

const path = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
async function get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.app.inject({ url: url.startsWith('http') ? path(url) : url, ...(headers ? { headers } : {}) });
}
async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await get(url);
  expect(res.statusCode, url).toBe(200);
  expect(res.headers['access-control-allow-origin'], url).toBe('*');
  expect(res.headers['content-type'], url).toMatch(/^application\/json/);
  return res.json();
}

/** Properties holding URLs outside the API (type URIs, the site). */
const NOT_API_URLS = new Set(['type', 'oparlVersion', 'website', 'web', 'license']);

/** Back-references an embedded object leaves out (§3 "Die Objekte"). */
const BACK_REFERENCES = new Set(['meeting', 'agendaItem', 'paper', 'person', 'meetings']);

interface Crawl {
  /** Every JSON answer by the URL fetched. */
  pages: Map<string, Record<string, unknown>>;
  /** Every object seen, standalone (by its id) — the dereferenced form. */
  objects: Map<string, Record<string, unknown>>;
  /** Objects seen embedded or as list items: [object, parent id or 'list']. */
  seen: [Record<string, unknown>, string][];
  files: Set<string>;
  text: string;
}

/** Visits every URL reachable from the system object and validates every object on the way. */
async function crawl(): Promise<Crawl> {
  const pages = new Map<string, Record<string, unknown>>();
  const objects = new Map<string, Record<string, unknown>>();
  const seen: [Record<string, unknown>, string][] = [];
  const files = new Set<string>();
  const queue = [`${base}/system`];
  const enqueue = (u: string) => {
    if (!pages.has(u) && !queue.includes(u)) queue.push(u);
  };
  /** Validates an object and everything embedded in it; queues every URL in it. */
  const walk = (o: Record<string, unknown>, where: string, top: boolean) => {
    expect(typeof o.type, where).toBe('string');
    const name = typeName(o.type as string);
    expect(OPARL_TYPE[name], where).toBe(o.type);
    validate(OPARL_SCHEMAS[name], o, `${where} (${name})`);
    for (const p of OPARL_PROSE_REQUIRED.everyObject) expect(o[p], `${where}.${p}`).toBeDefined();
    if (name === 'Body')
      for (const p of OPARL_PROSE_REQUIRED.Body) expect(o[p], `${where}.${p}`).toBeDefined();
    if (!top) {
      seen.push([o, where]);
      enqueue(o.id as string);
    }
    for (const [k, v] of Object.entries(o)) {
      if (k === 'id' || NOT_API_URLS.has(k)) continue;
      if (k === 'accessUrl' || k === 'downloadUrl') {
        files.add(v as string);
        continue;
      }
      for (const x of [v].flat()) {
        if (typeof x === 'string' && x.startsWith('http')) {
          expect(x.startsWith(`${base}/`), `${where}.${k} points into the API`).toBe(true);
          enqueue(x);
        } else if (x && typeof x === 'object')
          walk(x as Record<string, unknown>, `${o.id as string} ${k}`, false);
      }
    }
  };
  while (queue.length) {
    const url = queue.shift()!;
    const body = await getJson(url);
    pages.set(url, body);
    if (Array.isArray(body.data)) {
      validate(ListPage, body, url);
      for (const link of Object.values(body.links as Record<string, string>)) enqueue(link);
      for (const item of body.data as Record<string, unknown>[]) {
        walk(item, 'list', false);
      }
    } else {
      expect(body.id, `${url} is the id of what it serves`).toBe(url);
      walk(body, url, true);
      objects.set(url, body);
    }
  }
  return { pages, objects, seen, files, text: [...pages.values()].map((p) => JSON.stringify(p)).join('\n') };
}

let c: Crawl;
describe('OParl crawl from /oparl/v1/system', () => {
  beforeAll(async () => {
    c = await crawl();
  });

  it('serves the system and one body with all their lists', () => {
    const system = c.objects.get(`${base}/system`)!;
    expect(system).toMatchObject({ oparlVersion: 'https://schema.oparl.org/1.1/', body: `${base}/body` });
    const bodies = c.pages.get(`${base}/body`)!;
    expect((bodies.data as unknown[]).length).toBe(1);
    const body = c.objects.get((bodies.data as { id: string }[])[0]!.id)!;
    expect(body.legislativeTerm).toEqual([]);
    for (const list of [
      'organization',
      'person',
      'meeting',
      'paper',
      'agendaItem',
      'consultation',
      'file',
      'locationList',
      'legislativeTermList',
      'membership',
    ])
      expect(c.pages.has(body[list] as string), list).toBe(true);
  });

  it('every embedded or listed object dereferences to the same object', () => {
    expect(c.seen.length).toBeGreaterThan(20);
    for (const [o, where] of c.seen) {
      const alone = c.objects.get(o.id as string);
      expect(alone, `${o.id as string} fetched`).toBeDefined();
      if (where === 'list') {
        expect(alone, `${o.id as string} in a list`).toEqual(o);
        continue;
      }
      const extra = Object.keys(alone!).filter((k) => !(k in o));
      for (const k of extra)
        expect(BACK_REFERENCES.has(k), `${o.id as string}: ${k} only standalone`).toBe(true);
      for (const [k, v] of Object.entries(o))
        expect(alone![k], `${o.id as string}.${k} (in ${where})`).toEqual(v);
    }
  });

  it('walks every list to its end by links.next, with next on every page but the last', async () => {
    const lists = [...c.pages.entries()].filter(([u, p]) => Array.isArray(p.data) && !u.includes('?'));
    expect(lists.length).toBe(11);
    for (const [url, first] of lists) {
      const ids: string[] = [];
      let page: Record<string, unknown> | undefined = first;
      let n = 0;
      while (page) {
        n++;
        const { pagination, links } = page as {
          pagination: Record<string, number>;
          links: Record<string, string>;
        };
        ids.push(...(page.data as { id: string }[]).map((o) => o.id));
        expect(pagination.currentPage).toBe(n);
        if (n < pagination.totalPages!) expect(links.next, `${url} page ${n}`).toBeDefined();
        page = links.next ? await getJson(links.next) : undefined;
      }
      const total = (first.pagination as { totalElements: number }).totalElements;
      expect(ids.length, url).toBe(total);
      expect(new Set(ids).size, url).toBe(total);
    }
  });

  it('serves the public files at accessUrl (inline) and downloadUrl (attachment)', async () => {
    expect(c.files.size).toBeGreaterThanOrEqual(4);
    for (const u of c.files) {
      const res = await get(u);
      expect(res.statusCode, u).toBe(200);
      expect(res.headers['content-type'], u).toBe('application/pdf');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      const cd = res.headers['content-disposition'] as string;
      if (u.endsWith('/download')) expect(cd, u).toMatch(/^attachment; filename="/);
      else expect(cd, u).not.toMatch(/attachment/);
      expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    }
    const file = c.objects.get(`${base}/file/${made.invitation}`)!;
    const res = await get(file.downloadUrl as string);
    expect(res.rawPayload.equals(made.invitationBytes)).toBe(true);
    expect(file).toMatchObject({
      size: made.invitationBytes.length,
      mimeType: 'application/pdf',
      fileName: 'einladung-1-2027.pdf',
      meeting: [`${base}/meeting/${made.meetingA}`],
    });
    expect(
      (await get(file.accessUrl as string, { 'if-none-match': res.headers.etag as string })).statusCode,
    ).toBe(304);
    const draft = c.objects.get(`${base}/file/${made.draftDoc}`)!;
    const dl = await get(draft.downloadUrl as string);
    expect(dl.headers['content-disposition']).toBe(
      `attachment; filename="beschlussvorlage_1-2027__.pdf"; filename*=UTF-8''${encodeURIComponent('beschlussvorlage 1-2027 Ä.pdf')}`,
    );
  });

  it('maps the meeting, its public agenda items, papers and representatives', () => {
    const m = c.objects.get(`${base}/meeting/${made.meetingA}`)!;
    expect(m).toMatchObject({
      name: 'Verbandsversammlung 1/2027',
      start: '2027-03-11T16:00:00+01:00',
      meetingState: 'durchgeführt',
      organization: [`${base}/organization/verbandsversammlung`],
      location: { description: 'Cottbus, Rathaus, Saal 1' },
      invitation: { id: `${base}/file/${made.invitation}` },
    });
    const items = m.agendaItem as Record<string, unknown>[];
    expect(items.map((i) => [i.number, i.order, i.public])).toEqual([
      ['TOP 1', 0, true],
      ['TOP 3', 1, true],
    ]);
    expect(items[0]).toMatchObject({
      result: 'beschlossen',
      resolutionText: 'Die Verbandsversammlung nimmt den Bericht zur Kenntnis.',
    });
    expect(items[1]).not.toHaveProperty('result');
    expect(c.objects.get(`${base}/meeting/${made.meetingB}`)).toMatchObject({
      start: '2020-07-01T10:00:00+02:00',
      created: '2020-01-15T10:00:00+01:00',
      modified: '2020-02-01T12:30:00+01:00',
    });
    const paper = c.objects.get(`${base}/paper/${made.publicResolutions[0]}`)!;
    expect(paper).toMatchObject({
      reference: '1/2027',
      paperType: 'Beschlussvorlage',
      date: '2027-03-11',
      mainFile: { id: `${base}/file/${made.draftDoc}` },
      originatorOrganization: [`${base}/organization/projektsteuerungsgruppe`],
      consultation: [
        {
          agendaItem: `${base}/agendaItem/${made.publicItems[0]}`,
          meeting: `${base}/meeting/${made.meetingA}`,
        },
      ],
    });
    expect(c.objects.get(`${base}/paper/${made.publicResolutions[1]}`)).toMatchObject({
      paperType: 'Beschlussvorlage Satzungsänderung',
    });
    const [rep, deputy] = made.representatives.map((id) => c.objects.get(`${base}/person/${id}`)!);
    expect(rep).toMatchObject({
      name: 'Erika Beispiel',
      status: ['Bürgermeisterin'],
      membership: [
        {
          role: 'Vertreter/in',
          votingRight: true,
          startDate: '2024-01-01',
          organization: `${base}/organization/verbandsversammlung`,
        },
      ],
    });
    expect(rep).not.toHaveProperty('keyword');
    expect(deputy).toMatchObject({
      name: 'Max Muster',
      keyword: ['Beispieldaten'],
      membership: [{ role: 'Stellvertreter/in', votingRight: false, endDate: '2026-06-30' }],
    });
    expect(deputy).not.toHaveProperty('status');
    for (const p of [rep!, deputy!])
      for (const k of ['email', 'phone', 'location', 'locationObject']) expect(p).not.toHaveProperty(k);
  });

  it('shows no non-public agenda item, document or resolution anywhere', () => {
    for (const secret of [
      made.hiddenItem,
      made.hiddenResolution,
      ...made.hiddenDocs,
      made.hiddenItemTitle,
      made.hiddenResolutionTitle,
      made.hiddenDocName,
      'geheim1.pdf',
      'geheim2.pdf',
      'geheim3.pdf',
      '"reference":"2/2027"',
      'Geheim GmbH',
    ])
      expect(c.text.includes(secret), secret).toBe(false);
  });
});

describe('OParl answers', () => {
  it('answers a non-public object like an unknown one: 404 with the OParl error object', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const missing = await get(`/oparl/v1/agendaItem/${unknown}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe('*');
    validate(OParlError, missing.json(), 'error');
    const hidden = [
      `/oparl/v1/agendaItem/${made.hiddenItem}`,
      `/oparl/v1/paper/${made.hiddenResolution}`,
      `/oparl/v1/consultation/${made.hiddenResolution}`,
      ...made.hiddenDocs.flatMap((d) => [
        `/oparl/v1/file/${d}`,
        `/oparl/v1/file/${d}/access`,
        `/oparl/v1/file/${d}/download`,
      ]),
    ];
    for (const url of hidden) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).toBe(missing.body);
    }
    for (const url of [
      '/oparl/v1/meeting/not-a-uuid',
      '/oparl/v1/nothing',
      `/oparl/v1/file/${unknown}/download`,
      '/oparl/v1/body/verband/meeting?page=99',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['access-control-allow-origin'], url).toBe('*');
      validate(OParlError, res.json(), url);
    }
  });

  it('reads as a visitor even for a logged-in association admin', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const res = await admin.get(`/oparl/v1/meeting/${made.meetingA}`);
    expect(res.json()).toEqual(await getJson(`${base}/meeting/${made.meetingA}`));
    expect((await admin.get(`/oparl/v1/agendaItem/${made.hiddenItem}`)).statusCode).toBe(404);
    // The association itself does see them (the 404 is the API's visitor scope, not missing data).
    const seen = await readAll(t.database, (tx) =>
      tx.db.selectFrom('agenda_items').select('id').where('id', '=', made.hiddenItem).execute(),
    );
    expect(seen).toHaveLength(1);
  });

  it('paginates with a small limit, keeping the limit and filters in every link', async () => {
    const all = await getJson(`${base}/body/verband/file`);
    const total = (all.pagination as { totalElements: number }).totalElements;
    expect(total).toBeGreaterThanOrEqual(3);
    const ids: string[] = [];
    let url: string | undefined =
      `${base}/body/verband/file?created_since=2000-01-01T00%3A00%3A00%2B01%3A00&limit=2`;
    let pages = 0;
    while (url) {
      const page = await getJson(url);
      pages++;
      const links = page.links as Record<string, string>;
      expect(page.pagination).toMatchObject({ elementsPerPage: 2, currentPage: pages, totalElements: total });
      expect((page.data as unknown[]).length).toBeLessThanOrEqual(2);
      for (const l of Object.values(links)) {
        expect(l).toContain('limit=2');
        expect(l).toContain('created_since=2000-01-01T00%3A00%3A00%2B01%3A00');
      }
      // Canonical links: parameters in one fixed (alphabetical) order, so `self` is the URL asked for.
      expect(links.self).toBe(url);
      if (pages > 1) expect(links.prev).toBeDefined();
      ids.push(...(page.data as { id: string }[]).map((o) => o.id));
      url = links.next;
    }
    expect(pages).toBe(Math.ceil(total / 2));
    expect(ids).toEqual((all.data as { id: string }[]).map((o) => o.id));
    // A limit above the maximum is capped, not refused.
    expect((await getJson(`${base}/body/verband/file?limit=100000`)).pagination).toMatchObject({
      elementsPerPage: 100,
    });
  });

  it('filters by created and modified (bounds inclusive, to the second)', async () => {
    const ids = async (q: string) =>
      ((await getJson(`${base}/body/verband/meeting?${q}`)).data as { id: string }[]).map((o) =>
        o.id.split('/').pop(),
      );
    const enc = encodeURIComponent;
    expect(await ids(`created_until=${enc('2020-06-01T00:00:00+02:00')}`)).toEqual([made.meetingB]);
    expect(await ids(`created_until=${enc('2020-01-15T09:00:00Z')}`)).toEqual([made.meetingB]);
    expect(await ids(`created_until=${enc('2020-01-15T08:59:59Z')}`)).toEqual([]);
    const since = await ids(`created_since=${enc('2020-06-01T00:00:00+02:00')}`);
    expect(since).toContain(made.meetingA);
    expect(since).not.toContain(made.meetingB);
    expect(
      await ids(
        `modified_since=${enc('2020-02-01T12:30:00+01:00')}&modified_until=${enc('2020-02-01T12:30:00+01:00')}`,
      ),
    ).toEqual([made.meetingB]);
    expect(
      await ids(
        `modified_since=${enc('2020-02-01T12:30:01+01:00')}&modified_until=${enc('2021-01-01T00:00:00+01:00')}`,
      ),
    ).toEqual([]);
    // An unencoded `+` arrives as a space: read as the offset it was meant to be.
    expect(await ids('created_until=2020-06-01T00:00:00+02:00')).toEqual([made.meetingB]);
    // Future: nothing, but still a list with its links.
    const none = await getJson(
      `${base}/body/verband/paper?created_since=${enc('2099-01-01T00:00:00+01:00')}`,
    );
    expect(none).toMatchObject({ data: [], pagination: { totalElements: 0, totalPages: 1 } });
    for (const bad of [
      'created_since=gestern',
      'modified_until=2020-01-01',
      'limit=0',
      'page=-1',
      'omit_internal=ja',
    ]) {
      const res = await get(`/oparl/v1/body/verband/meeting?${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      validate(OParlError, res.json(), bad);
    }
  });

  it('leaves out the embedded lists with omit_internal=true', async () => {
    const page = await getJson(`${base}/body/verband/meeting?omit_internal=true&limit=100`);
    const a = (page.data as Record<string, unknown>[]).find(
      (m) => m.id === `${base}/meeting/${made.meetingA}`,
    )!;
    expect(a).not.toHaveProperty('agendaItem');
    expect(a).toHaveProperty('invitation');
    validate(OPARL_SCHEMAS.Meeting, a, 'omitted');
    expect((page.links as Record<string, string>).self).toContain('omit_internal=true');
  });
});
