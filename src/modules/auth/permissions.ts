/**
 * Roles and what they may do. Checked on the server for every route and page (requirePermission),
 * and again by row-level security for which members' rows are visible at all.
 */
import type { Role, TokenScope } from '../../db/schema.js';
import { type Ctx, canSeeMember } from '../../shared/context.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../shared/errors.js';

export const ROLES: readonly Role[] = [
  'association_admin',
  'association_finance',
  'member_admin',
  'member_clerk',
  'auditor',
] as const;

/** Roles a person of the association may hold, and roles a person of a member body may hold. */
export const ASSOCIATION_ROLES: readonly Role[] = ['association_admin', 'association_finance', 'auditor'];
export const MEMBER_ROLES: readonly Role[] = ['member_admin', 'member_clerk', 'auditor'];

export type Permission =
  | 'members.read' // see members in scope
  | 'members.manage' // create members, change master data and status (association)
  | 'members.edit_profile' // edit address and contact of a member in scope
  | 'people.read'
  | 'people.manage'
  | 'tokens.manage'
  | 'audit.read'
  | 'audit.export'
  | 'usage.write';

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  association_admin: [
    'members.read',
    'members.manage',
    'members.edit_profile',
    'people.read',
    'people.manage',
    'tokens.manage',
  ],
  association_finance: ['members.read'],
  member_admin: ['members.read', 'members.edit_profile', 'people.read', 'people.manage', 'tokens.manage'],
  member_clerk: ['members.read', 'people.read'],
  auditor: ['members.read', 'people.read', 'audit.read', 'audit.export'],
};

const SCOPE_PERMISSIONS: Record<TokenScope, readonly Permission[]> = {
  'members.read': ['members.read'],
  'usage.write': ['usage.write'],
};

/** Permissions that change member data; a principal without any of them gets a read-only scope. */
const WRITE_PERMISSIONS: ReadonlySet<Permission> = new Set([
  'members.manage',
  'members.edit_profile',
  'people.manage',
  'tokens.manage',
  'usage.write',
]);

export interface Grant {
  permissions: ReadonlySet<Permission>;
  readOnly: boolean;
}

/**
 * What a principal may do. Staff of a withdrawn member keep reading (their invoices, their trail)
 * but lose every write permission.
 */
function grant(all: readonly Permission[], memberWithdrawn: boolean): Grant {
  const permissions = new Set(memberWithdrawn ? all.filter((p) => !WRITE_PERMISSIONS.has(p)) : all);
  return { permissions, readOnly: ![...permissions].some((p) => WRITE_PERMISSIONS.has(p)) };
}

export function grantOfRoles(roles: readonly Role[], memberWithdrawn = false): Grant {
  return grant(
    roles.flatMap((r) => ROLE_PERMISSIONS[r]),
    memberWithdrawn,
  );
}

export function grantOfScopes(scopes: readonly TokenScope[]): Grant {
  return grant(
    scopes.flatMap((s) => SCOPE_PERMISSIONS[s]),
    false,
  );
}

/**
 * System contexts (CLI commands run by an operator, seeding) hold every permission; their member scope
 * still limits what they see.
 */
export function hasPermission(ctx: Ctx, permission: Permission): boolean {
  if (ctx.system && !ctx.principal) return true;
  return ctx.principal?.permissions.has(permission) ?? false;
}

/** Throws unless the context holds the permission. */
export function requirePermission(ctx: Ctx, permission: Permission): void {
  if (ctx.system && !ctx.principal) return;
  if (!ctx.principal) throw new UnauthenticatedError();
  if (!ctx.principal.permissions.has(permission)) throw new ForbiddenError(permission);
}

/**
 * Tenant check first: a member outside the caller's scope is "not found", never "forbidden",
 * so ids of other members reveal nothing. Then the permission.
 */
export function requireMemberPermission(ctx: Ctx, memberId: string, permission: Permission): void {
  if (!ctx.principal && !ctx.system) throw new UnauthenticatedError();
  if (!canSeeMember(ctx, memberId)) throw new NotFoundError('member');
  requirePermission(ctx, permission);
}

/** Which area of the UI a principal belongs to (drives the start page and navigation). */
export type Area = 'association' | 'member' | 'audit';
export function areasOf(ctx: Ctx): Area[] {
  const p = ctx.principal;
  if (p?.kind !== 'user') return [];
  const areas: Area[] = [];
  if (p.isAssociation && p.roles.some((r) => r === 'association_admin' || r === 'association_finance')) {
    areas.push('association');
  }
  if (!p.isAssociation && p.roles.some((r) => r === 'member_admin' || r === 'member_clerk'))
    areas.push('member');
  if (p.roles.includes('auditor')) areas.push('audit');
  return areas;
}
