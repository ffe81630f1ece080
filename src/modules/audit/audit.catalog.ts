/**
 * The typed audit events. Each module declares its event types (past tense) with German and English
 * labels in its definition; recording an action no registered module declares is a type error.
 * Details must never contain personal data in clear: only ids, field names, codes, counts.
 */
export type { AuditAction } from '../index.js';

import type { AuditAction } from '../index.js';

export type AuditDetailValue = string | number | boolean | null | readonly string[];

export interface AuditInput {
  readonly action: AuditAction;
  /** Whose chain the event goes into: the member the object belongs to. */
  readonly memberId: string;
  readonly objectType:
    | 'member'
    | 'user'
    | 'session'
    | 'api_token'
    | 'audit_trail'
    | 'instance'
    | 'catalog_version'
    | 'service_agreement'
    | 'meeting'
    | 'resolution'
    | 'voting_rules'
    | 'billing_month'
    | 'usage_event'
    | 'usage_import';
  readonly objectId?: string | null;
  /** The changed or read data; only its SHA-256 over canonical JSON is stored. */
  readonly data?: unknown;
  /**
   * Who acted, when not the context's principal: a log-in runs before a principal exists, yet the
   * person logging in is the actor.
   */
  readonly actor?: { readonly type: 'user'; readonly id: string };
  /** Non-personal facts: changed field names, status codes, role names, counts. */
  readonly details?: Readonly<Record<string, AuditDetailValue>>;
}
