/**
 * Crash test of the usage ingest ([5/7] acceptance): the real server (`node bin/allmende.js serve`) in a
 * child process receives usage events over HTTP from two client streams, with duplicates mixed in, while
 * it is killed with SIGKILL three times at random moments and started again; the client re-sends every
 * batch it has no answer for. Afterwards the stored events are exactly the distinct events sent (none
 * lost, none twice), the dedup keys too, and the rollups equal a recount from the raw events.
 *
 * PostgreSQL: 200,000 events on a fresh database. PGlite: 20,000 events (single-threaded WebAssembly,
 * slower) on a data folder that the server process opens itself, so SIGKILL kills the database with it.
 * PGlite survives that: its Node file system (Emscripten NODEFS) passes every write straight to the
 * real files, so a kill loses only what PostgreSQL keeps in memory (shared buffers, in the WebAssembly
 * heap) — as a crash of PostgreSQL does — and the next start replays the WAL (part of the restart time).
 * The stale lock file of the killed process is taken over (database.ts). A power loss is another matter
 * (it depends on PGlite's fsync) and is not tested here.
 * The seed of the random moments is printed, and given again by ALLMENDE_CRASH_SEED.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { prepareDatabase } from '../../src/db/bootstrap.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { createApiToken } from '../../src/modules/auth/api-tokens.service.js';
import {
  countStored,
  recountHourlyFromRaw,
  selectAllHourly,
} from '../../src/modules/metering/metering.repository.js';
import { asSuperuser, databaseUrlOf, readAll, testDatabase, testDbKind, writeAll } from '../helpers.js';

const PG = testDbKind() === 'postgres';
const EVENTS = PG ? 200_000 : 20_000;
const BATCH = PG ? 5_000 : 2_000;
const STREAMS = 2;
const KILLS = 3;
/** Share of each batch that re-sends earlier events. */
const RESENT = 0.05;

const dirs: string[] = [];
let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** mulberry32: the random moments, reproducible from the printed seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Event {
  member: string;
  meter: string;
  quantity: string;
  time: string;
  source: string;
  eventId: string;
  attributes?: { vm: string };
}

/** The batches: distinct events in time order over the last closed month, each batch with re-sends. */
function plan(members: string[], meters: string[], rnd: () => number) {
  const now = new Date();
  const from = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const batches = EVENTS / BATCH;
  const fresh = BATCH - Math.round(BATCH * RESENT);
  const distinct: Event[] = [];
  for (let i = 0; i < batches * fresh; i++) {
    const meter = meters[Math.floor(rnd() * meters.length)]!;
    distinct.push({
      member: members[Math.floor(rnd() * members.length)]!,
      meter,
      quantity: String(Math.floor(rnd() * 100_000) / 1000),
      time: new Date(from + Math.floor(((to - from) * i) / (batches * fresh))).toISOString(),
      source: `crash-${meter}`,
      eventId: `c${i}`,
      ...(meter === 'vm-stunden' ? { attributes: { vm: `vm${Math.floor(rnd() * 20)}` } } : {}),
    });
  }
  const bodies: string[] = [];
  for (let k = 0; k < batches; k++) {
    const events = distinct.slice(k * fresh, (k + 1) * fresh);
    // Re-sends of earlier batches' events, and from the first batch its own (duplicates in a request).
    const pool = k === 0 ? fresh : k * fresh;
    for (let j = fresh; j < BATCH; j++) events.push(distinct[Math.floor(rnd() * pool)]!);
    bodies.push(JSON.stringify(events));
  }
  return { distinct, bodies };
}

