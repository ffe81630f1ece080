/**
 * The service and fee catalogue: versions drafted by the association, adopted by the assembly's
 * resolution and in force from a date; the price of a service on a day (priceAt) for rating.
 */
import type { Tx } from '../../db/tx.js';
import { isIsoDate } from '../../shared/dates.js';
import {
  ConflictError,
  type FieldIssue,
  InvalidStateError,
  NotFoundError,
  ValidationError,
} from '../../shared/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { requirePermission } from '../auth/permissions.js';
import { associationMemberId } from '../members/members.service.js';
import { DEMO_CATEGORIES, DEMO_VERSION_2_0_DRAFT, DEMO_VERSIONS } from './catalog.demo.js';
import {
  type CatalogVersionRow,
  deleteItem,
  findVersion,
  findVersionByNumber,
  findVersionForUpdate,
  insertItems,
  insertVersion,
  lockAdoptedVersions,
  markAdopted,
  selectCategories,
  selectItems,
  selectUnits,
  selectVersions,
  toCatalogItem,
  toVersionInfo,
  upsertCategories,
  upsertItem,
} from './catalog.repository.js';
import {
  type CatalogDiffEntry,
  type CatalogItem,
  type CatalogVersionInfo,
  diffCatalog,
  PriceBook,
  startsOnSameDay,
} from './price-book.js';
import { checkPrice } from './pricing.js';

export type { CatalogItem, CatalogVersionInfo } from './price-book.js';
export { PriceBook } from './price-book.js';

export type CatalogVersion = CatalogVersionInfo & {
  title: string;
  basedOn: string | null;
  resolutionRef: string | null;
};

function toVersion(r: CatalogVersionRow): CatalogVersion {
  const { row: _row, ...info } = toVersionInfo(r);
  return { ...info, title: r.title, basedOn: r.based_on, resolutionRef: r.resolution_ref };
}

/** Every version the caller may see (drafts only for the association), in creation order. */
export async function listCatalogVersions(tx: Tx): Promise<CatalogVersion[]> {
  return (await selectVersions(tx)).map(toVersion);
}

/** A version with its items, by id or number. */
export async function getCatalogVersion(
  tx: Tx,
  ref: { id: string } | { number: string },
): Promise<{ version: CatalogVersion; items: CatalogItem[] }> {
  const row = 'id' in ref ? await findVersion(tx, ref.id) : await findVersionByNumber(tx, ref.number);
  if (!row) throw new NotFoundError('catalog_version');
  const items = (await selectItems(tx, [row.id])).map(toCatalogItem);
  return { version: toVersion(row), items };
}

/**
 * The adopted catalogue as rating reads it, in two statements. Build it once per rating run (or per
 * request) and ask `priceAt` as often as needed.
 */
export async function loadPriceBook(tx: Tx): Promise<PriceBook<CatalogVersion>> {
  const versions = (await selectVersions(tx)).filter((v) => v.status === 'adopted').map(toVersion);
  const items = await selectItems(
    tx,
    versions.map((v) => v.id),
  );
  const byVersion = new Map<string, CatalogItem[]>();
  for (const r of items) {
    const list = byVersion.get(r.version_id) ?? [];
    list.push(toCatalogItem(r));
    byVersion.set(r.version_id, list);
  }
  return new PriceBook(versions.map((version) => ({ version, items: byVersion.get(version.id) ?? [] })));
}

/** The item (with price) of a service in the version in force on `day`; one question, one look-up. */
export async function priceAt(tx: Tx, serviceCode: string, day: string) {
  return (await loadPriceBook(tx)).priceAt(serviceCode, day);
}

function checkItem(item: CatalogItem): FieldIssue[] {
  return checkPrice(item.price).map((code) => ({
    field: `${item.serviceCode}.price`,
    code: `price.${code}`,
  }));
}

