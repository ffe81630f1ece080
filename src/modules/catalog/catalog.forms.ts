/**
 * Reading the catalogue's staff forms, pure: amounts typed in euros with a German decimal comma
 * ("1.234,56", "0,035") become exact cents as decimal strings ("123456", "3.5") by moving the decimal
 * point in the text — never through a float — and a service's edit form becomes a CatalogItem.
 */
import { isDecimal } from '../../shared/decimal.js';
import type { FieldIssue } from '../../shared/errors.js';
import type { CatalogItem } from './price-book.js';
import { checkPrice, PRICE_MODELS, type Price, type PriceModelKind, type Tier } from './pricing.js';

type Lang = 'de' | 'en';

/**
 * An exact decimal typed by a person: "1.234,5" (German) or "1,234.5" (English), spaces ignored.
 * Returns the canonical decimal string ("1234.5"), or undefined if it is not one.
 */
export function parseDecimalInput(text: string, lang: Lang): string | undefined {
  const s = text.replace(/[\s\u00a0€]/g, '');
  if (s === '') return undefined;
  const [group, point] = lang === 'de' ? ['.', ','] : [',', '.'];
  const esc = (c: string) => (c === '.' ? '\\.' : c);
  const re = new RegExp(`^(\\d{1,3}(?:${esc(group)}\\d{3})+|\\d+)(?:${esc(point)}(\\d+))?$`);
  const m = re.exec(s);
  if (!m) return undefined;
  const int = (m[1] ?? '0').replaceAll(group, '').replace(/^0+(?=\d)/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

/** Euros as typed → cents as an exact decimal string: "0,035" → "3.5", "12" → "1200". */
export function parseEuroInput(text: string, lang: Lang): string | undefined {
  const d = parseDecimalInput(text, lang);
  if (d === undefined) return undefined;
  const [int = '0', frac = ''] = d.split('.');
  const cents = `${int}${frac.padEnd(2, '0').slice(0, 2)}`.replace(/^0+(?=\d)/, '');
  const rest = frac.slice(2);
  return rest ? `${cents}.${rest}` : cents;
}

/** Whole cents (fixed amounts: monthly fee, package, minimum) or undefined. */
export function parseWholeCents(text: string, lang: Lang): number | undefined {
  const c = parseEuroInput(text, lang);
  if (c === undefined || c.includes('.')) return undefined;
  const n = Number(c);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Cents (exact decimal string or integer) as euros for a form field: "3.5" → "0,035", 1200 → "12,00". */
export function euroInput(cents: string | number | null | undefined, lang: Lang): string {
  if (cents === null || cents === undefined || cents === '') return '';
  const [int = '0', frac = ''] = String(cents).split('.');
  const padded = int.padStart(3, '0');
  const euros = padded.slice(0, -2).replace(/^0+(?=\d)/, '');
  const decimals = `${padded.slice(-2)}${frac}`;
  return `${euros}${lang === 'de' ? ',' : '.'}${decimals}`;
}

/** An exact decimal for a form field in the person's notation: "2.5" → "2,5". */
export function decimalInput(d: string | null | undefined, lang: Lang): string {
  if (d === null || d === undefined) return '';
  return lang === 'de' ? d.replace('.', ',') : d;
}

export const AGGREGATIONS = ['sum', 'count', 'max', 'unique_count', 'latest', 'time_weighted_avg'] as const;
export const VAT_KINDS = ['not_taxable', 'standard', 'reduced'] as const;
/** Tier rows the form offers at least (empty rows are ignored). */
export const MIN_TIER_ROWS = 4;

export type ItemFormValues = Record<string, string>;

/** The form fields of an item, filled from the item (for editing). */
export function itemToValues(i: CatalogItem, lang: Lang): ItemFormValues {
  const v: ItemFormValues = {
    serviceCode: i.serviceCode,
    number: i.number,
    categoryCode: i.categoryCode,
    nameDe: i.nameDe,
    nameEn: i.nameEn,
    descriptionDe: i.descriptionDe ?? '',
    descriptionEn: i.descriptionEn ?? '',
    unitCode: i.unitCode,
    meterKey: i.meterKey ?? '',
    aggregation: i.aggregation ?? '',
    model: i.price.model,
    minimum: euroInput(i.price.minimumCents ?? null, lang),
    vat: i.vat,
    vatNote: i.vatNote ?? '',
    noticeDays: String(i.noticeDays),
  };
  const p = i.price;
  switch (p.model) {
    case 'unit':
      v.unitPrice = euroInput(p.unitCents, lang);
      break;
    case 'graduated':
    case 'volume':
      p.tiers.forEach((t, n) => {
        v[`tier${n + 1}UpTo`] = decimalInput(t.upTo, lang);
        v[`tier${n + 1}Price`] = euroInput(t.unitCents, lang);
        v[`tier${n + 1}Flat`] = t.flatCents ? euroInput(t.flatCents, lang) : '';
      });
      break;
    case 'package':
      v.packageSize = decimalInput(p.packageSize, lang);
      v.packagePrice = euroInput(p.packageCents, lang);
      break;
    case 'flat':
      v.flatMonthly = euroInput(p.monthlyCents, lang);
      break;
    case 'per_inhabitant':
      v.perInhabitant = euroInput(p.yearlyCentsPerInhabitant, lang);
      break;
  }
  return v;
}

/** How many tier rows the form shows for these values. */
export function tierRows(values: ItemFormValues): number {
  let n = 0;
  for (const k of Object.keys(values)) {
    const m = /^tier(\d{1,2})(UpTo|Price|Flat)$/.exec(k);
    if (m && values[k] !== '') n = Math.max(n, Number(m[1]));
  }
  return Math.max(MIN_TIER_ROWS, n + 1);
}

const PRICE_FIELD: Record<PriceModelKind, string> = {
  unit: 'unitPrice',
  graduated: 'tier1Price',
  volume: 'tier1Price',
  package: 'packagePrice',
  flat: 'flatMonthly',
  per_inhabitant: 'perInhabitant',
};

/**
 * Reads the edit form of a service into a CatalogItem, or the problems by field (message codes).
 * `known` are the categories and units that exist; `base` the item being edited (its code and the
 * example mark are kept).
 */
export function itemFromForm(
  body: Record<string, unknown>,
  lang: Lang,
  known: { categories: ReadonlySet<string>; units: ReadonlySet<string> },
  base?: CatalogItem,
):
  | { ok: true; item: CatalogItem; values: ItemFormValues }
  | { ok: false; issues: FieldIssue[]; values: ItemFormValues } {
  const values: ItemFormValues = {};
  for (const [k, v] of Object.entries(body)) {
    const s = Array.isArray(v) ? v[0] : v;
    if (typeof s === 'string' && !k.startsWith('_')) values[k] = s;
  }
  const text = (k: string) => (values[k] ?? '').trim();
  const issues: FieldIssue[] = [];
  const need = (k: string) => {
    if (text(k) === '') issues.push({ field: k, code: 'form.required' });
    return text(k);
  };
  const serviceCode = base ? base.serviceCode : need('serviceCode');
  if (!base && serviceCode !== '' && !/^[a-z][a-z0-9-]{1,63}$/.test(serviceCode)) {
    issues.push({ field: 'serviceCode', code: 'catalog_item.code_format' });
  }
  const number = need('number');
  if (number !== '' && !/^[0-9A-Za-z][0-9A-Za-z.-]{0,19}$/.test(number)) {
    issues.push({ field: 'number', code: 'catalog_item.number_format' });
  }
  const nameDe = need('nameDe');
  const nameEn = text('nameEn') || nameDe;
  const categoryCode = need('categoryCode');
  if (categoryCode && !known.categories.has(categoryCode)) {
    issues.push({ field: 'categoryCode', code: 'form.choose' });
  }
  const unitCode = need('unitCode');
  if (unitCode && !known.units.has(unitCode)) issues.push({ field: 'unitCode', code: 'form.choose' });
  const meterKey = text('meterKey') || null;
  if (meterKey !== null && !/^[a-z][a-z0-9-]{1,63}$/.test(meterKey)) {
    issues.push({ field: 'meterKey', code: 'catalog_item.meter_format' });
  }
  const aggregation = text('aggregation') || null;
  if (aggregation !== null && !(AGGREGATIONS as readonly string[]).includes(aggregation)) {
    issues.push({ field: 'aggregation', code: 'form.choose' });
  } else if ((meterKey === null) !== (aggregation === null)) {
    issues.push({ field: 'aggregation', code: 'catalog_item.meter_needs_aggregation' });
  }
  const vat = text('vat') as CatalogItem['vat'];
  if (!(VAT_KINDS as readonly string[]).includes(vat)) issues.push({ field: 'vat', code: 'form.choose' });
  const vatNote = text('vatNote') || null;
  if (vat === 'not_taxable' && vatNote === null) {
    issues.push({ field: 'vatNote', code: 'catalog_item.vat_note_required' });
  }
  const noticeText = text('noticeDays') || '0';
  const noticeDays = /^\d{1,4}$/.test(noticeText) ? Number(noticeText) : Number.NaN;
  if (!Number.isInteger(noticeDays)) issues.push({ field: 'noticeDays', code: 'form.integer' });
  for (const [k, max] of [
    ['nameDe', 200],
    ['nameEn', 200],
    ['descriptionDe', 4000],
    ['descriptionEn', 4000],
    ['vatNote', 500],
  ] as const) {
    if (text(k).length > max) issues.push({ field: k, code: 'catalog_item.too_long' });
  }

  // The price of the chosen model; the other models' fields are ignored (no JavaScript hides them).
  const model = text('model') as PriceModelKind;
  let price: Price | undefined;
  const euro = (k: string, whole: boolean): string | number | undefined => {
    const raw = text(k);
    if (raw === '') {
      issues.push({ field: k, code: 'form.required' });
      return undefined;
    }
    const v = whole ? parseWholeCents(raw, lang) : parseEuroInput(raw, lang);
    if (v === undefined) {
      issues.push({ field: k, code: whole ? 'catalog_item.whole_cents' : 'catalog_item.amount_format' });
    }
    return v;
  };
  const quantity = (k: string): string | undefined => {
    const raw = text(k);
    if (raw === '') {
      issues.push({ field: k, code: 'form.required' });
      return undefined;
    }
    const v = parseDecimalInput(raw, lang);
    if (v === undefined || !isDecimal(v)) issues.push({ field: k, code: 'catalog_item.quantity_format' });
    return v;
  };
  let minimumCents: number | null = null;
  if (text('minimum') !== '') minimumCents = (euro('minimum', true) as number | undefined) ?? null;
  switch (model) {
    case 'unit': {
      const c = euro('unitPrice', false);
      if (c !== undefined) price = { model, unitCents: String(c) };
      break;
    }
    case 'graduated':
    case 'volume': {
      const tiers: Tier[] = [];
      const rows = tierRows(values);
      for (let n = 1; n <= rows; n++) {
        const [u, p, f] = [`tier${n}UpTo`, `tier${n}Price`, `tier${n}Flat`];
        if (text(u) === '' && text(p) === '' && text(f) === '') continue;
        const unitCents = euro(p, false);
        const upTo = text(u) === '' ? null : quantity(u);
        const flat = text(f) === '' ? undefined : (euro(f, true) as number | undefined);
        if (unitCents === undefined || upTo === undefined) continue;
        tiers.push({ upTo, unitCents: String(unitCents), ...(flat ? { flatCents: flat } : {}) });
      }
      price = { model, tiers };
      break;
    }
    case 'package': {
      const size = quantity('packageSize');
      const c = euro('packagePrice', true) as number | undefined;
      if (size !== undefined && c !== undefined) price = { model, packageSize: size, packageCents: c };
      break;
    }
    case 'flat': {
      const c = euro('flatMonthly', true) as number | undefined;
      if (c !== undefined) price = { model, monthlyCents: c };
      break;
    }
    case 'per_inhabitant': {
      const c = euro('perInhabitant', false);
      if (c !== undefined) price = { model, yearlyCentsPerInhabitant: String(c) };
      break;
    }
    default:
      issues.push({ field: 'model', code: 'form.choose' });
  }
  if (price && minimumCents !== null) price.minimumCents = minimumCents;
  if (price && issues.length === 0) {
    for (const problem of checkPrice(price)) {
      const field = problem.startsWith('tiers.')
        ? 'tier1UpTo'
        : problem === 'package.size'
          ? 'packageSize'
          : PRICE_FIELD[model];
      issues.push({ field, code: `price.${problem}` });
    }
  }
  if (issues.length > 0 || !price || !(PRICE_MODELS as readonly string[]).includes(model)) {
    return { ok: false, issues, values };
  }
  return {
    ok: true,
    values,
    item: {
      serviceCode,
      number,
      categoryCode,
      nameDe,
      nameEn,
      descriptionDe: text('descriptionDe'),
      descriptionEn: text('descriptionEn'),
      unitCode,
      meterKey,
      aggregation,
      price,
      vat,
      vatNote,
      noticeDays,
      isExample: base?.isExample ?? false,
    },
  };
}
