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
import { memberScope, systemCtx } from '../../src/shared/context.js';
import { ConflictError, InvalidStateError, ValidationError } from '../../src/shared/errors.js';
import { DEMO, loggedIn, memberIdByName, type TestApp, testApp, writeAll } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

const asAssociation = <T>(fn: (tx: Tx) => Promise<T>) => writeAll(t.database, fn);

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

describe('the catalogue API', () => {
  it('is public: versions with their state, a price on a day with its explanation, the diff', async () => {
    const versions = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/versions' });
    expect(versions.statusCode, versions.body).toBe(200);
    const states = Object.fromEntries(
      (versions.json().versions as { number: string; state: string }[]).map((v) => [v.number, v.state]),
    );
    expect(states).toMatchObject({ '1.0': 'superseded', '2.0': 'in_force' });
    expect(states['9.1']).toBeUndefined(); // a draft stays with the association

    const price = await t.app.inject({
      method: 'GET',
      url: '/api/v1/catalog/prices/vm-betrieb?date=2022-01-01&quantity=6200.5',
    });
    expect(price.statusCode, price.body).toBe(200);
    expect(price.json()).toMatchObject({
      version: { number: '2.0', inForceFrom: '2022-01-01' },
      charge: { amountCents: 35402, exactCents: '35402.25' },
    });
    expect(price.json().charge.explanation.at(-1)).toBe(
      'Betrag, kaufmännisch auf den Cent gerundet: 354,02 €',
    );

    const none = await t.app.inject({
      method: 'GET',
      url: '/api/v1/catalog/prices/vm-betrieb?date=2020-01-01',
    });
    expect(none.statusCode).toBe(404);
    expect(none.headers['content-type']).toMatch(/problem\+json/);

    const diff = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/diff?from=1.0&to=2.0' });
    expect(diff.statusCode, diff.body).toBe(200);
    const byCode = Object.fromEntries(
      (diff.json().entries as { serviceCode: string; change: string }[]).map((e) => [e.serviceCode, e]),
    );
    expect(byCode['it-consulting']).toMatchObject({
      change: 'changed',
      prices: [{ field: 'unitCents', from: '9500', to: '10500', percent: '10.5' }],
    });
    expect(byCode['online-antrag']).toMatchObject({ change: 'added' });
  });

  it("books through the API for one's own member; a clerk may not", async () => {
    const panketal = await memberIdByName(t.database, 'Panketal');
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const booked = await admin.api('POST', `/api/v1/members/${panketal}/agreements`, {
      serviceCode: 'netz-standort',
      startsOn: '2027-01-01',
      quantity: '1',
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const list = await admin.api('GET', `/api/v1/members/${panketal}/agreements`);
    expect(list.json().agreements.map((a: { serviceCode: string }) => a.serviceCode)).toContain(
      'netz-standort',
    );
    const costs = await admin.api('GET', `/api/v1/members/${panketal}/agreements/costs?month=2027-01`);
    expect(costs.statusCode, costs.body).toBe(200);
    expect(
      costs.json().agreements.find((a: { serviceCode: string }) => a.serviceCode === 'netz-standort'),
    ).toMatchObject({
      amountCents: 25000,
    });
    const bad = await admin.api('POST', `/api/v1/members/${panketal}/agreements`, {
      serviceCode: 'netz-standort',
      startsOn: '2027-02-01',
    });
    expect(bad.statusCode).toBe(422);
    const clerk = await loggedIn(t.app, DEMO.badBelzigClerk);
    const belzig = await memberIdByName(t.database, 'Bad Belzig');
    const refused = await clerk.api('POST', `/api/v1/members/${belzig}/agreements`, {
      serviceCode: 'netz-standort',
      startsOn: '2027-01-01',
      quantity: '1',
    });
    expect(refused.statusCode).toBe(403);
  });
});

describe('the public catalogue page', () => {
  it('shows the version in force to anyone, each price in words with a worked example, and the versions', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/leistungen' });
    expect(res.statusCode, res.body).toBe(200);
    const html = res.body;
    expect(html).toContain(
      'Leistungs- und Entgeltverzeichnis 2.0, beschlossen am 11.03.2021, in Kraft seit 01.01.2022',
    );
    expect(html).toContain('10 × 105,00 € je Stunde = 1.050,00 €');
    expect(html).toContain(
      '0,20 € je Einwohnerin und Einwohner im Jahr, monatlich ein Zwölftel; mindestens 25,00 € im Monat',
    );
    for (const category of [
      'IT-Strategie',
      'Fachanwendungen',
      'Rechenzentrums- und Netzbetrieb',
      'Groupware',
      'Druck &amp; Kuvertierung',
      'Online-Dienste',
    ]) {
      expect(html).toContain(category);
    }
    expect(html).toContain('1.1 IT-Consulting');
    expect(html).toContain('105,00 € je Stunde');
    expect(html).toContain('gestaffelt je VM-Stunde: bis 5.000 je 0,06 €; über 5.000 je 0,045 €');
    expect(html).toContain('Betrag, kaufmännisch auf den Cent gerundet: 412,50 €'); // 7,500 VM-hours
    expect(html).toContain('Beispielwert');
    expect(html).toMatch(
      /Leistungs- und Entgeltverzeichnis 1\.0<\/a> – beschlossen am 10\.12\.2020, in Kraft ab 01\.01\.2021, gültig bis 31\.12\.2021/,
    );
  });
  it('filters by category and search (ä/ae, ß/ss alike), and shows an earlier version', async () => {
    const groupware = (await t.app.inject({ method: 'GET', url: '/leistungen?kategorie=groupware' })).body;
    expect(groupware).toContain('E-Mail-Postfach');
    expect(groupware).not.toContain('IT-Consulting');
    const search = (await t.app.inject({ method: 'GET', url: '/leistungen?q=Buergerservice' })).body;
    expect(search).toContain('Bürgerservice mit VOIS: Meldewesen');
    expect(search).not.toContain('E-Mail-Postfach');
    const old = (await t.app.inject({ method: 'GET', url: '/leistungen?version=1.0' })).body;
    expect(old).toContain('Sie sehen das Leistungs- und Entgeltverzeichnis 1.0');
    expect(old).toContain('95,00 € je Stunde');
    expect(old).not.toContain('Online-Antrag');
  });
});
