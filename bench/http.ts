/**
 * `npm run bench:http` (not a test): the cost of Allmende's hot paths against bare Fastify, in one run on
 * PostgreSQL (127.0.0.1:5432, or ALLMENDE_BENCH_ADMIN_URL). Creates its own database, migrates it and
 * loads the demo with the project's own functions, starts the servers under test in child processes and
 * drives each with autocannon (10 connections) from this process. Prints req/s and p99 of each target and,
 * as its last line, `http: healthz <r1>, members api <r2>, members page <r3>`:
 *   r1 = /healthz over the bare hello world,
 *   r2 = GET /api/v1/members (association admin, session cookie) over the bare members-query route,
 *   r3 = the /mitglieder page (same admin) over the bare members-query route.
 * ALLMENDE_BENCH_SECONDS sets the seconds per target (default 8, after a 2 s warm-up).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { prepareDatabase } from '../src/db/bootstrap.js';
import { createDatabase } from '../src/db/database.js';
import { DEMO_PASSWORD, seedDemo } from '../src/modules/demo/demo.seed.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN_URL = process.env.ALLMENDE_BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const OWNER = process.env.ALLMENDE_BENCH_DB_OWNER ?? 'allmende_owner';
const SECONDS = Number(process.env.ALLMENDE_BENCH_SECONDS ?? 8);
const CONNECTIONS = 10;
const ADMIN_EMAIL = 'verband.admin@dikom.example';

function dbUrl(name: string, user?: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  if (user) {
    u.username = user;
    u.password = '';
  }
  return u.toString();
}

/** Starts a child process and waits until it prints `marker`. */
function start(cmd: string, args: string[], env: NodeJS.ProcessEnv, marker: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(marker)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

interface Result {
  name: string;
  rps: number;
  p99: number;
}

async function run(name: string, url: string, headers: Record<string, string> = {}): Promise<Result> {
  // A short warm-up (JIT, pools, caches), then the measured run.
  await autocannon({ url, connections: CONNECTIONS, duration: 2, headers });
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad > 0 || r.requests.total === 0) {
    throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
  const res = { name, rps: r.requests.average, p99: r.latency.p99 };
  console.log(
    `${name.padEnd(34)} ${res.rps.toFixed(0).padStart(7)} req/s   p99 ${String(res.p99).padStart(4)} ms`,
  );
  return res;
}

/** Logs in like a browser: the login page's CSRF token and cookie, then the form. Returns the cookies. */
async function login(base: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(`${base}/anmelden`);
  keep(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the login page');
  const res = await fetch(`${base}/anmelden`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ _csrf: csrf, email: ADMIN_EMAIL, password: DEMO_PASSWORD }).toString(),
  });
  keep(res);
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  return cookie();
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
    const database = await createDatabase({ kind: 'postgres', url: dbUrl(name, OWNER), poolSize: 2 });
    await prepareDatabase(database);
    await seedDemo(database);
    await database.close();

    const basePort = 20000 + (process.pid % 20000);
    const tsx = ['--import', 'tsx'];
    baseline = await start(
      process.execPath,
      [...tsx, 'bench/http-baseline.ts', String(basePort), dbUrl(name)],
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
        DATABASE_URL: dbUrl(name, OWNER),
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

    const hello = await run('bare fastify hello world', `http://127.0.0.1:${basePort}/hello`);
    const bare = await run('bare fastify members query (pg)', `http://127.0.0.1:${basePort}/members`);
    const healthz = await run('allmende /healthz', `${app}/healthz`);
    const api = await run('allmende GET /api/v1/members', `${app}/api/v1/members`, { cookie });
    const page = await run('allmende /mitglieder', `${app}/mitglieder`, { cookie });
    const r = (a: Result, b: Result) => (a.rps / b.rps).toFixed(2);
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
