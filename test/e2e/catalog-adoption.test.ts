/**
 * The catalogue's golden thread in Chromium, as the people involved do it: the association's finance
 * user drafts version 2.1 with one changed price; the association admin runs the assembly's meeting,
 * drafts the resolution that adopts 2.1, records presence and the votes; the comparison page shows the
 * change; the public catalogue shows 2.0 until the day before 2.1's in-force date and 2.1 from it — by a
 * server clock the test moves. axe-core checks the pages on the way (WCAG 2.1 AA).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MovableClock, movableClock } from '../support/clock.js';
import { expectAccessible } from './axe.js';
import {
  DEMO_USERS,
  type E2eServer,
  launchBrowser,
  login,
  logout,
  newContext,
  startE2eServer,
} from './server.js';

let srv: E2eServer;
let browser: Browser;
const clock: MovableClock = movableClock();

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer({ clock }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

async function click(page: Page, locator: ReturnType<Page['locator']>): Promise<number> {
  const [res] = await Promise.all([page.waitForNavigation(), locator.click()]);
  return res?.status() ?? 0;
}

/** The public catalogue as a visitor sees it on the server's current day: its intro and the print price. */
async function publicCatalogue(page: Page): Promise<{ intro: string; printRow: string }> {
  await page.goto('/leistungen?q=Zentraldruck');
  expect(await page.locator('h1').textContent()).toBe('Leistungs- und Entgeltverzeichnis');
  return {
    intro: (await page.locator('main h1 + p').textContent()) ?? '',
    printRow: (await page.getByRole('article', { name: /Zentraldruck schwarz-weiß/ }).textContent()) ?? '',
  };
}

