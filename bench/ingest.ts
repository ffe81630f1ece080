/**
 * `npm run bench:ingest` (not a test): usage ingest over HTTP against a COPY baseline, and the cost of
 * aggregating a member's month at 1M and at 10M stored events, in one run on PostgreSQL (127.0.0.1:5432,
 * or ALLMENDE_BENCH_ADMIN_URL).
 *
 * 1. Creates a database, migrates it and loads the demo (members, catalogue) with the project's own
 *    functions, and clones it (CREATE DATABASE … TEMPLATE) for the baseline.
 * 2. Starts `allmende serve` on the first in a child process, logs in as the association's admin and makes
 *    an API token of scope usage.write for the association (POST /api/v1/members/:id/api-tokens).
 * 3. A second child process (bench/ingest-client.ts) sends ALLMENDE_BENCH_EVENTS (1,000,000) events to
 *    POST /api/v1/usage on 127.0.0.1, in JSON batches of 10,000 with 5 % re-sent events (duplicates) over
 *    ALLMENDE_BENCH_STREAMS (default 2) keep-alive connections; the events name the demo members and the
 *    catalogue's meters, spread over the last closed UTC month in time order (bench/ingest-events.ts).
 * 4. Baseline: the same distinct rows by one `COPY usage_events … FROM STDIN` (text format) into the clone
 *    — the same partitioned table with its unique index — through `psql` (the `pg` driver has no COPY
 *    support without the `pg-copy-streams` package, which is not installed). As a superuser: COPY FROM
 *    is refused on a table with forced row-level security otherwise. For scale, their dedup keys are then
 *    copied into usage_event_keys as well (the rate of both together is printed, not used in the ratio).
 * 5. aggregateUsage for each aggregation kind on one member's month (median of 25 calls after a warm-up),
 *    then ALLMENDE_BENCH_FILL (9M) more raw events added by SQL (every member in that month and the ten before,
 *    except the measured member's month and the one before; the rollups derived as the ingest derives
 *    them, in the same statement), and the same calls again.
 *
 * Events/s over HTTP counts every event sent (duplicates are work too: each is looked up and answered);
 * the new events' rate is printed beside it. The last line reads
 * `ingest: <N> events/s over HTTP, COPY <M> events/s, ratio <R>`.
 * ALLMENDE_BENCH_FILL (default 9000000) sets the extra events; 0 skips the 10M step.
 * ALLMENDE_BENCH_NODE_ARGS passes options to the server's node (e.g. --cpu-prof).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { prepareDatabase } from '../src/db/bootstrap.js';
import { createDatabase, type Database } from '../src/db/database.js';
import { runInTx } from '../src/db/tx.js';
import { DEMO_PASSWORD, seedDemo } from '../src/modules/demo/demo.seed.js';
import { AGGREGATIONS, type Aggregated, monthPeriod } from '../src/modules/metering/metering.aggregate.js';
import { recountHourlyFromRaw, selectAllHourly } from '../src/modules/metering/metering.repository.js';
import { aggregateUsage } from '../src/modules/metering/metering.service.js';
import { ALL_MEMBERS_READ, systemCtx } from '../src/shared/context.js';
import type { ClientResult, ClientStart } from './ingest-client.js';
import {
  batchCount,
  COPY_COLUMNS,
  copyLine,
  distinctCount,
  type EventPlan,
  eventAt,
  KEY_COPY_COLUMNS,
  keyCopyLine,
} from './ingest-events.js';
import { dbUrl, loginAs, ROOT, start, stop } from './processes.js';

const ADMIN_URL = process.env.ALLMENDE_BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbUrlOf = (name: string, user?: string) => dbUrl(ADMIN_URL, name, user);
const OWNER = process.env.ALLMENDE_BENCH_DB_OWNER ?? 'allmende_owner';
const EVENTS = Number(process.env.ALLMENDE_BENCH_EVENTS ?? 1_000_000);
const STREAMS = Number(process.env.ALLMENDE_BENCH_STREAMS ?? 2);
const FILL = Number(process.env.ALLMENDE_BENCH_FILL ?? 9_000_000);
const BATCH = 10_000;
/** The month the events fall in: the last closed one (UTC), so that none is in the future or too old. */
const MONTH_START = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1);
const monthStart = (offset: number) => {
  const d = new Date(MONTH_START);
  d.setUTCMonth(d.getUTCMonth() + offset);
  return d.toISOString();
};
const MONTH = monthStart(0).slice(0, 7);
const ADMIN_EMAIL = 'verband.admin@dikom.example';
const AGG_RUNS = 25;

