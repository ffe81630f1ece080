/**
 * Background work on both databases: retries with backoff, the outbox (after commit only, retried until a
 * real HTTP receiver acknowledges, one idempotency key), schedules once per slot, queued work surviving a
 * restart, the session purge as a job, and `allmende worker`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { prepareDatabase } from '../../src/db/bootstrap.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { runInTx } from '../../src/db/tx.js';
import { appJobs } from '../../src/jobs/app-jobs.js';
import { type AnyJobDefinition, defineJob, type JobLog, type JobRunner } from '../../src/jobs/jobs.js';
import { enqueueOutbox, sendInTx } from '../../src/jobs/outbox.js';
import { createJobRunner } from '../../src/jobs/runner.js';
import { recordAudit } from '../../src/modules/audit/audit.service.js';
import { SESSION_PURGE_JOB } from '../../src/modules/auth/sessions.jobs.js';
import { memberScope, systemCtx } from '../../src/shared/context.js';
import {
  asSuperuser,
  DEMO,
  databaseUrlOf,
  loggedIn,
  memberIdByName,
  readAll,
  testApp,
  testConfig,
  testDatabase,
  testDbKind,
} from '../helpers.js';

const silent: JobLog = { info() {}, warn() {}, error() {} };
const isPg = () => testDbKind() === 'postgres';

/** What the test jobs saw, by job name. */
const seen = new Map<string, { payload: unknown; attempt: number; system: string | null; at: Date }[]>();
const record = (name: string, payload: unknown, attempt: number, system: string | null) => {
  const list = seen.get(name) ?? [];
  list.push({ payload, attempt, system, at: new Date() });
  seen.set(name, list);
};
const runs = (name: string) => seen.get(name) ?? [];

const TEST_JOBS: AnyJobDefinition[] = [
  ...appJobs(),
  defineJob<{ n: number }>({
    name: 'test.flaky',
    retry: { limit: 2, delaySeconds: 1, backoff: true },
    async handler(payload, job) {
      record(job.name, payload, job.attempt, job.ctx.system);
      if (job.attempt < 3) throw new Error(`attempt ${job.attempt} fails`);
    },
  }),
  defineJob<{ note: string }>({
    name: 'test.after-commit',
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    async handler(payload, job) {
      record(job.name, payload, job.attempt, job.ctx.system);
    },
  }),
  defineJob<{ memberId: string }>({
    name: 'test.audited',
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    async handler(payload, job) {
      await runInTx(job.database, { ...job.ctx, scope: memberScope(payload.memberId) }, async (tx) => {
        recordAudit(tx, {
          action: 'member.viewed',
          memberId: payload.memberId,
          objectType: 'member',
          objectId: payload.memberId,
        });
      });
      record(job.name, payload, job.attempt, job.ctx.system);
    },
  }),
  defineJob<{ n: number }>({
    name: 'test.durable',
    async handler(payload, job) {
      record(job.name, payload, job.attempt, job.ctx.system);
    },
  }),
];

const scheduledJob = defineJob({
  name: 'test.every-minute',
  schedule: '* * * * *',
  retry: { limit: 0, delaySeconds: 0, backoff: false },
  async handler(_p, job) {
    record(job.name, {}, job.attempt, job.ctx.system);
  },
});

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let database: Database;
let panketal: string;
const runners: JobRunner[] = [];
const servers: http.Server[] = [];
const dirs: string[] = [];

function jobsConfig(env: Record<string, string> = {}): Config {
  return testConfig({
    ALLMENDE_JOBS_POLL_MS: '100',
    ALLMENDE_OUTBOX_RETRY_MS: '50',
    ...(isPg() ? { DATABASE_URL: databaseUrlOf(database)! } : {}),
    ...env,
  });
}

