/**
 * Pulling usage from the data centre's Prometheus ([5/7] point 2). For each configured source and meter,
 * each closed hour after the watermark (at most `maxHoursPerRun` per run) is asked as an instant query
 * at the hour's end over the HTTP API; each sample becomes one usage event of the member its label names
 * (an AGS or a member id), at the hour's start, with the deterministic id
 * `<source>:<meter>:<hour start ISO>:<label value>`. The events go through the ordinary ingest
 * (ingestUsage) in one transaction with the watermark's advance, so a run that overlaps an earlier one
 * (or repeats it after a crash or a moved watermark) stores duplicates only and counts nothing twice.
 * Samples whose label names no member, and samples that are no usable quantity (NaN, negative), are
 * counted and reported (log and watermark row), never silently dropped; a failing Prometheus leaves the
 * watermark where it was and the next run tries again.
 */
import type { PullMeterConfig, PullSourceConfig } from '../../config/pull-sources.js';
import type { Database } from '../../db/database.js';
import { runInTx, type Tx } from '../../db/tx.js';
import type { JobLog } from '../../jobs/jobs.js';
import type { Ctx } from '../../shared/context.js';
import { isDecimal } from '../../shared/decimal.js';
import { LinesInvalidError } from '../../shared/errors.js';
import { findMemberByReference } from '../members/members.service.js';
import { MAX_EVENTS_PER_REQUEST } from './metering.events.js';
import { advanceWatermark, readWatermarks } from './metering.pull.repository.js';
import { ingestUsage } from './metering.service.js';
import { recordRejection } from './metering.status.service.js';

const HOUR_MS = 3_600_000;

/** One sample of an instant query's vector: its labels and value (as Prometheus writes it). */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: string;
}

export class PrometheusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusError';
  }
}

/**
 * Runs an instant query (`GET /api/v1/query?query=…&time=…`) with a timeout; answers the vector's
 * samples, or throws PrometheusError naming the source and what went wrong.
 */
export async function queryPrometheus(
  source: Pick<PullSourceConfig, 'name' | 'url' | 'timeoutMs'>,
  query: string,
  time: Date,
  fetchFn: typeof fetch = fetch,
): Promise<PromSample[]> {
  const params = new URLSearchParams({ query, time: (time.getTime() / 1000).toFixed(3) });
  const url = `${source.url}/api/v1/query?${params}`;
  let res: Response;
  let body: unknown;
  try {
    res = await fetchFn(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(source.timeoutMs),
    });
    body = await res.json().catch(() => undefined);
  } catch (e) {
    const err = e as Error;
    const why = err.name === 'TimeoutError' ? `no answer within ${source.timeoutMs} ms` : err.message;
    throw new PrometheusError(`Prometheus ${source.name} (${source.url}) unreachable: ${why}`);
  }
  const o = (body ?? {}) as { status?: string; error?: string; errorType?: string; data?: unknown };
  if (!res.ok || o.status !== 'success') {
    const detail = o.error ? `${o.errorType ?? 'error'}: ${o.error}` : `HTTP ${res.status}`;
    throw new PrometheusError(`Prometheus ${source.name} refused the query: ${detail}`);
  }
  const data = o.data as { resultType?: string; result?: unknown } | undefined;
  if (data?.resultType !== 'vector' || !Array.isArray(data.result)) {
    throw new PrometheusError(
      `Prometheus ${source.name}: the query must give an instant vector, got ${data?.resultType ?? 'nothing'}`,
    );
  }
  return data.result.map((r: { metric?: Record<string, string>; value?: [number, string] }) => ({
    metric: r.metric ?? {},
    value: String(r.value?.[1]),
  }));
}

/** A float sample as Prometheus writes it → an exact decimal with at most `decimals` fraction digits. */
export function sampleQuantity(value: string, decimals: number): string | undefined {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) return undefined;
  const text = n.toFixed(decimals);
  const trimmed = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  return isDecimal(trimmed) ? trimmed : undefined;
}

