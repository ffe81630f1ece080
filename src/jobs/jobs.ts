/**
 * The jobs interface every module uses: job definitions (queued and scheduled), the context a handler
 * runs with, and the runner that both implementations (pg-boss on PostgreSQL, the in-process runner on
 * PGlite) provide. Modules declare their jobs as plain definitions; the composition root hands the
 * list to createJobRunner (src/jobs/runner.ts).
 */
import { createHash } from 'node:crypto';
import parser from 'cron-parser';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { runInTx, type Tx } from '../db/tx.js';
import { type Ctx, jobCtx, NO_MEMBERS, type Scope } from '../shared/context.js';

export interface RetryPolicy {
  /** Retries after the first attempt: limit 2 means at most three runs. */
  readonly limit: number;
  /** Delay before the first retry, in whole seconds. */
  readonly delaySeconds: number;
  /**
   * Exponential backoff: the n-th retry waits delaySeconds · 2^(n-1), plus up to as much again as jitter
   * (pg-boss's formula, used by both runners).
   */
  readonly backoff: boolean;
}

export interface JobLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobContext {
  readonly name: string;
  readonly jobId: string;
  /** 1 for the first run, 2 for the first retry, … */
  readonly attempt: number;
  /** The context of the job (jobCtx): its actor in the audit trail is the job (kind 'job'), its scope the job's. */
  readonly ctx: Ctx;
  readonly database: Database;
  readonly config: Config;
  readonly log: JobLog;
  /** Runs fn in a transaction under the job's context (runInTx with ctx). */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

export interface JobDefinition<P = unknown> {
  /** Unique, stable name: `<module>.<what>`, e.g. `auth.session-purge`. */
  readonly name: string;
  readonly handler: (payload: P, job: JobContext) => Promise<void>;
  /**
   * Cron expression with five fields (minute hour day month weekday) in Europe/Berlin. A scheduled job
   * runs once per slot across every runner on the database; a slot missed while no runner ran is not
   * caught up, so a job that must not skip a period checks what is due itself.
   */
  readonly schedule?: string;
  readonly retry?: RetryPolicy;
  /** The member scope of the job's context. Default: no members (read-only); give the narrowest. */
  readonly scope?: Scope;
  /** A run that takes longer is considered dead and retried. Default 15 minutes. */
  readonly timeoutSeconds?: number;
}

export const SCHEDULE_TZ = 'Europe/Berlin';
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ limit: 2, delaySeconds: 30, backoff: true });
export const DEFAULT_TIMEOUT_SECONDS = 15 * 60;

/** Identity helper that keeps the payload type of a definition. */
export function defineJob<P = Record<string, never>>(def: JobDefinition<P>): JobDefinition<P> {
  return def;
}

// biome-ignore lint/suspicious/noExplicitAny: a list holds definitions of different payload types
export type AnyJobDefinition = JobDefinition<any>;

export interface SendOptions {
  /**
   * Queue the job as part of this business transaction: it goes through the outbox and is queued if and
   * only if the transaction commits (send then returns the outbox message id).
   */
  readonly tx?: Tx;
  /** With tx: the member the work belongs to (default: the context's member). */
  readonly memberId?: string;
  /** Run no earlier than this many seconds from now. */
  readonly delaySeconds?: number;
  /**
   * A stable key for this piece of work: sending the same key again (while the first job is kept) does
   * not queue a second job. Any string; hashed into the job id.
   */
  readonly key?: string;
}

export interface JobRunner {
  readonly kind: 'pgboss' | 'inline';
  /** Installs queues and schedules and starts working (unless created with work: false). */
  start(): Promise<void>;
  /** Queues a job now, or with opts.tx as part of a business transaction (through the outbox). */
  send(name: string, payload?: unknown, opts?: SendOptions): Promise<string>;
  /** Dispatches due outbox messages now instead of at the next poll. */
  dispatchOutbox(): Promise<number>;
  /** Stops fetching, lets running handlers finish (up to the timeout), then releases its connections. */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
}

export interface JobRunnerOptions {
  readonly database: Database;
  readonly config: Config;
  readonly jobs: readonly AnyJobDefinition[];
  readonly log: JobLog;
  /** false: only send (e.g. a web server with ALLMENDE_JOBS=worker); no work, schedules or dispatch. */
  readonly work?: boolean;
  /** Tests: the clock the embedded runner's scheduler reads (pg-boss reads the real clock). */
  readonly now?: () => Date;
}

const NAME = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

/** Checks a list of definitions once at start: unique, well-formed names; five-field schedules. */
export function validateJobs(jobs: readonly AnyJobDefinition[]): Map<string, AnyJobDefinition> {
  const byName = new Map<string, AnyJobDefinition>();
  for (const j of jobs) {
    if (!NAME.test(j.name)) throw new Error(`job name "${j.name}" must look like "module.what"`);
    if (byName.has(j.name)) throw new Error(`job "${j.name}" is defined twice`);
    if (j.schedule !== undefined && j.schedule.trim().split(/\s+/).length !== 5) {
      throw new Error(`job "${j.name}": schedule "${j.schedule}" needs five cron fields`);
    }
    if (j.schedule !== undefined) {
      try {
        parser.parseExpression(j.schedule, { tz: SCHEDULE_TZ });
      } catch (err) {
        throw new Error(`job "${j.name}": invalid schedule "${j.schedule}": ${(err as Error).message}`);
      }
    }
    const r = j.retry;
    if (
      r &&
      (!Number.isInteger(r.limit) || r.limit < 0 || !Number.isInteger(r.delaySeconds) || r.delaySeconds < 0)
    ) {
      throw new Error(`job "${j.name}": retry limit and delaySeconds must be integers >= 0`);
    }
    byName.set(j.name, j);
  }
  return byName;
}

/** The delay before retry number `retry` (1-based), in milliseconds. */
export function retryDelayMs(policy: RetryPolicy, retry: number, random = Math.random()): number {
  if (!policy.backoff) return policy.delaySeconds * 1000;
  const base = Math.max(policy.delaySeconds, 1) * 2 ** Math.min(16, retry - 1);
  return Math.round(base * (1 + random) * 1000);
}

/** Builds the handler's context: the actor is the job (kind 'job', its name), with the job's scope. */
export function jobContext(
  def: AnyJobDefinition,
  o: { jobId: string; attempt: number; database: Database; config: Config; log: JobLog },
): JobContext {
  // Actor kind 'job' with the job's name in the audit trail.
  const ctx = jobCtx(def.name, def.scope ?? NO_MEMBERS, `job-${o.jobId}`);
  return {
    name: def.name,
    jobId: o.jobId,
    attempt: o.attempt,
    ctx,
    database: o.database,
    config: o.config,
    log: o.log,
    tx: (fn) => runInTx(o.database, ctx, fn),
  };
}

/** A stable job id (UUID form) for a send key, so the same key never queues a second job. */
export function jobIdForKey(name: string, key: string): string {
  const h = createHash('sha256').update(`${name}\n${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
