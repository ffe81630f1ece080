/**
 * The registry of modules. A new module is a folder under src/modules plus one line here.
 * Order matters only for navigation ties and the order routes are registered in.
 */
import { auditModule } from './audit/audit.module.js';
import { authModule } from './auth/auth.module.js';
import { catalogModule } from './catalog/catalog.module.js';
import { demoModule } from './demo/demo.module.js';
import { governanceModule } from './governance/governance.module.js';
import { membersModule } from './members/members.module.js';
import { meteringModule } from './metering/metering.module.js';
import type { AuditEventOf, MessageKeyOf, PermissionOf } from './module.js';
import { peopleModule } from './people/people.module.js';

export const MODULES = [
  authModule,
  membersModule,
  peopleModule,
  auditModule,
  catalogModule,
  governanceModule,
  meteringModule,
  demoModule,
] as const;

/**
 * Modules registered outside this list (the tests' sample module) add their type here by declaration
 * merging, so their permissions, audit events and messages type-check too.
 */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging
export interface AdditionalModules {}
type RegisteredModule = (typeof MODULES)[number] | AdditionalModules[keyof AdditionalModules];
/** Every permission of every registered module. */
export type Permission = PermissionOf<RegisteredModule>;
/** Every audit event type of every registered module. */
export type AuditAction = AuditEventOf<RegisteredModule>;
/** Every message key of every registered module. */
export type ModuleMessageKey = MessageKeyOf<RegisteredModule>;
