/** SQL of the CSV uploads (usage_imports): a file between upload and confirm, then the import's record. */
import type { Selectable } from 'kysely';
import type { UsageImportsTable } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';

export type UsageImportRow = Selectable<UsageImportsTable>;

/** What lists show of an upload: everything but the file's bytes. */
export type UsageImportSummaryRow = Omit<UsageImportRow, 'content'>;

const SUMMARY = [
  'member_id',
  'id',
  'created_by',
  'created_at',
  'expires_at',
  'file_name',
  'size_bytes',
  'sha256',
  'mapping',
  'state',
  'imported_at',
  'rows_total',
  'accepted',
  'duplicates',
] as const;

export async function insertUpload(
  tx: Tx,
  row: {
    memberId: string;
    createdBy: string;
    expiresAt: Date;
    fileName: string;
    sha256: string;
    content: Buffer;
    mapping: unknown;
  },
): Promise<string> {
  const r = await tx.db
    .insertInto('usage_imports')
    .values({
      member_id: row.memberId,
      created_by: row.createdBy,
      expires_at: row.expiresAt,
      file_name: row.fileName,
      size_bytes: row.content.length,
      sha256: row.sha256,
      content: row.content,
      mapping: JSON.stringify(row.mapping),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** One upload of a person, with its content; `lock` for the confirm (FOR UPDATE). */
export async function selectUpload(
  tx: Tx,
  memberId: string,
  id: string,
  createdBy: string,
  lock = false,
): Promise<UsageImportRow | undefined> {
  let q = tx.db
    .selectFrom('usage_imports')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .where('created_by', '=', createdBy);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** A person's uploads and imports, newest first (without content). */
export async function listUploads(
  tx: Tx,
  memberId: string,
  createdBy: string,
  notExpiredAt: Date,
  limit: number,
): Promise<UsageImportSummaryRow[]> {
  return tx.db
    .selectFrom('usage_imports')
    .select(SUMMARY)
    .where('member_id', '=', memberId)
    .where('created_by', '=', createdBy)
    .where((eb) => eb.or([eb('state', '=', 'imported'), eb('expires_at', '>', notExpiredAt)]))
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function updateMapping(tx: Tx, memberId: string, id: string, mapping: unknown): Promise<void> {
  await tx.db
    .updateTable('usage_imports')
    .set({ mapping: JSON.stringify(mapping) })
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .where('state', '=', 'uploaded')
    .execute();
}

/** The import is done: the content goes, the counts stay. */
export async function markImported(
  tx: Tx,
  memberId: string,
  id: string,
  result: { at: Date; rows: number; accepted: number; duplicates: number },
): Promise<void> {
  await tx.db
    .updateTable('usage_imports')
    .set({
      state: 'imported',
      content: null,
      imported_at: result.at,
      rows_total: result.rows,
      accepted: result.accepted,
      duplicates: result.duplicates,
    })
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .execute();
}

/** Deletes uploads never confirmed whose time ran out; returns how many. */
export async function deleteExpiredUploads(tx: Tx, now: Date): Promise<number> {
  const r = await tx.db
    .deleteFrom('usage_imports')
    .where('state', '=', 'uploaded')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