async function runner(
  opts: { config?: Config; jobs?: AnyJobDefinition[]; work?: boolean; now?: () => Date; db?: Database } = {},
) {
  const r = createJobRunner({
    database: opts.db ?? database,
    config: opts.config ?? jobsConfig(),
    jobs: opts.jobs ?? TEST_JOBS,
    log: silent,
    ...(opts.work === false ? { work: false } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  runners.push(r);
  await r.start();
  return r;
}

async function stopAll() {
  for (const r of runners.splice(0)) await r.stop({ timeoutMs: 5000 });
}

beforeAll(async () => {
  database = await testDatabase();
  panketal = await memberIdByName(database, 'Panketal');
});
afterAll(async () => {
  await stopAll();
  for (const s of servers) s.close();
  await database?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('jobs', () => {
  it('retries a failing job with backoff: fails twice, succeeds on the third run', async () => {
    const r = await runner();
    await r.send('test.flaky', { n: 7 });
    await waitFor('the third run', () => runs('test.flaky').length >= 3);
    await new Promise((res) => setTimeout(res, 1500)); // no fourth run follows
    await stopAll();
    const list = runs('test.flaky');
    expect(list.map((x) => x.attempt)).toEqual([1, 2, 3]);
    expect(list.every((x) => (x.payload as { n: number }).n === 7)).toBe(true);
    // The actor of a job is the job itself.
    expect(list[0]!.system).toBe('test.flaky');
    // Backoff: the second retry waited at least as long as the first (1–2 s, then 2–4 s).
    const gap1 = list[1]!.at.getTime() - list[0]!.at.getTime();
    const gap2 = list[2]!.at.getTime() - list[1]!.at.getTime();
    expect(gap1).toBeGreaterThanOrEqual(900);
    expect(gap2).toBeGreaterThanOrEqual(1900);
  });

  it('names the job as the actor in the audit trail', async () => {
    const r = await runner();
    await r.send('test.audited', { memberId: panketal });
    await waitFor('the audited job', () => runs('test.audited').length === 1);
    await stopAll();
    const events = await readAll(database, (tx) =>
      tx.db
        .selectFrom('audit_events')
        .select(['actor_type', 'actor_id', 'action'])
        .where('actor_id', '=', 'test.audited')
        .execute(),
    );
    expect(events).toEqual([{ actor_type: 'job', actor_id: 'test.audited', action: 'member.viewed' }]);
  });

  it('refuses malformed job definitions', () => {
    const handler = async () => undefined;
    const make = (jobs: AnyJobDefinition[]) => () =>
      createJobRunner({ database, config: jobsConfig(), jobs, log: silent });
    expect(make([{ name: 'Bad Name', handler }])).toThrow(/module.what/);
    expect(
      make([
        { name: 'a.b', handler },
        { name: 'a.b', handler },
      ]),
    ).toThrow(/twice/);
    expect(make([{ name: 'a.b', handler, schedule: '* * * * * *' }])).toThrow(/five cron fields/);
    expect(make([{ name: 'a.b', handler, schedule: '61 * * * *' }])).toThrow(/invalid schedule/);
  });

  it('delivers an outbox message only after commit, retries until acknowledged, with one idempotency key', async () => {
    const received: { key: string | undefined; body: { topic: string; payload: unknown }; status: number }[] =
      [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const parsed = JSON.parse(body) as { topic: string; payload: unknown };
        const ofTopic = received.filter((x) => x.body.topic === parsed.topic).length;
        const status = ofTopic < 2 ? 500 : 200; // 500 twice, then 200
        received.push({ key: req.headers['idempotency-key'] as string | undefined, body: parsed, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    servers.push(server);
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const ctx = systemCtx('test-business', memberScope(panketal));

    // A business transaction that rolls back leaves nothing to deliver: no webhook, no job.
    await expect(
      runInTx(database, ctx, async (tx) => {
        await enqueueOutbox(tx, { topic: 'test.rolled-back', payload: { x: 0 } });
        await sendInTx(tx, 'test.after-commit', { note: 'rolled back' });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const r = await runner({ config: jobsConfig({ ALLMENDE_WEBHOOK_URL: url }) });

    // While the business transaction is open, the dispatcher sees nothing (PostgreSQL; PGlite has one
    // connection, so a concurrent dispatch would wait for the transaction anyway).
    const messageId = await runInTx(database, ctx, async (tx) => {
      const id = await enqueueOutbox(tx, { topic: 'test.committed', payload: { x: 1 } });
      await r.send('test.after-commit', { note: 'committed' }, { tx, key: 'once' });
      if (isPg()) expect(await r.dispatchOutbox()).toBe(0);
      return id;
    });
    await waitFor('the acknowledged delivery', () => received.some((x) => x.status === 200), 20_000);
    await waitFor('the job queued through the outbox', () => runs('test.after-commit').length >= 1);
    await new Promise((res) => setTimeout(res, 500)); // nothing else arrives
    await stopAll();

    expect(received.map((x) => x.body.topic)).toEqual(['test.committed', 'test.committed', 'test.committed']);
    expect(received.map((x) => x.status)).toEqual([500, 500, 200]);
    expect(new Set(received.map((x) => x.key))).toEqual(new Set([messageId]));
    expect(received[0]!.body.payload).toEqual({ x: 1 });
    expect(runs('test.after-commit').map((x) => x.payload)).toEqual([{ note: 'committed' }]);

    const rows = await readAll(database, (tx) =>
      tx.db.selectFrom('outbox_messages').selectAll().orderBy('created_at').execute(),
    );
    expect(rows.map((m) => m.topic).sort()).toEqual(['test.after-commit', 'test.committed']);
    const hook = rows.find((m) => m.topic === 'test.committed')!;
    expect(hook.attempts).toBe(3);
    expect(hook.delivered_at).toBeInstanceOf(Date);
    expect(hook.member_id).toBe(panketal);
    expect(hook.last_error).toBeNull();
  });

  it('keeps the outbox per member (row-level security)', async () => {
    const other = await memberIdByName(database, 'Bad Belzig');
    const rows = await runInTx(database, systemCtx('test', memberScope(other, true)), (tx) =>
      tx.db.selectFrom('outbox_messages').select('id').execute(),
    );
    expect(rows).toEqual([]);
    await expect(
      runInTx(database, systemCtx('test', memberScope(other)), (tx) =>
        enqueueOutbox(tx, { topic: 'x', payload: {}, memberId: panketal }),
      ),
    ).rejects.toThrow(/out of scope/);
  });

  it('removes delivered outbox messages after 30 days (job outbox.cleanup)', async () => {
    const ctx = systemCtx('test-business', memberScope(panketal));
    const [oldId, newId, pendingId] = await runInTx(database, ctx, async (tx) => [
      await enqueueOutbox(tx, { kind: 'none', topic: 'test.old', payload: {} }),
      await enqueueOutbox(tx, { kind: 'none', topic: 'test.recent', payload: {} }),
      await enqueueOutbox(tx, { kind: 'none', topic: 'test.pending', payload: {} }),
    ]);
    await asSuperuser(database, async (s) => {
      await s.query(
        `update outbox_messages set delivered_at = now() - interval '31 days', next_attempt_at = 'infinity' where id = $1`,
        [oldId],
      );
      await s.query(
        `update outbox_messages set delivered_at = now(), next_attempt_at = 'infinity' where id = $1`,
        [newId],
      );
      await s.query(`update outbox_messages set next_attempt_at = 'infinity' where id = $1`, [pendingId]);
    });
    const left = () =>
      readAll(database, (tx) =>
        tx.db
          .selectFrom('outbox_messages')
          .select('id')
          .where('id', 'in', [oldId!, newId!, pendingId!])
          .execute(),
      );
    const r = await runner();
    await r.send('outbox.cleanup');
    await waitFor('the cleanup', async () => (await left()).length === 2);
    await stopAll();
    expect((await left()).map((x) => x.id).sort()).toEqual([newId, pendingId].sort());
  });

  it.skipIf(!isPg())(
    'runs a scheduled job once per slot with two workers on one database (PostgreSQL: pg-boss cron; the embedded database has one process, see the next test)',
    async () => {
      const jobs = [...TEST_JOBS, scheduledJob];
      const config = jobsConfig({ ALLMENDE_JOBS_POLL_MS: '1000' });
      await runner({ jobs, config });
      await runner({ jobs, config });
      // Both runners check the cron every second; the current minute's slot is due at once.
      await waitFor('the first scheduled run', () => runs(scheduledJob.name).length >= 1, 15_000);
      await new Promise((res) => setTimeout(res, 5000));
      await stopAll();
      const byMinute = new Map<string, number>();
      for (const x of runs(scheduledJob.name)) {
        const minute = x.at.toISOString().slice(0, 16);
        byMinute.set(minute, (byMinute.get(minute) ?? 0) + 1);
      }
      expect([...byMinute.values()].every((n) => n === 1)).toBe(true);
      expect(runs(scheduledJob.name).length).toBeLessThanOrEqual(2); // at most one minute boundary passed
      expect(runs(scheduledJob.name)[0]!.system).toBe(scheduledJob.name);
    },
  );

  it.skipIf(isPg())(
    'runs a scheduled job once per slot on the embedded database, also with two runners (controlled clock; on PostgreSQL pg-boss reads the real clock, see the test above)',
    async () => {
      seen.delete(scheduledJob.name);
      let clock = new Date('2026-03-02T10:00:30+01:00');
      const jobs = [...TEST_JOBS, scheduledJob];
      await runner({ jobs, now: () => clock });
      await runner({ jobs, now: () => clock });
      await waitFor('the 10:00 run', () => runs(scheduledJob.name).length === 1);
      clock = new Date('2026-03-02T10:00:55+01:00'); // same slot: nothing new
      await new Promise((res) => setTimeout(res, 500));
      expect(runs(scheduledJob.name)).toHaveLength(1);
      clock = new Date('2026-03-02T10:01:05+01:00'); // next slot
      await waitFor('the 10:01 run', () => runs(scheduledJob.name).length === 2);
      clock = new Date('2026-03-02T10:05:30+01:00'); // 10:02–10:04 were missed: not caught up
      await waitFor('the 10:05 run', () => runs(scheduledJob.name).length === 3);
      await new Promise((res) => setTimeout(res, 500));
      await stopAll();
      expect(runs(scheduledJob.name)).toHaveLength(3);
    },
  );

  it('keeps queued work across a restart', async () => {
    if (isPg()) {
      const sender = await runner({ work: false });
      await sender.send('test.durable', { n: 1 });
      await stopAll();
      expect(runs('test.durable')).toHaveLength(0);
      await runner();
      await waitFor('the job after the restart', () => runs('test.durable').length === 1);
      await stopAll();
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-jobs-'));
    dirs.push(dir);
    const first = await testDatabase({ pgliteDataDir: path.join(dir, 'pglite') });
    await prepareDatabase(first);
    const sender = await runner({ db: first, work: false });
    await sender.send('test.durable', { n: 2 });
    await stopAll();
    await first.close();
    const reopened = await createDatabase({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
    try {
      await runner({ db: reopened });
      await waitFor('the job after the restart', () => runs('test.durable').length === 1);
      await stopAll();
    } finally {
      await reopened.close();
    }
    expect(runs('test.durable')[0]!.payload).toEqual({ n: 2 });
  });

  it('purges expired sessions as a job (scheduled hourly)', async () => {
    const def = appJobs().find((j) => j.name === SESSION_PURGE_JOB)!;
    expect(def.schedule).toBe('17 * * * *');
    const t = await testApp({ database });
    const c = await loggedIn(t.app, DEMO.auditor);
    const sessions = () =>
      readAll(database, (tx) => tx.db.selectFrom('sessions').select(['id', 'expires_at']).execute());
    const ids = (await sessions()).map((s) => s.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(c.cookies.size).toBeGreaterThan(0);
    await asSuperuser(database, (s) =>
      s.query(`update sessions set expires_at = now() - interval '1 second' where id = any($1::text[])`, [
        ids,
      ]),
    );
    const r = await runner();
    await r.send(SESSION_PURGE_JOB);
    await waitFor('the purge', async () => (await sessions()).length === 0);
    await stopAll();
    await t.app.close();
  });

  it('`allmende worker` refuses the embedded database; on PostgreSQL it runs and stops on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: 'silent',
      ALLMENDE_DATA_DIR: '/nonexistent-allmende',
    };
    delete env.DATABASE_URL;
    const refused = await cli(['worker'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('allmende worker needs PostgreSQL (DATABASE_URL)');
    if (!isPg()) return;
    const p = spawn(process.execPath, ['bin/allmende.js', 'worker'], {
      env: { ...env, DATABASE_URL: databaseUrlOf(database)!, ALLMENDE_JOBS_POLL_MS: '200' },
    });
    let stdout = '';
    p.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((res) => p.on('close', res));
    await waitFor('the worker to start', () => stdout.includes('worker läuft'), 30_000);
    p.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

function cli(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, ['bin/allmende.js', ...args], { env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end();
  });
}
