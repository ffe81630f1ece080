/**
 * The embedded database's job runner: in the server process (PGlite is single-process, its folder is
 * locked), with the queue in the table job_queue, so queued work survives a restart. Same interface
 * and retry formula as the pg-boss runner. Its own SQL runs as the owning role (job_queue and
 * job_schedules hold no tenant data and are closed to the app role).
 */
import parser from 'cron-parser';
import { sql } from 'kysely';
import {
  type AnyJobDefinition,
  DEFAULT_RETRY,
  type JobRunner,
  type JobRunnerOptions,
  jobContext,
  jobIdForKey,
  retryDelayMs,
  SCHEDULE_TZ,
  type SendOptions,
  validateJobs,
} from './jobs.js';
import { type Loop, startLoop, withTimeout } from './loop.js';
import { dispatchOutbox, type OutboxDeliverer } from './outbox.js';

/** The most recent schedule slot at or before `now`. */
export function lastSlot(cron: string, now: Date): Date {
  return parser.parseExpression(cron, { tz: SCHEDULE_TZ, currentDate: now }).prev().toDate();
}

/** A slot is sent only within this window after it began (as pg-boss does): missed slots are not caught up. */
const SLOT_WINDOW_MS = 60_000;

export function createInlineRunner(
  o: JobRunnerOptions,
  deliverers: (runner: JobRunner) => ReadonlyMap<string, OutboxDeliverer>,
): JobRunner {
  const { database, config, log } = o;
  const db = database.db;
  const defs = validateJobs(o.jobs);
  const now = o.now ?? (() => new Date());
  const loops: Loop[] = [];
  let lastCleanup = 0;

  async function insertJob(def: AnyJobDefinition, payload: unknown, opts: SendOptions & { id?: string }) {
    const retry = def.retry ?? DEFAULT_RETRY;
    const id = opts.id ?? (opts.key ? jobIdForKey(def.name, opts.key) : crypto.randomUUID());
    await db
      .insertInto('job_queue')
      .values({
        id,
        name: def.name,
        payload: JSON.stringify(payload ?? {}),
        retry_limit: retry.limit,
        retry_delay_seconds: retry.delaySeconds,
        retry_backoff: retry.backoff,
        run_after: sql<Date>`now() + make_interval(secs => ${opts.delaySeconds ?? 0})`,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return id;
  }

  /** Sends each scheduled job whose current slot has not been sent yet (one row per job records it). */
  async function scheduleStep(): Promise<boolean> {
    const t = now();
    for (const def of defs.values()) {
      if (!def.schedule) continue;
      const slot = lastSlot(def.schedule, t);
      if (t.getTime() - slot.getTime() >= SLOT_WINDOW_MS) continue;
      await db.transaction().execute(async (trx) => {
        const won = await trx
          .insertInto('job_schedules')
          .values({ name: def.name, last_slot: slot })
          .onConflict((oc) =>
            oc.column('name').doUpdateSet({ last_slot: slot }).where('job_schedules.last_slot', '<', slot),
          )
          .returning('name')
          .executeTakeFirst();
        if (!won) return;
        const retry = def.retry ?? DEFAULT_RETRY;
        await trx
          .insertInto('job_queue')
          .values({
            id: jobIdForKey(def.name, `schedule:${slot.toISOString()}`),
            name: def.name,
            payload: '{}',
            retry_limit: retry.limit,
            retry_delay_seconds: retry.delaySeconds,
            retry_backoff: retry.backoff,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
        jobsLoop?.wake();
      });
    }
    if (Date.now() - lastCleanup > 3600_000) {
      lastCleanup = Date.now();
      await db
        .deleteFrom('job_queue')
        .where((eb) =>
          eb.or([
            eb.and([
              eb('state', '=', 'completed'),
              eb('completed_at', '<', sql<Date>`now() - interval '1 day'`),
            ]),
            eb.and([
              eb('state', '=', 'failed'),
              eb('created_at', '<', sql<Date>`now() - interval '14 days'`),
            ]),
          ]),
        )
        .execute();
    }
    return false;
  }

  /**
   * Claims one due job, runs it, records the outcome. (No expiry of a hung run here: one process owns
   * the database, so a run is either going on or was cut off by a crash, which start() re-queues.)
   */
  async function jobStep(): Promise<boolean> {
    const job = await db
      .updateTable('job_queue')
      .set((eb) => ({
        state: 'active',
        attempts: eb('attempts', '+', 1),
        locked_until: null,
      }))
      .where('id', '=', (eb) =>
        eb
          .selectFrom('job_queue')
          .select('id')
          .where('state', '=', 'queued')
          .where('run_after', '<=', sql<Date>`now()`)
          .orderBy('run_after')
          .orderBy('created_at')
          .limit(1)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .executeTakeFirst();
    if (!job) return false;
    const def = defs.get(job.name);
    try {
      if (!def) throw new Error(`no job named "${job.name}" is defined`);
      await def.handler(
        job.payload,
        jobContext(def, { jobId: job.id, attempt: job.attempts, database, config, log }),
      );
      await db
        .updateTable('job_queue')
        .set({ state: 'completed', completed_at: sql<Date>`now()`, locked_until: null, last_error: null })
        .where('id', '=', job.id)
        .execute();
    } catch (err) {
      const error = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      const retriesUsed = job.attempts - 1;
      const retry = retriesUsed < job.retry_limit;
      log.warn({ job: job.name, jobId: job.id, attempt: job.attempts, retry, error }, 'job failed');
      const delayMs = retryDelayMs(
        { limit: job.retry_limit, delaySeconds: job.retry_delay_seconds, backoff: job.retry_backoff },
        retriesUsed + 1,
      );
      await db
        .updateTable('job_queue')
        .set(
          retry
            ? {
                state: 'queued',
                locked_until: null,
                last_error: error,
                run_after: sql<Date>`now() + make_interval(secs => ${delayMs / 1000})`,
              }
            : { state: 'failed', locked_until: null, last_error: error, completed_at: sql<Date>`now()` },
        )
        .where('id', '=', job.id)
        .execute();
    }
    return true;
  }

  let jobsLoop: Loop | undefined;
  let outboxLoop: Loop | undefined;
  let delivery: ReadonlyMap<string, OutboxDeliverer> = new Map();
  const outboxStep = async () =>
    (await dispatchOutbox(database, delivery, { retryMs: config.jobs.outboxRetryMs, log })) > 0;

  const runner: JobRunner = {
    kind: 'inline',
    async start() {
      delivery = deliverers(runner);
      if (o.work === false) return;
      // One process owns the folder: whatever is still "active" was cut off by a crash; run it again.
      await db
        .updateTable('job_queue')
        .set({ state: 'queued', locked_until: null })
        .where('state', '=', 'active')
        .execute();
      const poll = config.jobs.pollMs;
      loops.push(startLoop('schedules', poll, scheduleStep, log));
      jobsLoop = startLoop('jobs', poll, jobStep, log);
      outboxLoop = startLoop('outbox', poll, outboxStep, log);
      loops.push(jobsLoop, outboxLoop);
    },
    async send(name, payload = {}, opts = {}) {
      const def = defs.get(name);
      if (!def) throw new Error(`no job named "${name}" is defined`);
      const id = await insertJob(def, payload, opts);
      jobsLoop?.wake();
      return id;
    },
    async dispatchOutbox() {
      if (delivery.size === 0) delivery = deliverers(runner);
      return dispatchOutbox(database, delivery, { retryMs: config.jobs.outboxRetryMs, log });
    },
    async stop(opts = {}) {
      await withTimeout(Promise.all(loops.map((l) => l.stop())), opts.timeoutMs ?? 30_000);
      loops.length = 0;
      jobsLoop = undefined;
      outboxLoop = undefined;
    },
  };
  return runner;
}
