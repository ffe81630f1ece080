/**
 * People (user accounts) of a member and their roles. Names and e-mail addresses are personal data:
 * every read is audited, and audit events carry only ids and role names.
 */
import { randomBytes } from 'node:crypto';
import type { Role, UserRow, UserUpdate } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';
import type { Ctx } from '../../shared/context.js';
import { normalizeEmail } from '../../shared/email.js';
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  InvalidStateError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../shared/errors.js';
import { isSafeText, textLength } from '../../shared/text.js';
import { recordAudit } from '../audit/audit.service.js';
import { hashPassword, passwordProblems, verifyPassword } from '../auth/passwords.service.js';
import { ASSOCIATION_ROLES, MEMBER_ROLES, requireMemberPermission } from '../auth/permissions.js';
import { endSessionsOfPerson } from '../auth/sessions.service.js';
import { getMemberSummary } from '../members/members.service.js';
import { invitePerson } from './accounts.service.js';
import {
  findUser,
  findUserById,
  insertUser,
  isEmailTaken,
  listUsersOfMember,
  lockActiveUsersWithRoles,
  setLastLogin,
  setOidcSubject,
  setPasswordHash,
  updateUserRow,
} from './people.repository.js';
import type { PersonCreateInput, PersonDto, PersonPatchInput } from './people.schema.js';

export function toPersonDto(u: UserRow): PersonDto {
  return {
    id: u.id,
    memberId: u.member_id,
    email: u.email,
    displayName: u.display_name,
    roles: u.roles,
    status: u.status,
    hasPassword: u.password_hash !== null,
    sso: u.oidc_subject !== null,
    lastLoginAt: u.last_login_at?.toISOString() ?? null,
    version: u.version,
  };
}

async function allowedRoles(tx: Tx, memberId: string): Promise<readonly Role[]> {
  const m = await getMemberSummary(tx, memberId);
  return m.isAssociation ? ASSOCIATION_ROLES : MEMBER_ROLES;
}

function validateRoles(roles: readonly string[], allowed: readonly Role[]): FieldIssue[] {
  if (roles.length === 0) return [{ field: 'roles', code: 'roles.required' }];
  if (!roles.every((r) => allowed.includes(r as Role)))
    return [{ field: 'roles', code: 'roles.not_allowed' }];
  // Separation of duties: whoever administers may not also audit the trail of that administration.
  if (roles.includes('auditor') && roles.some((r) => r.endsWith('_admin'))) {
    return [{ field: 'roles', code: 'roles.auditor_exclusive' }];
  }
  return [];
}

/**
 * Separation of duties: the auditor role is granted only by the association (its administrators, or an
 * operator at the command line) — never by a member's own administrator, who would otherwise create an
 * auditor account of their own and read the trail of their administration.
 */
export function mayGrantAuditor(ctx: Ctx): boolean {
  if (ctx.system && !ctx.principal) return true;
  const p = ctx.principal;
  return p?.kind === 'user' && p.isAssociation && p.roles.includes('association_admin');
}

function requireAuditorGrant(ctx: Ctx, roles: readonly string[], had: readonly string[] = []): void {
  if (roles.includes('auditor') && !had.includes('auditor') && !mayGrantAuditor(ctx)) {
    throw new ForbiddenError('people.manage', 'roles.auditor_by_association', 'roles');
  }
}

const ADMIN_ROLES: readonly Role[] = ['association_admin', 'member_admin'];

/**
 * Refuses a change that leaves a member without an active administrator. Locks the member's
 * administrators, so two admins disabling each other at the same time cannot both succeed.
 */
async function keepOneAdmin(tx: Tx, memberId: string, personId: string): Promise<void> {
  const admins = await lockActiveUsersWithRoles(tx, memberId, ADMIN_ROLES);
  if (admins.some((a) => a.id === personId) && admins.length <= 1)
    throw new InvalidStateError('person.last_admin');
}

/** Names are counted in code points, like the contract (ajv) and the database (char_length). */
function validateName(name: string): FieldIssue[] {
  const n = name.trim();
  if (textLength(n) < 1) return [{ field: 'displayName', code: 'name.required' }];
  if (textLength(n) > 200) return [{ field: 'displayName', code: 'text.too_long' }];
  if (!isSafeText(n)) return [{ field: 'displayName', code: 'text.invalid_characters' }];
  return [];
}

