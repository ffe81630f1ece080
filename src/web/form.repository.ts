/** SQL of forms: one-time form keys and the flash of a session. Every function takes a `Tx`. */
import type { Tx } from '../db/tx.js';

/**
 * Claims a form key for this transaction. Returns the stored redirect if the key was used before
 * (a repeat), undefined if this submit is the first. A concurrent first submit holds the primary key
 * until it commits; this insert waits for it and then sees its result.
 */
export async function claimFormKey(
  tx: Tx,
  memberId: string,
  sessionId: string,
  key: string,
): Promise<string | undefined> {
  const claimed = await tx.db
    .insertInto('form_submissions')
    .values({ member_id: memberId, session_id: sessionId, form_key: key })
    .onConflict((oc) => oc.doNothing())
    .returning('form_key')
    .executeTakeFirst();
  if (claimed) return undefined;
  const row = await tx.db
    .selectFrom('form_submissions')
    .select('result')
    .where('member_id', '=', memberId)
    .where('session_id', '=', sessionId)
    .where('form_key', '=', key)
    .executeTakeFirst();
  return row?.result ?? '/';
}

export async function storeFormResult(
  tx: Tx,
  memberId: string,
  sessionId: string,
  key: string,
  result: string,
): Promise<void> {
  await tx.db
    .updateTable('form_submissions')
    .set({ result })
    .where('member_id', '=', memberId)
    .where('session_id', '=', sessionId)
    .where('form_key', '=', key)
    .execute();
}

export async function insertFlash(
  tx: Tx,
  row: { memberId: string; sessionId: string; payload: string; ttlSeconds: number },
): Promise<void> {
  await tx.db
    .insertInto('flash_messages')
    .values({
      member_id: row.memberId,
      session_id: row.sessionId,
      payload: row.payload,
      expires_at: new Date(Date.now() + row.ttlSeconds * 1000),
    })
    .execute();
}

/** Deletes and returns the session's flash payloads that have not expired yet (oldest first). */
export async function takeFlashRows(tx: Tx, memberId: string, sessionId: string): Promise<string[]> {
  const rows = await tx.db
    .deleteFrom('flash_messages')
    .where('member_id', '=', memberId)
    .where('session_id', '=', sessionId)
    .returning(['payload', 'created_at', 'expires_at'])
    .execute();
  const now = Date.now();
  return rows
    .filter((r) => new Date(r.expires_at).getTime() > now)
    .sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime())
    .map((r) => r.payload);
}
