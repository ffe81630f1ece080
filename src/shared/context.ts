/**
 * The explicit context every service call receives: who acts, for which members, in which request.
 */
import type { Role } from '../db/schema.js';
import type { Permission } from '../modules/auth/permissions.js';
import { type Clock, systemClock } from './clock.js';

export interface Principal {
  readonly kind: 'user' | 'token';
  /** User id or API token id. */
  readonly id: string;
  /** The member the user or token belongs to. */
  readonly memberId: string;
  readonly isAssociation: boolean;
  readonly roles: readonly Role[];
  readonly permissions: ReadonlySet<Permission>;
  /** Own member plus, for an Amt, each of its member municipalities. */
  readonly actingMemberIds: readonly string[];
  /**
   * Holds no permission to change member data (auditors, clerks for now, read-only tokens, staff of a
   * withdrawn member): the database itself then refuses every write except audit events.
   */
  readonly readOnly: boolean;
  readonly sessionId?: string;
}

/** The member scope of a transaction; enforced in PostgreSQL by row-level security. */
export interface Scope {
  /** Association staff and auditors of the association see every member. */
  readonly allMembers: boolean;
  readonly memberIds: readonly string[];
  /** Auditors: the database refuses every write except audit events. */
  readonly readOnly: boolean;
}

export interface Ctx {
  readonly requestId: string;
  readonly principal: Principal | null;
  /** Set for work that no person or token does (CLI, seeding, the login step before a principal exists). */
  readonly system: string | null;
  readonly scope: Scope;
  /** Where "today" comes from (statuses and other effective dates); tests pass a fixed clock. */
  readonly clock: Clock;
}

export const NO_MEMBERS: Scope = Object.freeze({ allMembers: false, memberIds: [], readOnly: true });

export function scopeOf(p: Principal): Scope {
  return Object.freeze({ allMembers: p.isAssociation, memberIds: p.actingMemberIds, readOnly: p.readOnly });
}

/**
 * The context for a person's own account (log out, end sessions, change password): only the own
 * member, writable — also for people whose scope is otherwise read-only, such as auditors.
 */
export function ownAccountCtx(ctx: Ctx): Ctx {
  if (!ctx.principal) return ctx;
  return Object.freeze({ ...ctx, scope: memberScope(ctx.principal.memberId, false) });
}

export function principalCtx(requestId: string, principal: Principal, clock: Clock = systemClock): Ctx {
  return Object.freeze({ requestId, principal, system: null, scope: scopeOf(principal), clock });
}

/** A context for system work. Give it the narrowest scope the work needs. */
export function systemCtx(
  name: string,
  scope: Scope,
  requestId = `system-${name}`,
  clock: Clock = systemClock,
): Ctx {
  return Object.freeze({ requestId, principal: null, system: name, scope, clock });
}

export const ALL_MEMBERS_WRITE: Scope = Object.freeze({ allMembers: true, memberIds: [], readOnly: false });
export const ALL_MEMBERS_READ: Scope = Object.freeze({ allMembers: true, memberIds: [], readOnly: true });
export function memberScope(memberId: string, readOnly = false): Scope {
  return Object.freeze({ allMembers: false, memberIds: [memberId], readOnly });
}

/** May the context see this member at all? (The first wall; RLS is the second.) */
export function canSeeMember(ctx: Ctx, memberId: string): boolean {
  return ctx.scope.allMembers || ctx.scope.memberIds.includes(memberId);
}