export async function listPeople(tx: Tx, memberId: string): Promise<PersonDto[]> {
  requireMemberPermission(tx.ctx, memberId, 'people.read');
  const rows = await listUsersOfMember(tx, memberId);
  await allowedRoles(tx, memberId); // 404 for a member that does not exist
  recordAudit(tx, {
    action: 'user.listed',
    memberId,
    objectType: 'member',
    objectId: memberId,
    data: rows.map((r) => r.id),
    details: { count: rows.length },
  });
  return rows.map(toPersonDto);
}

export async function getPerson(tx: Tx, memberId: string, personId: string): Promise<PersonDto> {
  requireMemberPermission(tx.ctx, memberId, 'people.read');
  const row = await findUser(tx, memberId, personId);
  if (!row) throw new NotFoundError('person');
  recordAudit(tx, { action: 'user.viewed', memberId, objectType: 'user', objectId: personId });
  return toPersonDto(row);
}

export function generatePassword(): string {
  // 18 random bytes → 24 characters of base64url: ~144 bits.
  return randomBytes(18).toString('base64url');
}

/**
 * Adds a person. Nobody passes a password on: the person gets an invitation mail with a one-time link
 * to set their own (queued in this transaction, accounts.service.ts). Only the operator's CLI
 * (`allmende user add`, the first administrator of a fresh install) gives `initialPassword`: it is
 * printed once and must be changed at the first login. The demo accounts keep their published password
 * (`mustChangePassword: false`).
 */
export async function createPerson(
  tx: Tx,
  memberId: string,
  input: PersonCreateInput,
  opts: { initialPassword?: string; mustChangePassword?: boolean } = {},
): Promise<{ person: PersonDto }> {
  requireMemberPermission(tx.ctx, memberId, 'people.manage');
  const allowed = await allowedRoles(tx, memberId);
  // One exact stored form of the address (src/shared/email.ts); confusable characters are refused.
  const normalized = normalizeEmail(input.email);
  const email = normalized.ok ? normalized.email : '';
  const issues: FieldIssue[] = [...validateName(input.displayName), ...validateRoles(input.roles, allowed)];
  if (!normalized.ok) issues.push({ field: 'email', code: normalized.code });
  if (opts.initialPassword !== undefined)
    for (const code of passwordProblems(opts.initialPassword)) issues.push({ field: 'password', code });
  if (issues.length) throw new ValidationError(issues);
  requireAuditorGrant(tx.ctx, input.roles);
  // The same answer whoever holds the address: the other member is not named.
  if (await isEmailTaken(tx, email)) throw new ConflictError('email.taken', 'email');
  const row = await insertUser(tx, {
    member_id: memberId,
    email,
    display_name: input.displayName.trim(),
    password_hash: opts.initialPassword !== undefined ? await hashPassword(opts.initialPassword) : null,
    roles: [...new Set(input.roles)],
    password_changed_at: opts.initialPassword !== undefined ? new Date() : null,
    must_change_password: opts.initialPassword !== undefined && opts.mustChangePassword !== false,
  });
  const dto = toPersonDto(row);
  recordAudit(tx, {
    action: 'user.created',
    memberId,
    objectType: 'user',
    objectId: row.id,
    data: { email: dto.email, displayName: dto.displayName, roles: dto.roles },
    details: { roles: row.roles },
  });
  if (opts.initialPassword === undefined) await invitePerson(tx, { id: row.id, memberId });
  return { person: dto };
}

