/** SQL of API tokens. */
import type { Tx } from '../../db/tx.js';

/** Some API token of a member (for the tenancy matrix). */
export async function anyTokenOf(tx: Tx, memberId: string): Promise<string | undefined> {
  const r = await tx.db
    .selectFrom('api_tokens')
    .select('id')
    .where('member_id', '=', memberId)
    .orderBy('created_at')
    .executeTakeFirst();
  return r?.id;
}
