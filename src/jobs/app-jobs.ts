/**
 * Every job of the application: the jobs the registered modules declare in their definitions, plus the
 * platform's own (the outbox clean-up). server.ts and `allmende worker` pass this list to createJobRunner;
 * every process on one database must run with the same list.
 */
import { MODULES } from '../modules/index.js';
import type { AnyModule } from '../modules/module.js';
import type { AnyJobDefinition } from './jobs.js';
import { outboxCleanupJob } from './outbox.js';

export function appJobs(modules: readonly AnyModule[] = MODULES): readonly AnyJobDefinition[] {
  return [...modules.flatMap((m) => m.jobs ?? []), outboxCleanupJob];
}