export async function updatePerson(
  tx: Tx,
  memberId: string,
  personId: string,
  input: PersonPatchInput,
): Promise<PersonDto> {
  requireMemberPermission(tx.ctx, memberId, 'people.manage');
  const row = await findUser(tx, memberId, personId, { forUpdate: true });
  if (!row) throw new NotFoundError('person');
  if (row.version !== input.version) throw new ConflictError('version.stale');
  const allowed = await allowedRoles(tx, memberId);
  const issues: FieldIssue[] = [];
  if (input.displayName !== undefined) issues.push(...validateName(input.displayName));
  if (input.roles !== undefined) issues.push(...validateRoles(input.roles, allowed));
  if (issues.length) throw new ValidationError(issues);
  if (input.roles !== undefined) requireAuditorGrant(tx.ctx, input.roles, row.roles);
  const self = tx.ctx.principal?.id === personId;
  // Nobody locks themselves out: no disabling oneself and no dropping one's own admin role.
  if (self && input.status === 'disabled') throw new InvalidStateError('person.cannot_disable_self');
  const wasAdmin = row.roles.some((r) => r.endsWith('_admin'));
  const staysAdmin = (input.roles ?? row.roles).some((r) => r.endsWith('_admin'));
  if (self && wasAdmin && !staysAdmin) throw new InvalidStateError('person.cannot_drop_own_admin');
  // Nobody grants themselves a role they do not hold.
  if (self && input.roles?.some((r) => !row.roles.includes(r)))
    throw new InvalidStateError('person.cannot_grant_self');
  if (row.status === 'active' && wasAdmin && (!staysAdmin || input.status === 'disabled')) {
    await keepOneAdmin(tx, memberId, personId);
  }
  const changed: string[] = [];
  const patch: UserUpdate = {};
  if (input.displayName !== undefined && input.displayName.trim() !== row.display_name) {
    patch.display_name = input.displayName.trim();
    changed.push('displayName');
  }
  if (input.roles !== undefined) {
    const roles = [...new Set(input.roles)].sort();
    if (roles.join() !== [...row.roles].sort().join()) {
      patch.roles = roles;
      changed.push('roles');
    }
  }
  if (input.status !== undefined && input.status !== row.status) {
    patch.status = input.status;
    changed.push('status');
  }
  if (changed.length === 0) return toPersonDto(row);
  const updated = await updateUserRow(tx, personId, patch);
  if (patch.status === 'disabled' || patch.roles) {
    // A disabled person or changed roles end the person's sessions at once.
    await endSessionsOfPerson(tx, personId);
  }
  recordAudit(tx, {
    action: 'user.updated',
    memberId,
    objectType: 'user',
    objectId: personId,
    data: { displayName: updated.display_name, roles: updated.roles, status: updated.status },
    details: { fields: changed, roles: updated.roles, status: updated.status },
  });
  return toPersonDto(updated);
}

/** The current person changes their own password; other sessions end. */
export async function changeOwnPassword(tx: Tx, current: string, next: string): Promise<void> {
  const p = tx.ctx.principal;
  if (p?.kind !== 'user') throw new UnauthenticatedError();
  const row = await findUserById(tx, p.id, { forUpdate: true });
  if (!row) throw new UnauthenticatedError();
  if (row.password_hash && !(await verifyPassword(row.password_hash, current))) {
    throw new ValidationError([{ field: 'currentPassword', code: 'password.wrong' }]);
  }
  const problems = passwordProblems(next);
  if (problems.length) throw new ValidationError(problems.map((code) => ({ field: 'newPassword', code })));
  await setPasswordHash(tx, p.id, await hashPassword(next));
  await endSessionsOfPerson(tx, p.id, p.sessionId);
  recordAudit(tx, {
    action: 'user.password_changed',
    memberId: p.memberId,
    objectType: 'user',
    objectId: p.id,
  });
}

/** The current person's own account data. */
export async function getOwnAccount(tx: Tx): Promise<PersonDto> {
  const p = tx.ctx.principal;
  if (p?.kind !== 'user') throw new UnauthenticatedError();
  const row = await findUserById(tx, p.id);
  if (!row) throw new UnauthenticatedError();
  return toPersonDto(row);
}

/**
 * Records that a person logged in (the auth module, when it creates a session). No permission check:
 * the login itself is the authority; the session is audited there.
 */
export async function recordLogin(tx: Tx, personId: string): Promise<void> {
  await setLastLogin(tx, personId);
}

/**
 * Links an OIDC subject to a person on their first OIDC login (the auth module, which matched the
 * verified e-mail address and audits the link).
 */
export async function linkOidcSubject(
  tx: Tx,
  personId: string,
  issuer: string,
  subject: string,
): Promise<void> {
  await setOidcSubject(tx, personId, issuer, subject);
}
