/**
 * The minutes (Niederschrift) of an assembly meeting as PDF, and a meeting's invitation: pdfkit with the
 * DejaVu Sans TrueType font of the npm package dejavu-fonts-ttf embedded (subset), so umlauts, ß and €
 * render in every viewer. German only: the minutes are the association's legal record. Pure (data in,
 * bytes out); the creation date is the caller's, so two renderings of the same data read the same.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { MinutesBallot, MinutesData } from './documents.service.js';

const require = createRequire(import.meta.url);
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

const BALLOT_LABEL: Record<MinutesBallot, string> = {
  yes: 'Ja',
  no: 'Nein',
  abstain: 'Enthaltung',
  absent: 'Nicht vertreten',
};

const dateFmt = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  weekday: 'long',
  day: '2-digit',
  month: 'long',
  year: 'numeric',
});
const timeFmt = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  hour: '2-digit',
  minute: '2-digit',
});
const shortDate = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

function newDocument(title: string, subject: string, createdAt: Date): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 64, left: 62, right: 62 },
    bufferPages: true,
    lang: 'de-DE',
    displayTitle: true,
    info: {
      Title: title,
      Subject: subject,
      Author: 'Allmende',
      Creator: 'Allmende',
      Producer: 'Allmende (pdfkit)',
      CreationDate: createdAt,
      ModDate: createdAt,
    },
  });
  doc.registerFont('body', FONT);
  doc.registerFont('bold', FONT_BOLD);
  doc.font('body');
  return doc;
}

function finish(doc: PDFKit.PDFDocument, footer: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('body')
      .fontSize(8)
      .fillColor('#444444')
      .text(`${footer} · Seite ${i + 1} von ${range.count}`, doc.page.margins.left, doc.page.height - 40, {
        width: doc.page.width - doc.page.margins.left - doc.page.margins.right,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}

function heading(doc: PDFKit.PDFDocument, text: string, size = 12): void {
  doc.moveDown(0.6).font('bold').fontSize(size).fillColor('#000000').text(text).font('body').fontSize(10);
}

function para(doc: PDFKit.PDFDocument, text: string, opts: { size?: number; gap?: number } = {}): void {
  doc
    .font('body')
    .fontSize(opts.size ?? 10)
    .fillColor('#000000')
    .text(text, { align: 'left' });
  if (opts.gap) doc.moveDown(opts.gap);
}

function label(doc: PDFKit.PDFDocument, name: string, value: string): void {
  doc.font('bold').fontSize(10).text(`${name}: `, { continued: true }).font('body').text(value);
}

export function meetingWhen(startsAt: Date, endsAt: Date | null): string {
  const end = endsAt ? ` bis ${timeFmt.format(endsAt)} Uhr` : '';
  return `${dateFmt.format(startsAt)}, ${timeFmt.format(startsAt)} Uhr${end}`;
}

const votesWord = (n: number) => (n === 1 ? '1 Stimme' : `${n} Stimmen`);

/** The minutes of a meeting: the association's copy (every item) or the public one. */
export async function renderMinutesPdf(data: MinutesData, opts: { createdAt: Date }): Promise<Buffer> {
  const m = data.meeting;
  const doc = newDocument(`Niederschrift – ${m.title}`, data.association, opts.createdAt);
  doc.font('bold').fontSize(11).text(data.association);
  doc.moveDown(0.4).fontSize(18).text('Niederschrift');
  doc.font('body').fontSize(13).text(m.title);
  doc.moveDown(0.6).fontSize(10);
  label(doc, 'Sitzung', meetingWhen(m.startsAt, m.endsAt));
  label(doc, 'Ort', m.place ?? '–');
  label(
    doc,
    'Fassung',
    data.full
      ? 'Fassung des Verbandes, mit den nicht öffentlichen Tagesordnungspunkten'
      : 'Öffentliche Fassung, ohne die nicht öffentlichen Tagesordnungspunkte',
  );
  if (m.status !== 'held') label(doc, 'Stand', 'Die Sitzung hat noch nicht stattgefunden.');

  // Attendance only once the meeting was held (before it, nobody is "not represented").
  if (m.status === 'held') {
    heading(
      doc,
      `Vertretene Mitglieder (${data.present.length} von ${data.present.length + data.absent.length})`,
    );
    para(doc, data.present.length > 0 ? data.present.join(', ') : '–');
    if (data.absent.length > 0) {
      doc.moveDown(0.3);
      label(doc, 'Nicht vertreten', data.absent.join(', '));
    }
  }

  heading(doc, 'Tagesordnung');
  for (const item of data.items)
    para(doc, `${item.number}  ${item.title}${item.public ? '' : ' (nicht öffentlich)'}`);

  for (const item of data.items) {
    heading(doc, `${item.number}  ${item.title}${item.public ? '' : ' (nicht öffentlich)'}`, 12);
    if (item.resolutions.length === 0) para(doc, 'Kein Beschluss.', { size: 9 });
    for (const r of item.resolutions) {
      doc.moveDown(0.3).font('bold').fontSize(10).text(`Beschluss ${r.number}: ${r.title}`);
      if (r.text) para(doc, r.text, { gap: 0.3 });
      const needed = r.majority === 'qualified' ? 'qualifizierte Mehrheit' : 'einfache Mehrheit';
      if (r.status !== 'voted' || !r.tally) {
        para(doc, `Erforderlich: ${needed}. Noch nicht abgestimmt.`);
        continue;
      }
      const t = r.tally;
      label(
        doc,
        'Abstimmung',
        `Ja ${votesWord(t.yes)}, Nein ${votesWord(t.no)}, Enthaltung ${votesWord(t.abstain)} ` +
          `(vertreten ${t.presentVotes} von ${t.totalVotes} Stimmen; ${t.quorate ? 'beschlussfähig' : 'nicht beschlussfähig'}; erforderlich: ${needed})`,
      );
      label(doc, 'Ergebnis', r.carried ? 'angenommen' : 'abgelehnt – der Beschluss hat keine Wirkung');
      for (const ballot of ['yes', 'no', 'abstain', 'absent'] as const) {
        const who = r.votes.filter((v) => v.ballot === ballot);
        if (who.length === 0) continue;
        const sum = who.reduce((s, v) => s + v.votes, 0);
        doc
          .font('bold')
          .fontSize(8.5)
          .text(`${BALLOT_LABEL[ballot]} (${votesWord(sum)}): `, { continued: true })
          .font('body')
          .text(who.map((v) => `${v.member} (${v.votes})`).join(', '));
      }
    }
  }
  return finish(doc, `Niederschrift ${m.title} · ${shortDate.format(m.startsAt)}`);
}

