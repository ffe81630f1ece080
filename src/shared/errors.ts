/**
 * Typed domain errors. Services throw these and never HTTP errors; the HTTP layer maps them to
 * problem+json (API) or a German message (pages) in one place: src/http/problem.ts.
 */

export interface FieldIssue {
  /** Name of the offending field as the client sent it (e.g. "ags"). */
  readonly field: string;
  /** Stable message key, translated by src/web/i18n (e.g. "ags.format"). */
  readonly code: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
}

export type DomainErrorKind =
  | 'not_found'
  | 'validation'
  | 'conflict'
  | 'forbidden'
  | 'unauthenticated'
  | 'rate_limited'
  | 'invalid_state';

/** The object does not exist, or exists in a member the caller may not see (never reveal which). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found' as const;
  constructor(readonly entity: string) {
    super(`${entity} not found`);
  }
}

export class ValidationError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(readonly issues: FieldIssue[]) {
    super(`invalid input: ${issues.map((i) => `${i.field} (${i.code})`).join(', ')}`);
  }
}

/** A problem with one line (one event) of a batch request: its line number, field and message key. */
export interface LineIssue {
  readonly line: number;
  readonly field?: string;
  /** Stable message key (e.g. "usage.meter_unknown"). */
  readonly code: string;
}

/** A batch request (e.g. usage events) with invalid lines: nothing of it was stored. */
export class LinesInvalidError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(readonly lines: readonly LineIssue[]) {
    super(`invalid lines: ${lines.map((l) => `${l.line} (${l.code})`).join(', ')}`);
  }
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict' as const;
  constructor(
    readonly code: string,
    readonly field?: string,
  ) {
    super(`conflict: ${code}`);
  }
}

/** The caller is authenticated and may see the object, but lacks the permission for this action. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden' as const;
  constructor(
    readonly permission: string,
    /** A message key saying more than "no permission" (e.g. who may grant a role), and its field. */
    readonly code?: string,
    readonly field?: string,
  ) {
    super(`missing permission ${permission}`);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated' as const;
  constructor(readonly code = 'auth.required') {
    super('authentication required');
  }
}

export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited' as const;
  constructor(readonly retryAfterSeconds: number) {
    super('too many attempts');
  }
}

/** The action is not allowed in the object's current state (e.g. a status transition). */
export class InvalidStateError extends DomainError {
  readonly kind = 'invalid_state' as const;
  constructor(readonly code: string) {
    super(`invalid state: ${code}`);
  }
}

export function assertUnreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}
