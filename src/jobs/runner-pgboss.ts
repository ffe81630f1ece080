/**
 * The PostgreSQL job runner on pg-boss 10: one queue per job definition (retry policy on the queue and
 * on each job), workers that fetch with SKIP LOCKED, and pg-boss's cron scheduling, which sends each
 * schedule slot once however many runners are started (a database timestamp elects one runner per
 * cron check, and a 60-second singleton key per schedule drops a second send). pg-boss keeps its tables
 * in the schema "pgboss", which it creates and migrates itself on start, as the owning role.
 */
import PgBoss from 'pg-boss';
import {
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_SECONDS,
  type JobRunner,
  type JobRunnerOptions,
  jobContext,
  jobIdForKey,
  SCHEDULE_TZ,
  validateJobs,
} from './jobs.js';
import { type Loop, startLoop } from './loop.js';
import { dispatchOutbox, type OutboxDeliverer } from './outbox.js';

export function createPgBossRunner(
  o: JobRunnerOptions,
  deliverers: (runner: JobRunner) => ReadonlyMap<string, OutboxDeliverer>,
): JobRunner {
  const { database, config, log } = o;
  if (!config.databaseUrl) throw new Error('the pg-boss runner needs DATABASE_URL');
  const defs = validateJobs(o.jobs);
  const work = o.work !== false;
  const pollSeconds = Math.max(0.5, config.jobs.pollMs / 1000);
  const cronSeconds = Math.min(45, Math.max(1, Math.round(config.jobs.pollMs / 1000)));
  const boss = new PgBoss({
    connectionString: config.databaseUrl,
    application_name: 'allmende-jobs',
    max: work ? 4 : 2,
    schedule: work,
    supervise: work,
    migrate: true,
    cronMonitorIntervalSeconds: cronSeconds,
    cronWorkerIntervalSeconds: cronSeconds,
  });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  let outboxLoop: Loop | undefined;
  let delivery: ReadonlyMap<string, OutboxDeliverer> = new Map();
  const dispatch = () => dispatchOutbox(database, delivery, { retryMs: config.jobs.outboxRetryMs, log });

  const runner: JobRunner = {
    kind: 'pgboss',
    async start() {
      delivery = deliverers(runner);
      await boss.start();
      for (const def of defs.values()) {
        const retry = def.retry ?? DEFAULT_RETRY;
        const queue = {
          name: def.name,
          retryLimit: retry.limit,
          retryDelay: retry.delaySeconds,
          retryBackoff: retry.backoff,
          expireInSeconds: def.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
        };
        await boss.createQueue(def.name, queue); // does nothing when it exists
        await boss.updateQueue(def.name, queue); // the definition may have changed
      }
      if (!work) return;
      for (const def of defs.values()) {
        await boss.work(
          def.name,
          { batchSize: 1, pollingIntervalSeconds: pollSeconds, includeMetadata: true },
          async ([job]) => {
            if (!job) return;
            await def.handler(
              job.data,
              jobContext(def, { jobId: job.id, attempt: job.retryCount + 1, database, config, log }),
            );
          },
        );
      }
      // Schedules live in the database: add or change ours, drop those whose definition lost its schedule.
      for (const s of await boss.getSchedules()) {
        if (!defs.get(s.name)?.schedule) await boss.unschedule(s.name);
      }
      for (const def of defs.values()) {
        if (def.schedule) await boss.schedule(def.name, def.schedule, {}, { tz: SCHEDULE_TZ });
      }
      outboxLoop = startLoop('outbox', config.jobs.pollMs, async () => (await dispatch()) > 0, log);
    },
    async send(name, payload = {}, opts = {}) {
      const def = defs.get(name);
      if (!def) throw new Error(`no job named "${name}" is defined`);
      const retry = def.retry ?? DEFAULT_RETRY;
      const id = opts.key ? jobIdForKey(name, opts.key) : undefined;
      const sent = await boss.send(name, (payload ?? {}) as object, {
        ...(id ? { id } : {}),
        ...(opts.delaySeconds ? { startAfter: opts.delaySeconds } : {}),
        retryLimit: retry.limit,
        retryDelay: retry.delaySeconds,
        retryBackoff: retry.backoff,
        expireInSeconds: def.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      });
      // null: a job with this id exists already (a repeated send with the same key).
      return sent ?? id ?? '';
    },
    async dispatchOutbox() {
      if (delivery.size === 0) delivery = deliverers(runner);
      return dispatch();
    },
    async stop(opts = {}) {
      await outboxLoop?.stop();
      outboxLoop = undefined;
      await boss.stop({ graceful: true, wait: true, close: true, timeout: opts.timeoutMs ?? 30_000 });
    },
  };
  return runner;
}
