/** Small look-ups over tenant tables that every module's tests need alike. */
import type { Tx } from './tx.js';

/** The oldest row of a member in a tenant table with an id (the tenancy matrix aims at it). */
export async function firstIdOfMember(
  tx: Tx,
  table: 'users' | 'api_tokens',
  memberId: string,
): Promise<string | undefined> {
  const r = await tx.db
    .selectFrom(table)
    .select('id')
    .where('member_id', '=', memberId)
    .orderBy('created_at')
    .executeTakeFirst();
  return r?.id;
}
