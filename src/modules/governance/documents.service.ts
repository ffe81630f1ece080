/**
 * A meeting's documents (invitation, reports, draft resolutions, minutes): PDFs only — the declared
 * content type AND the file's first bytes ("%PDF-") are checked, at most 20 MB (the table's check), the
 * SHA-256 kept so a download can be verified. Public documents are for anyone; non-public ones only for
 * the association (checked here first, row-level security second). And the data of the minutes
 * (Niederschrift), with the non-public items only in the association's copy.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.js';
import type { MeetingDocumentKind } from '../../db/schema.js';
import { runInTx, type Tx } from '../../db/tx.js';
import { ALL_MEMBERS_READ, systemCtx } from '../../shared/context.js';
import { type FieldIssue, NotFoundError, ValidationError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { requirePermission } from '../auth/permissions.js';
import { associationMemberId, getMember, votingMembersOn } from '../members/members.service.js';
import {
  findMeetingDocument,
  insertMeetingDocument,
  type MeetingDocumentInfoRow,
  type MeetingDocumentRow,
  selectMeetingDocuments,
} from './documents.repository.js';
import {
  findAgendaItem,
  findMeeting,
  type MeetingRow,
  selectAgendaItems,
  selectResolutions,
  selectVotes,
} from './governance.repository.js';

/** The largest document: 20 MiB, as the table's check (meeting_documents_size). */
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;
export const DOCUMENT_KINDS: readonly MeetingDocumentKind[] = [
  'invitation',
  'report',
  'draft_resolution',
  'minutes',
  'other',
];
const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');

/** Does the content start like a PDF (ISO 32000: the header "%PDF-" in the first bytes)? */
export function looksLikePdf(content: Uint8Array): boolean {
  return content.length >= PDF_MAGIC.length && Buffer.from(content.subarray(0, 5)).equals(PDF_MAGIC);
}

/** A file name safe for Content-Disposition and the table: no path, no control characters, ".pdf". */
export function safeFileName(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 190);
  const stem = base.replace(/\.pdf$/i, '') || 'dokument';
  return `${stem}.pdf`;
}

/** The association sees non-public items and documents; everyone else only public ones. */
function seesClosed(tx: Tx): boolean {
  return tx.ctx.scope.allMembers;
}

export interface MeetingDocumentInfo {
  id: string;
  meetingId: string;
  agendaItemId: string | null;
  kind: MeetingDocumentKind;
  name: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  public: boolean;
  createdAt: Date;
}

function toInfo(r: MeetingDocumentInfoRow): MeetingDocumentInfo {
  return {
    id: r.id,
    meetingId: r.meeting_id,
    agendaItemId: r.agenda_item_id,
    kind: r.kind,
    name: r.name,
    fileName: r.file_name,
    contentType: r.content_type,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    public: r.public,
    createdAt: r.created_at,
  };
}

export interface DocumentUpload {
  name: string;
  kind: string;
  agendaItemId?: string | null;
  public: boolean;
  fileName: string;
  contentType: string;
  content: Uint8Array;
}

/**
 * The checks of an upload that need no database, every problem at once (for the form): name, kind, the
 * declared content type, the PDF header, the size.
 */
export function checkDocumentUpload(input: DocumentUpload): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const name = input.name.trim();
  if (name.length < 1 || name.length > 200) issues.push({ field: 'name', code: 'document.name_length' });
  if (!DOCUMENT_KINDS.includes(input.kind as MeetingDocumentKind))
    issues.push({ field: 'kind', code: 'document.kind_invalid' });
  if (input.content.length === 0) issues.push({ field: 'file', code: 'document.file_missing' });
  else if (input.content.length > MAX_DOCUMENT_BYTES)
    issues.push({ field: 'file', code: 'document.too_large' });
  else {
    const type = input.contentType.split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/pdf' || !looksLikePdf(input.content))
      issues.push({ field: 'file', code: 'document.not_pdf' });
  }
  return issues;
}

