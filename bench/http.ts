/**
 * `npm run bench:http` (not a test): the cost of Allmende's hot paths against bare Fastify, in one run on
 * PostgreSQL (127.0.0.1:5432, or ALLMENDE_BENCH_ADMIN_URL). Creates its own database, migrates it and
 * loads the demo with the project's own functions, starts the servers under test in child processes and
 * drives each with autocannon (10 connections) from this process. Prints req/s and p99 of each target and,
 * as its last line, `http: healthz <r1>, members api <r2>, members page <r3>`:
 *   r1 = /healthz over the bare hello world,
 *   r2 = GET /api/v1/members (association admin, session cookie) over the bare members-query route,
 *   r3 = the /mitglieder page (same admin) over the bare members-query route.
 * The targets are measured round-robin in rounds of 2 s (after a warm-up), so that a change in the
 * machine's load during the run affects every target alike; req/s is over all rounds, p99 the median
 * of the rounds' p99. Beside it, the CPU time the server process spent per request (from /proc), which
 * other load on the machine hardly changes. ALLMENDE_BENCH_SECONDS sets the seconds per target
 * (default 10).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import autocannon from 'autocannon';
import pg from 'pg';
import { prepareDatabase } from '../src/db/bootstrap.js';
import { createDatabase } from '../src/db/database.js';
import { DEMO_PASSWORD, seedDemo } from '../src/modules/demo/demo.seed.js';
import { dbUrl, loginAs, start, stop } from './processes.js';

const ADMIN_URL = process.env.ALLMENDE_BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbUrlOf = (name: string, user?: string) => dbUrl(ADMIN_URL, name, user);
const OWNER = process.env.ALLMENDE_BENCH_DB_OWNER ?? 'allmende_owner';
const SECONDS = Number(process.env.ALLMENDE_BENCH_SECONDS ?? 10);
const ROUND_SECONDS = 2;
const CONNECTIONS = 10;
const ADMIN_EMAIL = 'verband.admin@dikom.example';

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The server process, for its CPU time. */
  pid: number;
}

interface Result {
  name: string;
  rps: number;
  p99: number;
  cpuMsPerRequest: number;
}

/** CPU time (user + system) of a process so far, in milliseconds (Linux /proc). */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after "pid (comm) ".
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ = 100
  } catch {
    return Number.NaN;
  }
}

async function round(t: Target, duration: number) {
  const cpu0 = cpuMs(t.pid);
  const r = await autocannon({ url: t.url, connections: CONNECTIONS, duration, headers: t.headers });
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad > 0 || r.requests.total === 0) {
    throw new Error(`${t.name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
  return { requests: r.requests.total, seconds: r.duration, p99: r.latency.p99, cpu: cpuMs(t.pid) - cpu0 };
}

/** Warms every target up, then measures them round-robin. */
async function measure(targets: Target[]): Promise<Result[]> {
  for (const t of targets) await round(t, 2);
  const rounds = Math.max(1, Math.round(SECONDS / ROUND_SECONDS));
  const acc = targets.map(() => ({ requests: 0, seconds: 0, cpu: 0, p99s: [] as number[] }));
  for (let i = 0; i < rounds; i++) {
    for (const [k, t] of targets.entries()) {
      const r = await round(t, ROUND_SECONDS);
      const a = acc[k]!;
      a.requests += r.requests;
      a.seconds += r.seconds;
      a.cpu += r.cpu;
      a.p99s.push(r.p99);
    }
  }
  return targets.map((t, k) => {
    const a = acc[k]!;
    const p99s = a.p99s.sort((x, y) => x - y);
    const res = {
      name: t.name,
      rps: a.requests / a.seconds,
      p99: p99s[Math.floor(p99s.length / 2)]!,
      cpuMsPerRequest: a.cpu / a.requests,
    };
    console.log(
      `${res.name.padEnd(34)} ${res.rps.toFixed(0).padStart(7)} req/s   p99 ${String(res.p99).padStart(4)} ms   ` +
        `server CPU ${res.cpuMsPerRequest.toFixed(3)} ms/req`,
    );
    return res;
  });
}

/** Logs in like a browser; returns the cookies. */
async function login(base: string): Promise<string> {
  return (await loginAs(base, ADMIN_EMAIL, DEMO_PASSWORD)).header();
}

async function main(): Promise<void> {
  const name = `allmende_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  let baseline: ChildProcess | undefined;
  let server: ChildProcess | undefined;
  try {
    // As in production: the schema owner is not a superuser, so forced RLS binds it too.
    await admin.query(`do $$ begin
        if not exists (select 1 from pg_roles where rolname = '${OWNER}') then
          create role ${OWNER} login createrole nosuperuser nobypassrls;
        end if;
      end $$`);
    await admin.query(`create database ${name} owner ${OWNER}`);
    const database = await createDatabase({ kind: 'postgres', url: dbUrlOf(name, OWNER), poolSize: 2 });
    await prepareDatabase(database);
    await seedDemo(database);
    await database.close();

    const basePort = 20000 + (process.pid % 20000);
    const tsx = ['--import', 'tsx'];
    baseline = await start(
      process.execPath,
      [...tsx, 'bench/http-baseline.ts', String(basePort), dbUrlOf(name)],
      {},
      'ready',
    );
    const appPort = basePort + 1;
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
        PORT: String(appPort),
        ALLMENDE_DEMO: 'on',
        ALLMENDE_COOKIE_SECURE: 'false',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      },
      'Allmende läuft',
    );
    const app = `http://127.0.0.1:${appPort}`;
    const cookie = await login(app);
    const check = await fetch(`${app}/api/v1/members`, { headers: { cookie } });
    const rows = ((await check.json()) as { items: unknown[] }).items.length;
    console.log(
      `PostgreSQL, ${CONNECTIONS} connections, ${SECONDS} s per target, members list: ${rows} rows`,
    );

    const base = `http://127.0.0.1:${basePort}`;
    const [hello, bare, healthz, api, page] = await measure([
      { name: 'bare fastify hello world', url: `${base}/hello`, headers: {}, pid: baseline.pid! },
      { name: 'bare fastify members query (pg)', url: `${base}/members`, headers: {}, pid: baseline.pid! },
      { name: 'allmende /healthz', url: `${app}/healthz`, headers: {}, pid: server.pid! },
      {
        name: 'allmende GET /api/v1/members',
        url: `${app}/api/v1/members`,
        headers: { cookie },
        pid: server.pid!,
      },
      { name: 'allmende /mitglieder', url: `${app}/mitglieder`, headers: { cookie }, pid: server.pid! },
    ]);
    const r = (a: Result | undefined, b: Result | undefined) => (a!.rps / b!.rps).toFixed(2);
    console.log(
      `http: healthz ${r(healthz, hello)}, members api ${r(api, bare)}, members page ${r(page, bare)}`,
    );
  } finally {
    await stop(server);
    await stop(baseline);
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
