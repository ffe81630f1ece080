/**
 * The Prometheus pull end to end against a real Prometheus (Debian package `prometheus`): the test serves
 * a tiny exporter with per-AGS gauges and counters, starts Prometheus on 127.0.0.1 (free port, temporary
 * storage, scrape interval 1 s), waits for samples, and pulls the current hour — the hour boundary is
 * injected (`now` at the end of the current hour, the query evaluated at a moment already scraped) so the
 * test does not wait for an hour to close. It checks the stored events, their deterministic ids and the
 * rollups; that a second run and a run after a watermark moved back count nothing twice; that unknown
 * AGS are counted and reported; and that an unreachable Prometheus leaves the watermark unchanged.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePullSources } from '../../src/config/pull-sources.js';
import { jobContext } from '../../src/jobs/jobs.js';
import { PROMETHEUS_PULL_JOB, prometheusPullJob } from '../../src/modules/metering/metering.jobs.js';
import {
  type PullOptions,
  pullSource,
  queryPrometheus,
  sampleQuantity,
} from '../../src/modules/metering/metering.pull.js';
import { ALL_MEMBERS_WRITE, jobCtx } from '../../src/shared/context.js';
import { memberIdByName, readAll, type TestApp, testApp, testConfig, writeAll } from '../helpers.js';

const HAVE_PROMETHEUS = !spawnSync('prometheus', ['--version']).error;
if (!HAVE_PROMETHEUS) {
  console.warn(
    'metering-pull.test.ts SKIPPED: the prometheus binary is missing (Debian: apt-get install prometheus; .ci/run installs it)',
  );
}

const HOUR_MS = 3_600_000;
const UNKNOWN_AGS = '99999999';

let t: TestApp;
let prom: ChildProcess | undefined;
let exporter: http.Server;
let tmp: string;
let promUrl = '';
const ags = {} as { panketal: string; belzig: string };
const ids = {} as { panketal: string; belzig: string };
const logged: { level: string; msg?: string }[] = [];
const log = {
  info: (_o: object, msg?: string) => logged.push({ level: 'info', msg }),
  warn: (_o: object, msg?: string) => logged.push({ level: 'warn', msg }),
  error: (_o: object, msg?: string) => logged.push({ level: 'error', msg }),
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAVE_PROMETHEUS)('Prometheus pull against a real Prometheus', () => {
  beforeAll(async () => {
    t = await testApp();
    ids.panketal = await memberIdByName(t.database, 'Panketal');
    ids.belzig = await memberIdByName(t.database, 'Bad Belzig');
    const agsOf = (id: string) =>
      readAll(t.database, (tx) =>
        tx.db.selectFrom('members').select('ags').where('id', '=', id).executeTakeFirstOrThrow(),
      );
    ags.panketal = (await agsOf(ids.panketal)).ags!;
    ags.belzig = (await agsOf(ids.belzig)).ags!;

    // The exporter: constant gauges (running VMs) and counters that grow by 10 per scrape (printed pages).
    let scrapes = 0;
    exporter = http.createServer((_req, res) => {
      scrapes++;
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(
        [
          '# TYPE allmende_test_vms_running gauge',
          `allmende_test_vms_running{ags="${ags.panketal}"} 3`,
          `allmende_test_vms_running{ags="${ags.belzig}"} 5`,
          `allmende_test_vms_running{ags="${UNKNOWN_AGS}"} 7`,
          '# TYPE allmende_test_pages_printed_total counter',
          `allmende_test_pages_printed_total{ags="${ags.panketal}"} ${scrapes * 10}`,
          `allmende_test_pages_printed_total{ags="${ags.belzig}"} ${scrapes * 20}`,
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', () => r()));
    const exporterPort = (exporter.address() as AddressInfo).port;

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-prom-'));
    fs.writeFileSync(
      path.join(tmp, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: allmende-test',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${exporterPort}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(
      'prometheus',
      [
        `--config.file=${path.join(tmp, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(tmp, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    prom.stderr?.on('data', (d) => {
      stderr += String(d);
    });

    // Wait until both gauges and counters have a few samples (also a few seconds before the query time).
    const deadline = Date.now() + 45_000;
    for (;;) {
      if (prom.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      try {
        const r = await queryPrometheus(
          { name: 'wait', url: promUrl, timeoutMs: 2000 },
          'count_over_time(allmende_test_pages_printed_total[1h])',
          new Date(),
        );
        if (r.length === 2 && r.every((s) => Number(s.value) >= 6)) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`no samples from Prometheus in time: ${stderr}`);
      await sleep(500);
    }
  }, 90_000);

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (prom.exitCode === null) prom.kill('SIGKILL');
    }
    await new Promise((r) => exporter?.close(r));
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    await t?.close();
  });

  const ctx = () => jobCtx(PROMETHEUS_PULL_JOB, ALL_MEMBERS_WRITE);

  function source(url = promUrl) {
    const problems: string[] = [];
    const list = parsePullSources(
      JSON.stringify([
        {
          name: 'rz-test',
          url,
          timeoutMs: 5000,
          meters: [
            { meter: 'vm-stunden', query: 'avg_over_time(allmende_test_vms_running[1h])' },
            { meter: 'druckseiten', label: 'ags', query: 'increase(allmende_test_pages_printed_total[1h])' },
          ],
        },
      ]),
      problems,
    );
    expect(problems).toEqual([]);
    return list[0]!;
  }

  async function stored(hourIso: string) {
    return readAll(t.database, async (tx) => ({
      events: await tx.db
        .selectFrom('usage_events')
        .select(['member_id', 'meter_key', 'quantity', 'event_id', 'source'])
        .where('source', '=', 'rz-test')
        .where('time', '=', new Date(hourIso))
        .orderBy('event_id')
        .execute(),
      hourly: await tx.db
        .selectFrom('usage_hourly')
        .select(['member_id', 'meter_key', 'quantity_sum', 'event_count'])
        .where('hour', '=', new Date(hourIso))
        .where('meter_key', 'in', ['vm-stunden', 'druckseiten'])
        .orderBy('meter_key')
        .orderBy('member_id')
        .execute(),
      marks: await tx.db
        .selectFrom('usage_pull_watermarks')
        .selectAll()
        .where('source', '=', 'rz-test')
        .orderBy('meter_key')
        .execute(),
    }));
  }

  it('stores each closed hour once per member, with deterministic ids, and counts nothing twice', async () => {
    // The moment the hour is evaluated at: already scraped, and the same in every run below.
    const at = new Date(Math.floor((Date.now() - 1500) / 1000) * 1000);
    const hourStart = new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
    const hourIso = hourStart.toISOString();
    // "now" at the end of the current hour: that hour counts as closed.
    const opts: PullOptions = { now: new Date(hourStart.getTime() + HOUR_MS), log, queryTime: () => at };

    const first = await pullSource(t.database, ctx(), source(), opts);
    expect(first.map((r) => r.error)).toEqual([undefined, undefined]);
    expect(first[0]).toMatchObject({
      meter: 'vm-stunden',
      hours: 1,
      accepted: 2,
      duplicates: 0,
      unknown: { [UNKNOWN_AGS]: 1 },
      invalid: 0,
    });
    expect(first[1]).toMatchObject({
      meter: 'druckseiten',
      hours: 1,
      accepted: 2,
      duplicates: 0,
      unknown: {},
    });
    expect(logged.some((l) => l.level === 'warn' && l.msg?.includes('names no member'))).toBe(true);

    // What Prometheus itself says for the counters at that moment.
    const direct = await queryPrometheus(
      { name: 'direct', url: promUrl, timeoutMs: 5000 },
      'increase(allmende_test_pages_printed_total[1h])',
      at,
    );
    const pages = new Map(direct.map((s) => [s.metric.ags, sampleQuantity(s.value, 6)!]));
    expect(Number(pages.get(ags.panketal))).toBeGreaterThan(0);

    const s1 = await stored(hourIso);
    const byId = new Map(s1.events.map((e) => [e.event_id, e]));
    expect(s1.events).toHaveLength(4);
    expect(byId.get(`rz-test:vm-stunden:${hourIso}:${ags.panketal}`)).toMatchObject({
      member_id: ids.panketal,
      quantity: '3',
    });
    expect(byId.get(`rz-test:vm-stunden:${hourIso}:${ags.belzig}`)).toMatchObject({
      member_id: ids.belzig,
      quantity: '5',
    });
    expect(byId.get(`rz-test:druckseiten:${hourIso}:${ags.panketal}`)?.quantity).toBe(
      pages.get(ags.panketal),
    );
    expect(byId.get(`rz-test:druckseiten:${hourIso}:${ags.belzig}`)?.quantity).toBe(pages.get(ags.belzig));
    const rollup = (member: string, meter: string) =>
      s1.hourly.find((h) => h.member_id === member && h.meter_key === meter);
    expect(rollup(ids.panketal, 'vm-stunden')).toMatchObject({ quantity_sum: '3', event_count: 1 });
    expect(rollup(ids.belzig, 'vm-stunden')).toMatchObject({ quantity_sum: '5', event_count: 1 });
    expect(rollup(ids.panketal, 'druckseiten')?.quantity_sum).toBe(pages.get(ags.panketal));
    expect(s1.marks.map((m) => [m.meter_key, new Date(m.pulled_until).getTime()])).toEqual([
      ['druckseiten', opts.now.getTime()],
      ['vm-stunden', opts.now.getTime()],
    ]);
    const vmMark = s1.marks.find((m) => m.meter_key === 'vm-stunden')!;
    expect(Number(vmMark.unknown_samples)).toBe(1);
    expect(vmMark.last_unknown_labels).toEqual([UNKNOWN_AGS]);

    // A second run: the watermark says the hour is done.
    const again = await pullSource(t.database, ctx(), source(), opts);
    expect(again.map((r) => r.hours)).toEqual([0, 0]);

    // A crash between ingest and watermark, or two runs overlapping: the watermark lags and the hour is
    // pulled again — every event is a duplicate, nothing is counted twice.
    await writeAll(t.database, (tx) =>
      tx.db
        .updateTable('usage_pull_watermarks')
        .set({ pulled_until: hourStart })
        .where('source', '=', 'rz-test')
        .execute(),
    );
    const overlap = await pullSource(t.database, ctx(), source(), opts);
    expect(overlap.map((r) => [r.hours, r.accepted, r.duplicates])).toEqual([
      [1, 0, 2],
      [1, 0, 2],
    ]);
    const s2 = await stored(hourIso);
    expect(s2.events).toEqual(s1.events);
    expect(s2.hourly).toEqual(s1.hourly);
    expect(s2.marks.map((m) => new Date(m.pulled_until).getTime())).toEqual([
      opts.now.getTime(),
      opts.now.getTime(),
    ]);
  }, 60_000);

  it('leaves the watermark where it was when Prometheus does not answer, and says so', async () => {
    const before = await stored('2000-01-01T00:00:00.000Z');
    const closedPort = await freePort();
    const now = new Date(before.marks[0]!.pulled_until.getTime() + 3 * HOUR_MS);
    logged.length = 0;
    const r = await pullSource(t.database, ctx(), source(`http://127.0.0.1:${closedPort}`), { now, log });
    expect(r.map((x) => x.hours)).toEqual([0, 0]);
    expect(r[0]!.error).toMatch(/Prometheus rz-test .* unreachable/);
    expect(logged.filter((l) => l.level === 'error')).toHaveLength(2);
    expect((await stored('2000-01-01T00:00:00.000Z')).marks).toEqual(before.marks);
  }, 30_000);

  it('refuses a query that gives several series per member label instead of storing one of them', async () => {
    const src = source();
    const bad = {
      ...src,
      name: 'rz-test-bad',
      // Every series has the same job label: not one sample per member.
      meters: [{ meter: 'vm-stunden', query: 'allmende_test_vms_running', label: 'job', decimals: 6 }],
    };
    const at = new Date(Date.now() - 2000);
    const hourStart = Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;
    const r = await pullSource(t.database, ctx(), bad, {
      now: new Date(hourStart + HOUR_MS),
      log,
      queryTime: () => at,
    });
    expect(r[0]!.hours).toBe(0);
    expect(r[0]!.error).toMatch(/several series with job="allmende-test"/);
  }, 30_000);

  it('runs as the hourly job from ALLMENDE_PULL_SOURCES: pulls the last closed hour, and fails for a source that does not answer', async () => {
    const closedPort = await freePort();
    const config = testConfig({
      ALLMENDE_PULL_SOURCES: JSON.stringify([
        {
          name: 'rz-job',
          url: promUrl,
          meters: [{ meter: 'vm-stunden', query: 'avg_over_time(allmende_test_vms_running[1h])' }],
        },
        {
          name: 'rz-down',
          url: `http://127.0.0.1:${closedPort}`,
          timeoutMs: 2000,
          meters: [{ meter: 'vm-stunden', query: 'up' }],
        },
      ]),
    });
    const before = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    const job = jobContext(prometheusPullJob, {
      jobId: 'pull-test',
      attempt: 1,
      database: t.database,
      config,
      log,
    });
    await expect(prometheusPullJob.handler({}, job)).rejects.toThrow(
      /usage pull failed for rz-down\/vm-stunden: Prometheus rz-down .* unreachable/,
    );
    const after = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    const marks = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('usage_pull_watermarks')
        .select(['source', 'pulled_until'])
        .where('source', 'in', ['rz-job', 'rz-down'])
        .execute(),
    );
    expect(marks.map((m) => m.source)).toEqual(['rz-job']);
    expect([before, after]).toContain(new Date(marks[0]!.pulled_until).getTime());
  }, 30_000);
});
