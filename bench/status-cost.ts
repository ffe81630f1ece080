/**
 * `node --import tsx bench/status-cost.ts` (not a test): what the per-source status summary adds to an
 * ingest of 10,000 events on PostgreSQL (127.0.0.1:5432, or ALLMENDE_BENCH_ADMIN_URL). Creates its own
 * database with the demo, then for three shapes of request — every demo member from one source (a
 * Prometheus pull, a data-centre system), every member from 10 sources, and the worst case of 10,000
 * member–source pairs (every event its own source) — ingests ALLMENDE_BENCH_ROUNDS (default 10) requests
 * of 10,000 new events each through ingestUsage and times them, and times the summary statement alone
 * with the same tallies (the update path, as in steady operation). Prints per shape the median ingest,
 * the median statement and their ratio, and an EXPLAIN ANALYZE of the statement.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { prepareDatabase } from '../src/db/bootstrap.js';
import { createDatabase } from '../src/db/database.js';
import { runInTx } from '../src/db/tx.js';
import { seedDemo } from '../src/modules/demo/demo.seed.js';
import { ingestUsage } from '../src/modules/metering/metering.service.js';
import {
  type SourceTally,
  sourceSummaryStatement,
} from '../src/modules/metering/metering.status.repository.js';
import { ALL_MEMBERS_WRITE, systemCtx } from '../src/shared/context.js';

const ADMIN_URL = process.env.ALLMENDE_BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const OWNER = process.env.ALLMENDE_BENCH_DB_OWNER ?? 'allmende_owner';
const ROUNDS = Number(process.env.ALLMENDE_BENCH_ROUNDS ?? 10);
const EVENTS = 10_000;

function dbUrl(name: string, user?: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  if (user) {
    u.username = user;
    u.password = '';
  }
  return u.toString();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const name = `allmende_bench_status_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name} owner ${OWNER}`);
  const database = await createDatabase({ kind: 'postgres', url: dbUrl(name, OWNER), poolSize: 2 });
  try {
    await prepareDatabase(database);
    await seedDemo(database);
    const ctx = systemCtx('bench', ALL_MEMBERS_WRITE);
    const members = await runInTx(database, ctx, async (tx) =>
      (await tx.db.selectFrom('members').select('id').where('is_association', '=', false).execute()).map(
        (m) => m.id,
      ),
    );
    const now = Date.now();
    const shapes: { label: string; source: (i: number) => string }[] = [
      { label: `${members.length} members × 1 source`, source: () => 'rz-prometheus' },
      { label: `${members.length} members × 10 sources`, source: (i) => `rz-${i % 10}` },
      { label: '10,000 member–source pairs (worst case)', source: (i) => `einzeln-${i}` },
    ];
    let round = 0;
    for (const shape of shapes) {
      const ingestMs: number[] = [];
      const statementMs: number[] = [];
      let tallies: SourceTally[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        round++;
        const events = Array.from({ length: EVENTS }, (_, i) => ({
          member: members[i % members.length]!,
          meter: 'vm-stunden',
          quantity: String(1 + (i % 7)),
          // The last four hours (as a data-centre system reports): few rollup rows, the ingest at its fastest.
          time: new Date(now - ((i % 4) + 1) * 3_600_000 - (round % 60) * 1000).toISOString(),
          source: shape.source(i),
          eventId: `bench-${round}-${i}`,
        }));
        const t0 = performance.now();
        const res = await runInTx(database, ctx, (tx) => ingestUsage(tx, events));
        ingestMs.push(performance.now() - t0);
        if (res.accepted !== EVENTS) throw new Error(`accepted ${res.accepted}`);
        // The same tallies as the ingest's, in the summary statement alone (rolled back: counts stay).
        const pairs = new Map<string, SourceTally>();
        for (const e of events) {
          const k = `${e.member} ${e.source}`;
          const p = pairs.get(k);
          pairs.set(k, {
            memberId: e.member,
            source: e.source,
            accepted: (p?.accepted ?? 0) + 1,
            duplicates: 0,
            latestTime: p?.latestTime && p.latestTime > e.time ? p.latestTime : e.time,
          });
        }
        tallies = [...pairs.values()];
        const t1 = performance.now();
        await runInTx(database, ctx, async (tx) => {
          await sourceSummaryStatement(tallies, new Date(), new Date().toISOString().slice(0, 10)).execute(
            tx.db,
          );
          throw new Rollback();
        }).catch((e) => {
          if (!(e instanceof Rollback)) throw e;
        });
        statementMs.push(performance.now() - t1);
      }
      const plan = await runInTx(database, ctx, async (tx) => {
        const q = sourceSummaryStatement(tallies, new Date(), new Date().toISOString().slice(0, 10)).compile(
          tx.db,
        );
        const out = await tx.db.executeQuery({
          ...q,
          sql: `explain (analyze, buffers, costs off) ${q.sql}`,
        });
        throw new Rollback(out.rows.map((r) => Object.values(r as object)[0]).join('\n'));
      }).catch((e) => (e instanceof Rollback ? e.message : Promise.reject(e)));
      const i = median(ingestMs);
      const s = median(statementMs);
      console.log(
        `${shape.label}: ${tallies.length} summary rows; ingest of ${EVENTS} events ${i.toFixed(1)} ms (median of ${ROUNDS}), summary statement ${s.toFixed(2)} ms (incl. its own begin/commit) = ${((100 * s) / i).toFixed(1)} %`,
      );
      console.log(
        plan
          .split('\n')
          .filter((l: string) => /Execution Time|Planning Time|Insert on/.test(l))
          .map((l: string) => `    ${l.trim()}`)
          .join('\n'),
      );
    }
  } finally {
    await database.close();
    await admin.query(`drop database if exists ${name}`);
    await admin.end();
  }
}

class Rollback extends Error {}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
