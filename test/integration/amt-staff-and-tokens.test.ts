/**
 * An Amt's staff on one of its municipalities' pages (one "Personen" target, the menu item highlighted,
 * the breadcrumb Amt → municipality, the empty state naming the Amt's staff) and the token form keeping
 * a typed "Gültig bis" after a validation error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, loggedIn, memberIdByName, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
let amt: string;
let niemegk: string;
let panketal: string;
beforeAll(async () => {
  t = await testApp();
  amt = await memberIdByName(t.database, 'Amt Niemegk');
  niemegk = await memberIdByName(t.database, 'Niemegk');
  panketal = await memberIdByName(t.database, 'Panketal');
});
afterAll(async () => t?.close());

/** The links of the main navigation, the highlighted one, the breadcrumb, and every link named "Personen". */
function parts(html: string) {
  const nav = /<nav aria-label="Hauptnavigation"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  const crumbs = /<nav aria-label="Brotkrumen[^"]*"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  const links = (s: string) =>
    [...s.matchAll(/<a\b[^>]*href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({
      href: m[1]!,
      text: m[2]!.replace(/<[^>]+>/g, '').trim(),
      current: /aria-current="page"/.test(m[0]),
    }));
  return {
    current: links(nav).filter((l) => l.current),
    crumbs: links(crumbs).map((l) => l.text),
    personen: [
      ...new Set(
        links(html)
          .filter((l) => l.text === 'Personen')
          .map((l) => l.href),
      ),
    ],
  };
}

describe("an Amt's clerk on a municipality of the Amt", () => {
  it('the municipality page: menu item of the Amt highlighted, breadcrumb to the Amt, one "Personen" target', async () => {
    const clerk = await loggedIn(t.app, DEMO.niemegkClerk);
    const res = await clerk.get(`/mitglieder/${niemegk}`);
    expect(res.statusCode).toBe(200);
    const p = parts(res.body);
    expect(p.current).toEqual([{ href: `/mitglieder/${amt}`, text: 'Unsere Kommune', current: true }]);
    expect(p.crumbs).toEqual(['Amt Niemegk']);
    expect(p.personen).toEqual([`/mitglieder/${amt}/personen`]);
    expect(res.body).toContain(`href="/mitglieder/${niemegk}/personen"`);
  });

  it("the municipality's people: breadcrumb Amt › municipality, the empty state links the Amt's staff", async () => {
    const clerk = await loggedIn(t.app, DEMO.niemegkClerk);
    const res = await clerk.get(`/mitglieder/${niemegk}/personen`);
    expect(res.statusCode).toBe(200);
    const p = parts(res.body);
    expect(p.crumbs).toEqual(['Amt Niemegk', 'Niemegk']);
    expect(p.current.map((l) => l.href)).toEqual([`/mitglieder/${amt}`]);
    expect(p.personen).toEqual([`/mitglieder/${amt}/personen`]);
    // Niemegk is a town (Stadt) of the Amt.
    expect(res.body).toContain('Für diese Stadt handeln die Beschäftigten des Amtes Niemegk.');
    expect(res.body).toContain(
      `<a class="kern-link" href="/mitglieder/${amt}/personen">Personen: Amt Niemegk</a>`,
    );
    expect(res.body).not.toContain('<table');
  });

  it("the Amt's own pages highlight their own menu items", async () => {
    const clerk = await loggedIn(t.app, DEMO.niemegkClerk);
    expect(parts((await clerk.get(`/mitglieder/${amt}`)).body).current.map((l) => l.href)).toEqual([
      `/mitglieder/${amt}`,
    ]);
    const people = await clerk.get(`/mitglieder/${amt}/personen`);
    expect(parts(people.body).current.map((l) => l.href)).toEqual([`/mitglieder/${amt}/personen`]);
    expect(people.body).toContain('<table');
    expect(people.body).not.toContain('handeln die Beschäftigten');
  });

  it('in English too, and the association sees the Amt in the breadcrumb after the member list', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const res = await admin.get(`/mitglieder/${niemegk}/personen`);
    const p = parts(res.body);
    expect(p.crumbs).toEqual(['Mitglieder', 'Amt Niemegk', 'Niemegk']);
    expect(p.current.map((l) => l.href)).toEqual(['/mitglieder']);
    expect(res.body).toContain('Für diese Stadt handeln die Beschäftigten des Amtes Niemegk.');
    await admin.get(`/sprache/en?zurueck=/mitglieder/${niemegk}/personen`);
    expect((await admin.get(`/mitglieder/${niemegk}/personen`)).body).toContain(
      'The staff of the Amt Niemegk act for this town.',
    );
  });
});

describe('API token form', () => {
  it('keeps a typed "Gültig bis" after a validation error', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const base = `/mitglieder/${panketal}/api-tokens`;
    await admin.get(base);
    // No label: the schema refuses it; the date is kept.
    const noName = await admin.postForm(base, { name: '', scopes: 'usage.write', expiresOn: '2099-12-31' });
    expect(noName.statusCode).toBe(422);
    expect(noName.body).toMatch(/<input[^>]*name="expiresOn"[^>]*value="2099-12-31"/);
    // A date in the past: the service refuses it; label, scopes and date are kept.
    const past = await admin.postForm(base, {
      name: 'Zähler',
      scopes: 'members.read',
      expiresOn: '2000-01-01',
    });
    expect(past.statusCode).toBe(422);
    expect(past.body).toMatch(/<input[^>]*name="expiresOn"[^>]*value="2000-01-01"/);
    expect(past.body).toMatch(/<input[^>]*name="name"[^>]*value="Zähler"/);
  });

  it('highlights the menu item that leads to the token page', async () => {
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    const own = await memberIdByName(t.database, 'Zweckverband Digitale Kommunen Brandenburg');
    const ownPage = parts((await admin.get(`/mitglieder/${own}/api-tokens`)).body);
    expect(ownPage.current.map((l) => l.href)).toEqual([`/mitglieder/${own}/api-tokens`]);
    const other = parts((await admin.get(`/mitglieder/${niemegk}/api-tokens`)).body);
    expect(other.current.map((l) => l.href)).toEqual(['/mitglieder']);
    expect(other.crumbs).toEqual(['Mitglieder', 'Amt Niemegk', 'Niemegk']);
  });

  it('explains tokens to a municipality: its own systems, who creates one, shown once', async () => {
    const admin = await loggedIn(t.app, DEMO.panketalAdmin);
    const body = (await admin.get(`/mitglieder/${panketal}/api-tokens`)).body;
    expect(body).toContain('verbinden Sie eigene Systeme und Skripte mit Allmende');
    expect(body).toContain('Ein Token gilt nur für Panketal');
    expect(body).toContain('Das Token wird nur einmal angezeigt');
  });
});
