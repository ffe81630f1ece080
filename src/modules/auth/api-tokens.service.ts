/**
 * API tokens for the data centre's machines: scoped to one member (or to the association, which then
 * acts for all members), hashed at rest, shown once, revocable.
 */
import type { Database } from '../../db/database.js';
import type { TokenScope } from '../../db/schema.js';
import { beginWith, RequestTransaction, scopeKey, scopeKeyOfLookUp, type Tx } from '../../db/tx.js';
import type { Clock } from '../../shared/clock.js';
import { NO_MEMBERS } from '../../shared/context.js';
import { isIsoDate } from '../../shared/dates.js';
import { InvalidStateError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { isSafeText, textLength } from '../../shared/text.js';
import { recordAudit } from '../audit/audit.service.js';
import { getMemberSummary } from '../members/members.service.js';
import type { Registry } from '../registry.js';
import {
  findApiTokenForUpdate,
  insertApiToken,
  listApiTokensOfMember,
  lookUpTokenRequest,
  markApiTokenRevoked,
} from './api-tokens.repository.js';
import { requireMemberPermission } from './permissions.js';
import { literalDate, type RequestAuth } from './sessions.service.js';
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
  if (textLength(name) < 1 || textLength(name) > 100 || !isSafeText(name))
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
  const row = await insertApiToken(tx, {
    memberId,
    name,
    hash,
    prefix: token.slice(0, TOKEN_PREFIX.length + 6),
    scopes: [...new Set(input.scopes)],
    createdBy: tx.ctx.principal?.kind === 'user' ? tx.ctx.principal.id : null,
    expiresOn, // valid through the whole last day, in Berlin time
  });
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
  const rows = await listApiTokensOfMember(tx, memberId);
  return rows.map(toDto);
}

export async function revokeApiToken(tx: Tx, memberId: string, tokenId: string): Promise<ApiTokenDto> {
  requireMemberPermission(tx.ctx, memberId, 'tokens.manage');
  const row = await findApiTokenForUpdate(tx, memberId, tokenId);
  if (!row) throw new NotFoundError('api_token');
  if (row.revoked_at) throw new InvalidStateError('token.already_revoked');
  const updated = await markApiTokenRevoked(
    tx,
    tokenId,
    tx.ctx.principal?.kind === 'user' ? tx.ctx.principal.id : null,
  );
  recordAudit(tx, { action: 'token.revoked', memberId, objectType: 'api_token', objectId: tokenId });
  return toDto(updated);
}

/**
 * Resolves a bearer token to its principal in the request's own transaction (see beginSessionRequest):
 * unknown, revoked, expired or of a withdrawn member → no principal. "Last used" is recorded at most
 * once a minute.
 */
export async function beginTokenRequest(
  database: Database,
  token: string,
  grants: Pick<Registry, 'grantOfScopes' | 'writingScopes'>,
  clock: Clock,
): Promise<RequestAuth> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return { principal: null, tx: null };
  const hash = hashToken(token);
  // One statement without parameters: it goes out together with BEGIN, in one round trip.
  const { trx, result: row } = await beginWith(database, (t) =>
    lookUpTokenRequest(t, {
      hash,
      writingScopes: grants.writingScopes,
      today: literalDate(clock.today()),
    }),
  );
  if (!row?.token_id)
    return { principal: null, tx: new RequestTransaction(database, trx, scopeKey(NO_MEMBERS)) };
  const applied = scopeKeyOfLookUp(row);
  return {
    principal: {
      kind: 'token',
      id: row.token_id,
      memberId: row.member_id,
      isAssociation: row.is_association,
      roles: [],
      ...grants.grantOfScopes(row.scopes),
      actingMemberIds: [row.member_id, ...row.acting_member_ids],
    },
    tx: new RequestTransaction(database, trx, applied),
  };
}