/** Drafts a new version, copying the items of `basedOn` (an adopted or draft version) if given. */
export async function draftCatalogVersion(
  tx: Tx,
  input: {
    number: string;
    title: string;
    basedOn?: string | null;
    inForceFrom?: string | null;
    items?: CatalogItem[];
  },
): Promise<CatalogVersion> {
  requirePermission(tx.ctx, 'catalog.edit');
  const issues: FieldIssue[] = [];
  if (!/^\d{1,3}\.\d{1,3}$/.test(input.number))
    issues.push({ field: 'number', code: 'catalog.number_format' });
  if (input.title.trim().length === 0) issues.push({ field: 'title', code: 'catalog.title_required' });
  if (input.inForceFrom != null && !isIsoDate(input.inForceFrom)) {
    issues.push({ field: 'inForceFrom', code: 'date.invalid' });
  }
  for (const item of input.items ?? []) issues.push(...checkItem(item));
  if (issues.length) throw new ValidationError(issues);
  if (await findVersionByNumber(tx, input.number)) throw new ConflictError('catalog.number_taken', 'number');
  const base = input.basedOn ? await findVersion(tx, input.basedOn) : undefined;
  if (input.basedOn && !base) throw new NotFoundError('catalog_version');
  const row = await insertVersion(tx, {
    number: input.number,
    title: input.title.trim(),
    status: 'draft',
    based_on: base?.id ?? null,
    in_force_from: input.inForceFrom ?? null,
  });
  const items = input.items ?? (base ? (await selectItems(tx, [base.id])).map(toCatalogItem) : []);
  await insertItems(tx, row.id, items);
  recordAudit(tx, {
    action: 'catalog.version_drafted',
    memberId: await associationMemberId(tx),
    objectType: 'catalog_version',
    objectId: row.id,
    data: { number: row.number, items },
    details: { number: row.number, items: items.length },
  });
  return toVersion(row);
}

async function draftForEdit(tx: Tx, versionId: string): Promise<CatalogVersionRow> {
  const row = await findVersionForUpdate(tx, versionId);
  if (!row) throw new NotFoundError('catalog_version');
  if (row.status !== 'draft') throw new InvalidStateError('catalog.version_adopted');
  return row;
}

/** Adds or replaces one service of a draft. An adopted version is never edited. */
export async function setDraftItem(tx: Tx, versionId: string, item: CatalogItem): Promise<void> {
  requirePermission(tx.ctx, 'catalog.edit');
  const row = await draftForEdit(tx, versionId);
  const issues = checkItem(item);
  if (issues.length) throw new ValidationError(issues);
  await upsertItem(tx, row.id, item);
  recordAudit(tx, {
    action: 'catalog.item_changed',
    memberId: await associationMemberId(tx),
    objectType: 'catalog_version',
    objectId: row.id,
    data: item,
    details: { number: row.number, service: item.serviceCode },
  });
}

/** Removes one service from a draft. */
export async function removeDraftItem(tx: Tx, versionId: string, serviceCode: string): Promise<void> {
  requirePermission(tx.ctx, 'catalog.edit');
  const row = await draftForEdit(tx, versionId);
  if ((await deleteItem(tx, row.id, serviceCode)) === 0) throw new NotFoundError('catalog_item');
  recordAudit(tx, {
    action: 'catalog.item_changed',
    memberId: await associationMemberId(tx),
    objectType: 'catalog_version',
    objectId: row.id,
    details: { number: row.number, service: serviceCode, removed: true },
  });
}

/**
 * Adopts a draft: from now on it is frozen and in force from `inForceFrom` until the next adopted
 * version starts. Refused when another adopted version starts on the same day (the periods would
 * overlap), when it starts before it is adopted, when it is empty or a price is invalid.
 * Called by the assembly's resolution ([4/7] governance) or, for versions adopted before Allmende,
 * with a text reference to the resolution.
 */
