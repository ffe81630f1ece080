/**
 * Accessibility: axe-core (WCAG 2.0/2.1 A and AA) reports no violation on any page, in every state a
 * person meets it (empty, filled, with errors, right after creating something), in German and English.
 * Also saves docs/screenshot.png (member list as the association admin).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './axe.js';
import {
  DEMO_USERS,
  type E2eServer,
  launchBrowser,
  login,
  memberIdByName,
  newContext,
  startE2eServer,
} from './server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let srv: E2eServer;
let browser: Browser;
const ids: Record<string, string> = {};
/** The meeting the German assembly test creates (the English one reads it again). */
let meetingPath = '';
/** One logged-in browser per role (plus an anonymous one), shared by the tests of this file. */
const pages: Record<'anonymous' | 'admin' | 'auditor' | 'clerk' | 'panketal' | 'finance', Page> = {} as never;
const contexts: BrowserContext[] = [];

async function newPage(email?: string): Promise<Page> {
  const context = await newContext(browser, srv.baseUrl);
  contexts.push(context);
  const page = await context.newPage();
  if (email) await login(page, email);
  return page;
}

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  [pages.anonymous, pages.admin, pages.auditor, pages.clerk, pages.panketal, pages.finance] =
    await Promise.all([
      newPage(),
      newPage(DEMO_USERS.associationAdmin),
      newPage(DEMO_USERS.auditor),
      newPage(DEMO_USERS.badBelzigClerk),
      newPage(DEMO_USERS.panketalAdmin),
      newPage(DEMO_USERS.associationFinance),
    ]);
  for (const name of ['Panketal', 'Amt Niemegk', 'Zweckverband Digitale Kommunen Brandenburg']) {
    ids[name] = await memberIdByName(pages.admin, name);
  }
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await srv?.stop();
});

/** Opens a page, checks its status and main heading (so axe checks the intended page), then runs axe. */
async function check(
  page: Page,
  url: string,
  expected: { status?: number; h1: string | RegExp },
  label = url,
): Promise<void> {
  const res = await page.goto(url);
  await expectPage(page, res, expected, label);
}

async function expectPage(
  page: Page,
  res: Response | null,
  expected: { status?: number; h1: string | RegExp },
  label: string,
): Promise<void> {
  expect(res?.status(), `${label}: HTTP status`).toBe(expected.status ?? 200);
  const h1 = (await page.locator('h1').first().textContent())?.trim() ?? '';
  if (typeof expected.h1 === 'string') expect(h1, `${label}: h1`).toBe(expected.h1);
  else expect(h1, `${label}: h1`).toMatch(expected.h1);
  await expectAccessible(page, label);
}

/** Submits the form the locator's button belongs to and returns the response of the resulting page. */
async function submit(page: Page, button: ReturnType<Page['locator']>): Promise<Response | null> {
  const [res] = await Promise.all([page.waitForNavigation(), button.click()]);
  return res;
}

