/**
 * The transactional outbox. A service writes a message with enqueueOutbox(tx, …) inside its business
 * transaction, so the message exists if and only if that transaction committed. After commit a job
 * runner's dispatcher claims due messages, hands each to the deliverer of its kind (webhook, job; mail
 * plugs in the same way) and marks it delivered once the receiver acknowledged; a failed attempt is
 * retried with exponential backoff, without limit, each time with the same idempotency key.
 * Delivery is at least once: a receiver drops a repeat by the key.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { runInTx, type Tx } from '../db/tx.js';
import { ALL_MEMBERS_WRITE, canSeeMember, systemCtx } from '../shared/context.js';
import { defineJob, type JobLog, type JobRunner } from './jobs.js';

export interface OutboxInput {
  /** Which deliverer sends it: 'webhook', 'job', later 'mail'. Default 'webhook'. */
  readonly kind?: string;
  /** What happened, e.g. `member.admitted`; the receiver routes by it. */
  readonly topic: string;
  /** JSON payload. No secrets: it is stored until delivered and sent as it is. */
  readonly payload: unknown;
  /** Stable across retries; defaults to the message id. Unique per member. */
  readonly idempotencyKey?: string;
  /** The member whose data this is; default: the principal's member, or the only member in scope. */
  readonly memberId?: string;
  /** Kind-specific destination (a webhook URL); default: the kind's configured one. */
  readonly target?: string;
}

export interface OutboxMessage {
  readonly id: string;
  readonly memberId: string;
  readonly kind: string;
  readonly topic: string;
  readonly payload: unknown;
  readonly target: string | null;
  readonly idempotencyKey: string;
  /** 1 for the first delivery attempt. */
  readonly attempt: number;
  readonly createdAt: Date;
}

/**
 * Delivers one message. Resolves when the receiver acknowledged it; throws otherwise (the dispatcher
 * retries later). Must pass message.idempotencyKey on, so the receiver can recognise a repeat.
 */
export interface OutboxDeliverer {
  readonly kind: string;
  deliver(message: OutboxMessage): Promise<void>;
}

export class OutboxError extends Error {
  override name = 'OutboxError';
}

/** Writes a message into the outbox of the current business transaction. Returns its id. */
export async function enqueueOutbox(tx: Tx, input: OutboxInput): Promise<string> {
  const scope = tx.ctx.scope;
  const memberId =
    input.memberId ??
    tx.ctx.principal?.memberId ??
    (!scope.allMembers && scope.memberIds.length === 1 ? scope.memberIds[0] : undefined);
  if (!memberId) throw new OutboxError(`outbox message "${input.topic}": name the member (memberId)`);
  if (!canSeeMember(tx.ctx, memberId))
    throw new OutboxError(`outbox message "${input.topic}": member out of scope`);
  const id = crypto.randomUUID();
  await tx.db
    .insertInto('outbox_messages')
    .values({
      id,
      member_id: memberId,
      kind: input.kind ?? 'webhook',
      topic: input.topic,
      payload: JSON.stringify(input.payload ?? null),
      target: input.target ?? null,
      idempotency_key: input.idempotencyKey ?? id,
    })
    .execute();
  return id;
}

/**
 * Queues a job from inside a business transaction: through the outbox, so the job is queued if and only
 * if the transaction commits. The job id derives from the idempotency key, so a repeated dispatch does
 * not queue it twice.
 */
export function sendInTx(
  tx: Tx,
  name: string,
  payload: unknown = {},
  opts: { key?: string; memberId?: string } = {},
): Promise<string> {
  return enqueueOutbox(tx, {
    kind: 'job',
    topic: name,
    payload,
    ...(opts.key ? { idempotencyKey: `job:${name}:${opts.key}` } : {}),
    ...(opts.memberId ? { memberId: opts.memberId } : {}),
  });
}

/** Delivers `job` messages by queueing the named job on the runner. */
export function jobDeliverer(runner: Pick<JobRunner, 'send'>): OutboxDeliverer {
  return {
    kind: 'job',
    async deliver(m) {
      await runner.send(m.topic, m.payload, { key: m.idempotencyKey });
    },
  };
}

/**
 * Delivers `webhook` messages: HTTP POST of JSON `{ id, topic, memberId, createdAt, payload }` with an
 * `Idempotency-Key` header; any 2xx answer acknowledges it.
 */
