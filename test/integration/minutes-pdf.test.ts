/**
 * The minutes (Niederschrift) as PDF, read back with pdf.js (test/support/pdf.ts): DejaVu Sans is
 * embedded, umlauts, ß and € come out as text, the votes with their weights and the results are there,
 * and only the association's copy holds the non-public item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMinutesPdf } from '../../src/modules/governance/minutes.pdf.js';
import { DEMO, loggedIn, readAll, type TestApp, testApp } from '../helpers.js';
import { pdfFonts, pdfText, pdfTitle } from '../support/pdf.js';

let t: TestApp;
let meetingId: string;
beforeAll(async () => {
  t = await testApp();
  meetingId = (
    await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('meetings')
        .select('id')
        .where('starts_at', '=', new Date('2021-03-11T09:00:00Z'))
        .executeTakeFirstOrThrow(),
    )
  ).id;
});
afterAll(async () => t?.close());

/** The PDF breaks lines; compare with whitespace folded. */
const fold = (s: string) => s.replace(/\s+/g, ' ');

describe('minutes of 11 March 2021', () => {
  it("a visitor's copy: public items, resolutions, votes with weights, results; no non-public item", async () => {
    const res = await t.app.inject({ url: `/sitzungen/${meetingId}/niederschrift.pdf` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(/^inline; filename="Niederschrift-2021-03-11\.pdf"/);
    const pdf = res.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = fold(await pdfText(pdf));
    expect(text).toContain('Zweckverband Digitale Kommunen Brandenburg');
    expect(text).toContain('Niederschrift');
    expect(text).toContain('Verbandsversammlung am 11. März 2021');
    expect(text).toContain('Donnerstag, 11. März 2021, 10:00 Uhr');
    expect(text).toContain('Öffentliche Fassung');
    // Umlauts, ß and € as text.
    expect(text).toContain('ordnungsgemäßen Ladung');
    expect(text).toContain('Änderung der Verbandssatzung');
    expect(text).toContain('105,00 € je Stunde');
    expect(text).toContain('Vertretene Mitglieder (33 von 37)');
    expect(text).toContain('Nicht vertreten: Amt Neuzelle, Gumtow, Premnitz, Wittenberge');
    for (const n of ['1/2021', '2/2021', '3/2021']) expect(text).toContain(`Beschluss ${n}:`);
    expect(text).toContain('Ergebnis: angenommen');
    expect(text).toContain('Ja 32 Stimmen, Nein 0 Stimmen, Enthaltung 1 Stimme');
    expect(text).toMatch(/Ja \(32 Stimmen\): .*Angermünde \(1\)/);
    expect(text).toContain('Deutsche Telekom Business Solutions GmbH');
    expect(text).not.toContain('Personalangelegenheiten');
    expect(text).not.toContain('TOP 8');
    expect(text).toContain('Seite 1 von');
  });

  it('embeds DejaVu Sans (and no other font)', async () => {
    const res = await t.app.inject({ url: `/sitzungen/${meetingId}/niederschrift.pdf` });
    const { fonts, embeddedFontFiles } = pdfFonts(res.rawPayload);
    expect(fonts.length).toBeGreaterThanOrEqual(2);
    for (const font of fonts) {
      // A subset ("ABCDEF+") of DejaVu Sans, a composite font with Unicode text.
      expect(font.baseFont).toMatch(/^[A-Z]{6}\+DejaVuSans(-Bold)?$/);
      expect(font).toMatchObject({ subtype: 'Type0', encoding: 'Identity-H', toUnicode: true });
    }
    expect(embeddedFontFiles).toBe(fonts.length);
  });

  it("the association's copy holds the non-public item", async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const res = await admin.get(`/sitzungen/${meetingId}/niederschrift.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const text = fold(await pdfText(res.rawPayload));
    expect(text).toContain('Fassung des Verbandes');
    expect(text).toContain('TOP 8 Personalangelegenheiten der Geschäftsstelle (Beispiel) (nicht öffentlich)');
  });

  it('a member of another body gets the public copy', async () => {
    const panketal = await loggedIn(t.app, DEMO.panketalAdmin);
    const res = await panketal.get(`/sitzungen/${meetingId}/niederschrift.pdf`);
    expect(res.statusCode).toBe(200);
    expect(fold(await pdfText(res.rawPayload))).not.toContain('Personalangelegenheiten');
  });

  it("the next meeting's (not yet held) minutes and invitation name no attendance and no non-public item", async () => {
    const next = await readAll(t.database, async (tx) => {
      const m = await tx.db
        .selectFrom('meetings')
        .select('id')
        .where('status', '=', 'invited')
        .where('title', 'like', '%nächste Sitzung%')
        .executeTakeFirstOrThrow();
      const doc = await tx.db
        .selectFrom('meeting_documents')
        .select(['id', 'kind', 'public'])
        .where('meeting_id', '=', m.id)
        .executeTakeFirstOrThrow();
      return { id: m.id, doc };
    });
    const minutes = fold(
      await pdfText((await t.app.inject({ url: `/sitzungen/${next.id}/niederschrift.pdf` })).rawPayload),
    );
    expect(minutes).toContain('Die Sitzung hat noch nicht stattgefunden.');
    expect(minutes).not.toContain('Nicht vertreten');
    expect(minutes).toContain('TOP 4 Leistungs- und Entgeltverzeichnis: Fortschreibung (Beispiel)');
    expect(minutes).not.toContain('Vertragsangelegenheiten');
    expect(next.doc).toMatchObject({ kind: 'invitation', public: true });
    const invitation = await t.app.inject({ url: `/sitzungen/dokumente/${next.doc.id}` });
    expect(invitation.statusCode).toBe(200);
    const text = fold(await pdfText(invitation.rawPayload));
    expect(text).toContain('Einladung');
    expect(text).toContain('Mit freundlichen Grüßen');
    expect(text).toContain('Nicht öffentlicher Teil');
    expect(text).not.toContain('Vertragsangelegenheiten');
  });

  it('an unknown meeting is 404', async () => {
    const res = await t.app.inject({
      url: '/sitzungen/00000000-0000-4000-8000-000000000000/niederschrift.pdf',
    });
    expect(res.statusCode).toBe(404);
    expect((await t.app.inject({ url: '/sitzungen/kaputt/niederschrift.pdf' })).statusCode).toBe(404);
  });
});

describe('renderMinutesPdf', () => {
  it('renders ß, €, umlauts and a failed vote from plain data', async () => {
    const pdf = await renderMinutesPdf(
      {
        association: 'Zweckverband Prüfstraße',
        meeting: {
          id: 'x',
          title: 'Sitzung über Gebühren',
          startsAt: new Date('2027-06-10T14:00:00Z'),
          endsAt: new Date('2027-06-10T16:30:00Z'),
          place: 'Großer Saal, Köpenicker Straße 1',
          status: 'held',
        },
        full: false,
        present: ['Äpfelstadt'],
        absent: ['Übersee'],
        items: [
          {
            number: 'TOP 1',
            title: 'Entgelt 12,50 € je Stunde',
            public: true,
            resolutions: [
              {
                number: '7/2027',
                title: 'Erhöhung',
                text: 'Größere Änderung.',
                majority: 'simple',
                status: 'voted',
                carried: false,
                tally: { yes: 1, no: 0, abstain: 0, totalVotes: 3, presentVotes: 1, quorate: false },
                votes: [
                  { member: 'Äpfelstadt', votes: 1, ballot: 'yes' },
                  { member: 'Übersee', votes: 2, ballot: 'absent' },
                ],
              },
            ],
          },
        ],
      },
      { createdAt: new Date('2027-06-11T08:00:00Z') },
    );
    const text = fold(await pdfText(pdf));
    expect(text).toContain('Zweckverband Prüfstraße');
    expect(text).toContain('Großer Saal, Köpenicker Straße 1');
    expect(text).toContain('Donnerstag, 10. Juni 2027, 16:00 Uhr bis 18:30 Uhr');
    expect(text).toContain('Entgelt 12,50 € je Stunde');
    expect(text).toContain('nicht beschlussfähig');
    expect(text).toContain('abgelehnt – der Beschluss hat keine Wirkung');
    expect(text).toContain('Nicht vertreten (2 Stimmen): Übersee (2)');
    expect(await pdfTitle(pdf)).toMatch(/^Niederschrift – Sitzung über Gebühren/);
  });
});