/** CPU time (user + system) of a process so far, in milliseconds (Linux /proc). */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ = 100
  } catch {
    return Number.NaN;
  }
}

/** The pids of the PostgreSQL backends serving database `name` (the server's pool). */
async function backendPids(admin: pg.Client, name: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [
    name,
  ]);
  return rows.map((r) => r.pid);
}

/** Logs in like a browser and makes an API token of scope usage.write for the association. */
async function associationToken(base: string, associationId: string): Promise<string> {
  const jar = await loginAs(base, ADMIN_EMAIL, DEMO_PASSWORD);
  const keep = jar.keep;
  const cookie = jar.header;
  const me = await fetch(`${base}/api/v1/me`, { headers: { cookie: cookie() } });
  keep(me);
  const apiCsrf = ((await me.json()) as { csrfToken: string }).csrfToken;
  const res = await fetch(`${base}/api/v1/members/${associationId}/api-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookie(), 'x-csrf-token': apiCsrf },
    body: JSON.stringify({ name: 'Benchmark', scopes: ['usage.write'] }),
  });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Runs the HTTP client in a child process; resolves with its result and the server's CPU time. */
async function sendOverHttp(start: ClientStart, serverPid: number, backends: () => Promise<number[]>) {
  const child = fork(path.join(ROOT, 'bench/ingest-client.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    return await new Promise<ClientResult & { serverCpuMs: number; postgresCpuMs: number }>(
      (resolve, reject) => {
        let cpu0 = 0;
        let pg0 = new Map<number, number>();
        child.on('message', async (m: { ready?: true; result?: ClientResult; error?: string }) => {
          if (m.ready) {
            cpu0 = cpuMs(serverPid);
            pg0 = new Map((await backends()).map((pid) => [pid, cpuMs(pid)]));
            child.send('go');
          } else if (m.result) {
            // Backends that were there at the start, and those the pool opened since (from 0).
            let pgMs = 0;
            for (const pid of new Set([...pg0.keys(), ...(await backends())])) {
              const now = cpuMs(pid);
              if (!Number.isNaN(now)) pgMs += now - (pg0.get(pid) ?? 0);
            }
            resolve({ ...m.result, serverCpuMs: cpuMs(serverPid) - cpu0, postgresCpuMs: pgMs });
          } else if (m.error) reject(new Error(m.error));
        });
        child.once('exit', (code) => {
          if (code !== 0) reject(new Error(`the client exited with ${code}`));
        });
        child.send(start);
      },
    );
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** One `COPY … FROM STDIN` of `data` into `table` of `url` through psql; milliseconds. */
async function copyInto(url: string, table: string, data: Buffer): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const psql = spawn(
      'psql',
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', `copy ${table} from stdin`],
      {
        stdio: ['pipe', 'inherit', 'inherit'],
      },
    );
    psql.once('error', reject);
    psql.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`psql copy exited with ${code}`)),
    );
    psql.stdin.end(data);
  });
  return performance.now() - t0;
}

/**
 * The baseline: the plan's distinct rows by one COPY into usage_events of `url`; then, for scale only,
 * their dedup keys by one COPY into usage_event_keys (what the ingest's second unique index costs).
 */
async function copyBaseline(plan: EventPlan, url: string): Promise<{ eventsMs: number; keysMs: number }> {
  const events: string[] = [];
  const keys: string[] = [];
  for (let i = 0; i < distinctCount(plan); i++) {
    const e = eventAt(plan, i);
    events.push(copyLine(e));
    keys.push(keyCopyLine(e));
  }
  const eventsMs = await copyInto(url, `usage_events ${COPY_COLUMNS}`, Buffer.from(events.join('')));
  const keysMs = await copyInto(url, `usage_event_keys ${KEY_COPY_COLUMNS}`, Buffer.from(keys.join('')));
  return { eventsMs, keysMs };
}

interface AggTiming {
  kind: string;
  ms: number;
  result: Aggregated;
}

/** Median time of aggregateUsage per aggregation kind for one member's month (in-process, one pool). */
async function timeAggregations(database: Database, memberId: string, meter: string): Promise<AggTiming[]> {
  const period = monthPeriod(MONTH);
  const ctx = systemCtx('bench', ALL_MEMBERS_READ);
  const out: AggTiming[] = [];
  for (const kind of AGGREGATIONS) {
    const once = () => runInTx(database, ctx, (tx) => aggregateUsage(tx, memberId, meter, kind, period));
    for (let i = 0; i < 3; i++) await once();
    const times: number[] = [];
    let result: Aggregated | undefined;
    for (let i = 0; i < AGG_RUNS; i++) {
      const t0 = performance.now();
      result = await once();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    out.push({ kind, ms: times[Math.floor(times.length / 2)]!, result: result! });
  }
  return out;
}

/**
 * Adds about `count` raw events by SQL (superuser), keeping the rollups and distinct values current the
 * way the ingest statement does (metering.repository.ts): insert … returning → hourly sums, counts,
 * maxima and the latest value → upsert. One statement per month, MONTH and the ten before; in each, every
 * member gets the same number of events, evenly spread over the month, the meters in turn — except that
 * `keepMember` gets none in MONTH and the month before (a Berlin month starts an hour or two before the
 * UTC month), so its month's sum, count, maximum and unique count stay what the HTTP run stored. Rows are generated in
 * (member, time) order, as a data centre's history would be loaded, so the indexes grow in order.
 */
async function fill(
  admin: pg.Client,
  count: number,
  members: string[],
  meters: string[],
  keepMember: string,
) {
  const months = 11;
  const perMemberMonth = Math.ceil(count / (months * members.length - 2));
  // Setup work in this session only: sort in memory, and no wait for the WAL flush per statement.
  await admin.query(`set work_mem = '256MB'; set synchronous_commit = off`);
  await admin.query('select usage_events_ensure_partitions($1, $2)', [monthStart(1 - months), monthStart(0)]);
  for (let m = 0; m < months; m++) {
    const from = monthStart(m + 1 - months);
    const to = monthStart(m + 2 - months);
    await admin.query(
      `with rows as (
         select mem.id as member_id, ($4::text[])[1 + i % cardinality($4::text[])] as meter_key, mem.n, i,
                $1::timestamptz + ($2::timestamptz - $1::timestamptz) * i / $3::int as time
           from unnest($5::uuid[]) with ordinality as mem(id, n)
          cross join generate_series(0, $3::int - 1) i
          where not (mem.id = $6::uuid and $7::int in (9, 10))
       ),
       inserted as (
         insert into usage_events (member_id, time, source, event_id, meter_key, quantity, attributes)
         select member_id, time, 'bench-fill', 'f' || $7::int || '-' || n || '-' || i, meter_key,
                ((i % 1000) + 1)::numeric * 0.01,
                case when meter_key = 'vm-stunden' then jsonb_build_object('vm', 'vm' || (i % 40)) end
           from rows
         returning member_id, meter_key, time, source, event_id, quantity, attributes
       ),
       hourly as (
         select member_id, meter_key, date_trunc('hour', time, 'UTC') as hour,
                sum(quantity) as quantity_sum, count(*) as event_count, max(quantity) as quantity_max
           from inserted group by 1, 2, 3
       ),
       latest as (
         select distinct on (member_id, meter_key, date_trunc('hour', time, 'UTC'))
                member_id, meter_key, date_trunc('hour', time, 'UTC') as hour, time, source, event_id, quantity
           from inserted
          order by member_id, meter_key, date_trunc('hour', time, 'UTC'),
                   time desc, source collate "C" desc, event_id collate "C" desc
       ),
       rolled as (
         insert into usage_hourly as r (member_id, meter_key, hour, quantity_sum, event_count, quantity_max,
                                        latest_time, latest_source, latest_event_id, latest_quantity)
         select h.member_id, h.meter_key, h.hour, h.quantity_sum, h.event_count, h.quantity_max,
                l.time, l.source, l.event_id, l.quantity
           from hourly h join latest l using (member_id, meter_key, hour)
         on conflict (member_id, meter_key, hour) do update set
           quantity_sum = r.quantity_sum + excluded.quantity_sum,
           event_count = r.event_count + excluded.event_count,
           quantity_max = greatest(r.quantity_max, excluded.quantity_max),
           latest_time = case when ${LATER} then excluded.latest_time else r.latest_time end,
           latest_source = case when ${LATER} then excluded.latest_source else r.latest_source end,
           latest_event_id = case when ${LATER} then excluded.latest_event_id else r.latest_event_id end,
           latest_quantity = case when ${LATER} then excluded.latest_quantity else r.latest_quantity end
         returning 1
       ),
       distinct_values as (
         insert into usage_distinct_values as d (member_id, meter_key, month, value_key, first_time)
         select member_id, meter_key, date_trunc('month', time at time zone 'Europe/Berlin')::date,
                attributes::text, min(time)
           from inserted where attributes is not null group by 1, 2, 3, 4
         on conflict (member_id, meter_key, month, value_key) do update set first_time = excluded.first_time
           where excluded.first_time < d.first_time
         returning 1
       )
       select (select count(*) from rolled) as rolled, (select count(*) from distinct_values) as distinct_values`,
      [from, to, perMemberMonth, meters, members, keepMember, m],
    );
  }
  await admin.query('reset work_mem; reset synchronous_commit');
}

const LATER =
  '(excluded.latest_time, excluded.latest_source, excluded.latest_event_id) > (r.latest_time, r.latest_source, r.latest_event_id)';

const rate = (n: number, ms: number) => Math.round((n * 1000) / ms);
const fmt = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<void> {
  const name = `allmende_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const copyName = `${name}_copy`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  let server: ChildProcess | undefined;
  let dbAdmin: pg.Client | undefined;
  let database: Database | undefined;
  const t0 = performance.now();
  try {
    await admin.query(`do $$ begin
        if not exists (select 1 from pg_roles where rolname = '${OWNER}') then
          create role ${OWNER} login createrole nosuperuser nobypassrls;
        end if;
      end $$`);
    await admin.query(`create database ${name} owner ${OWNER}`);
    const setup = await createDatabase({ kind: 'postgres', url: dbUrlOf(name, OWNER), poolSize: 2 });
    await prepareDatabase(setup);
    await seedDemo(setup);
    await setup.close();
    await admin.query(`create database ${copyName} template ${name} owner ${OWNER}`);

    dbAdmin = new pg.Client({ connectionString: dbUrlOf(name) });
    await dbAdmin.connect();
    const members = (
      await dbAdmin.query<{ id: string }>(
        `select id from members where not is_association and (withdrawn_on is null or withdrawn_on > current_date) order by name`,
      )
    ).rows.map((r) => r.id);
    const association = (await dbAdmin.query<{ id: string }>(`select id from members where is_association`))
      .rows[0]!.id;
    const meters = (
      await dbAdmin.query<{ meter_key: string }>(
        `select distinct meter_key from catalog_items where meter_key is not null order by meter_key`,
      )
    ).rows.map((r) => r.meter_key);

    const port = 20000 + (process.pid % 20000);
    server = await start(
      process.execPath,
      [
        ...(process.env.ALLMENDE_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        'bin/allmende.js',
        'serve',
      ],
      {
        DATABASE_URL: dbUrlOf(name, OWNER),
        HOST: '127.0.0.1',
        PORT: String(port),
        ALLMENDE_DEMO: 'off',
        ALLMENDE_COOKIE_SECURE: 'false',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      },
      'Allmende läuft',
      { echoStderr: true },
    );
    const base = `http://127.0.0.1:${port}`;
    const token = await associationToken(base, association);

    const plan: EventPlan = {
      members,
      meters,
      fromMs: Date.parse(monthStart(0)),
      toMs: Date.parse(monthStart(1)),
      total: EVENTS,
      batchSize: BATCH,
      duplicateShare: 0.05,
      lag: 5,
    };
    const distinct = distinctCount(plan);
    const sent = batchCount(plan) * BATCH;
    console.log(
      `PostgreSQL ${(await admin.query<{ server_version: string }>('show server_version')).rows[0]!.server_version} on 127.0.0.1, ` +
        `${fmt(sent)} events (${fmt(distinct)} distinct, ${fmt(sent - distinct)} re-sent) in ${batchCount(plan)} ` +
        `batches of ${fmt(BATCH)}, ${members.length} members × ${meters.length} meters, ${MONTH}, ` +
        `${STREAMS} streams; setup ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
        `${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}`,
    );

    // HTTP
    const http = await sendOverHttp({ plan, url: base, token, streams: STREAMS }, server.pid!, () =>
      backendPids(admin, name),
    );
    if (http.accepted !== distinct || http.duplicates !== sent - distinct) {
      throw new Error(`HTTP answers: ${http.accepted} accepted, ${http.duplicates} duplicates`);
    }
    const stored = Number(
      (
        await dbAdmin.query<{ n: string }>(
          `select count(*) as n from usage_events where source like 'bench-%'`,
        )
      ).rows[0]!.n,
    );
    if (stored !== distinct) throw new Error(`stored ${stored} events, sent ${distinct} distinct`);
    const lat = [...http.latencies].sort((a, b) => a - b);
    const httpRate = rate(sent, http.ms);
    console.log(
      `HTTP: ${fmt(sent)} events in ${(http.ms / 1000).toFixed(2)} s = ${fmt(httpRate)} events/s ` +
        `(new events ${fmt(rate(distinct, http.ms))}/s); per request median ${lat[lat.length >> 1]!.toFixed(0)} ms, ` +
        `max ${lat.at(-1)!.toFixed(0)} ms; CPU per request: server ${(http.serverCpuMs / http.batches).toFixed(0)} ms, ` +
        `its PostgreSQL backends ${(http.postgresCpuMs / http.batches).toFixed(0)} ms; load average ${os.loadavg()[0]!.toFixed(2)}`,
    );

    // COPY baseline
    const copy = await copyBaseline(plan, dbUrlOf(copyName));
    const copyDb = new pg.Client({ connectionString: dbUrlOf(copyName) });
    await copyDb.connect();
    const copied = (
      await copyDb.query<{ events: string; keys: string }>(
        `select (select count(*) from usage_events where source like 'bench-%') as events,
                (select count(*) from usage_event_keys where source like 'bench-%') as keys`,
      )
    ).rows[0]!;
    await copyDb.end();
    if (Number(copied.events) !== distinct || Number(copied.keys) !== distinct) {
      throw new Error(`COPY stored ${copied.events} rows and ${copied.keys} keys of ${distinct}`);
    }
    const copyRate = rate(distinct, copy.eventsMs);
    console.log(
      `COPY: ${fmt(distinct)} rows into usage_events in ${(copy.eventsMs / 1000).toFixed(2)} s = ${fmt(copyRate)} rows/s ` +
        `(one stream, text format, psql); with their keys into usage_event_keys too ` +
        `${fmt(rate(distinct, copy.eventsMs + copy.keysMs))} rows/s`,
    );
    await admin.query(`drop database if exists ${copyName} with (force)`);

    // Aggregation at 1M and 10M stored events
    database = await createDatabase({ kind: 'postgres', url: dbUrlOf(name, OWNER), poolSize: 1 });
    const memberId = members[0]!;
    const meter = meters.includes('vm-stunden') ? 'vm-stunden' : meters[0]!;
    const count = async () =>
      Number((await dbAdmin!.query<{ n: string }>('select count(*) as n from usage_events')).rows[0]!.n);
    await dbAdmin.query('analyze');
    const at1 = await count();
    const small = await timeAggregations(database, memberId, meter);
    let large: AggTiming[] | undefined;
    let at10 = at1;
    if (FILL > 0) {
      const f0 = performance.now();
      await fill(dbAdmin, FILL, members, meters, memberId);
      await dbAdmin.query('analyze');
      at10 = await count();
      console.log(
        `fill: ${fmt(FILL)} events and their rollups by SQL in ${((performance.now() - f0) / 1000).toFixed(1)} s`,
      );
      large = await timeAggregations(database, memberId, meter);
      // The member's month is what HTTP stored: sum, count, max and unique count must be the same (latest
      // and the time-weighted average carry in the value before the month, which the fill changed).
      for (const [i, s] of small.entries()) {
        if (s.kind === 'latest' || s.kind === 'time_weighted_avg') continue;
        if (JSON.stringify(s.result) !== JSON.stringify(large[i]!.result))
          throw new Error(
            `${s.kind}: ${JSON.stringify(s.result)} at 1M, ${JSON.stringify(large[i]!.result)} at 10M`,
          );
      }
      const ctx = systemCtx('bench', ALL_MEMBERS_READ);
      const [recount, hourly] = await runInTx(database, ctx, async (tx) => [
        await recountHourlyFromRaw(tx, memberId),
        await selectAllHourly(tx, memberId),
      ]);
      if (JSON.stringify(recount) !== JSON.stringify(hourly))
        throw new Error('rollups differ from a recount');
    }
    console.log(`aggregateUsage, one member's ${MONTH} on ${meter} (median of ${AGG_RUNS} calls, ms):`);
    console.log(
      `  kind                 ${fmt(at1).padStart(11)} events ${fmt(at10).padStart(11)} events   ratio`,
    );
    for (const [i, s] of small.entries()) {
      const l = large?.[i];
      console.log(
        `  ${s.kind.padEnd(20)} ${s.ms.toFixed(2).padStart(11)} ms    ${(l ? l.ms.toFixed(2) : '-').padStart(11)} ms    ${l ? (l.ms / s.ms).toFixed(2) : '-'}`,
      );
    }
    const sum = (xs: AggTiming[]) => xs.reduce((a, x) => a + x.ms, 0);
    if (large) {
      console.log(
        `aggregation: all kinds ${sum(small).toFixed(1)} ms at ${fmt(at1)} events, ${sum(large).toFixed(1)} ms at ` +
          `${fmt(at10)} events, ratio ${(sum(large) / sum(small)).toFixed(2)} (sum, count, max, unique count identical; the member's rollups = a recount)`,
      );
    }
    console.log(`total run ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    console.log(
      `ingest: ${httpRate} events/s over HTTP, COPY ${copyRate} events/s, ratio ${(httpRate / copyRate).toFixed(2)}`,
    );
  } finally {
    await database?.close();
    await stop(server, 10_000);
    await dbAdmin?.end();
    await admin.query(`drop database if exists ${copyName} with (force)`);
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
