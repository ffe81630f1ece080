/**
 * Every job of the application. Stand-in until the module registry (issue 6, point 1) collects each
 * module's `jobs` from its definition; server.ts and `allmende worker` pass this list to createJobRunner.
 */
import { sessionPurgeJob } from '../modules/auth/sessions.jobs.js';
import type { AnyJobDefinition } from './jobs.js';
import { outboxCleanupJob } from './outbox.js';

export const APP_JOBS: readonly AnyJobDefinition[] = [sessionPurgeJob, outboxCleanupJob];
