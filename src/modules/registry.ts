/**
 * The registry: what the platform derives from the module definitions — which roles and token scopes
 * hold which permission, the navigation, the audit labels, the messages, the routes and the tenancy
 * matrix. Built once per app from a list of modules (src/modules/index.ts, or that list plus a test
 * module in the tests).
 */
import type { FastifyInstance } from 'fastify';
import type { Role, TokenScope } from '../db/schema.js';
import type { AnyJobDefinition } from '../jobs/jobs.js';
import type {
  AnyModule,
  Area,
  Label,
  MeterDefinition,
  NavigationEntry,
  NavPrincipal,
  TenancyCase,
} from './module.js';

export interface Grant<P extends string = string> {
  readonly permissions: ReadonlySet<P>;
  /** Holds no writing permission: the database refuses its writes except audit events. */
  readonly readOnly: boolean;
}

export interface NavLink {
  readonly href: string;
  /** Message key. */
  readonly label: string;
}

export interface Registry {
  readonly modules: readonly AnyModule[];
  /** Every permission, with its definition. */
  readonly permissions: ReadonlyMap<string, AnyModule['permissions'][string]>;
  /** Every audit event type, in module order. */
  readonly auditEvents: ReadonlySet<string>;
  /** Every message of every module (German and English). */
  readonly messages: ReadonlyMap<string, Label>;
  grantOfRoles(roles: readonly Role[], memberWithdrawn?: boolean): Grant;
  /** Roles holding a writing permission (a principal with none of them gets a read-only scope). */
  readonly writingRoles: readonly Role[];
  /** Token scopes granting a writing permission. */
  readonly writingScopes: readonly TokenScope[];
  grantOfScopes(scopes: readonly TokenScope[]): Grant;
  /** The navigation of a person with these areas, in order, entries of one href once. */
  navigation(areas: readonly Area[], p: NavPrincipal): NavLink[];
  auditLabel(action: string, lang: 'de' | 'en'): string;
  /** Member-scoped routes the tenancy matrix drives, with a valid request body. */
  readonly tenancyRoutes: ReadonlyMap<string, TenancyCase>;
  readonly tenancyParams: ReadonlyMap<
    string,
    NonNullable<NonNullable<AnyModule['tenancy']>['params']>[string]
  >;
  /** "METHOD /url" of every route a module registered → the module's name (filled by registerRoutes). */
  readonly routeOwners: ReadonlyMap<string, string>;
  /** Every module's background jobs. */
  readonly jobs: readonly AnyJobDefinition[];
  /** The meters of Allmende's own usage, by key, with the module that emits them. */
  readonly meters: ReadonlyMap<string, MeterDefinition & { readonly module: string }>;
  /** Registers every module's API (under /api/v1) and pages. */
  registerRoutes(app: FastifyInstance): Promise<void>;
}

/** Throws when two modules declare the same permission, audit event, message or route. */
function collect<V>(
  modules: readonly AnyModule[],
  pick: (m: AnyModule) => Record<string, V> | undefined,
  what: string,
) {
  const out = new Map<string, V>();
  for (const m of modules) {
    for (const [key, value] of Object.entries(pick(m) ?? {})) {
      if (out.has(key)) throw new Error(`module ${m.name}: ${what} "${key}" is declared twice`);
      out.set(key, value);
    }
  }
  return out;
}