export interface PullMeterResult {
  readonly source: string;
  readonly meter: string;
  /** Hours pulled and stored in this run (the watermark moved by as many). */
  readonly hours: number;
  readonly accepted: number;
  readonly duplicates: number;
  /** Samples whose label named no member, by label value ('' when the label was missing). */
  readonly unknown: Readonly<Record<string, number>>;
  /** Samples that were no usable quantity (NaN, ±Inf, negative). */
  readonly invalid: number;
  /** Why the run stopped early (the watermark stays at the last hour stored). */
  readonly error?: string;
}

export interface PullOptions {
  /** Hours ending at or before this are closed and pulled. */
  readonly now: Date;
  readonly log: JobLog;
  /**
   * When an hour's query is evaluated: default its end. A test evaluates the still open hour at the
   * moment it reads, so it need not wait for an hour to close.
   */
  readonly queryTime?: (hourEnd: Date) => Date;
  readonly fetch?: typeof fetch;
}

/** The ingest refused an hour's events: every issue (numbered over the hour's events) and their count. */
class HourRefusedError extends LinesInvalidError {
  constructor(
    lines: LinesInvalidError['lines'],
    readonly events: number,
  ) {
    super(lines);
  }
}

const floorHour = (d: Date): Date => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);

/**
 * Pulls every meter of one source up to the last closed hour (see the file comment). Errors of one
 * meter are logged and returned; the other meters still run. Runs as the given context (the job's:
 * system work with every member in scope).
 */
export async function pullSource(
  database: Database,
  ctx: Ctx,
  source: PullSourceConfig,
  opts: PullOptions,
): Promise<PullMeterResult[]> {
  const marks = await runInTx(database, ctx, (tx) => readWatermarks(tx, source.name));
  const results: PullMeterResult[] = [];
  for (const meter of source.meters) {
    results.push(await pullMeter(database, ctx, source, meter, marks.get(meter.meter), opts));
  }
  return results;
}

async function pullMeter(
  database: Database,
  ctx: Ctx,
  source: PullSourceConfig,
  meter: PullMeterConfig,
  watermark: Date | undefined,
  opts: PullOptions,
): Promise<PullMeterResult> {
  const lastEnd = floorHour(opts.now).getTime();
  let start = (
    watermark ?? (source.since ? floorHour(new Date(source.since)) : new Date(lastEnd - HOUR_MS))
  ).getTime();
  let hours = 0;
  let accepted = 0;
  let duplicates = 0;
  let invalid = 0;
  const unknown: Record<string, number> = {};
  const result = (error?: string): PullMeterResult => ({
    source: source.name,
    meter: meter.meter,
    hours,
    accepted,
    duplicates,
    unknown,
    invalid,
    ...(error ? { error } : {}),
  });

  while (start + HOUR_MS <= lastEnd && hours < source.maxHoursPerRun) {
    const hourStart = new Date(start);
    const hourEnd = new Date(start + HOUR_MS);
    const at = opts.queryTime ? opts.queryTime(hourEnd) : hourEnd;
    let samples: PromSample[] | undefined;
    try {
      samples = await queryPrometheus(source, meter.query, at, opts.fetch);
      const read = samples;
      const stored = await runInTx(database, ctx, (tx) => storeHour(tx, source, meter, hourStart, read));
      hours++;
      accepted += stored.accepted;
      duplicates += stored.duplicates;
      invalid += stored.invalid;
      for (const [label, n] of Object.entries(stored.unknown)) unknown[label] = (unknown[label] ?? 0) + n;
      if (Object.keys(stored.unknown).length > 0 || stored.invalid > 0) {
        opts.log.warn(
          {
            source: source.name,
            meter: meter.meter,
            hour: hourStart.toISOString(),
            unknownLabels: stored.unknown,
            invalidSamples: stored.invalid,
          },
          `usage pull: samples of ${source.name}/${meter.meter} not stored (label "${meter.label}" names no member, or no usable quantity)`,
        );
      }
    } catch (e) {
      const message =
        e instanceof LinesInvalidError
          ? `the ingest refused the hour's events (line n = the n-th event of the hour): ${e.message}`
          : e instanceof Error
            ? e.message
            : String(e);
      opts.log.error(
        { source: source.name, meter: meter.meter, hour: hourStart.toISOString(), err: message },
        `usage pull of ${source.name}/${meter.meter} for the hour from ${hourStart.toISOString()} failed; the watermark stays, the next run tries again: ${message}`,
      );
      // Recorded for the status page, in a transaction of its own (the hour's was rolled back).
      const where = `${source.name}/${meter.meter}, hour from ${hourStart.toISOString()}`;
      await runInTx(database, ctx, (tx) =>
        recordRejection(tx, {
          channel: 'pull',
          sources: [source.name],
          ...(e instanceof LinesInvalidError
            ? {
                lines: e instanceof HourRefusedError ? e.events : (samples?.length ?? 0),
                issues: e.lines,
                message: where,
              }
            : { lines: samples?.length ?? 0, message: `${where}: ${message}` }),
        }),
      ).catch((err: unknown) =>
        opts.log.error({ source: source.name, err: String(err) }, 'usage pull: recording the failure failed'),
      );
      return result(message);
    }
    start += HOUR_MS;
  }
  if (hours > 0) {
    opts.log.info(
      { source: source.name, meter: meter.meter, hours, accepted, duplicates },
      'usage pulled from Prometheus',
    );
  }
  return result();
}