/** Starts `allmende serve` and waits until it listens. */
async function startServer(env: NodeJS.ProcessEnv, log: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/allmende.js', 'serve'], { env, cwd: process.cwd() });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d;
    log.push(d.toString());
  });
  const deadline = Date.now() + 60_000;
  while (!out.includes('Allmende läuft auf')) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`the server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

it(`stores ${EVENTS.toLocaleString('en')} events exactly once while the server is killed ${KILLS} times`, async () => {
  const seed = Number(process.env.ALLMENDE_CRASH_SEED ?? Date.now() % 1_000_000);
  const rnd = random(seed);
  const started = performance.now();

  // A fresh database with the demo (members, catalogue), an association token made in-process.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-crash-'));
  dirs.push(dir);
  const pgliteDir = path.join(dir, 'pglite');
  let database: Database = await testDatabase(PG ? {} : { pgliteDataDir: pgliteDir });
  await prepareDatabase(database);
  const { members, meters, association } = await readAll(database, async (tx) => ({
    members: (await tx.db.selectFrom('members').select('id').where('is_association', '=', false).execute())
      .map((r) => r.id)
      .sort(),
    meters: [
      ...new Set(
        (
          await tx.db
            .selectFrom('catalog_items')
            .select('meter_key')
            .where('meter_key', 'is not', null)
            .execute()
        )
          .map((r) => r.meter_key!)
          .sort(),
      ),
    ],
    association: (
      await tx.db
        .selectFrom('members')
        .select('id')
        .where('is_association', '=', true)
        .executeTakeFirstOrThrow()
    ).id,
  }));
  const { token } = await writeAll(database, (tx) =>
    createApiToken(tx, association, { name: 'Absturztest', scopes: ['usage.write'] }),
  );
  const before = await readAll(database, (tx) => countStored(tx));
  // PGlite: the server process opens the folder itself (one process per folder).
  if (!PG) await database.close();

  const { distinct, bodies } = plan(members, meters, rnd);
  const port = 40000 + Math.floor(Math.random() * 20000);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'error',
    ALLMENDE_DEMO: 'off',
    ALLMENDE_DATA_DIR: dir,
    ...(PG ? { DATABASE_URL: databaseUrlOf(database)! } : {}),
  };
  const log: string[] = [];
  server = await startServer(env, log);
  const firstStart = performance.now();

  // The kills: after a random number of answered batches (spread over the run), a random delay later,
  // so that a kill falls on requests in flight — mostly during their statement (rolled back). The one
  // case that can count twice — stored, but the answer lost — has a window of about a millisecond
  // between COMMIT and the answer, which random moments rarely hit: on PostgreSQL the second and third
  // kills therefore wait for a COMMIT in flight and kill at once (storedWithoutAnswer > 0 tells that it
  // happened).
  // (On PGlite the database lives in the server process: nothing outside can see its commits.)
  const thresholds = Array.from({ length: KILLS }, (_, i) =>
    Math.floor(((i + 0.2 + 0.6 * rnd()) * bodies.length) / (KILLS + 1)),
  );
  const delays = thresholds.map(() => Math.floor(rnd() * 400));
  const kills: { afterBatches: number; at: string; restartMs: number }[] = [];
  // A backend of this database executing COMMIT (pg_stat_activity is current, not sampled): killing the
  // server then leaves the commit to finish — the backend got the COMMIT and completes it — while its
  // answer dies with the server. A commit takes a WAL flush, so a tight poll sees it most times.
  const commitInFlight = () =>
    asSuperuser(database, async (s) => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const [row] = await s.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and state = 'active' and query = 'commit'`,
        );
        if (row!.n > 0) return;
      }
    });
  let answered = 0;
  let killing: Promise<void> = Promise.resolve();
  const maybeKill = () => {
    const i = kills.length;
    if (i >= KILLS || answered < thresholds[i]!) return;
    const atCommit = PG && i > 0;
    kills.push({ afterBatches: answered, at: atCommit ? 'commit' : `+${delays[i]} ms`, restartMs: 0 });
    killing = killing.then(async () => {
      if (atCommit) await commitInFlight();
      else await new Promise((r) => setTimeout(r, delays[i]));
      const old = server!;
      old.kill('SIGKILL');
      await exited(old);
      const t = performance.now();
      server = await startServer(env, log);
      kills[i]!.restartMs = Math.round(performance.now() - t);
    });
  };

  // Two streams take the batches in turn; a batch without an answer (refused connection, reset,
  // 5xx) is sent again, the same body, until it is answered.
  let next = 0;
  let retries = 0;
  const answers: { accepted: number; duplicates: number }[] = [];
  const url = `http://127.0.0.1:${port}/api/v1/usage`;
  await Promise.all(
    Array.from({ length: STREAMS }, async () => {
      for (let k = next++; k < bodies.length; k = next++) {
        for (;;) {
          const res = await fetch(url, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: bodies[k],
          }).catch(() => undefined);
          if (res?.status === 200) {
            answers[k] = (await res.json()) as { accepted: number; duplicates: number };
            break;
          }
          if (res && res.status < 500) throw new Error(`batch ${k}: ${res.status} ${await res.text()}`);
          await res?.body?.cancel();
          retries++;
          await new Promise((r) => setTimeout(r, 100));
        }
        answered++;
        maybeKill();
      }
    }),
  );
  await killing;
  const sent = performance.now();
  server.kill('SIGTERM');
  await exited(server);

  if (!PG) database = await createDatabase({ kind: 'pglite', dataDir: pgliteDir });
  try {
    const after = await readAll(database, (tx) => countStored(tx));
    const stored = await readAll(database, async (tx) => ({
      events: (
        await tx.db.selectFrom('usage_events').select('event_id').where('source', 'like', 'crash-%').execute()
      ).map((r) => r.event_id),
      keys: (
        await tx.db
          .selectFrom('usage_event_keys')
          .select('event_id')
          .where('source', 'like', 'crash-%')
          .execute()
      ).map((r) => r.event_id),
    }));
    const [hourly, recount] = await readAll(database, async (tx) => [
      await selectAllHourly(tx),
      await recountHourlyFromRaw(tx),
    ]);
    const summary = {
      seed,
      kills,
      retries,
      // Events a request stored whose answer the kill took: they came back as duplicates.
      storedWithoutAnswer: distinct.length - answers.reduce((n, a) => n + a.accepted, 0),
      database: testDbKind(),
      seconds: {
        setup: Math.round(firstStart - started) / 1000,
        sending: Math.round(sent - firstStart) / 1000,
        total: Math.round(performance.now() - started) / 1000,
      },
    };
    console.log(`metering crash test: ${JSON.stringify(summary)}`);
    const context = `${JSON.stringify(summary)}\n${log.join('').slice(-2000)}`;

    expect(kills, context).toHaveLength(KILLS);
    expect(
      answers.every((a) => a.accepted + a.duplicates === BATCH),
      context,
    ).toBe(true);
    // None lost, none twice: the stored events and keys are exactly the distinct events sent.
    const sentIds = distinct.map((e) => e.eventId).sort();
    expect(stored.events.length, context).toBe(distinct.length);
    expect(stored.events.sort(), context).toEqual(sentIds);
    expect(stored.keys.sort(), context).toEqual(sentIds);
    expect(after.events - before.events, context).toBe(distinct.length);
    expect(after.keys - before.keys, context).toBe(distinct.length);
    // Answered as new at most once each; what a lost answer had stored came back as duplicates.
    expect(answers.reduce((n, a) => n + a.accepted, 0)).toBeLessThanOrEqual(distinct.length);
    // The rollups are exactly what the raw events add up to.
    expect(hourly, context).toEqual(recount);
  } finally {
    await database.close();
  }
}, 240_000);
