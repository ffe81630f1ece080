/** SQL of API tokens. */
import { type Selectable, sql, type Transaction } from 'kysely';
import type { ApiTokensTable, DB, TokenScope } from '../../db/schema.js';
import { APP_ROLE, type Tx } from '../../db/tx.js';

export type ApiTokenRow = Selectable<ApiTokensTable>;

export async function insertApiToken(
  tx: Tx,
  t: {
    memberId: string;
    name: string;
    hash: string;
    prefix: string;
    scopes: TokenScope[];
    createdBy: string | null;
    /** The last valid day (YYYY-MM-DD), or null for no end. */
    expiresOn: string | null;
  },
): Promise<ApiTokenRow> {
  return tx.db
    .insertInto('api_tokens')
    .values({
      member_id: t.memberId,
      name: t.name,
      token_hash: t.hash,
      token_prefix: t.prefix,
      scopes: t.scopes,
      created_by: t.createdBy,
      // Valid through the whole last day, in Berlin time (summer or winter).
      expires_at:
        t.expiresOn === null
          ? null
          : sql<Date>`((${t.expiresOn}::date + 1)::timestamp at time zone 'Europe/Berlin')`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listApiTokensOfMember(tx: Tx, memberId: string): Promise<ApiTokenRow[]> {
  return tx.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('member_id', '=', memberId)
    .orderBy('created_at', 'desc')
    .execute();
}

/** A member's token, locked for an update. */
export async function findApiTokenForUpdate(
  tx: Tx,
  memberId: string,
  tokenId: string,
): Promise<ApiTokenRow | undefined> {
  return tx.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('id', '=', tokenId)
    .where('member_id', '=', memberId)
    .forUpdate()
    .executeTakeFirst();
}

export async function markApiTokenRevoked(
  tx: Tx,
  tokenId: string,
  revokedBy: string | null,
): Promise<ApiTokenRow> {
  return tx.db
    .updateTable('api_tokens')
    .set({ revoked_at: sql`now()`, revoked_by: revokedBy })
    .where('id', '=', tokenId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface RequestTokenRow {
  token_id: string | null;
  member_id: string;
  scopes: TokenScope[];
  is_association: boolean;
  acting_member_ids: string[];
  scope_all_members: boolean;
  scope_member_ids: string[];
  scope_read_only: boolean;
}

/**
 * The request's first statement on its freshly begun transaction (before any Tx exists): looks the
 * token up (auth_request_token, "last used" at most once a minute), switches to the app role and sets
 * the scope. Literals, not parameters (the hash is hex, the rest constants or checked): one round trip
 * with BEGIN (db/pg-dialect.ts).
 */
export async function lookUpTokenRequest(
  trx: Transaction<DB>,
  q: { hash: string; writingScopes: readonly string[]; today: string },
): Promise<RequestTokenRow | undefined> {
  const r = await sql<RequestTokenRow>`select set_config('role', ${sql.lit(APP_ROLE)}, true) as role, p.*
      from (select 1) as one left join lateral auth_request_token(
        ${sql.lit(q.hash)}, 60, ${sql.lit(`{${q.writingScopes.join(',')}}`)}::text[],
        ${sql.lit(q.today)}::date
      ) as p on true`.execute(trx);
  return r.rows[0];
}