/** The invitation (Einladung) to a meeting with its public agenda. */
export async function renderInvitationPdf(
  input: {
    association: string;
    title: string;
    startsAt: Date;
    place: string;
    items: { number: string; title: string; public: boolean }[];
  },
  opts: { createdAt: Date },
): Promise<Buffer> {
  const doc = newDocument(`Einladung – ${input.title}`, input.association, opts.createdAt);
  doc.font('bold').fontSize(11).text(input.association);
  doc.moveDown(0.4).fontSize(18).text('Einladung');
  doc.font('body').fontSize(13).text(input.title);
  doc.moveDown(0.6).fontSize(10);
  label(doc, 'Sitzung', meetingWhen(input.startsAt, null));
  label(doc, 'Ort', input.place);
  doc.moveDown(0.6);
  para(
    doc,
    'Sehr geehrte Damen und Herren, zur Sitzung der Verbandsversammlung laden wir Sie herzlich ein. ' +
      'Die Tagesordnung hat die Projektsteuerungsgruppe vorbereitet.',
  );
  heading(doc, 'Tagesordnung – öffentlicher Teil');
  for (const item of input.items.filter((i) => i.public)) para(doc, `${item.number}  ${item.title}`);
  // A public invitation names no non-public item (they are the association's and the members' only).
  if (input.items.some((i) => !i.public)) {
    heading(doc, 'Nicht öffentlicher Teil');
    para(doc, 'Die Tagesordnung des nicht öffentlichen Teils erhalten die Mitglieder gesondert.');
  }
  doc.moveDown(1);
  para(doc, 'Mit freundlichen Grüßen\nDer Verbandsvorsteher (Beispiel)');
  return finish(doc, `Einladung ${input.title}`);
}