/**
 * Stores a PDF for a meeting (optionally for one of its items), audited. Refused, storing nothing, when
 * it is not a PDF (declared type or content), empty or larger than 20 MB, or public on a non-public item.
 */
export async function uploadMeetingDocument(
  tx: Tx,
  meetingId: string,
  input: DocumentUpload,
): Promise<MeetingDocumentInfo> {
  requirePermission(tx.ctx, 'governance.manage');
  if (!isUuid(meetingId) || !(await findMeeting(tx, meetingId))) throw new NotFoundError('meeting');
  const issues = checkDocumentUpload(input);
  const itemId = input.agendaItemId || null;
  if (itemId) {
    const item = isUuid(itemId) ? await findAgendaItem(tx, itemId) : undefined;
    if (!item || item.meeting_id !== meetingId)
      issues.push({ field: 'agendaItemId', code: 'document.item_not_of_meeting' });
    else if (input.public && !item.public)
      issues.push({ field: 'public', code: 'document.public_on_closed_item' });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const content = Buffer.from(input.content);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const row = await insertMeetingDocument(tx, {
    meeting_id: meetingId,
    agenda_item_id: itemId,
    kind: input.kind as MeetingDocumentKind,
    name: input.name.trim(),
    file_name: safeFileName(input.fileName),
    content_type: 'application/pdf',
    size_bytes: content.length,
    sha256,
    content,
    public: input.public,
  });
  // The meeting's trail holds the upload; the name is data (digested), not a detail.
  recordAudit(tx, {
    action: 'governance.document_uploaded',
    memberId: await associationMemberId(tx),
    objectType: 'meeting',
    objectId: meetingId,
    data: { documentId: row.id, name: row.name, fileName: row.file_name, sha256 },
    details: {
      document_id: row.id,
      agenda_item_id: itemId,
      kind: row.kind,
      size_bytes: row.size_bytes,
      sha256,
      public: row.public,
    },
  });
  return toInfo(row);
}

/** The documents of a meeting the reader may see (without content). */
export async function listMeetingDocuments(tx: Tx, meetingId: string): Promise<MeetingDocumentInfo[]> {
  if (!isUuid(meetingId)) return [];
  const rows = await selectMeetingDocuments(tx, meetingId);
  return rows.filter((r) => r.public || seesClosed(tx)).map(toInfo);
}

/** One document with its content; not found (404) when it does not exist or the reader may not see it. */
export async function getMeetingDocument(
  tx: Tx,
  id: string,
): Promise<MeetingDocumentInfo & { content: Buffer }> {
  const row: MeetingDocumentRow | undefined = isUuid(id) ? await findMeetingDocument(tx, id) : undefined;
  if (!row || !(row.public || seesClosed(tx))) throw new NotFoundError('meeting_document');
  return { ...toInfo(row), content: Buffer.from(row.content) };
}

/** A meeting (for the documents page): not found when it does not exist. */
export async function getMeetingForDocuments(
  tx: Tx,
  meetingId: string,
): Promise<{ meeting: MeetingRow; items: { id: string; number: string; title: string; public: boolean }[] }> {
  const meeting = isUuid(meetingId) ? await findMeeting(tx, meetingId) : undefined;
  if (!meeting) throw new NotFoundError('meeting');
  const items = (await selectAgendaItems(tx, meetingId))
    .filter((i) => i.public || seesClosed(tx))
    .map((i) => ({ id: i.id, number: i.number, title: i.title, public: i.public }));
  return { meeting, items };
}

// ---------------------------------------------------------------------------------------------
// Minutes (Niederschrift)

export type MinutesBallot = 'yes' | 'no' | 'abstain' | 'absent';

export interface MinutesData {
  association: string;
  meeting: {
    id: string;
    title: string;
    startsAt: Date;
    endsAt: Date | null;
    place: string | null;
    status: string;
  };
  /** The association's copy (with the non-public items) or the public one. */
  full: boolean;
  present: string[];
  absent: string[];
  items: {
    number: string;
    title: string;
    public: boolean;
    resolutions: {
      number: string;
      title: string;
      text: string;
      majority: 'simple' | 'qualified';
      status: 'draft' | 'voted';
      carried: boolean | null;
      tally: {
        yes: number;
        no: number;
        abstain: number;
        totalVotes: number;
        presentVotes: number;
        quorate: boolean;
      } | null;
      votes: { member: string; votes: number; ballot: MinutesBallot }[];
    }[];
  }[];
}

/**
 * The names of the association and of the members entitled to vote on a day. The assembly's
 * composition is public (Anlage 1 of the statute), so the public minutes name the members although a
 * visitor may not read the members' records: this reads the names only, as the system.
 */
export async function assemblyNamesOn(
  database: Database,
  day: string,
): Promise<{ association: string; members: ReadonlyMap<string, string> }> {
  return runInTx(database, systemCtx('minutes', ALL_MEMBERS_READ), async (tx) => {
    const association = (await getMember(tx, await associationMemberId(tx))).name;
    const members = new Map((await votingMembersOn(tx, day)).map((m) => [m.id, m.name]));
    return { association, members };
  });
}

/** The Berlin civil date of an instant. */
export function berlinDayOf(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(at);
}

/**
 * What the minutes of a meeting say, as the reader may see it: the association's copy with every item,
 * everyone else's with the public items and their resolutions only.
 */
export async function loadMinutes(
  tx: Tx,
  meetingId: string,
  names: { association: string; members: ReadonlyMap<string, string> },
): Promise<MinutesData> {
  const meeting = isUuid(meetingId) ? await findMeeting(tx, meetingId) : undefined;
  if (!meeting) throw new NotFoundError('meeting');
  const full = seesClosed(tx);
  const nameOf = (id: string) => names.members.get(id) ?? id;
  const present = new Set(meeting.present_member_ids);
  const byName = (a: string, b: string) => a.localeCompare(b, 'de');
  const items = (await selectAgendaItems(tx, meetingId)).filter((i) => i.public || full);
  const resolutions = await selectResolutions(tx, meetingId);
  const out: MinutesData['items'] = [];
  for (const item of items) {
    const own = resolutions
      .filter((r) => r.agenda_item_id === item.id)
      .sort((a, b) => a.number.localeCompare(b.number, 'de', { numeric: true }));
    const list: MinutesData['items'][number]['resolutions'] = [];
    for (const r of own) {
      const votes = r.status === 'voted' ? await selectVotes(tx, r.id) : [];
      const tally = r.tally as MinutesData['items'][number]['resolutions'][number]['tally'];
      list.push({
        number: r.number,
        title: r.title,
        text: r.text,
        majority: r.majority,
        status: r.status,
        carried: r.carried,
        tally: tally
          ? {
              yes: tally.yes,
              no: tally.no,
              abstain: tally.abstain,
              totalVotes: tally.totalVotes,
              presentVotes: tally.presentVotes,
              quorate: tally.quorate,
            }
          : null,
        votes: votes
          .map((v) => ({ member: nameOf(v.member_id), votes: v.votes, ballot: v.ballot as MinutesBallot }))
          .sort((a, b) => byName(a.member, b.member)),
      });
    }
    out.push({ number: item.number, title: item.title, public: item.public, resolutions: list });
  }
  return {
    association: names.association,
    meeting: {
      id: meeting.id,
      title: meeting.title,
      startsAt: meeting.starts_at,
      endsAt: meeting.ends_at,
      place: meeting.place,
      status: meeting.status,
    },
    full,
    present: [...present].map(nameOf).sort(byName),
    absent: [...names.members.keys()]
      .filter((id) => !present.has(id))
      .map(nameOf)
      .sort(byName),
    items: out,
  };
}
