/**
 * createJobRunner: pg-boss on PostgreSQL, the in-process runner on the embedded PGlite — the same
 * interface either way. The outbox deliverers: `job` (queues the named job), `webhook` (POST to
 * ALLMENDE_WEBHOOK_URL or the message's target), `mail` (src/mail) and any passed in.
 */
import { mailDeliverer } from '../mail/mail.js';
import type { JobRunner, JobRunnerOptions } from './jobs.js';
import { jobDeliverer, type OutboxDeliverer, sendInTx, webhookDeliverer } from './outbox.js';
import { createInlineRunner } from './runner-inline.js';
import { createPgBossRunner } from './runner-pgboss.js';

export interface CreateJobRunnerOptions extends JobRunnerOptions {
  /** Extra outbox deliverers by kind (they replace a built-in one of the same kind). */
  readonly deliverers?: readonly OutboxDeliverer[];
}

export function createJobRunner(o: CreateJobRunnerOptions): JobRunner {
  const deliverers = (runner: JobRunner) =>
    new Map(
      [
        jobDeliverer(runner),
        webhookDeliverer({ url: o.config.jobs.webhookUrl }),
        mailDeliverer({ config: o.config.mail, log: o.log, host: new URL(o.config.publicUrl).hostname }),
        ...(o.deliverers ?? []),
      ].map((d) => [d.kind, d] as const),
    );
  const inner =
    o.database.kind === 'postgres' ? createPgBossRunner(o, deliverers) : createInlineRunner(o, deliverers);
  const names = new Set(o.jobs.map((j) => j.name));
  return {
    kind: inner.kind,
    start: () => inner.start(),
    stop: (opts) => inner.stop(opts),
    dispatchOutbox: () => inner.dispatchOutbox(),
    async send(name, payload = {}, opts = {}) {
      if (!opts.tx) return inner.send(name, payload, opts);
      if (!names.has(name)) throw new Error(`no job named "${name}" is defined`);
      return sendInTx(opts.tx, name, payload, {
        ...(opts.key ? { key: opts.key } : {}),
        ...(opts.memberId ? { memberId: opts.memberId } : {}),
      });
    },
  };
}

export type {
  AnyJobDefinition,
  JobContext,
  JobDefinition,
  JobRunner,
  RetryPolicy,
  SendOptions,
} from './jobs.js';
export { defineJob } from './jobs.js';
export type { OutboxDeliverer, OutboxInput, OutboxMessage } from './outbox.js';
export { enqueueOutbox, sendInTx } from './outbox.js';
