/**
 * Which catalogue version is in force on a day, and the price of a service on a day — pure, from the
 * versions and items read once (rating a month of usage asks this for every line, so it must not go
 * back to the database per question).
 *
 * Rule: among the adopted versions, the one with the latest `inForceFrom` on or before the day is in
 * force; it is superseded on the next one's `inForceFrom`. Nothing fires at midnight: the answer
 * follows from the dates at read time. Drafts are never in force.
 */
import { cmp, div, fraction, mul, rat, sub, toDecimalString } from '../../shared/decimal.js';
import { addDays, type Period, versionOn } from '../../shared/effective.js';
import type { Price, Tier } from './pricing.js';

export interface CatalogVersionInfo {
  id: string;
  number: string;
  status: 'draft' | 'adopted';
  inForceFrom: string | null;
  adoptedOn: string | null;
}

export interface CatalogItem {
  serviceCode: string;
  number: string;
  categoryCode: string;
  nameDe: string;
  nameEn: string;
  /** What the service is, for people (may be empty). */
  descriptionDe?: string;
  descriptionEn?: string;
  unitCode: string;
  meterKey: string | null;
  aggregation: string | null;
  price: Price;
  vat: 'not_taxable' | 'standard' | 'reduced';
  vatNote: string | null;
  noticeDays: number;
  isExample: boolean;
}

/** A version's time in force (shared/effective.ts: both days included; validUntil null = open-ended). */
export interface InForcePeriod<V extends CatalogVersionInfo = CatalogVersionInfo> extends Period {
  version: V;
}

/** The in-force periods of the adopted versions, oldest first: each ends the day before the next starts. */
export function inForcePeriods<V extends CatalogVersionInfo>(versions: readonly V[]): InForcePeriod<V>[] {
  const adopted = versions
    .filter((v): v is V & { inForceFrom: string } => v.status === 'adopted' && v.inForceFrom !== null)
    .sort((a, b) => (a.inForceFrom < b.inForceFrom ? -1 : a.inForceFrom > b.inForceFrom ? 1 : 0));
  return adopted.map((version, i) => {
    const next = adopted[i + 1];
    return {
      version,
      validFrom: version.inForceFrom,
      validUntil: next ? addDays(next.inForceFrom, -1) : null,
    };
  });
}

/** The period in force on `day` (YYYY-MM-DD), if any version is. */
export function periodOn<V extends CatalogVersionInfo>(
  periods: readonly InForcePeriod<V>[],
  day: string,
): InForcePeriod<V> | undefined {
  return versionOn(periods, day);
}

/** Whether a new adopted version starting on `from` would start on the same day as another. */
export function startsOnSameDay(versions: readonly CatalogVersionInfo[], from: string, exceptId?: string) {
  return versions.find((v) => v.status === 'adopted' && v.inForceFrom === from && v.id !== exceptId);
}

/**
 * The catalogue as rating sees it: every adopted version with its items, loaded once. `priceAt` is
 * the function rating uses: the item (with its price) of a service on the day of use.
 */
export class PriceBook<V extends CatalogVersionInfo = CatalogVersionInfo> {
  readonly periods: InForcePeriod<V>[];
  private readonly items = new Map<string, Map<string, CatalogItem>>();

  constructor(versions: readonly { version: V; items: readonly CatalogItem[] }[]) {
    this.periods = inForcePeriods(versions.map((v) => v.version));
    for (const { version, items } of versions) {
      this.items.set(version.id, new Map(items.map((i) => [i.serviceCode, i])));
    }
  }

  /** The version in force on `day`. */
  versionOn(day: string): InForcePeriod<V> | undefined {
    return periodOn(this.periods, day);
  }

  /** The items of an adopted version, in its order. */
  itemsOf(versionId: string): CatalogItem[] {
    return [...(this.items.get(versionId)?.values() ?? [])];
  }

  /** The items of the version in force on `day` (empty before the first version). */
  itemsOn(day: string): CatalogItem[] {
    const p = this.versionOn(day);
    return p ? this.itemsOf(p.version.id) : [];
  }

  /** The item of `serviceCode` in the version in force on `day`, with that version; undefined if none. */
  priceAt(serviceCode: string, day: string): { item: CatalogItem; period: InForcePeriod<V> } | undefined {
    const period = this.versionOn(day);
    if (!period) return undefined;
    const item = this.items.get(period.version.id)?.get(serviceCode);
    return item ? { item, period } : undefined;
  }

  /** The services fed by a meter on `day` (several services may share a meter). */
  itemsForMeter(meterKey: string, day: string): CatalogItem[] {
    return this.itemsOn(day).filter((i) => i.meterKey === meterKey);
  }
}

// ---- diff ----