export function createRegistry(modules: readonly AnyModule[]): Registry {
  const names = new Set<string>();
  for (const m of modules) {
    if (names.has(m.name)) throw new Error(`module ${m.name} is registered twice`);
    names.add(m.name);
  }
  const permissions = collect(modules, (m) => m.permissions, 'permission');
  const auditEvents = new Set<string>();
  for (const m of modules) {
    for (const a of m.auditEvents) {
      if (auditEvents.has(a)) throw new Error(`module ${m.name}: audit event "${a}" is declared twice`);
      auditEvents.add(a);
    }
  }
  const messages = collect(modules, (m) => m.messages, 'message');
  const meters = new Map<string, MeterDefinition & { readonly module: string }>();
  for (const m of modules) {
    for (const [key, def] of Object.entries(m.meters ?? {})) {
      if (!/^[a-z][a-z0-9-]{1,63}$/.test(key))
        throw new Error(`module ${m.name}: meter key "${key}" is invalid`);
      if (meters.has(key)) throw new Error(`module ${m.name}: meter "${key}" is declared twice`);
      meters.set(key, { ...def, module: m.name });
    }
  }
  // Labels are messages: `permission.<name>`, `audit_event.<type>`, `meter.<key>` and `meter_unit.<key>`.
  for (const key of [
    ...[...permissions.keys()].map((p) => `permission.${p}`),
    ...[...auditEvents].map((a) => `audit_event.${a}`),
    ...[...meters.keys()].flatMap((k) => [`meter.${k}`, `meter_unit.${k}`]),
  ]) {
    if (!messages.has(key)) throw new Error(`no message "${key}": a module declares it without a label`);
  }
  // A token scope grants only permissions of its own area ("usage.write" → "usage.…"), and a read scope
  // nothing that writes: a machine's token never reaches beyond what its scope names.
  for (const [p, def] of permissions) {
    for (const scope of def.scopes ?? []) {
      const [area, access] = scope.split('.');
      if (p.split('.')[0] !== area)
        throw new Error(`permission "${p}" is granted by the token scope "${scope}" of another area`);
      if (access === 'read' && def.writes)
        throw new Error(`permission "${p}" writes but is granted by the read scope "${scope}"`);
    }
  }
  const tenancyRoutes = collect(modules, (m) => m.tenancy?.routes, 'tenancy route');
  const tenancyParams = collect(modules, (m) => m.tenancy?.params, 'tenancy parameter');
  const nav: NavigationEntry[] = modules.flatMap((m) => m.navigation ?? []).sort((a, b) => a.order - b.order);
  for (const e of nav) {
    if (e.permission && !permissions.has(e.permission))
      throw new Error(`navigation entry ${e.label} needs the undeclared permission "${e.permission}"`);
  }
  const routeOwners = new Map<string, string>();
  const jobs = modules.flatMap((m) => m.jobs ?? []);
  const jobNames = new Set<string>();
  for (const j of jobs) {
    if (jobNames.has(j.name)) throw new Error(`job "${j.name}" is declared twice`);
    jobNames.add(j.name);
  }

  const byRole = new Map<Role, string[]>();
  const byScope = new Map<TokenScope, string[]>();
  const writing = new Set<string>();
  for (const [p, def] of permissions) {
    for (const r of def.roles) byRole.set(r, [...(byRole.get(r) ?? []), p]);
    for (const s of def.scopes ?? []) byScope.set(s, [...(byScope.get(s) ?? []), p]);
    if (def.writes) writing.add(p);
  }

  /** Staff of a withdrawn member keep reading (their invoices, their trail) but lose every write. */
  const grant = (all: readonly string[], memberWithdrawn: boolean): Grant => {
    const granted = new Set(memberWithdrawn ? all.filter((p) => !writing.has(p)) : all);
    return { permissions: granted, readOnly: ![...granted].some((p) => writing.has(p)) };
  };

  return {
    modules,
    permissions,
    auditEvents,
    messages,
    tenancyRoutes,
    tenancyParams,
    grantOfRoles: (roles, memberWithdrawn = false) =>
      grant(
        roles.flatMap((r) => byRole.get(r) ?? []),
        memberWithdrawn,
      ),
    writingRoles: [...byRole].filter(([, ps]) => ps.some((p) => writing.has(p))).map(([r]) => r),
    writingScopes: [...byScope].filter(([, ps]) => ps.some((p) => writing.has(p))).map(([s]) => s),
    grantOfScopes: (scopes) =>
      grant(
        scopes.flatMap((s) => byScope.get(s) ?? []),
        false,
      ),
    navigation(areas, p) {
      const seen = new Set<string>();
      const out: NavLink[] = [];
      for (const area of areas) {
        for (const e of nav) {
          if (e.area !== area) continue;
          if (e.permission && !p.permissions.has(e.permission)) continue;
          if (e.unlessArea && areas.includes(e.unlessArea)) continue;
          const href = e.href(p);
          if (seen.has(href)) continue;
          seen.add(href);
          out.push({ href, label: e.label });
        }
      }
      return out;
    },
    auditLabel: (action, lang) => messages.get(`audit_event.${action}`)?.[lang] ?? action,
    routeOwners,
    jobs,
    meters,
    async registerRoutes(app) {
      // Each module in a scope of its own that remembers which routes it added.
      const own = (m: AnyModule, plugin: NonNullable<AnyModule['api']>, prefix?: string) =>
        app.register(async (scope) => {
          scope.addHook('onRoute', (route) => {
            for (const method of [route.method].flat()) routeOwners.set(`${method} ${route.url}`, m.name);
          });
          await scope.register(plugin, prefix ? { prefix } : {});
        });
      // API v1: JSON, problem+json errors, documented in OpenAPI.
      for (const m of modules) if (m.api) await own(m, m.api, '/api/v1');
      // Pages: server-rendered HTML, forms work without JavaScript.
      for (const m of modules) if (m.pages) await own(m, m.pages);
    },
  };
}
