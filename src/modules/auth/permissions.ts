/**
 * Roles and what they may do. Checked on the server for every route and page (requirePermission),
 * and again by row-level security for which members' rows are visible at all.
 */
import type { Role } from '../../db/schema.js';
import { type Ctx, canSeeMember } from '../../shared/context.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../shared/errors.js';
import type { Permission } from '../index.js';
import type { Area } from '../module.js';

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

export type { Permission } from '../index.js';

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