export interface PriceChange {
  /** Which figure: 'unitCents', 'monthlyCents', 'packageCents', 'packageSize', 'minimumCents',
   *  'yearlyCentsPerInhabitant', 'tiers[2].unitCents', 'tiers[2].upTo', 'tiers[2].flatCents', 'model'. */
  field: string;
  from: string | null;
  to: string | null;
  /** Percent change (one decimal, rounded half-up), when both are numbers and `from` is not zero. */
  percent: string | null;
}

export type CatalogDiffEntry =
  | { change: 'added'; serviceCode: string; to: CatalogItem }
  | { change: 'removed'; serviceCode: string; from: CatalogItem }
  | {
      change: 'changed';
      serviceCode: string;
      from: CatalogItem;
      to: CatalogItem;
      prices: PriceChange[];
      /** Other fields that changed (name, unit, meter, VAT, notice …). */
      fields: string[];
    };

function percent(from: string, to: string): string | null {
  const f = rat(from);
  if (f.n === 0n) return null;
  return toDecimalString(mul(fraction(100, 1), div(sub(rat(to), f), f)), 1).text;
}

function numeric(x: unknown): string | null {
  if (x === null || x === undefined) return null;
  return String(x);
}

function change(field: string, from: unknown, to: unknown): PriceChange | undefined {
  const f = numeric(from);
  const t = numeric(to);
  if (f === t) return undefined;
  if (f !== null && t !== null && /^\d/.test(f) && /^\d/.test(t) && cmp(rat(f), rat(t)) === 0)
    return undefined;
  return { field, from: f, to: t, percent: f !== null && t !== null ? percent(f, t) : null };
}

/** The changes between two prices, figure by figure. */
export function priceChanges(a: Price, b: Price): PriceChange[] {
  const out: (PriceChange | undefined)[] = [];
  if (a.model !== b.model) return [{ field: 'model', from: a.model, to: b.model, percent: null }];
  out.push(change('minimumCents', a.minimumCents ?? null, b.minimumCents ?? null));
  switch (a.model) {
    case 'unit':
      out.push(change('unitCents', a.unitCents, (b as typeof a).unitCents));
      break;
    case 'flat':
      out.push(change('monthlyCents', a.monthlyCents, (b as typeof a).monthlyCents));
      break;
    case 'package':
      out.push(change('packageCents', a.packageCents, (b as typeof a).packageCents));
      out.push(change('packageSize', a.packageSize, (b as typeof a).packageSize));
      break;
    case 'per_inhabitant':
      out.push(
        change(
          'yearlyCentsPerInhabitant',
          a.yearlyCentsPerInhabitant,
          (b as typeof a).yearlyCentsPerInhabitant,
        ),
      );
      break;
    case 'graduated':
    case 'volume': {
      const bt: Tier[] = (b as typeof a).tiers;
      const n = Math.max(a.tiers.length, bt.length);
      for (let i = 0; i < n; i++) {
        const x = a.tiers[i];
        const y = bt[i];
        out.push(change(`tiers[${i + 1}].upTo`, x?.upTo ?? null, y?.upTo ?? null));
        out.push(change(`tiers[${i + 1}].unitCents`, x?.unitCents ?? null, y?.unitCents ?? null));
        out.push(change(`tiers[${i + 1}].flatCents`, x?.flatCents ?? null, y?.flatCents ?? null));
      }
      break;
    }
  }
  return out.filter((c): c is PriceChange => c !== undefined);
}

const COMPARED: (keyof CatalogItem)[] = [
  'number',
  'categoryCode',
  'nameDe',
  'nameEn',
  'descriptionDe',
  'descriptionEn',
  'unitCode',
  'meterKey',
  'aggregation',
  'vat',
  'vatNote',
  'noticeDays',
];

/** What changed from version `a` to version `b`: new, removed and changed services, by number. */
export function diffCatalog(a: readonly CatalogItem[], b: readonly CatalogItem[]): CatalogDiffEntry[] {
  const before = new Map(a.map((i) => [i.serviceCode, i]));
  const after = new Map(b.map((i) => [i.serviceCode, i]));
  const out: CatalogDiffEntry[] = [];
  for (const [code, to] of after) {
    const from = before.get(code);
    if (!from) {
      out.push({ change: 'added', serviceCode: code, to });
      continue;
    }
    const prices = priceChanges(from.price, to.price);
    const fields = COMPARED.filter((k) => from[k] !== to[k]);
    if (prices.length > 0 || fields.length > 0) {
      out.push({ change: 'changed', serviceCode: code, from, to, prices, fields });
    }
  }
  for (const [code, from] of before) {
    if (!after.has(code)) out.push({ change: 'removed', serviceCode: code, from });
  }
  const key = (e: CatalogDiffEntry) => (e.change === 'removed' ? e.from.number : e.to.number);
  // By number; where a removed and an added service share a number, the removed one first.
  const rank = { removed: 0, changed: 1, added: 2 } as const;
  return out.sort(
    (x, y) => key(x).localeCompare(key(y), 'de', { numeric: true }) || rank[x.change] - rank[y.change],
  );
}
