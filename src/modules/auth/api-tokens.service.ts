/**
 * API tokens for the data centre's machines: scoped to one member (or to the association, which then
 * acts for all members), hashed at rest, shown once, revocable.
 */
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { MemberStatus, TokenScope } from '../../db/schema.js';
import { runInTx, type Tx } from '../../db/tx.js';
import type { Clock } from '../../shared/clock.js';
import { memberScope, NO_MEMBERS, type Principal, systemCtx } from '../../shared/context.js';
import { isIsoDate } from '../../shared/dates.js';
import { InvalidStateError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { hasUnsafeText } from '../../shared/text.js';
import { recordAudit } from '../audit/audit.service.js';
import { getMemberSummary, isWithdrawnOn } from '../members/members.service.js';
import type { Registry } from '../registry.js';
import { requireMemberPermission } from './permissions.js';
import { hashToken, newSecretToken } from './tokens.js';

export const TOKEN_PREFIX = 'alm_';
export const TOKEN_SCOPES: readonly TokenScope[] = ['members.read', 'usage.write'];

export interface ApiTokenDto {
  id: string;
  memberId: string;
  name: string;
  prefix: string;
  scopes: TokenScope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreateTokenInput {
  name: string;
  scopes: TokenScope[];
  expiresOn?: string | undefined;
}

export async function createApiToken(
  tx: Tx,
  memberId: string,
  input: CreateTokenInput,
): Promise<{ token: string; apiToken: ApiTokenDto }> {
  requireMemberPermission(tx.ctx, memberId, 'tokens.manage');
  const name = input.name.trim();
  const issues = [];
  if (name.length < 1 || name.length > 100 || hasUnsafeText(name))
    issues.push({ field: 'name', code: 'text.invalid' });
  if (input.scopes.length === 0 || input.scopes.some((s) => !TOKEN_SCOPES.includes(s))) {
    issues.push({ field: 'scopes', code: 'scopes.invalid' });
  }
  const expiresOn = input.expiresOn ?? null;
  if (expiresOn !== null && (!isIsoDate(expiresOn) || expiresOn <= tx.ctx.clock.today())) {
    issues.push({ field: 'expiresOn', code: 'date.future' });
  }
  if (issues.length) throw new ValidationError(issues);
  await getMemberSummary(tx, memberId); // 404 for a member that does not exist
  const { token, hash } = newSecretToken(TOKEN_PREFIX);
  const row = await tx.db
    .insertInto('api_tokens')
    .values({
      member_id: memberId,
      name,
      token_hash: hash,
      token_prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      scopes: [...new Set(input.scopes)],
      created_by: tx.ctx.principal?.kind === 'user' ? tx.ctx.principal.id : null,
      // Valid through the whole last day, in Berlin time (summer or winter).
      expires_at:
        expiresOn === null
          ? null
          : sql<Date>`((${expiresOn}::date + 1)::timestamp at time zone 'Europe/Berlin')`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(tx, {
    action: 'token.created',
    memberId,
    objectType: 'api_token',
    objectId: row.id,
    details: { scopes: row.scopes },
  });
  return { token, apiToken: toDto(row) };
}

function toDto(r: {
  id: string;
  member_id: string;
  name: string;
  token_prefix: string;
  scopes: TokenScope[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): ApiTokenDto {
  return {
    id: r.id,
    memberId: r.member_id,
    name: r.name,
    prefix: r.token_prefix,
    scopes: r.scopes,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
  };
}

export async function listApiTokens(tx: Tx, memberId: string): Promise<ApiTokenDto[]> {
  requireMemberPermission(tx.ctx, memberId, 'tokens.manage');
  const rows = await tx.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('member_id', '=', memberId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toDto);
}

export async function revokeApiToken(tx: Tx, memberId: string, tokenId: string): Promise<ApiTokenDto> {
  requireMemberPermission(tx.ctx, memberId, 'tokens.manage');
  const row = await tx.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('id', '=', tokenId)
    .where('member_id', '=', memberId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new NotFoundError('api_token');
  if (row.revoked_at) throw new InvalidStateError('token.already_revoked');
  const updated = await tx.db
    .updateTable('api_tokens')
    .set({
      revoked_at: sql`now()`,
      revoked_by: tx.ctx.principal?.kind === 'user' ? tx.ctx.principal.id : null,
    })
    .where('id', '=', tokenId)
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(tx, { action: 'token.revoked', memberId, objectType: 'api_token', objectId: tokenId });
  return toDto(updated);
}

/**
 * Resolves a bearer token to its principal, or null when unknown, revoked, expired, or its member is
 * withdrawn on the clock's today.
 */
export async function resolveApiToken(
  database: Database,
  token: string,
  grants: Pick<Registry, 'grantOfScopes'>,
  clock: Clock,
): Promise<Principal | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  const hash = hashToken(token);
  const row = await runInTx(database, systemCtx('token', NO_MEMBERS), async (tx) => {
    const r = await sql<{
      token_id: string;
      member_id: string;
      scopes: TokenScope[];
      is_association: boolean;
      acting_member_ids: string[];
      member_status: MemberStatus;
      expires_at: Date | null;
      revoked_at: Date | null;
      member_admitted_on: string | null;
      member_withdrawn_on: string | null;
    }>`select * from auth_token_principal(${hash})`.execute(tx.db);
    return r.rows[0];
  });
  // Machines of a withdrawn member report nothing any more.
  if (!row || row.revoked_at) return null;
  const membership = {
    status: row.member_status,
    admittedOn: row.member_admitted_on,
    withdrawnOn: row.member_withdrawn_on,
  };
  if (isWithdrawnOn(membership, clock.today())) return null;
  if (row.expires_at && row.expires_at.getTime() < Date.now()) return null;
  await runInTx(database, systemCtx('token', memberScope(row.member_id)), (tx) =>
    tx.db
      .updateTable('api_tokens')
      .set({ last_used_at: sql`now()` })
      .where('id', '=', row.token_id)
      .where((eb) =>
        eb.or([
          eb('last_used_at', 'is', null),
          eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`),
        ]),
      )
      .execute(),
  );
  return {
    kind: 'token',
    id: row.token_id,
    memberId: row.member_id,
    isAssociation: row.is_association,
    roles: [],
    ...grants.grantOfScopes(row.scopes),
    actingMemberIds: [row.member_id, ...row.acting_member_ids],
  };
}
