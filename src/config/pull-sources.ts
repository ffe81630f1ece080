/**
 * The Prometheus pull sources of the metering module (ALLMENDE_PULL_SOURCES): JSON, given inline or as
 * the path of a JSON file. Parsed and validated here; config.ts hands the text in.
 *
 *   [{ "name": "rz-prometheus", "url": "http://prometheus.rz.example:9090",
 *      "meters": [{ "meter": "vm-stunden", "label": "ags",
 *                   "query": "sum by (ags) (increase(vm_running_seconds_total[1h])) / 3600" }] }]
 *
 * Each query is evaluated as an instant query at the end of every closed hour; write it over that hour
 * (`[1h]` range functions such as increase or avg_over_time). Each sample is the quantity of the hour
 * for the member its label names.
 */
import fs from 'node:fs';

export interface PullMeterConfig {
  /** Meter key in the catalogue, e.g. `vm-stunden`. */
  readonly meter: string;
  /** PromQL, evaluated at each hour's end; one sample per member. */
  readonly query: string;
  /** The label that names the member: an AGS or a member id. Default `ags`. */
  readonly label: string;
  /** Fraction digits the float sample is rounded to (half away from zero). Default 6. */
  readonly decimals: number;
}

export interface PullSourceConfig {
  /** The events' source and the first part of their ids, e.g. `rz-prometheus`. */
  readonly name: string;
  /** Base URL of Prometheus (its HTTP API lives under /api/v1). */
  readonly url: string;
  readonly meters: readonly PullMeterConfig[];
  /** Timeout of one query. Default 10,000 ms. */
  readonly timeoutMs: number;
  /** At most this many hours per meter and run (catch-up after an outage). Default 48. */
  readonly maxHoursPerRun: number;
  /** First hour to pull when no watermark exists yet (ISO); default: the last closed hour. */
  readonly since: string | undefined;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;
const METER = /^[a-z][a-z0-9-]{1,63}$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Parses ALLMENDE_PULL_SOURCES (inline JSON or a file path); problems are pushed with the setting's name. */
export function parsePullSources(value: string | undefined, problems: string[]): PullSourceConfig[] {
  const SETTING = 'ALLMENDE_PULL_SOURCES';
  if (value === undefined) return [];
  let text = value;
  if (!/^\s*[[{]/.test(value)) {
    try {
      text = fs.readFileSync(value, 'utf8');
    } catch (e) {
      problems.push(`${SETTING}: neither JSON nor a readable file (${(e as Error).message})`);
      return [];
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    problems.push(`${SETTING}: not valid JSON (${(e as Error).message})`);
    return [];
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const sources: PullSourceConfig[] = [];
  const names = new Set<string>();
  for (const [i, s] of list.entries()) {
    const at = `${SETTING}[${i}]`;
    if (typeof s !== 'object' || s === null) {
      problems.push(`${at}: expected an object`);
      continue;
    }
    const o = s as Record<string, unknown>;
    const name = o.name;
    if (typeof name !== 'string' || !NAME.test(name)) {
      problems.push(`${at}.name: expected letters, digits, ".", "_" or "-" (at most 50)`);
      continue;
    }
    if (names.has(name)) problems.push(`${at}.name: "${name}" is used twice`);
    names.add(name);
    let url = '';
    try {
      const u = new URL(String(o.url));
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      url = String(o.url).replace(/\/+$/, '');
    } catch {
      problems.push(`${at}.url: expected an http(s) URL of Prometheus`);
    }
    const int = (key: string, def: number, min: number, max: number): number => {
      const v = o[key];
      if (v === undefined) return def;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        problems.push(`${at}.${key}: expected an integer between ${min} and ${max}`);
        return def;
      }
      return v;
    };
    let since: string | undefined;
    if (o.since !== undefined) {
      const d = new Date(String(o.since));
      if (Number.isNaN(d.getTime())) problems.push(`${at}.since: expected an ISO time`);
      else since = d.toISOString();
    }
    const meters: PullMeterConfig[] = [];
    if (!Array.isArray(o.meters) || o.meters.length === 0) {
      problems.push(`${at}.meters: expected a non-empty list`);
    } else {
      const seen = new Set<string>();
      o.meters.forEach((m: unknown, j: number) => {
        const mat = `${at}.meters[${j}]`;
        const mo = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>;
        const meter = mo.meter;
        const query = mo.query;
        const label = mo.label ?? 'ags';
        const decimals = mo.decimals ?? 6;
        let ok = true;
        if (typeof meter !== 'string' || !METER.test(meter)) {
          problems.push(`${mat}.meter: expected a meter key (e.g. vm-stunden)`);
          ok = false;
        } else if (seen.has(meter)) {
          problems.push(`${mat}.meter: "${meter}" is pulled twice from this source`);
          ok = false;
        }
        if (typeof query !== 'string' || query.trim() === '') {
          problems.push(`${mat}.query: expected a PromQL query`);
          ok = false;
        }
        if (typeof label !== 'string' || !LABEL.test(label)) {
          problems.push(`${mat}.label: expected a Prometheus label name`);
          ok = false;
        }
        if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > 12) {
          problems.push(`${mat}.decimals: expected an integer between 0 and 12`);
          ok = false;
        }
        if (!ok) return;
        seen.add(meter as string);
        meters.push(
          Object.freeze({
            meter: meter as string,
            query: (query as string).trim(),
            label: label as string,
            decimals: decimals as number,
          }),
        );
      });
    }
    sources.push(
      Object.freeze({
        name,
        url,
        meters: Object.freeze(meters),
        timeoutMs: int('timeoutMs', 10_000, 100, 300_000),
        maxHoursPerRun: int('maxHoursPerRun', 48, 1, 24 * 31),
        since,
      }),
    );
  }
  return sources;
}
