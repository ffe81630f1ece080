/** SQL for a meeting's documents (PDF). Non-public ones are visible only to the association (RLS). */
import type { Insertable, Selectable } from 'kysely';
import type { MeetingDocumentsTable } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';

export type MeetingDocumentRow = Selectable<MeetingDocumentsTable>;
/** A document without its content, for lists. */
export type MeetingDocumentInfoRow = Omit<MeetingDocumentRow, 'content'>;

const INFO = [
  'id',
  'meeting_id',
  'agenda_item_id',
  'kind',
  'name',
  'file_name',
  'content_type',
  'size_bytes',
  'sha256',
  'public',
  'created_at',
] as const;

export async function insertMeetingDocument(
  tx: Tx,
  row: Insertable<MeetingDocumentsTable>,
): Promise<MeetingDocumentInfoRow> {
  return tx.db.insertInto('meeting_documents').values(row).returning(INFO).executeTakeFirstOrThrow();
}

export async function selectMeetingDocuments(tx: Tx, meetingId: string): Promise<MeetingDocumentInfoRow[]> {
  return tx.db
    .selectFrom('meeting_documents')
    .select(INFO)
    .where('meeting_id', '=', meetingId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findMeetingDocument(tx: Tx, id: string): Promise<MeetingDocumentRow | undefined> {
  return tx.db.selectFrom('meeting_documents').selectAll().where('id', '=', id).executeTakeFirst();
}
