/**
 * The module contract. A module is a folder under src/modules with one `<name>.module.ts` that exports
 * one definition made with `defineModule`; src/modules/index.ts lists the definitions. Everything the
 * rest of the platform needs to know about a module — its routes, permissions, audit events, navigation,
 * messages, jobs, the meters of its own usage and the routes the tenancy matrix drives — is read from
 * that definition, never listed by hand elsewhere.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import type { Role, TokenScope } from '../db/schema.js';
import type { Tx } from '../db/tx.js';
import type { AnyJobDefinition } from '../jobs/jobs.js';

/** The areas of the staff UI: the association's administration, a member body, the auditors. */
export type Area = 'association' | 'member' | 'audit';

/** A text in German (the default) and English, side by side. */
export interface Label {
  readonly de: string;
  readonly en: string;
}

/** UI texts by key; `{name}` in a text is a parameter. */
export type Messages = Readonly<Record<string, Label>>;

/**
 * A permission. What it allows, for people, is the module's message `permission.<name>`; the registry
 * refuses a permission without it.
 */
export interface PermissionDefinition {
  /** The roles that hold it. */
  readonly roles: readonly Role[];
  /** API-token scopes that grant it. */
  readonly scopes?: readonly TokenScope[];
  /**
   * It changes data. A principal holding no writing permission gets a read-only scope, in which the
   * database itself refuses every write except audit events; staff of a withdrawn member lose it.
   */
  readonly writes?: boolean;
}

/** Who sees a navigation entry. */
export interface NavPrincipal {
  readonly memberId: string;
  readonly permissions: ReadonlySet<string>;
}

export interface NavigationEntry {
  readonly area: Area;
  /** Position within the area (entries of all modules are sorted by it). */
  readonly order: number;
  /** Message key of the label. */
  readonly label: string;
  readonly href: (p: NavPrincipal) => string;
  /** Shown only to principals holding this permission. */
  readonly permission?: string;
  /** Not shown to principals who also have this area (it has the same entry already). */
  readonly unlessArea?: Area;
}

/** A valid request for a member-scoped route, so that only the tenant check can refuse it. */
export interface TenancyCase {
  readonly json?: unknown;
  readonly form?: Record<string, string | string[]>;
}

export interface TenancyDefinition {
  /** Every member-scoped route of the module ("METHOD /pattern"), GETs included, with a valid body. */
  readonly routes: Readonly<Record<string, TenancyCase>>;
  /**
   * How to find an object of a given member for each route parameter the module introduces
   * (e.g. `personId`): the matrix calls member A's routes with member B's objects.
   */
  readonly params?: Readonly<Record<string, (tx: Tx, memberId: string) => Promise<string | undefined>>>;
}

/**
 * A meter of Allmende's own usage that a module feeds itself (e.g. the people module's `konten`, the
 * accounts per member): its jobs emit the events through the ordinary ingest with emitOwnUsage
 * (metering.service.ts, source `allmende`, which no machine outside may send), and the ingest accepts
 * the meter from that path alone — other sources still need a catalogue meter. Labels: the module's
 * messages `meter.<key>` (what is counted) and `meter_unit.<key>` (the unit of one).
 */
export interface MeterDefinition {
  /** How a billing period is aggregated, as a catalogue item would (e.g. `max` for a daily count). */
  readonly aggregation: 'sum' | 'count' | 'max' | 'unique_count' | 'latest' | 'time_weighted_avg';
}

export interface ModuleDefinition<
  P extends string = string,
  A extends string = string,
  K extends string = string,
> {
  /** Folder name; also the prefix of its permissions, audit events and message keys. */
  readonly name: string;
  readonly permissions: { readonly [key in P]: PermissionDefinition };
  /**
   * Audit event types, past tense (`member.created`); their labels are the module's messages
   * `audit_event.<type>`. Recording any other action is a type error.
   */
  readonly auditEvents: readonly A[];
  /** UI texts of the module. */
  readonly messages: { readonly [key in K]: Label };
  readonly navigation?: readonly NavigationEntry[];
  /** API routes, registered under /api/v1 and documented in OpenAPI (e.g. FastifyPluginAsyncTypebox). */
  // biome-ignore lint/suspicious/noExplicitAny: plugins of any type provider
  readonly api?: FastifyPluginAsync<any, RawServerDefault, any>;
  /** Server-rendered pages. */
  // biome-ignore lint/suspicious/noExplicitAny: plugins of any type provider
  readonly pages?: FastifyPluginAsync<any, RawServerDefault, any>;
  /** Background jobs (queued and scheduled), run by the job runner (src/jobs). */
  readonly jobs?: readonly AnyJobDefinition[];
  /** Meters of Allmende's own usage the module emits (key: a meter key, lower-case, digits, hyphen). */
  readonly meters?: Readonly<Record<string, MeterDefinition>>;
  readonly tenancy?: TenancyDefinition;
}

/** Declares a module; the literal keys of permissions, audit events and messages become types. */
export function defineModule<const P extends string, const A extends string, const K extends string>(
  m: ModuleDefinition<P, A, K>,
): ModuleDefinition<P, A, K> {
  return m;
}

// biome-ignore lint/suspicious/noExplicitAny: type-level extraction over any module
type AnyModule = ModuleDefinition<any, any, any>;
export type PermissionOf<M> = M extends ModuleDefinition<infer P, infer _A, infer _K> ? P : never;
export type AuditEventOf<M> = M extends ModuleDefinition<infer _P, infer A, infer _K> ? A : never;
export type MessageKeyOf<M> = M extends ModuleDefinition<infer _P, infer _A, infer K> ? K : never;
export type { AnyModule };
