/** SQL for the assembly's read views (documents listed without their content). RLS hides non-public ones. */
import type { Tx } from '../../db/tx.js';

export async function selectDocumentsOfMeeting(tx: Tx, meetingId: string) {
  return tx.db
    .selectFrom('meeting_documents')
    .select(['id', 'agenda_item_id', 'kind', 'name', 'file_name', 'size_bytes', 'public'])
    .where('meeting_id', '=', meetingId)
    .orderBy('created_at')
    .execute();
}

/** The highest position on a meeting's agenda (0 for an empty one). */
export async function maxAgendaPosition(tx: Tx, meetingId: string): Promise<number> {
  const r = await tx.db
    .selectFrom('agenda_items')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('meeting_id', '=', meetingId)
    .executeTakeFirst();
  return Number(r?.max ?? 0);
}

/** A resolution without a row lock (for reads, also in read-only transactions). */
export async function findResolution(tx: Tx, id: string) {
  return tx.db.selectFrom('resolutions').selectAll().where('id', '=', id).executeTakeFirst();
}
