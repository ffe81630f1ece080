/**
 * Meeting documents: the association's staff upload PDFs (multipart) at
 * /versammlung/sitzungen/:meetingId/dokumente; the content type AND the first bytes must say PDF, at
 * most 20 MB, the SHA-256 is kept, the upload audited, nothing stored on any error. Downloads at
 * /sitzungen/dokumente/:documentId: public ones for anyone, non-public ones only for the association.
 * Multipart lives in the documents' scope only: urlencoded forms elsewhere keep working.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_BYTES } from '../../src/modules/governance/documents.service.js';
import { renderInvitationPdf } from '../../src/modules/governance/minutes.pdf.js';
import { type Client, DEMO, loggedIn, readAll, type TestApp, testApp } from '../helpers.js';
import { multipart } from '../support/multipart.js';

let t: TestApp;
let admin: Client;
let meetingId: string;
let closedItemId: string;
let publicItemId: string;
let pdf: Buffer;

beforeAll(async () => {
  t = await testApp();
  admin = await loggedIn(t.app, DEMO.associationAdmin);
  const m = await readAll(t.database, async (tx) => {
    const meeting = await tx.db
      .selectFrom('meetings')
      .select('id')
      .where('starts_at', '=', new Date('2021-03-11T09:00:00Z'))
      .executeTakeFirstOrThrow();
    const items = await tx.db
      .selectFrom('agenda_items')
      .selectAll()
      .where('meeting_id', '=', meeting.id)
      .execute();
    return { id: meeting.id, items };
  });
  meetingId = m.id;
  closedItemId = m.items.find((i) => !i.public)!.id;
  publicItemId = m.items.find((i) => i.number === 'TOP 6')!.id;
  pdf = await renderInvitationPdf(
    {
      association: 'Verband',
      title: 'Prüfbericht',
      startsAt: new Date('2021-03-11T09:00:00Z'),
      place: 'Cottbus',
      items: [],
    },
    { createdAt: new Date('2021-03-01T00:00:00Z') },
  );
});
afterAll(async () => t?.close());

const page = () => `/versammlung/sitzungen/${meetingId}/dokumente`;

async function upload(
  client: Client | null,
  fields: Record<string, string>,
  file?: { name: string; type: string; content: Buffer },
) {
  if (client) await client.get(page());
  const body = multipart({ _csrf: client?.csrf ?? '', ...fields }, file);
  const res = await t.app.inject({
    method: 'POST',
    url: page(),
    payload: body.payload,
    headers: { ...body.headers, ...(client ? { cookie: client.cookieHeader() } : {}) },
  });
  // Keep the cookies (the flash) like a browser.
  for (const c of res.cookies as { name: string; value: string }[]) {
    if (c.value === '') client?.cookies.delete(c.name);
    else client?.cookies.set(c.name, c.value);
  }
  return res;
}

const documents = () =>
  readAll(t.database, (tx) =>
    tx.db
      .selectFrom('meeting_documents')
      .select(['id', 'name', 'file_name', 'size_bytes', 'sha256', 'public', 'agenda_item_id', 'kind'])
      .where('meeting_id', '=', meetingId)
      .orderBy('created_at')
      .execute(),
  );

describe('upload', () => {
  it('shows the form to the association', async () => {
    const res = await admin.get(page());
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('enctype="multipart/form-data"');
    expect(res.body).toContain('Verbandsversammlung am 11. März 2021');
    expect(res.body).toContain(`/sitzungen/${meetingId}/niederschrift.pdf`);
  });

  it('stores a PDF with its SHA-256, audited, and lists it; anyone downloads a public one', async () => {
    const before = (await documents()).length;
    const res = await upload(
      admin,
      { name: 'Präsentation LEV 2.0', kind: 'report', agendaItemId: publicItemId, public: 'ja' },
      { name: 'Präsentation LEV 2.0.pdf', type: 'application/pdf', content: pdf },
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(page());
    const docs = await documents();
    expect(docs).toHaveLength(before + 1);
    const doc = docs.at(-1)!;
    expect(doc).toMatchObject({
      name: 'Präsentation LEV 2.0',
      file_name: 'Präsentation LEV 2.0.pdf',
      size_bytes: pdf.length,
      sha256: createHash('sha256').update(pdf).digest('hex'),
      public: true,
      agenda_item_id: publicItemId,
      kind: 'report',
    });
    const audit = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'governance.document_uploaded')
        .where('object_id', '=', meetingId)
        .execute(),
    );
    expect(audit.some((a) => (a.details as { document_id?: string }).document_id === doc.id)).toBe(true);
    const list = await admin.get(page());
    expect(list.body).toContain('Das Dokument wurde hochgeladen.');
    expect(list.body).toContain(`/sitzungen/dokumente/${doc.id}`);

    const dl = await t.app.inject({ url: `/sitzungen/dokumente/${doc.id}` });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toBe(
      `attachment; filename="Prasentation LEV 2.0.pdf"; filename*=UTF-8''${encodeURIComponent('Präsentation LEV 2.0.pdf')}`,
    );
    expect(Buffer.compare(dl.rawPayload, pdf)).toBe(0);
    expect(dl.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(pdf).digest('base64')}:`);
  });

  it('a non-public document is for the association only (404 for everyone else)', async () => {
    const res = await upload(
      admin,
      { name: 'Stellenbewertung', kind: 'other', agendaItemId: closedItemId, public: 'nein' },
      { name: 'geheim.pdf', type: 'application/pdf', content: pdf },
    );
    expect(res.statusCode).toBe(303);
    const doc = (await documents()).at(-1)!;
    expect(doc.public).toBe(false);
    const url = `/sitzungen/dokumente/${doc.id}`;
    expect((await t.app.inject({ url })).statusCode).toBe(404);
    const panketal = await loggedIn(t.app, DEMO.panketalAdmin);
    expect((await panketal.get(url)).statusCode).toBe(404);
    const own = await admin.get(url);
    expect(own.statusCode).toBe(200);
    expect(own.headers['cache-control']).toBe('private, no-store');
    expect(
      (await t.app.inject({ url: '/sitzungen/dokumente/00000000-0000-4000-8000-000000000000' })).statusCode,
    ).toBe(404);
    expect((await t.app.inject({ url: '/sitzungen/dokumente/kaputt' })).statusCode).toBe(404);
  });

  it('refuses a file that is not a PDF by type or by content, in German, storing nothing', async () => {
    const before = (await documents()).length;
    const byType = await upload(
      admin,
      { name: 'Notiz', kind: 'other', public: 'ja' },
      { name: 'notiz.pdf', type: 'text/plain', content: pdf },
    );
    expect(byType.statusCode).toBe(422);
    expect(byType.body).toContain('Die Datei ist kein PDF.');
    expect(byType.body).toContain('value="Notiz"');
    const byContent = await upload(
      admin,
      { name: 'Bild', kind: 'other', public: 'ja' },
      { name: 'bild.pdf', type: 'application/pdf', content: Buffer.from('\x89PNG\r\n\x1a\n not a pdf') },
    );
    expect(byContent.statusCode).toBe(422);
    expect(byContent.body).toContain('Die Datei ist kein PDF.');
    const none = await upload(admin, { name: 'Leer', kind: 'other', public: 'ja' });
    expect(none.statusCode).toBe(422);
    expect(none.body).toContain('Wählen Sie eine PDF-Datei aus.');
    const closedPublic = await upload(
      admin,
      { name: 'Offen', kind: 'other', agendaItemId: closedItemId, public: 'ja' },
      { name: 'offen.pdf', type: 'application/pdf', content: pdf },
    );
    expect(closedPublic.statusCode).toBe(422);
    expect(closedPublic.body).toContain('kann nicht öffentlich sein');
    expect(await documents()).toHaveLength(before);
  });

  it('takes exactly 20 MB and refuses one byte more (413, German, nothing stored)', async () => {
    const before = (await documents()).length;
    const big = Buffer.alloc(MAX_DOCUMENT_BYTES + 1, 0x20);
    pdf.copy(big, 0, 0, 8);
    const tooLarge = await upload(
      admin,
      { name: 'Zu groß', kind: 'report', public: 'ja' },
      { name: 'gross.pdf', type: 'application/pdf', content: big },
    );
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.body).toContain('Die Datei ist größer als 20 MB.');
    expect(await documents()).toHaveLength(before);
    const exact = await upload(
      admin,
      { name: 'Genau 20 MB', kind: 'report', public: 'ja' },
      { name: 'genau.pdf', type: 'application/pdf', content: big.subarray(0, MAX_DOCUMENT_BYTES) },
    );
    expect(exact.statusCode).toBe(303);
    expect((await documents()).at(-1)!.size_bytes).toBe(MAX_DOCUMENT_BYTES);
  });

  it('is for governance.manage only, with a CSRF token', async () => {
    const panketal = await loggedIn(t.app, DEMO.panketalAdmin);
    expect((await panketal.get(page())).statusCode).toBe(403);
    const before = (await documents()).length;
    const file = { name: 'x.pdf', type: 'application/pdf', content: pdf };
    const fields = { name: 'X', kind: 'other', public: 'ja' };
    expect((await upload(panketal, fields, file)).statusCode).toBe(403);
    const anonymous = await upload(null, fields, file);
    expect([401, 303]).toContain(anonymous.statusCode);
    const body = multipart({ _csrf: 'falsch', ...fields }, file);
    const noCsrf = await t.app.inject({
      method: 'POST',
      url: page(),
      payload: body.payload,
      headers: { ...body.headers, cookie: admin.cookieHeader() },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(await documents()).toHaveLength(before);
  });

  it('leaves urlencoded forms alone: a urlencoded post here is read, other forms still work', async () => {
    await admin.get(page());
    const res = await admin.postForm(page(), { name: 'Ohne Datei', kind: 'other', public: 'ja' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Wählen Sie eine PDF-Datei aus.');
    // Multipart is not accepted by forms outside the documents' scope.
    const body = multipart({ email: DEMO.associationAdmin, password: 'x' });
    const login = await t.app.inject({
      method: 'POST',
      url: '/anmelden',
      payload: body.payload,
      headers: body.headers,
    });
    expect(login.statusCode).toBe(415);
  });
});