/**
 * Stores one hour of samples: resolves the labels to members, ingests the events (in chunks of the
 * request limit, all in this transaction) and moves the watermark to the hour's end.
 */
async function storeHour(
  tx: Tx,
  source: PullSourceConfig,
  meter: PullMeterConfig,
  hourStart: Date,
  samples: readonly PromSample[],
): Promise<{ accepted: number; duplicates: number; unknown: Record<string, number>; invalid: number }> {
  const hourIso = hourStart.toISOString();
  const unknown: Record<string, number> = {};
  let invalid = 0;
  const members = new Map<string, string | undefined>();
  const seen = new Set<string>();
  const events: object[] = [];
  for (const s of samples) {
    const label = s.metric[meter.label] ?? '';
    if (seen.has(label)) {
      throw new PrometheusError(
        `the query of ${source.name}/${meter.meter} gives several series with ${meter.label}="${label}"; aggregate it, e.g. sum by (${meter.label}) (…)`,
      );
    }
    seen.add(label);
    if (!members.has(label)) {
      members.set(label, label === '' ? undefined : (await findMemberByReference(tx, label))?.id);
    }
    const memberId = members.get(label);
    if (!memberId) {
      unknown[label] = (unknown[label] ?? 0) + 1;
      continue;
    }
    const quantity = sampleQuantity(s.value, meter.decimals);
    if (quantity === undefined) {
      invalid++;
      continue;
    }
    events.push({
      member: memberId,
      meter: meter.meter,
      quantity,
      time: hourIso,
      source: source.name,
      eventId: `${source.name}:${meter.meter}:${hourIso}:${label}`,
    });
  }
  let accepted = 0;
  let duplicates = 0;
  for (let i = 0; i < events.length; i += MAX_EVENTS_PER_REQUEST) {
    try {
      const r = await ingestUsage(tx, events.slice(i, i + MAX_EVENTS_PER_REQUEST));
      accepted += r.accepted;
      duplicates += r.duplicates;
    } catch (e) {
      // Line n of the refusal is the n-th event of the hour, across chunks.
      if (e instanceof LinesInvalidError)
        throw new HourRefusedError(
          e.lines.map((l) => ({ ...l, line: l.line + i })),
          events.length,
        );
      throw e;
    }
  }
  const unknownCount = Object.values(unknown).reduce((a, b) => a + b, 0);
  const labels = Object.keys(unknown).sort().slice(0, 20);
  const until = new Date(hourStart.getTime() + HOUR_MS);
  await advanceWatermark(tx, source.name, meter.meter, until, unknownCount, labels);
  return { accepted, duplicates, unknown, invalid };
}