describe('a new catalogue version, from draft to in force', () => {
  it('finance drafts 2.1, the assembly adopts it by vote, the diff shows it, the public sees it from its date', async () => {
    const context = await newContext(browser, srv.baseUrl);
    const page = await context.newPage();

    // 1. Finance drafts 2.1 from 2.0 and changes the black-and-white print price.
    await login(page, DEMO_USERS.associationFinance);
    await page.goto('/leistungen/versionen');
    await page.getByLabel('Versionsnummer').fill('2.1');
    await page
      .getByLabel('Auf Grundlage von')
      .selectOption({ label: 'Leistungs- und Entgeltverzeichnis 2.0' });
    await page.getByLabel('Geplant in Kraft ab').fill('2027-07-01');
    expect(await click(page, page.getByRole('button', { name: 'Entwurf anlegen' }))).toBe(200);
    await click(page, page.getByRole('link', { name: 'Zentraldruck schwarz-weiß' }));
    await page.locator('#f-unitPrice').fill('0,04');
    expect(await click(page, page.getByRole('button', { name: 'Speichern' }))).toBe(200);
    expect(await page.getByRole('row', { name: /Zentraldruck/ }).textContent()).toContain('0,04 € je Seite');
    // Finance may draft but not run the assembly.
    expect((await page.goto('/versammlung'))?.status()).toBe(403);
    await logout(page);

    // 2. The association admin runs the meeting: a TOP, presence, the resolution, the vote.
    await login(page, DEMO_USERS.associationAdmin);
    await page.goto('/versammlung');
    await page.locator('#f-title').fill('Verbandsversammlung 1/2027');
    await page.locator('#f-date').fill('2027-05-20');
    await page.locator('#f-time').fill('17:00');
    await page.locator('#f-place').fill('Cottbus/Chóśebuz, Verbandsgeschäftsstelle');
    expect(await click(page, page.getByRole('button', { name: 'Sitzung anlegen' }))).toBe(200);
    await page.locator('#f-topTitle').fill('Leistungs- und Entgeltverzeichnis 2.1');
    expect(await click(page, page.getByRole('button', { name: 'TOP hinzufügen' }))).toBe(200);
    const boxes = await page.locator('input[name=memberIds]').all();
    expect(boxes.length).toBe(44);
    for (const b of boxes) await b.check();
    expect(await click(page, page.getByRole('button', { name: 'Anwesenheit speichern' }))).toBe(200);

    await page
      .locator('#f-agendaItemId')
      .selectOption({ label: 'TOP 1 – Leistungs- und Entgeltverzeichnis 2.1' });
    await page.locator('#f-number').fill('1/2027');
    await page.locator('#f-kind').selectOption('adopt_catalog_version');
    await page.locator('#f-title').fill('Leistungs- und Entgeltverzeichnis (Version 2.1) beschließen');
    await page.locator('#f-versionId').selectOption({ label: '2.1 – Leistungs- und Entgeltverzeichnis 2.1' });
    await page.locator('#f-inForceFrom').fill('2027-07-01');
    expect(await click(page, page.getByRole('button', { name: 'Beschluss entwerfen' }))).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Abstimmung über Beschluss 1/2027');
    const yes = await page.locator('input[type=radio][value=yes]').all();
    expect(yes.length).toBe(44);
    for (const r of yes) await r.check();
    await page.locator('input[type=radio][value=no]').nth(0).check();
    expect(await click(page, page.getByRole('button', { name: 'Abstimmung speichern' }))).toBe(200);
    const result = (await page.locator('main').textContent()) ?? '';
    expect(result).toContain('Der Beschluss ist angenommen.');
    expect(result).toContain('Ja: 43, Nein: 1, Enthaltung: 0 Stimmen');
    await expectAccessible(page, 'vote page (adopted)');

    // The version is adopted by that resolution, in force from its date, and read-only now.
    await page.goto('/leistungen/versionen');
    const versionRow = (await page.getByRole('row', { name: /2\.1/ }).first().textContent()) ?? '';
    expect(versionRow).toContain('01.07.2027');
    expect(versionRow).toContain('1/2027');
    await page.goto('/leistungen/versionen/2.1/leistungen/druck-sw');
    expect(await page.locator('#f-unitPrice').count()).toBe(0);
    await context.close();

    // 3. The comparison, public now that 2.1 is adopted.
    const visitorContext = await newContext(browser, srv.baseUrl);
    const visitor = await visitorContext.newPage();
    await visitor.goto('/leistungen/vergleich?von=2.0&bis=2.1');
    expect(await visitor.locator('main [role=status]').textContent()).toBe('0 neu, 0 entfallen, 1 geändert.');
    expect(await visitor.getByRole('row', { name: /Zentraldruck/ }).textContent()).toContain(
      'Preis je Einheit: 0,035 € → 0,04 € (+14,3 %)',
    );
    await expectAccessible(visitor, 'comparison 2.0 → 2.1 (visitor)');

    // 4. The public catalogue: 2.0 today and on the eve of 2.1, 2.1 from its first day.
    let shown = await publicCatalogue(visitor);
    expect(shown.intro).toContain('Leistungs- und Entgeltverzeichnis 2.0');
    clock.setDay('2027-06-30');
    try {
      shown = await publicCatalogue(visitor);
      expect(shown.intro).toContain('Leistungs- und Entgeltverzeichnis 2.0');
      expect(shown.printRow).toContain('0,035 € je Seite');
      clock.setDay('2027-07-01');
      shown = await publicCatalogue(visitor);
      expect(shown.intro).toContain('Leistungs- und Entgeltverzeichnis 2.1');
      expect(shown.intro).toContain('in Kraft seit 01.07.2027');
      expect(shown.printRow).toContain('0,04 € je Seite');
      await expectAccessible(visitor, '/leistungen with 2.1 in force (visitor)');
    } finally {
      clock.reset();
    }

    // 5. The meeting and its resolution in the public calendar.
    await visitor.goto('/sitzungen');
    await click(visitor, visitor.getByRole('link', { name: 'Verbandsversammlung 1/2027' }));
    const meeting = (await visitor.locator('main').textContent()) ?? '';
    expect(meeting).toContain('1/2027');
    expect(meeting).toContain('angenommen');
    await visitorContext.close();
  }, 240_000);
});
