/**
 * The explicit context every service call receives: who acts, for which members, in which request.
 */
import type { Role } from '../db/schema.js';
import { keyedDigest } from './canonical-json.js';
import { type Clock, systemClock } from './clock.js';

export interface Principal {
  readonly kind: 'user' | 'token';
  /** User id or API token id. */
  readonly id: string;
  /** The member the user or token belongs to. */
  readonly memberId: string;
  readonly isAssociation: boolean;
  readonly roles: readonly Role[];
  /** Permission names (declared by the modules; checked with requirePermission). */
  readonly permissions: ReadonlySet<string>;
  /** Own member plus, for an Amt, each of its member municipalities. */
  readonly actingMemberIds: readonly string[];
  /**
   * Holds no permission to change member data (auditors, clerks for now, read-only tokens, staff of a
   * withdrawn member): the database itself then refuses every write except audit events.
   */
  readonly readOnly: boolean;
  readonly sessionId?: string;
}

/**
 * A citizen in the portal: anonymous with the secret of one case, or logged in by OIDC (e.g. BundID).
 * Not a `Principal`: it holds no role and no member permission, so no staff service accepts it
 * (requirePermission refuses a context without principal or system). What it may do is what its case
 * allows; the citizen portal checks that in its services.
 */
export interface CitizenPrincipal {
  readonly kind: 'citizen';
  /** How the citizen proved who they are: the case secret (anonymous) or an OIDC log-in. */
  readonly auth: 'case_secret' | 'oidc';
  /**
   * The actor id in the audit trail, never a name: the case id for a case secret, a pseudonym for an
   * OIDC log-in (citizenOidcId: keyed with the instance secret, so the trail does not reveal the account).
   */
  readonly id: string;
  /** The member (municipality) whose portal the citizen uses; its chain records what the citizen does. */
  readonly memberId: string;
  /** The cases the citizen may act on: the one case of the secret, or those of the OIDC account. */
  readonly caseIds: readonly string[];
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
  /** A citizen of the portal (principal and system are null then); absent for staff, tokens, system work. */
  readonly citizen?: CitizenPrincipal | null;
  /**
   * A background job's name. A job is system work (`system` carries the same name, so it holds a system
   * context's permissions within its scope) but appears in the audit trail as actor kind 'job'.
   */
  readonly job?: string | null;
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

/**
 * The context of a background job run. Give it the narrowest scope the job needs; requestId names the
 * run (default `job-<name>`).
 */
export function jobCtx(name: string, scope: Scope, requestId = `job-${name}`, clock = systemClock): Ctx {
  return Object.freeze({ ...systemCtx(name, scope, requestId, clock), job: name });
}

/**
 * The database scope of a citizen: the member that handles its cases, read-only — the database refuses
 * every write except audit events. The citizen portal narrows reads to the case in its services and will
 * bring case-level policies (and writable case tables) with it.
 */
export function citizenScope(citizen: CitizenPrincipal): Scope {
  return memberScope(citizen.memberId, true);
}

/** The context of a citizen's request in the portal. */
export function citizenCtx(requestId: string, citizen: CitizenPrincipal, clock: Clock = systemClock): Ctx {
  return Object.freeze({
    requestId,
    principal: null,
    system: null,
    citizen: Object.freeze({ ...citizen, caseIds: Object.freeze([...citizen.caseIds]) }),
    scope: citizenScope(citizen),
    clock,
  });
}

/** The audit actor id of a citizen logged in by OIDC: a keyed pseudonym of issuer and subject. */
export function citizenOidcId(instanceSecret: string, issuer: string, subject: string): string {
  return `oidc-${keyedDigest(instanceSecret, { issuer, subject }).slice(0, 32)}`;
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