describe('German', () => {
  it('login page', async () => {
    await check(pages.anonymous, '/anmelden', { h1: 'Anmelden' });
  });

  it('login page with a wrong password', async () => {
    const page = pages.anonymous;
    await page.goto('/anmelden');
    await page.locator('main form input[name=email]').fill(DEMO_USERS.associationFinance);
    await page.locator('main form input[name=password]').fill('falsch-falsch-falsch');
    const res = await submit(page, page.locator('main form button[type=submit]'));
    await expectPage(page, res, { status: 401, h1: 'Anmelden' }, 'login, wrong password');
    expect(await page.locator('#error-summary').textContent()).toContain(
      'E-Mail-Adresse oder Passwort ist falsch.',
    );
  });

  it('login page with empty fields', async () => {
    const page = pages.anonymous;
    await page.goto('/anmelden');
    const res = await submit(page, page.locator('main form button[type=submit]'));
    await expectPage(page, res, { status: 422, h1: 'Anmelden' }, 'login, empty fields');
    expect(await page.locator('#f-email').getAttribute('aria-invalid')).toBe('true');
  });

  it('login page after logout and after a redirect to login', async () => {
    await check(pages.anonymous, '/anmelden?abgemeldet', { h1: 'Anmelden' }, 'login, logged out');
    const res = await pages.anonymous.goto('/mitglieder');
    await expectPage(pages.anonymous, res, { h1: 'Anmelden' }, 'login, required');
  });

  it('member list (whole list with pagination, and with a search)', async () => {
    await check(pages.admin, '/mitglieder', { h1: 'Mitglieder' });
    expect(await pages.admin.getByRole('link', { name: 'Nächste Seite' }).count()).toBe(1);
    await check(pages.admin, '/mitglieder?q=Panke', { h1: 'Mitglieder' }, 'member list, search');
    await check(
      pages.admin,
      '/mitglieder?q=gibtsnicht&art=amt&status=applied',
      { h1: 'Mitglieder' },
      'member list, no results',
    );
    await check(pages.auditor, '/mitglieder?seite=2', { h1: 'Mitglieder' }, 'member list page 2, auditor');
  });

  it('member detail pages (Panketal, Amt Niemegk, the association)', async () => {
    await check(pages.admin, `/mitglieder/${ids.Panketal}`, { h1: 'Panketal' });
    await check(pages.admin, `/mitglieder/${ids['Amt Niemegk']}`, { h1: 'Amt Niemegk' });
    await check(pages.admin, `/mitglieder/${ids['Zweckverband Digitale Kommunen Brandenburg']}`, {
      h1: 'Zweckverband Digitale Kommunen Brandenburg',
    });
    await check(
      pages.panketal,
      `/mitglieder/${ids.Panketal}`,
      { h1: 'Panketal' },
      'own member page, member admin',
    );
  });

  it('member edit form, also after a submit with errors', async () => {
    const page = pages.admin;
    await check(page, `/mitglieder/${ids.Panketal}/bearbeiten`, { h1: 'Panketal bearbeiten' });
    await page.locator('#f-ags').fill('abc');
    const res = await submit(page, page.locator('main form button[type=submit]'));
    await expectPage(page, res, { status: 422, h1: 'Panketal bearbeiten' }, 'member edit form with errors');
    expect(await page.locator('#f-ags').getAttribute('aria-invalid')).toBe('true');
    // The profile-only form of a member's own administration.
    await check(
      pages.panketal,
      `/mitglieder/${ids.Panketal}/bearbeiten`,
      { h1: 'Panketal bearbeiten' },
      'member edit form, member admin',
    );
  });

  it('new member form, also after a submit with errors', async () => {
    const page = pages.admin;
    await check(page, '/mitglieder/neu', { h1: 'Aufnahmeantrag erfassen' });
    await page.locator('#f-ags').fill('abc');
    const res = await submit(page, page.locator('main form button[type=submit]'));
    await expectPage(
      page,
      res,
      { status: 422, h1: 'Aufnahmeantrag erfassen' },
      'new member form with errors',
    );
  });

  it('member detail right after saving', async () => {
    const page = pages.panketal;
    await page.goto(`/mitglieder/${ids.Panketal}/bearbeiten`);
    await page.locator('#f-contactPhone').fill('030 1234567');
    const res = await submit(page, page.locator('main form button[type=submit]'));
    await expectPage(page, res, { h1: 'Panketal' }, 'member detail, saved');
  });

  it('people list, new person form (empty, with errors, created) and person edit', async () => {
    const page = pages.admin;
    const base = `/mitglieder/${ids.Panketal}/personen`;
    await check(page, base, { h1: 'Personen: Panketal' });
    await check(
      pages.clerk,
      `/mitglieder/${await clerkMemberId()}/personen`,
      { h1: 'Personen: Bad Belzig' },
      'people list, clerk',
    );
    await check(page, `${base}/neu`, { h1: 'Person hinzufügen' });
    let res = await submit(page, page.locator('main form button[type=submit]'));
    await expectPage(page, res, { status: 422, h1: 'Person hinzufügen' }, 'new person form with errors');
    await page.goto(`${base}/neu`);
    await page.locator('#f-email').fill('neu.person@panketal.example');
    await page.locator('#f-displayName').fill('Nora Neu (Test)');
    await page.getByLabel('Kommune (Sachbearbeitung)').check();
    res = await submit(page, page.locator('main form button[type=submit]'));
    // POST → 303 → the people list, which says once (from the flash) that the person was invited.
    await expectPage(page, res, { h1: 'Personen: Panketal' }, 'person created and invited');
    expect(await page.locator('[role=status]').first().textContent()).toContain('Die Person wurde angelegt.');
    await page.goto(base);
    const href = await page.getByRole('link', { name: 'Paul Panke (Demo)' }).getAttribute('href');
    await check(page, href!, { h1: 'Paul Panke (Demo)' }, 'person edit form');
  });

  it('API tokens page, also right after creating a token and with errors', async () => {
    const page = pages.admin;
    const base = `/mitglieder/${ids['Zweckverband Digitale Kommunen Brandenburg']}/api-tokens`;
    await check(page, base, { h1: 'API-Tokens: Zweckverband Digitale Kommunen Brandenburg' });
    let res = await submit(page, page.getByRole('button', { name: 'Token erstellen' }));
    await expectPage(page, res, { status: 422, h1: /^API-Tokens/ }, 'API tokens, form with errors');
    await page.goto(base);
    await page.locator('#f-name').fill('Abrechnungssystem (Test)');
    res = await submit(page, page.getByRole('button', { name: 'Token erstellen' }));
    // POST → 303 → the token page, which shows the secret once (from the flash).
    await expectPage(page, res, { h1: /^API-Tokens/ }, 'API tokens, token created');
    expect(await page.locator('.token-secret').textContent()).toMatch(/^alm_/);
    await check(
      pages.panketal,
      `/mitglieder/${ids.Panketal}/api-tokens`,
      { h1: 'API-Tokens: Panketal' },
      'API tokens, member admin',
    );
  });

  it('account page, also with password errors', async () => {
    const page = pages.clerk;
    await check(page, '/konto', { h1: 'Mein Konto' });
    await page.locator('#f-currentPassword').fill('falsch');
    await page.locator('#f-newPassword').fill('kurz');
    const res = await submit(page, page.getByRole('button', { name: 'Passwort ändern' }));
    await expectPage(page, res, { status: 422, h1: 'Mein Konto' }, 'account page with errors');
  });

  it('audit trail list (also filtered) and verify page', async () => {
    await check(pages.auditor, '/pruefung', { h1: 'Prüfpfad' });
    await check(
      pages.auditor,
      `/pruefung?mitglied=${ids.Panketal}&von=2020-01-01`,
      { h1: 'Prüfpfad' },
      'audit trail, filtered',
    );
    await check(pages.auditor, '/pruefung/verifizieren', { h1: 'Prüfpfad verifizieren' });
    // Comparing with an audit anchor that is not one: the error at the field.
    const page = pages.auditor;
    await page.locator('#f-anker').fill('kein Anker');
    const res = await submit(page, page.getByRole('button', { name: 'Mit Prüfanker vergleichen' }));
    await expectPage(page, res, { status: 422, h1: 'Prüfpfad verifizieren' }, 'verify page, anchor error');
  });

  it('imprint, privacy notice, accessibility statement', async () => {
    await check(pages.anonymous, '/impressum', { h1: 'Impressum' });
    await check(pages.anonymous, '/datenschutz', { h1: 'Datenschutz' });
    await check(pages.anonymous, '/barrierefreiheit', { h1: 'Erklärung zur Barrierefreiheit' });
    await check(
      pages.admin,
      '/barrierefreiheit',
      { h1: 'Erklärung zur Barrierefreiheit' },
      'accessibility statement, logged in',
    );
  });

  it('the public service catalogue, also an earlier version and filtered', async () => {
    await check(pages.anonymous, '/leistungen', { h1: 'Leistungs- und Entgeltverzeichnis' });
    await check(
      pages.anonymous,
      '/leistungen?version=1.0&kategorie=it-strategie',
      { h1: 'Leistungs- und Entgeltverzeichnis' },
      'catalogue 1.0, one category',
    );
    await check(
      pages.admin,
      '/leistungen?q=Postfach',
      { h1: 'Leistungs- und Entgeltverzeichnis' },
      'catalogue, staff',
    );
  });

  it('catalogue versions, a draft, its service editor (also with errors) and the comparison', async () => {
    const page = pages.admin;
    await check(page, '/leistungen/versionen', { h1: 'Versionen des Leistungsverzeichnisses' });
    await check(page, '/leistungen/versionen/2.0', { h1: 'Leistungs- und Entgeltverzeichnis 2.0' });
    await check(
      page,
      '/leistungen/versionen/2.0/leistungen/druck-sw',
      { h1: /^5\.1 / },
      'service of an adopted version (read only)',
    );
    await page.goto('/leistungen/versionen');
    await page.locator('#f-number').fill('2.9');
    let res = await submit(page, page.getByRole('button', { name: 'Entwurf anlegen' }));
    await expectPage(page, res, { h1: 'Leistungs- und Entgeltverzeichnis 2.9' }, 'draft, created');
    await check(
      page,
      '/leistungen/versionen/2.9/leistungen/druck-sw',
      { h1: /bearbeiten$/ },
      'service editor',
    );
    await page.locator('#f-unitPrice').fill('0,0,1');
    res = await submit(page, page.getByRole('button', { name: 'Speichern' }));
    await expectPage(page, res, { status: 422, h1: /bearbeiten$/ }, 'service editor with errors');
    await check(page, '/leistungen/versionen/2.9/neue-leistung', { h1: 'Leistung hinzufügen' });
    await check(pages.anonymous, '/leistungen/vergleich?von=1.0&bis=2.0', { h1: 'Versionen vergleichen' });
    await check(
      page,
      '/leistungen/vergleich?von=2.0&bis=2.9',
      { h1: 'Versionen vergleichen' },
      'compare a draft',
    );
  });

  it("a member's agreements, one agreement, and their forms with errors", async () => {
    const page = pages.panketal;
    const base = `/mitglieder/${ids.Panketal}/vereinbarungen`;
    await check(page, base, { h1: 'Leistungsvereinbarungen: Panketal' });
    let res = await submit(page, page.getByRole('button', { name: 'Buchen' }));
    await expectPage(
      page,
      res,
      { status: 422, h1: 'Leistungsvereinbarungen: Panketal' },
      'booking with errors',
    );
    await page.goto(base);
    const href = await page.getByRole('link', { name: /Dateiablage/ }).getAttribute('href');
    await check(page, href!, { h1: /^Vereinbarung: / }, 'one agreement');
    await page.locator('#f-endsOn').fill('2020-01-01');
    res = await submit(page, page.getByRole('button', { name: 'Kündigen' }));
    await expectPage(
      page,
      res,
      { status: 422, h1: /^Vereinbarung: / },
      'cancellation before the notice period',
    );
    await check(
      pages.clerk,
      `/mitglieder/${await clerkMemberId()}/vereinbarungen`,
      { h1: 'Leistungsvereinbarungen: Bad Belzig' },
      'agreements, clerk',
    );
  });

  it('the voting rules: in force, history, the form with errors and after setting rules', async () => {
    const page = pages.admin;
    const h1 = 'Stimmrecht, Beschlussfähigkeit und Mehrheiten';
    await check(page, '/versammlung/stimmrecht', { h1 }, 'voting rules');
    await page.locator('#f-weightKind-population_bands').check();
    await page.locator('#f-bands').fill('10000 1\n5000 2\nviele');
    await page.locator('#f-cap').fill('0');
    let res = await submit(page, page.getByRole('button', { name: 'Regeln festlegen' }));
    await expectPage(page, res, { status: 422, h1 }, 'voting rules with errors');
    expect(await page.locator('#f-bands-error').textContent()).toContain('Einwohnerstaffel');
    await page.locator('#f-validFrom').fill('2040-01-01');
    await page.locator('#f-source').fill('§ 7 Verbandssatzung (Barrierefreiheit)');
    await page.locator('#f-bands').fill('10000 1\n50000 2\n3');
    await page.locator('#f-cap').fill('');
    res = await submit(page, page.getByRole('button', { name: 'Regeln festlegen' }));
    await expectPage(page, res, { h1 }, 'voting rules, set');
    expect(await page.locator('main').textContent()).toContain('§ 7 Verbandssatzung (Barrierefreiheit)');
  });

  it("a member's usage with chart and day tables, and the association's usage data", async () => {
    await check(pages.panketal, `/mitglieder/${ids.Panketal}/verbrauch`, { h1: 'Verbrauch: Panketal' });
    await check(
      pages.clerk,
      `/mitglieder/${await clerkMemberId()}/verbrauch`,
      { h1: 'Verbrauch: Bad Belzig' },
      'usage, clerk',
    );
    await check(pages.admin, '/verbrauch', { h1: 'Verbrauchsdaten' });
    // A refused delivery, so that the list of refused deliveries with its reasons is checked too.
    const tokens = `/mitglieder/${ids['Zweckverband Digitale Kommunen Brandenburg']}/api-tokens`;
    await pages.admin.goto(tokens);
    await pages.admin.locator('#f-name').fill('Zähler (Barrierefreiheit)');
    await submit(pages.admin, pages.admin.getByRole('button', { name: 'Token erstellen' }));
    const secret = (await pages.admin.locator('.token-secret').textContent())!.trim();
    const refused = await pages.admin.request.post(`${srv.baseUrl}/api/v1/usage`, {
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      data: JSON.stringify([
        {
          member: ids.Panketal,
          meter: 'gibt-es-nicht',
          quantity: '1',
          time: new Date().toISOString(),
          source: 'a11y',
          eventId: 'a',
        },
      ]),
    });
    expect(refused.status()).toBe(422);
    await check(pages.admin, '/verbrauch', { h1: 'Verbrauchsdaten' }, 'usage data, a refused delivery');
    expect(await pages.admin.locator('#rejections-h').textContent()).toBe('Abgewiesene Lieferungen');
    await check(
      pages.admin,
      `/verbrauch?mitglied=${ids.Panketal}&zaehler=vm-stunden`,
      { h1: 'Verbrauchsdaten' },
      'usage data, search',
    );
    await check(pages.admin, '/verbrauch/abrechnung', { h1: 'Abrechnungsmonate und Korrekturen' });
    await check(
      pages.finance,
      '/verbrauch/abrechnung',
      { h1: 'Abrechnungsmonate und Korrekturen' },
      'billing, finance',
    );
    // The void page of a demo event, and its form refused without a reason.
    const finance = pages.finance;
    await check(
      finance,
      `/verbrauch?mitglied=${ids.Panketal}&zaehler=druckseiten`,
      { h1: 'Verbrauchsdaten' },
      'search, finance',
    );
    const href = await finance.locator('a[href^="/verbrauch/storno?"]').first().getAttribute('href');
    const res = await finance.goto(href!);
    await expectPage(finance, res, { h1: 'Verbrauchsereignis stornieren' }, 'void page');
    const noReason = await submit(finance, finance.getByRole('button', { name: 'Ereignis stornieren' }));
    await expectPage(
      finance,
      noReason,
      { status: 422, h1: 'Verbrauchsereignis stornieren' },
      'void page with errors',
    );
    expect(await finance.locator('#f-reason-error').textContent()).toContain('Grund der Stornierung');
  });

  it('the assembly: calendar, a meeting, the association area (also with errors) and a vote', async () => {
    const page = pages.admin;
    await check(page, '/versammlung', { h1: 'Verbandsversammlung' });
    let res = await submit(page, page.getByRole('button', { name: 'Sitzung anlegen' }));
    await expectPage(
      page,
      res,
      { status: 422, h1: 'Verbandsversammlung' },
      'assembly, new meeting with errors',
    );
    await page.locator('#f-title').fill('Verbandsversammlung (Barrierefreiheit)');
    await page.locator('#f-date').fill('2027-06-17');
    res = await submit(page, page.getByRole('button', { name: 'Sitzung anlegen' }));
    await expectPage(page, res, { h1: 'Verbandsversammlung (Barrierefreiheit)' }, 'meeting, created');
    meetingPath = new URL(page.url()).pathname;
    res = await submit(page, page.getByRole('button', { name: 'TOP hinzufügen' }));
    await expectPage(
      page,
      res,
      { status: 422, h1: 'Verbandsversammlung (Barrierefreiheit)' },
      'meeting, TOP form with errors',
    );
    await page.locator('#f-topTitle').fill('Vertrauliche Angelegenheit');
    await page.locator('#f-public').selectOption('false');
    await submit(page, page.getByRole('button', { name: 'TOP hinzufügen' }));
    await page.locator('#f-topTitle').fill('Bericht');
    await submit(page, page.getByRole('button', { name: 'TOP hinzufügen' }));
    for (const b of await page.locator('input[name=memberIds]').all()) await b.check();
    await submit(page, page.getByRole('button', { name: 'Anwesenheit speichern' }));
    await page.locator('#f-kind').selectOption('adopt_catalog_version');
    await page.locator('#f-title').fill('Ohne Entwurf');
    res = await submit(page, page.getByRole('button', { name: 'Beschluss entwerfen' }));
    await expectPage(
      page,
      res,
      { status: 422, h1: 'Verbandsversammlung (Barrierefreiheit)' },
      'meeting, resolution form with errors',
    );
    await page.locator('#f-kind').selectOption('other');
    await page.locator('#f-number').fill('9/2027');
    await page.locator('#f-title').fill('Bericht zur Kenntnis nehmen');
    res = await submit(page, page.getByRole('button', { name: 'Beschluss entwerfen' }));
    await expectPage(page, res, { h1: 'Abstimmung über Beschluss 9/2027' }, 'vote page, draft');
    const votePath = new URL(page.url()).pathname;
    res = await submit(page, page.getByRole('button', { name: 'Abstimmung speichern' }));
    await expectPage(page, res, { status: 422, h1: 'Abstimmung über Beschluss 9/2027' }, 'vote page, errors');
    for (const r of await page.locator('input[type=radio][value=no]').all()) await r.check();
    res = await submit(page, page.getByRole('button', { name: 'Abstimmung speichern' }));
    await expectPage(page, res, { h1: 'Abstimmung über Beschluss 9/2027' }, 'vote page, failed');
    expect(await page.locator('main').textContent()).toContain(
      'Ein abgelehnter Beschluss hat keine Wirkung.',
    );
    await check(page, votePath, { h1: 'Abstimmung über Beschluss 9/2027' }, 'vote page, result');
    await check(
      page,
      meetingPath,
      { h1: 'Verbandsversammlung (Barrierefreiheit)' },
      'meeting with resolutions',
    );
    const id = meetingPath.split('/').pop();
    await check(pages.anonymous, '/sitzungen', { h1: 'Sitzungen der Verbandsversammlung' }, 'calendar');
    await check(
      pages.anonymous,
      `/sitzungen/${id}`,
      { h1: 'Verbandsversammlung (Barrierefreiheit)' },
      'meeting, public',
    );
    await check(page, '/sitzungen', { h1: 'Sitzungen der Verbandsversammlung' }, 'calendar, staff');
    await check(page, `/sitzungen/${id}`, { h1: 'Verbandsversammlung (Barrierefreiheit)' }, 'meeting, staff');
  }, 180_000);

  it('admissions: the list, one admission (with errors, after a step), a pending member, the composition', async () => {
    const page = pages.admin;
    ids.Bernau = await memberIdByName(page, 'Bernau bei Berlin');
    await check(page, '/versammlung/aufnahmen', { h1: 'Aufnahmen' }, 'admissions');
    const path = `/versammlung/aufnahmen/${ids.Bernau}`;
    await check(page, path, { h1: 'Aufnahme: Bernau bei Berlin' }, 'admission, pending');
    await page.locator('#f-step').selectOption('publication');
    await page.locator('#f-doneOn').fill('2026-11-02');
    let res = await submit(page, page.getByRole('button', { name: 'Schritt erfassen' }));
    await expectPage(
      page,
      res,
      { status: 422, h1: 'Aufnahme: Bernau bei Berlin' },
      'admission, out of order',
    );
    expect(await page.locator('#f-step').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#f-step').selectOption('council_decision');
    await page.locator('#f-doneOn').fill('2026-10-15');
    await page.locator('#f-reference').fill('Beschluss der Stadtverordnetenversammlung 21/2026');
    res = await submit(page, page.getByRole('button', { name: 'Schritt erfassen' }));
    await expectPage(page, res, { h1: 'Aufnahme: Bernau bei Berlin' }, 'admission, step recorded');
    expect(await page.locator('main').textContent()).toContain(
      'wartet auf: Änderungssatzung der Verbandsversammlung',
    );
    await check(
      page,
      `/mitglieder/${ids.Bernau}`,
      { h1: 'Bernau bei Berlin' },
      'member page, admission pending',
    );
    await check(
      page,
      '/versammlung/zusammensetzung',
      { h1: 'Zusammensetzung der Verbandsversammlung' },
      'composition, staff',
    );
    await check(
      pages.anonymous,
      '/sitzungen/zusammensetzung',
      { h1: 'Zusammensetzung der Verbandsversammlung' },
      'composition, public',
    );
  }, 120_000);

  it('404 and 403 pages', async () => {
    await check(pages.anonymous, '/gibt-es-nicht', { status: 404, h1: 'Nicht gefunden' }, '404, anonymous');
    await check(pages.admin, '/gibt-es-nicht', { status: 404, h1: 'Nicht gefunden' }, '404, logged in');
    await check(
      pages.clerk,
      `/mitglieder/${ids.Panketal}`,
      { status: 404, h1: 'Nicht gefunden' },
      '404, other member',
    );
    await check(pages.clerk, '/mitglieder', { status: 403, h1: 'Keine Berechtigung' }, '403, clerk');
    await check(pages.clerk, '/pruefung', { status: 403, h1: 'Keine Berechtigung' }, '403 audit, clerk');
  });
});

describe('English', () => {
  beforeAll(async () => {
    for (const p of [pages.anonymous, pages.admin, pages.clerk])
      await p.goto('/sprache/en?zurueck=/impressum');
  });

  it('login page, also with an error', async () => {
    const page = pages.anonymous;
    await check(page, '/anmelden', { h1: 'Sign in' }, 'login (en)');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.locator('main form input[name=email]').fill(DEMO_USERS.associationFinance);
    await page.locator('main form input[name=password]').fill('wrong-wrong-wrong');
    const res = await submit(page, page.locator('main form button[type=submit]'));
    await expectPage(page, res, { status: 401, h1: 'Sign in' }, 'login, wrong password (en)');
  });

  it('member list, also with a search', async () => {
    await check(pages.admin, '/mitglieder', { h1: 'Members' }, 'member list (en)');
    await check(pages.admin, '/mitglieder?q=Panke', { h1: 'Members' }, 'member list, search (en)');
  });

  it('member detail and edit form with errors', async () => {
    const page = pages.admin;
    await check(page, `/mitglieder/${ids['Amt Niemegk']}`, { h1: 'Amt Niemegk' }, 'member detail (en)');
    await page.goto(`/mitglieder/${ids.Panketal}/bearbeiten`);
    await page.locator('#f-ags').fill('abc');
    const res = await submit(page, page.locator('main form button[type=submit]'));
    await expectPage(page, res, { status: 422, h1: 'Edit Panketal' }, 'member edit form with errors (en)');
  });

  it('catalogue versions, comparison and agreements', async () => {
    await check(pages.admin, '/leistungen/versionen', { h1: 'Catalogue versions' }, 'versions (en)');
    await check(pages.anonymous, '/leistungen/vergleich', { h1: 'Compare versions' }, 'comparison (en)');
    await check(
      pages.admin,
      `/mitglieder/${ids.Panketal}/vereinbarungen`,
      { h1: 'Service agreements: Panketal' },
      'agreements (en)',
    );
    await check(
      pages.admin,
      `/mitglieder/${ids.Panketal}/verbrauch`,
      { h1: 'Usage: Panketal' },
      'usage (en)',
    );
    await check(pages.admin, `/verbrauch?zaehler=postfaecher`, { h1: 'Usage data' }, 'usage data (en)');
    await check(
      pages.admin,
      '/verbrauch/abrechnung',
      { h1: 'Billing months and corrections' },
      'billing (en)',
    );
  });

  it('the assembly: calendar, a meeting and the association area', async () => {
    const id = meetingPath.split('/').pop();
    await check(pages.anonymous, '/sitzungen', { h1: 'Meetings of the assembly' }, 'calendar (en)');
    await check(
      pages.anonymous,
      `/sitzungen/${id}`,
      { h1: 'Verbandsversammlung (Barrierefreiheit)' },
      'meeting, public (en)',
    );
    await check(pages.admin, '/versammlung', { h1: 'Assembly' }, 'assembly (en)');
    await check(pages.admin, meetingPath, { h1: 'Verbandsversammlung (Barrierefreiheit)' }, 'meeting (en)');
  });

  it('admissions and the composition', async () => {
    const page = pages.admin;
    await check(page, '/versammlung/aufnahmen', { h1: 'Admissions' }, 'admissions (en)');
    const other = await memberIdByName(page, 'Rüdersdorf bei Berlin');
    await check(
      page,
      `/versammlung/aufnahmen/${other}`,
      { h1: 'Admission: Rüdersdorf bei Berlin' },
      'admission (en)',
    );
    await page.locator('#f-step').selectOption('approval');
    await page.locator('#f-doneOn').fill('2026-11-02');
    const res = await submit(page, page.getByRole('button', { name: 'Record step' }));
    await expectPage(
      page,
      res,
      { status: 422, h1: 'Admission: Rüdersdorf bei Berlin' },
      'admission, errors (en)',
    );
    await check(
      page,
      `/versammlung/aufnahmen/${ids.Bernau}`,
      { h1: 'Admission: Bernau bei Berlin' },
      'admission, next by resolution (en)',
    );
    await check(
      page,
      `/mitglieder/${ids.Bernau}`,
      { h1: 'Bernau bei Berlin' },
      'member page, admission pending (en)',
    );
    await check(
      page,
      '/versammlung/zusammensetzung',
      { h1: 'Composition of the assembly' },
      'composition, staff (en)',
    );
    await check(
      pages.anonymous,
      '/sitzungen/zusammensetzung',
      { h1: 'Composition of the assembly' },
      'composition, public (en)',
    );
  }, 120_000);

  it('legal pages, 404 and 403', async () => {
    await check(pages.anonymous, '/impressum', { h1: 'Legal notice (Impressum)' }, 'imprint (en)');
    await check(
      pages.anonymous,
      '/barrierefreiheit',
      { h1: 'Accessibility statement' },
      'accessibility statement (en)',
    );
    await check(pages.anonymous, '/gibt-es-nicht', { status: 404, h1: 'Not found' }, '404 (en)');
    await check(pages.clerk, '/mitglieder', { status: 403, h1: 'Not permitted' }, '403 (en)');
  });
});

describe('narrow screen (375 px)', () => {
  const narrow = () => [pages.anonymous, pages.admin, pages.auditor];
  beforeAll(async () => {
    for (const p of narrow()) {
      await p.setViewportSize({ width: 375, height: 800 });
      await p.goto('/sprache/de?zurueck=/impressum');
    }
  });
  afterAll(async () => {
    for (const p of narrow()) await p.setViewportSize({ width: 1280, height: 900 });
  });

  it('login page (its demo table scrolls sideways)', async () => {
    await check(pages.anonymous, '/anmelden', { h1: 'Anmelden' }, 'login (375 px)');
  });

  it('member list, member detail and edit form', async () => {
    await check(pages.admin, '/mitglieder?q=Amt', { h1: 'Mitglieder' }, 'member list (375 px)');
    await check(
      pages.admin,
      `/mitglieder/${ids['Amt Niemegk']}`,
      { h1: 'Amt Niemegk' },
      'member detail (375 px)',
    );
    await check(
      pages.admin,
      `/mitglieder/${ids.Panketal}/bearbeiten`,
      { h1: 'Panketal bearbeiten' },
      'member edit (375 px)',
    );
  });

  it('people, API tokens and account', async () => {
    await check(
      pages.admin,
      `/mitglieder/${ids.Panketal}/personen`,
      { h1: 'Personen: Panketal' },
      'people (375 px)',
    );
    await check(
      pages.admin,
      `/mitglieder/${ids['Zweckverband Digitale Kommunen Brandenburg']}/api-tokens`,
      { h1: 'API-Tokens: Zweckverband Digitale Kommunen Brandenburg' },
      'API tokens (375 px)',
    );
    await check(pages.admin, '/konto', { h1: 'Mein Konto' }, 'account (375 px)');
  });

  it('catalogue versions, comparison and agreements', async () => {
    await check(
      pages.admin,
      '/leistungen/versionen',
      { h1: 'Versionen des Leistungsverzeichnisses' },
      'versions (375 px)',
    );
    await check(
      pages.anonymous,
      '/leistungen/vergleich?von=1.0&bis=2.0',
      { h1: 'Versionen vergleichen' },
      'comparison (375 px)',
    );
    await check(
      pages.admin,
      `/mitglieder/${ids.Panketal}/vereinbarungen`,
      { h1: 'Leistungsvereinbarungen: Panketal' },
      'agreements (375 px)',
    );
    await check(
      pages.admin,
      `/mitglieder/${ids.Panketal}/verbrauch`,
      { h1: 'Verbrauch: Panketal' },
      'usage (375 px)',
    );
  });

  it('audit trail and verify page', async () => {
    await check(pages.auditor, '/pruefung', { h1: 'Prüfpfad' }, 'audit trail (375 px)');
    await check(pages.auditor, '/pruefung/verifizieren', { h1: 'Prüfpfad verifizieren' }, 'verify (375 px)');
  });
});

describe('screenshot', () => {
  it('saves the member list of the association admin to docs/screenshot.png', async () => {
    const page = pages.admin;
    await page.goto('/mitglieder');
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await page.evaluate('document.fonts.ready');
    fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
    const file = path.join(ROOT, 'docs/screenshot.png');
    await page.screenshot({ path: file, fullPage: false });
    expect(page.viewportSize()).toEqual({ width: 1280, height: 900 });
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
  });
});

/** Bad Belzig's id, from the clerk's own start page. */
async function clerkMemberId(): Promise<string> {
  const href = await pages.clerk
    .locator('header nav.site-nav a', { hasText: 'Unsere Kommune' })
    .getAttribute('href');
  return href!.split('/')[2]!;
}
