/** SQL for the catalogue. Row-level security shows drafts only to the association. */
import type { Insertable, Selectable } from 'kysely';
import type { CatalogItemsTable, CatalogVersionsTable } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';
import type { CatalogItem, CatalogVersionInfo } from './price-book.js';
import type { Price } from './pricing.js';

export type CatalogVersionRow = Selectable<CatalogVersionsTable>;
export type CatalogItemRow = Selectable<CatalogItemsTable>;

export function toVersionInfo(r: CatalogVersionRow): CatalogVersionInfo & { row: CatalogVersionRow } {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    inForceFrom: r.in_force_from,
    adoptedOn: r.adopted_on,
    row: r,
  };
}

export function toCatalogItem(r: CatalogItemRow): CatalogItem {
  return {
    serviceCode: r.service_code,
    number: r.number,
    categoryCode: r.category_code,
    nameDe: r.name_de,
    nameEn: r.name_en,
    descriptionDe: r.description_de,
    descriptionEn: r.description_en,
    unitCode: r.unit_code,
    meterKey: r.meter_key,
    aggregation: r.aggregation,
    price: r.price as Price,
    vat: r.vat,
    vatNote: r.vat_note,
    noticeDays: r.notice_days,
    isExample: r.is_example,
  };
}

export async function selectVersions(tx: Tx): Promise<CatalogVersionRow[]> {
  return tx.db.selectFrom('catalog_versions').selectAll().orderBy('created_at').orderBy('number').execute();
}

export async function findVersion(tx: Tx, id: string): Promise<CatalogVersionRow | undefined> {
  return tx.db.selectFrom('catalog_versions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findVersionByNumber(tx: Tx, number: string): Promise<CatalogVersionRow | undefined> {
  return tx.db.selectFrom('catalog_versions').selectAll().where('number', '=', number).executeTakeFirst();
}

export async function findVersionForUpdate(tx: Tx, id: string): Promise<CatalogVersionRow | undefined> {
  return tx.db.selectFrom('catalog_versions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * Serialises adoptions: the check "no other adopted version starts that day" and the adoption are one
 * step (the unique index is the second wall).
 */
export async function lockAdoptedVersions(tx: Tx): Promise<void> {
  await tx.db
    .selectFrom('catalog_versions')
    .select('id')
    .where('status', '=', 'adopted')
    .forUpdate()
    .execute();
}

export async function insertVersion(
  tx: Tx,
  row: Insertable<CatalogVersionsTable>,
): Promise<CatalogVersionRow> {
  return tx.db.insertInto('catalog_versions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function markAdopted(
  tx: Tx,
  id: string,
  adoption: {
    adoptedOn: string;
    inForceFrom: string;
    resolutionId: string | null;
    resolutionRef: string | null;
  },
): Promise<CatalogVersionRow> {
  return tx.db
    .updateTable('catalog_versions')
    .set((eb) => ({
      status: 'adopted',
      adopted_on: adoption.adoptedOn,
      in_force_from: adoption.inForceFrom,
      resolution_id: adoption.resolutionId,
      resolution_ref: adoption.resolutionRef,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function selectItems(tx: Tx, versionIds: readonly string[]): Promise<CatalogItemRow[]> {
  if (versionIds.length === 0) return [];
  return tx.db
    .selectFrom('catalog_items')
    .selectAll()
    .where('version_id', 'in', versionIds)
    .orderBy('version_id')
    .orderBy('number')
    .execute();
}

function itemRow(versionId: string, i: CatalogItem): Insertable<CatalogItemsTable> {
  return {
    version_id: versionId,
    service_code: i.serviceCode,
    number: i.number,
    category_code: i.categoryCode,
    name_de: i.nameDe,
    name_en: i.nameEn,
    description_de: i.descriptionDe ?? '',
    description_en: i.descriptionEn ?? '',
    unit_code: i.unitCode,
    meter_key: i.meterKey,
    aggregation: i.aggregation as CatalogItemsTable['aggregation'],
    price: JSON.stringify(i.price),
    vat: i.vat,
    vat_note: i.vatNote,
    notice_days: i.noticeDays,
    is_example: i.isExample,
  };
}

export async function insertItems(tx: Tx, versionId: string, items: readonly CatalogItem[]): Promise<void> {
  if (items.length === 0) return;
  await tx.db
    .insertInto('catalog_items')
    .values(items.map((i) => itemRow(versionId, i)))
    .execute();
}

export async function upsertItem(tx: Tx, versionId: string, item: CatalogItem): Promise<void> {
  const row = itemRow(versionId, item);
  const { version_id: _v, service_code: _s, ...rest } = row;
  await tx.db
    .insertInto('catalog_items')
    .values(row)
    .onConflict((oc) => oc.columns(['version_id', 'service_code']).doUpdateSet(rest))
    .execute();
}

export async function deleteItem(tx: Tx, versionId: string, serviceCode: string): Promise<number> {
  const r = await tx.db
    .deleteFrom('catalog_items')
    .where('version_id', '=', versionId)
    .where('service_code', '=', serviceCode)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function upsertCategories(
  tx: Tx,
  categories: readonly { code: string; position: number; nameDe: string; nameEn: string }[],
): Promise<void> {
  if (categories.length === 0) return;
  await tx.db
    .insertInto('catalog_categories')
    .values(
      categories.map((c) => ({ code: c.code, position: c.position, name_de: c.nameDe, name_en: c.nameEn })),
    )
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        position: eb.ref('excluded.position'),
        name_de: eb.ref('excluded.name_de'),
        name_en: eb.ref('excluded.name_en'),
      })),
    )
    .execute();
}

export async function selectCategories(tx: Tx) {
  return tx.db.selectFrom('catalog_categories').selectAll().orderBy('position').execute();
}

export async function selectUnits(tx: Tx) {
  return tx.db.selectFrom('catalog_units').selectAll().orderBy('position').execute();
}
