/**
 * The catalogue's staff pages and a member's agreements page over HTTP, on both databases: drafting a
 * version from another, editing a draft's price in euros (stored as exact cents), the refusal to edit an
 * adopted version, the comparison (public for adopted versions, drafts only for the association's
 * editors), booking, changing and cancelling an agreement (a cancellation before the notice period is
 * refused and changes nothing), the month's costs with VAT, and the member wall.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAgreements } from '../../src/modules/catalog/agreements.service.js';
import {
  adoptCatalogVersion,
  draftCatalogVersion,
  getCatalogVersion,
} from '../../src/modules/catalog/catalog.service.js';
import { fixedClock } from '../../src/shared/clock.js';
import {
  Client,
  DEMO,
  loggedIn,
  memberIdByName,
  readAll,
  type TestApp,
  testApp,
  writeAll,
} from '../helpers.js';

let t: TestApp;
let panketal: string;
let belzig: string;
let niemegkMunicipality: string;
beforeAll(async () => {
  // The request clock: 2026-03-10 (2.0 in force since 2022).
  t = await testApp({ clock: fixedClock('2026-03-10') });
  panketal = await memberIdByName(t.database, 'Panketal');
  belzig = await memberIdByName(t.database, 'Bad Belzig');
  niemegkMunicipality = await memberIdByName(t.database, 'Niemegk');
});
afterAll(async () => t?.close());

const version = (number: string) => readAll(t.database, (tx) => getCatalogVersion(tx, { number }));
const agreementsOf = (memberId: string) => readAll(t.database, (tx) => listAgreements(tx, memberId));

describe('catalogue versions (association)', () => {
  let finance: Client;
  beforeAll(async () => {
    finance = await loggedIn(t.app, DEMO.associationFinance);
  });

  it('lists the versions with their state, adoption and resolution', async () => {
    const res = await finance.get('/leistungen/versionen');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Leistungs- und Entgeltverzeichnis 2.0');
    expect(res.body).toContain('in Kraft seit 01.01.2022');
    expect(res.body).toContain('abgelöst');
    expect(res.body).toContain('11.03.2021');
    expect(res.body).toContain('Neuen Entwurf anlegen');
  });

  it('is not for member staff or visitors', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    expect((await admin.get('/leistungen/versionen')).statusCode).toBe(403);
    expect((await admin.get('/leistungen/versionen/2.0')).statusCode).toBe(403);
    const visitor = await new Client(t.app).get('/leistungen/versionen');
    expect([302, 303, 401]).toContain(visitor.statusCode);
  });

  it('drafts 2.7 from 2.0, changes a price typed in euros, and compares', async () => {
    await finance.get('/leistungen/versionen');
    const v20 = await version('2.0');
    let res = await finance.postForm('/leistungen/versionen', {
      number: '2.7',
      basedOn: v20.version.id,
      inForceFrom: '2027-01-01',
      title: '',
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/leistungen/versionen/2.7');
    const draft = await version('2.7');
    expect(draft.version).toMatchObject({ status: 'draft', inForceFrom: '2027-01-01' });
    expect(draft.version.title).toBe('Leistungs- und Entgeltverzeichnis 2.7');
    expect(draft.items.length).toBe(v20.items.length);

    res = await finance.get('/leistungen/versionen/2.7');
    expect(res.body).toContain('Entwurf – noch nicht in Kraft');
    expect(res.body).toContain('href="/versammlung"');

    // The edit form shows 0,035 € for 3.5 cents; a new price of 0,0375 € is stored as "3.75" cents.
    res = await finance.get('/leistungen/versionen/2.7/leistungen/druck-sw');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/name="unitPrice"[^>]*value="0,035"/);
    const form = Object.fromEntries(
      [...res.body.matchAll(/<input[^>]*name="([^"_]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    const selected = Object.fromEntries(
      [...res.body.matchAll(/<select[^>]*name="(\w+)"[\s\S]*?<\/select>/g)].map((m) => [
        m[1],
        /<option value="([^"]*)" selected/.exec(m[0])?.[1] ?? '',
      ]),
    );
    res = await finance.postForm('/leistungen/versionen/2.7/leistungen/druck-sw', {
      ...form,
      ...selected,
      unitPrice: '0,0375',
    });
    expect(res.statusCode, res.body).toBe(303);
    const item = (await version('2.7')).items.find((i) => i.serviceCode === 'druck-sw');
    expect(item?.price).toEqual({ model: 'unit', unitCents: '3.75' });

    // A bad amount is shown at its field, nothing changes.
    await finance.get('/leistungen/versionen/2.7/leistungen/druck-sw');
    res = await finance.postForm('/leistungen/versionen/2.7/leistungen/druck-sw', {
      ...form,
      ...selected,
      unitPrice: '3,5,0',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="error-summary"');
    expect(res.body).toMatch(/id="f-unitPrice"[^>]*aria-invalid="true"/);

    // The comparison shows the change with its percent (3,5 → 3,75 ct: +7,1 %).
    res = await finance.get('/leistungen/vergleich?von=2.0&bis=2.7');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('0,035 €');
    expect(res.body).toContain('0,0375 €');
    expect(res.body).toContain('+7,1 %');
    // Visitors do not see drafts.
    const visitor = await new Client(t.app).get('/leistungen/vergleich?von=2.0&bis=2.7');
    expect(visitor.statusCode).toBe(404);
    expect(visitor.body).not.toContain('0,0375');
  });

  it('adds and removes a service of a draft', async () => {
    await finance.get('/leistungen/versionen/2.7/neue-leistung');
    let res = await finance.postForm('/leistungen/versionen/2.7/neue-leistung', {
      serviceCode: 'test-pauschale',
      number: '9.9',
      categoryCode: 'groupware',
      nameDe: 'Testpauschale',
      nameEn: '',
      unitCode: 'pauschal-monat',
      meterKey: '',
      aggregation: '',
      model: 'graduated',
      tier1UpTo: '1.000',
      tier1Price: '1,50',
      tier2UpTo: '',
      tier2Price: '1,25',
      tier2Flat: '10,00',
      vat: 'standard',
      noticeDays: '30',
    });
    expect(res.statusCode, res.body.slice(0, 3000)).toBe(303);
    const added = (await version('2.7')).items.find((i) => i.serviceCode === 'test-pauschale');
    expect(added?.price).toEqual({
      model: 'graduated',
      tiers: [
        { upTo: '1000', unitCents: '150' },
        { upTo: null, unitCents: '125', flatCents: 1000 },
      ],
    });
    await finance.get('/leistungen/versionen/2.7');
    res = await finance.postForm('/leistungen/versionen/2.7/leistungen/test-pauschale/entfernen', {});
    expect(res.statusCode).toBe(303);
    expect((await version('2.7')).items.some((i) => i.serviceCode === 'test-pauschale')).toBe(false);
  });

  it('refuses every edit of an adopted version with a clear message, changing nothing', async () => {
    const before = await version('2.0');
    let res = await finance.get('/leistungen/versionen/2.0');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Nur zum Lesen');
    expect(res.body).not.toContain('/entfernen');
    res = await finance.get('/leistungen/versionen/2.0/leistungen/druck-sw');
    expect(res.body).not.toContain('name="unitPrice"');
    res = await finance.postForm('/leistungen/versionen/2.0/leistungen/druck-sw', {
      number: '5.1',
      categoryCode: 'druck',
      nameDe: 'Druck',
      unitCode: 'seite',
      model: 'unit',
      unitPrice: '1,00',
      vat: 'standard',
    });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Diese Version ist beschlossen und kann nicht mehr geändert werden.');
    res = await finance.postForm('/leistungen/versionen/2.0/leistungen/druck-sw/entfernen', {});
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Diese Version ist beschlossen');
    expect(await version('2.0')).toEqual(before);
  });

  it('refuses a taken version number at its field', async () => {
    await finance.get('/leistungen/versionen');
    const res = await finance.postForm('/leistungen/versionen', { number: '2.0', basedOn: '', title: '' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toMatch(/id="f-number"[^>]*aria-invalid="true"/);
  });

  it('the public comparison of adopted versions works without login', async () => {
    const res = await new Client(t.app).get('/leistungen/vergleich?von=1.0&bis=2.0');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('geändert');
    expect(res.body).toMatch(/[+−]\d+(,\d)? %/);
    const def = await new Client(t.app).get('/leistungen/vergleich');
    expect(def.statusCode).toBe(200);
    expect(def.body).toContain('Je Einwohner und Jahr: 0,40 € → 0,45 € (+12,5 %)');
  });
});

describe("a member's agreements", () => {
  it('shows the agreements and the month cost with net, VAT and gross', async () => {
    const c = await loggedIn(t.app, DEMO.panketalAdmin);
    const res = await c.get(`/mitglieder/${panketal}/vereinbarungen?monat=2026-03`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Leistungsvereinbarungen: Panketal');
    expect(res.body).toContain('Kosten im März 2026');
    // 40 mailboxes at 3,50 € a month: 140,00 € net.
    expect(res.body).toContain('140,00 €');
    expect(res.body).toContain('Netto');
    expect(res.body).toContain('Brutto');
    expect(res.body).toContain('Leistung buchen');
  });

  it('books a service with a quantity typed with a comma, changes it and cancels after the notice', async () => {
    const c = await loggedIn(t.app, DEMO.panketalAdmin);
    await c.get(`/mitglieder/${panketal}/vereinbarungen`);
    let res = await c.postForm(`/mitglieder/${panketal}/vereinbarungen`, {
      serviceCode: 'vois-gebuehrenkasse',
      startsOn: '2026-04-01',
      endsOn: '',
      quantity: '2',
    });
    expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
    const booked = (await agreementsOf(panketal)).find((a) => a.serviceCode === 'vois-gebuehrenkasse')!;
    expect(res.headers.location).toBe(`/mitglieder/${panketal}/vereinbarungen/${booked.id}`);
    res = await c.get(`/mitglieder/${panketal}/vereinbarungen?monat=2026-04`);
    expect(res.body).toContain('Gebührenkasse');
    // 2 × 45,00 €, 19 % VAT: 90,00 € net, 17,10 € VAT, 107,10 € gross.
    expect(res.body).toContain('90,00 €');

    res = await c.get(`/mitglieder/${panketal}/vereinbarungen/${booked.id}`);
    expect(res.body).toContain('Frühestes Ende');
    res = await c.postForm(`/mitglieder/${panketal}/vereinbarungen/${booked.id}/menge`, {
      version: String(booked.version),
      from: '2026-05-01',
      quantity: '3,0',
    });
    expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
    const changed = (await agreementsOf(panketal)).find((a) => a.id === booked.id)!;
    expect(changed.terms.at(-1)).toEqual({ validFrom: '2026-05-01', validUntil: null, quantity: '3' });

    // Notice given on 2026-03-10: the earliest end (by the notice period) is shown, an earlier one refused.
    await c.get(`/mitglieder/${panketal}/vereinbarungen/${booked.id}`);
    res = await c.postForm(`/mitglieder/${panketal}/vereinbarungen/${booked.id}/kuendigen`, {
      version: String(changed.version),
      endsOn: '2026-04-30',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Die Kündigungsfrist dieser Leistung lässt dieses Ende noch nicht zu.');
    expect(res.body).toMatch(/Frühestes Ende: \d\d\.\d\d\.2026/);
    expect((await agreementsOf(panketal)).find((a) => a.id === booked.id)).toEqual(changed);

    // The form offers the earliest end.
    const page = await c.get(`/mitglieder/${panketal}/vereinbarungen/${booked.id}`);
    const m = /name="endsOn"[^>]*value="(\d{4}-\d\d-\d\d)"/.exec(page.body);
    expect(m?.[1]).toBe('2026-06-08');
    res = await c.postForm(`/mitglieder/${panketal}/vereinbarungen/${booked.id}/kuendigen`, {
      version: String(changed.version),
      endsOn: m?.[1] ?? '',
    });
    expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
    const cancelled = (await agreementsOf(panketal)).find((a) => a.id === booked.id)!;
    expect(cancelled).toMatchObject({ endsOn: m?.[1], noticeGivenOn: '2026-03-10' });
  });

  it('a booking with errors shows them at the fields and books nothing', async () => {
    const c = await loggedIn(t.app, DEMO.panketalAdmin);
    const before = await agreementsOf(panketal);
    await c.get(`/mitglieder/${panketal}/vereinbarungen`);
    const res = await c.postForm(`/mitglieder/${panketal}/vereinbarungen`, {
      serviceCode: 'kollaboration',
      startsOn: '2026-04-01',
      quantity: '',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="error-summary"');
    expect(await agreementsOf(panketal)).toEqual(before);
  });

  it("a member's admin cannot open or change another member's agreements (404), a clerk cannot book (403)", async () => {
    const c = await loggedIn(t.app, DEMO.panketalAdmin);
    const theirs = (await agreementsOf(belzig))[0]!;
    const before = await agreementsOf(belzig);
    expect((await c.get(`/mitglieder/${belzig}/vereinbarungen`)).statusCode).toBe(404);
    expect((await c.get(`/mitglieder/${belzig}/vereinbarungen/${theirs.id}`)).statusCode).toBe(404);
    // Another member's agreement under one's own member id is not found either.
    expect((await c.get(`/mitglieder/${panketal}/vereinbarungen/${theirs.id}`)).statusCode).toBe(404);
    await c.get('/konto');
    const res = await c.postForm(`/mitglieder/${belzig}/vereinbarungen/${theirs.id}/kuendigen`, {
      version: String(theirs.version),
    });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Bad Belzig');
    expect(await agreementsOf(belzig)).toEqual(before);

    const clerk = await loggedIn(t.app, DEMO.badBelzigClerk);
    const own = await clerk.get(`/mitglieder/${belzig}/vereinbarungen`);
    expect(own.statusCode).toBe(200);
    expect(own.body).not.toContain('Leistung buchen');
    await clerk.get('/konto');
    const refused = await clerk.postForm(`/mitglieder/${belzig}/vereinbarungen`, {
      serviceCode: 'netz-standort',
      startsOn: '2030-01-01',
      quantity: '1',
    });
    expect(refused.statusCode).toBe(403);
    expect(await agreementsOf(belzig)).toEqual(before);
  });

  it("an Amt's clerk sees its municipalities' agreements; the association sees every member's", async () => {
    const amt = await loggedIn(t.app, DEMO.niemegkClerk);
    expect((await amt.get(`/mitglieder/${niemegkMunicipality}/vereinbarungen`)).statusCode).toBe(200);
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const res = await admin.get(`/mitglieder/${belzig}/vereinbarungen`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Leistungsvereinbarungen: Bad Belzig');
    const detail = await admin.get(`/mitglieder/${belzig}`);
    expect(detail.body).toContain(`href="/mitglieder/${belzig}/vereinbarungen"`);
  });

  it('adds VAT by the treatment of the version in force, rounded half-up per agreement', async () => {
    // A later version charges the mailboxes with 19 % VAT.
    await writeAll(t.database, async (tx) => {
      const v20 = await getCatalogVersion(tx, { number: '2.0' });
      const items = v20.items.map((i) =>
        i.serviceCode === 'kollaboration' ? { ...i, vat: 'standard' as const, vatNote: null } : i,
      );
      const draft = await draftCatalogVersion(tx, { number: '9.0', title: 'Test 9.0', items });
      await adoptCatalogVersion(tx, draft.id, {
        adoptedOn: '2026-03-01',
        inForceFrom: '2030-01-01',
        resolutionRef: 'Test',
      });
    });
    const c = await loggedIn(t.app, DEMO.panketalAdmin);
    const res = await c.get(`/mitglieder/${panketal}/vereinbarungen?monat=2030-01`);
    expect(res.statusCode).toBe(200);
    // 40 × 3,50 € = 140,00 € net, 26,60 € VAT (19 %), 166,60 € gross.
    const row = /<tr[^>]*>(?:(?!<\/tr>)[\s\S])*Dateiablage(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(
      res.body.slice(res.body.indexOf('id="costs-h"')),
    )?.[0];
    expect(row).toContain('140,00 €');
    expect(row).toContain('26,60 €');
    expect(row).toContain('166,60 €');
    expect(row).toContain('(19 %)');
  });
});