export function webhookDeliverer(opts: { url: string | undefined; timeoutMs?: number }): OutboxDeliverer {
  return {
    kind: 'webhook',
    async deliver(m) {
      const url = m.target ?? opts.url;
      if (!url) throw new OutboxError('no webhook URL configured (ALLMENDE_WEBHOOK_URL)');
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': m.idempotencyKey,
          'x-allmende-topic': m.topic,
          'x-allmende-attempt': String(m.attempt),
          'user-agent': 'Allmende outbox',
        },
        body: JSON.stringify({
          id: m.id,
          topic: m.topic,
          memberId: m.memberId,
          createdAt: m.createdAt.toISOString(),
          payload: m.payload,
        }),
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined); // free the connection
      if (res.status < 200 || res.status > 299) throw new OutboxError(`receiver answered ${res.status}`);
    },
  };
}

const DISPATCH_CTX = systemCtx('outbox-dispatcher', ALL_MEMBERS_WRITE);
const MAX_RETRY_MS = 3_600_000;

export interface DispatchOptions {
  /** First retry delay; doubles per attempt up to one hour. */
  readonly retryMs: number;
  readonly log: JobLog;
  readonly batch?: number;
  /** How long a claim holds before another dispatcher may take the message (a crash in between). */
  readonly claimSeconds?: number;
}

/**
 * One dispatch round: claims due messages (SKIP LOCKED, so parallel dispatchers never take the same
 * one), delivers them outside any transaction, records the outcome. Returns how many were delivered.
 */
export async function dispatchOutbox(
  database: Database,
  deliverers: ReadonlyMap<string, OutboxDeliverer>,
  opts: DispatchOptions,
): Promise<number> {
  const claimSeconds = opts.claimSeconds ?? 60;
  const claimed = await runInTx(database, DISPATCH_CTX, (tx) =>
    tx.db
      .updateTable('outbox_messages')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        locked_until: sql<Date>`now() + make_interval(secs => ${claimSeconds})`,
      }))
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox_messages')
          .select('id')
          .where('delivered_at', 'is', null)
          .where('next_attempt_at', '<=', sql<Date>`now()`)
          .where((w) => w.or([w('locked_until', 'is', null), w('locked_until', '<', sql<Date>`now()`)]))
          .orderBy('next_attempt_at')
          .limit(opts.batch ?? 20)
          .forUpdate()
          .skipLocked(),
      )
      .returning([
        'id',
        'member_id',
        'kind',
        'topic',
        'payload',
        'target',
        'idempotency_key',
        'attempts',
        'created_at',
      ])
      .execute(),
  );
  if (claimed.length === 0) return 0;
  const outcomes = await Promise.all(
    claimed.map(async (r) => {
      const message: OutboxMessage = {
        id: r.id,
        memberId: r.member_id,
        kind: r.kind,
        topic: r.topic,
        payload: r.payload,
        target: r.target,
        idempotencyKey: r.idempotency_key,
        attempt: r.attempts,
        createdAt: r.created_at,
      };
      try {
        const deliverer = deliverers.get(r.kind);
        if (!deliverer) throw new OutboxError(`no deliverer for kind "${r.kind}"`);
        await deliverer.deliver(message);
        return { id: r.id, ok: true as const };
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const delayMs = Math.min(opts.retryMs * 2 ** Math.min(20, r.attempts - 1), MAX_RETRY_MS);
        opts.log.warn(
          { outboxId: r.id, topic: r.topic, attempt: r.attempts, error },
          'outbox delivery failed',
        );
        return { id: r.id, ok: false as const, error: error.slice(0, 1000), delayMs };
      }
    }),
  );
  await runInTx(database, DISPATCH_CTX, async (tx) => {
    for (const o of outcomes) {
      await tx.db
        .updateTable('outbox_messages')
        .set(
          o.ok
            ? { delivered_at: sql<Date>`now()`, locked_until: null, last_error: null }
            : {
                locked_until: null,
                last_error: o.error,
                next_attempt_at: sql<Date>`now() + make_interval(secs => ${o.delayMs / 1000})`,
              },
        )
        .where('id', '=', o.id)
        .execute();
    }
  });
  return outcomes.filter((o) => o.ok).length;
}

/** Delivered messages are kept this long (for tracing a delivery), then removed by outbox.cleanup. */
export const OUTBOX_KEEP_DAYS = 30;

/** Removes delivered messages older than `days`; undelivered ones stay until delivered. */
export async function deleteDeliveredOutbox(tx: Tx, days: number): Promise<number> {
  const res = await tx.db
    .deleteFrom('outbox_messages')
    .where('delivered_at', '<', sql<Date>`now() - make_interval(days => ${days})`)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

export const outboxCleanupJob = defineJob({
  name: 'outbox.cleanup',
  schedule: '40 3 * * *',
  retry: { limit: 2, delaySeconds: 300, backoff: true },
  scope: ALL_MEMBERS_WRITE,
  async handler(_payload, job) {
    const removed = await job.tx((tx) => deleteDeliveredOutbox(tx, OUTBOX_KEEP_DAYS));
    if (removed > 0) job.log.info({ removed }, 'delivered outbox messages removed');
  },
});