export async function adoptCatalogVersion(
  tx: Tx,
  versionId: string,
  input: {
    adoptedOn: string;
    inForceFrom: string;
    resolutionId?: string | null;
    resolutionRef?: string | null;
  },
): Promise<CatalogVersion> {
  requirePermission(tx.ctx, 'catalog.adopt');
  await lockAdoptedVersions(tx);
  const row = await draftForEdit(tx, versionId);
  const issues: FieldIssue[] = [];
  if (!isIsoDate(input.adoptedOn)) issues.push({ field: 'adoptedOn', code: 'date.invalid' });
  if (!isIsoDate(input.inForceFrom)) issues.push({ field: 'inForceFrom', code: 'date.invalid' });
  else if (isIsoDate(input.adoptedOn) && input.inForceFrom < input.adoptedOn) {
    issues.push({ field: 'inForceFrom', code: 'catalog.in_force_before_adoption' });
  }
  const items = (await selectItems(tx, [row.id])).map(toCatalogItem);
  if (items.length === 0) issues.push({ field: 'items', code: 'catalog.empty' });
  for (const item of items) issues.push(...checkItem(item));
  if (issues.length) throw new ValidationError(issues);
  const others = (await selectVersions(tx)).map((v) => toVersionInfo(v));
  const clash = startsOnSameDay(others, input.inForceFrom, row.id);
  if (clash) throw new ConflictError('catalog.in_force_overlap', 'inForceFrom');
  const adopted = await markAdopted(tx, row.id, {
    adoptedOn: input.adoptedOn,
    inForceFrom: input.inForceFrom,
    resolutionId: input.resolutionId ?? null,
    resolutionRef: input.resolutionRef ?? null,
  });
  recordAudit(tx, {
    action: 'catalog.version_adopted',
    memberId: await associationMemberId(tx),
    objectType: 'catalog_version',
    objectId: row.id,
    data: { number: row.number, items },
    details: { number: row.number, in_force_from: input.inForceFrom, adopted_on: input.adoptedOn },
  });
  return toVersion(adopted);
}

/** What changed from version `fromId` to version `toId`. */
export async function diffCatalogVersions(
  tx: Tx,
  fromId: string,
  toId: string,
): Promise<{ from: CatalogVersion; to: CatalogVersion; entries: CatalogDiffEntry[] }> {
  const [a, b] = [await getCatalogVersion(tx, { id: fromId }), await getCatalogVersion(tx, { id: toId })];
  return { from: a.version, to: b.version, entries: diffCatalog(a.items, b.items) };
}

/**
 * Loads the demo catalogue (versions 1.0 and 2.0, example prices) through the same steps a finance user
 * and the assembly take: draft, then adopt. Skipped where versions exist already.
 */
export async function seedDemoCatalog(tx: Tx): Promise<number> {
  if ((await selectVersions(tx)).length > 0) return 0;
  await upsertCategories(tx, DEMO_CATEGORIES);
  let based: string | null = null;
  for (const v of DEMO_VERSIONS) {
    const draft: CatalogVersion = await draftCatalogVersion(tx, {
      number: v.number,
      title: v.title,
      basedOn: based,
      items: [...v.items],
    });
    await adoptCatalogVersion(tx, draft.id, {
      adoptedOn: v.adoptedOn,
      inForceFrom: v.inForceFrom,
      resolutionRef: v.resolutionRef,
    });
    based = draft.id;
  }
  // Version 2.0 stays a draft: the demo assembly adopts it by resolution (governance.demo.ts).
  await draftCatalogVersion(tx, {
    ...DEMO_VERSION_2_0_DRAFT,
    basedOn: based,
    items: [...DEMO_VERSION_2_0_DRAFT.items],
  });
  return DEMO_VERSIONS.length + 1;
}

/** Categories and units with their names, for pages. */
export async function catalogLookups(tx: Tx) {
  const [categories, units] = [await selectCategories(tx), await selectUnits(tx)];
  return {
    categories: categories.map((c) => ({ code: c.code, nameDe: c.name_de, nameEn: c.name_en })),
    units: new Map(units.map((u) => [u.code, { de: u.name_de, en: u.name_en }])),
  };
}
