/**
 * The catalogue on a real database (PGlite and PostgreSQL): the demo versions, priceAt by the dates,
 * drafts visible only to the association, and the refusals that keep in-force periods from overlapping
 * and adopted versions from changing — each changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTx, type Tx } from '../../src/db/tx.js';
import {
  adoptCatalogVersion,
  diffCatalogVersions,
  draftCatalogVersion,
  getCatalogVersion,
  listCatalogVersions,
  loadPriceBook,
  priceAt,
  setDraftItem,
} from '../../src/modules/catalog/catalog.service.js';
import { charge } from '../../src/modules/catalog/pricing.js';
import { ALL_MEMBERS_WRITE, memberScope, systemCtx } from '../../src/shared/context.js';
import { ConflictError, InvalidStateError, ValidationError } from '../../src/shared/errors.js';
import { memberIdByName, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

const asAssociation = <T>(fn: (tx: Tx) => Promise<T>) =>
  runInTx(t.database, systemCtx('test', ALL_MEMBERS_WRITE), fn);

describe('the demo catalogue', () => {
  it('holds version 1.0 and 2.0, 2.0 adopted on 2021-03-11 and in force from 2022-01-01', async () => {
    const versions = await asAssociation((tx) => listCatalogVersions(tx));
    expect(versions.map((v) => [v.number, v.status, v.adoptedOn, v.inForceFrom])).toEqual([
      ['1.0', 'adopted', '2020-12-10', '2021-01-01'],
      ['2.0', 'adopted', '2021-03-11', '2022-01-01'],
    ]);
    const { items } = await asAssociation((tx) => getCatalogVersion(tx, { number: '2.0' }));
    expect(new Set(items.map((i) => i.categoryCode))).toEqual(
      new Set(['it-strategie', 'fachanwendungen', 'rechenzentrum', 'groupware', 'druck', 'online-dienste']),
    );
    const meters = new Set(items.map((i) => i.meterKey));
    for (const key of ['vm-stunden', 'speicher-gb', 'postfaecher', 'druckseiten', 'online-antrag']) {
      expect(meters.has(key), key).toBe(true);
    }
    expect(items.every((i) => i.isExample)).toBe(true);
  });

  it('prices a service by the version in force on the day of use', async () => {
    await asAssociation(async (tx) => {
      expect(await priceAt(tx, 'it-consulting', '2020-12-31')).toBeUndefined();
      expect((await priceAt(tx, 'it-consulting', '2021-12-31'))?.item.price).toEqual({
        model: 'unit',
        unitCents: '9500',
      });
      const p = await priceAt(tx, 'it-consulting', '2022-01-01');
      expect(p?.period.version.number).toBe('2.0');
      expect(charge(p!.item.price, { quantity: '7.25' }).amountCents).toBe(76125);
      const book = await loadPriceBook(tx);
      expect(book.itemsForMeter('postfaecher', '2026-12-02').map((i) => i.serviceCode)).toEqual(['postfach']);
    });
  });

  it('is public once adopted: a member (and nobody in particular) reads it, never a draft', async () => {
    const draft = await asAssociation((tx) =>
      draftCatalogVersion(tx, { number: '9.1', title: 'Geheimer Entwurf', basedOn: null }),
    );
    const potsdam = await memberIdByName(t.database, 'Landeshauptstadt Potsdam');
    const seen = await runInTx(t.database, systemCtx('test', memberScope(potsdam, true)), (tx) =>
      listCatalogVersions(tx),
    );
    expect(seen.map((v) => v.number)).toEqual(['1.0', '2.0']);
    const anonymous = await runInTx(
      t.database,
      systemCtx('test', { allMembers: false, memberIds: [], readOnly: true }),
      (tx) => listCatalogVersions(tx),
    );
    expect(anonymous.map((v) => v.number)).toEqual(['1.0', '2.0']);
    expect(draft.status).toBe('draft');
  });
});

describe('refusals change nothing', () => {
  it('refuses a second version in force from the same day', async () => {
    const v20 = (await asAssociation((tx) => getCatalogVersion(tx, { number: '2.0' }))).version;
    const draft = await asAssociation((tx) =>
      draftCatalogVersion(tx, { number: '2.1', title: 'LEV 2.1', basedOn: v20.id }),
    );
    await expect(
      asAssociation((tx) =>
        adoptCatalogVersion(tx, draft.id, { adoptedOn: '2021-06-01', inForceFrom: '2022-01-01' }),
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      asAssociation((tx) =>
        adoptCatalogVersion(tx, draft.id, { adoptedOn: '2027-06-01', inForceFrom: '2027-01-01' }),
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    const after = await asAssociation((tx) => getCatalogVersion(tx, { id: draft.id }));
    expect(after.version.status).toBe('draft');
    expect(after.items).toHaveLength(20);
  });

  it('refuses to edit an adopted version, in the service and in the database', async () => {
    const v20 = (await asAssociation((tx) => getCatalogVersion(tx, { number: '2.0' }))).version;
    const before = await asAssociation((tx) => getCatalogVersion(tx, { id: v20.id }));
    const consulting = before.items.find((i) => i.serviceCode === 'it-consulting')!;
    await expect(
      asAssociation((tx) =>
        setDraftItem(tx, v20.id, { ...consulting, price: { model: 'unit', unitCents: '1' } }),
      ),
    ).rejects.toBeInstanceOf(InvalidStateError);
    // The second wall: even SQL that bypasses the service cannot change it.
    await expect(
      asAssociation((tx) =>
        tx.db
          .updateTable('catalog_items')
          .set({ price: JSON.stringify({ model: 'unit', unitCents: '1' }) })
          .where('version_id', '=', v20.id)
          .execute(),
      ),
    ).rejects.toThrow(/adopted/);
    await expect(
      asAssociation((tx) =>
        tx.db
          .updateTable('catalog_versions')
          .set({ in_force_from: '2023-01-01' })
          .where('id', '=', v20.id)
          .execute(),
      ),
    ).rejects.toThrow(/adopted/);
    const after = await asAssociation((tx) => getCatalogVersion(tx, { id: v20.id }));
    expect(after).toEqual(before);
  });

  it('refuses an invalid price in a draft', async () => {
    const draft = await asAssociation((tx) => draftCatalogVersion(tx, { number: '3.0', title: 'LEV 3.0' }));
    await expect(
      asAssociation((tx) =>
        setDraftItem(tx, draft.id, {
          serviceCode: 'kaputt',
          number: '1.1',
          categoryCode: 'it-strategie',
          nameDe: 'Kaputt',
          nameEn: 'Broken',
          unitCode: 'stunde',
          meterKey: null,
          aggregation: null,
          price: { model: 'graduated', tiers: [{ upTo: '10', unitCents: '1' }] },
          vat: 'standard',
          vatNote: null,
          noticeDays: 0,
          isExample: false,
        }),
      ),
    ).rejects.toMatchObject({ issues: [{ field: 'kaputt.price', code: 'price.tiers.unbounded' }] });
  });
});

describe('a new version adopted and compared', () => {
  it('puts 2.2 in force from its date and shows the changed price in the diff', async () => {
    const v20 = (await asAssociation((tx) => getCatalogVersion(tx, { number: '2.0' }))).version;
    const draft = await asAssociation((tx) =>
      draftCatalogVersion(tx, { number: '2.2', title: 'LEV 2.2', basedOn: v20.id }),
    );
    const base = (await asAssociation((tx) => getCatalogVersion(tx, { id: draft.id }))).items;
    const consulting = base.find((i) => i.serviceCode === 'it-consulting')!;
    await asAssociation((tx) =>
      setDraftItem(tx, draft.id, { ...consulting, price: { model: 'unit', unitCents: '11025' } }),
    );
    await asAssociation((tx) =>
      adoptCatalogVersion(tx, draft.id, { adoptedOn: '2027-03-10', inForceFrom: '2027-07-01' }),
    );
    const diff = await asAssociation((tx) => diffCatalogVersions(tx, v20.id, draft.id));
    expect(diff.entries).toEqual([
      expect.objectContaining({
        change: 'changed',
        serviceCode: 'it-consulting',
        prices: [{ field: 'unitCents', from: '10500', to: '11025', percent: '5' }],
      }),
    ]);
    await asAssociation(async (tx) => {
      expect((await priceAt(tx, 'it-consulting', '2027-06-30'))?.period.version.number).toBe('2.0');
      expect((await priceAt(tx, 'it-consulting', '2027-07-01'))?.item.price).toEqual({
        model: 'unit',
        unitCents: '11025',
      });
    });
  });
});
