/**
 * The assembly in the browser: the association admin creates a meeting, adds a public and a non-public
 * TOP, records presence, drafts an "other" resolution, records the votes and sees the result; a visitor
 * then finds the meeting in the public calendar with its public TOP and the result, never the non-public
 * TOP. axe-core checks every page on the way (WCAG 2.1 AA).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './axe.js';
import { DEMO_USERS, type E2eServer, launchBrowser, login, newContext, startE2eServer } from './server.js';

let srv: E2eServer;
let browser: Browser;

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

async function submit(page: Page, name: string): Promise<number> {
  const [res] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name }).click()]);
  return res?.status() ?? 0;
}

describe('running a meeting of the assembly', () => {
  it('creates a meeting, adds TOPs, records presence, drafts and votes; a visitor sees the public part', async () => {
    const context = await newContext(browser, srv.baseUrl);
    const page = await context.newPage();
    await login(page, DEMO_USERS.associationAdmin);
    await Promise.all([
      page.waitForURL('**/versammlung'),
      page.locator('header nav.site-nav').getByRole('link', { name: 'Verbandsversammlung' }).click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe('Verbandsversammlung');
    await expectAccessible(page, '/versammlung');

    await page.locator('#f-title').fill('Verbandsversammlung 2/2027 (Browsertest)');
    await page.locator('#f-date').fill('2027-05-20');
    await page.locator('#f-time').fill('18:00');
    await page.locator('#f-place').fill('Potsdam, Stadthaus');
    expect(await submit(page, 'Sitzung anlegen')).toBe(200);
    expect(new URL(page.url()).pathname).toMatch(/^\/versammlung\/sitzungen\/[0-9a-f-]{36}$/);
    const meetingPath = new URL(page.url()).pathname;
    const meetingId = meetingPath.split('/').pop()!;
    expect(await page.locator('[role=status]').first().textContent()).toContain(
      'Die Sitzung wurde angelegt.',
    );
    expect(await page.locator('main').textContent()).toContain('20.05.2027, 18:00 Uhr');
    await expectAccessible(page, 'meeting (new)');

    await page.locator('#f-topTitle').fill('Wirtschaftsplan 2028');
    expect(await submit(page, 'TOP hinzufügen')).toBe(200);
    await page.locator('#f-topTitle').fill('Vertrauliche Vertragsangelegenheit');
    await page.locator('#f-public').selectOption('false');
    expect(await submit(page, 'TOP hinzufügen')).toBe(200);
    const agenda = await page.locator('#agenda-caption').locator('..').textContent();
    expect(agenda).toContain('Wirtschaftsplan 2028');
    expect(agenda).toContain('nichtöffentlich');

    const boxes = await page.locator('input[name=memberIds]').all();
    expect(boxes.length).toBeGreaterThan(20);
    for (const b of boxes) await b.check();
    expect(await submit(page, 'Anwesenheit speichern')).toBe(200);
    expect(await page.locator('main').textContent()).toContain(
      `${boxes.length} von ${boxes.length} Mitgliedern vertreten`,
    );
    await expectAccessible(page, 'meeting with agenda and presence');

    await page.locator('#f-agendaItemId').selectOption({ label: 'TOP 1 – Wirtschaftsplan 2028' });
    await page.locator('#f-number').fill('7/2027');
    await page.locator('#f-kind').selectOption('other');
    await page.locator('#f-title').fill('Wirtschaftsplan 2028 beschließen');
    expect(await submit(page, 'Beschluss entwerfen')).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Abstimmung über Beschluss 7/2027');
    await expectAccessible(page, 'vote page (draft)');

    // Nothing chosen for one member: the error is at its row, nothing recorded.
    const yes = await page.locator('input[type=radio][value=yes]').all();
    expect(yes.length).toBe(boxes.length);
    for (const r of yes.slice(1)) await r.check();
    expect(await submit(page, 'Abstimmung speichern')).toBe(422);
    expect(await page.title()).toMatch(/^Fehler/);
    await expectAccessible(page, 'vote page with an error');
    for (const r of await page.locator('input[type=radio][value=yes]').all()) await r.check();
    await page.locator('input[type=radio][value=no]').nth(1).check();
    await page.locator('input[type=radio][value=abstain]').nth(2).check();
    expect(await submit(page, 'Abstimmung speichern')).toBe(200);
    const result = (await page.locator('main').textContent()) ?? '';
    expect(result).toContain('Der Beschluss ist angenommen.');
    expect(result).toContain(`Ja: ${boxes.length - 2}, Nein: 1, Enthaltung: 1 Stimmen`);
    expect(result).toContain('beschlussfähig.');
    expect(await page.getByRole('region', { name: 'Stimmen je Mitglied' }).count()).toBe(1);
    await expectAccessible(page, 'vote page (result)');
    await context.close();

    const visitorContext = await newContext(browser, srv.baseUrl);
    const visitor = await visitorContext.newPage();
    await visitor.goto('/sitzungen');
    expect(await visitor.locator('h1').textContent()).toBe('Sitzungen der Verbandsversammlung');
    expect(await visitor.locator('header nav.site-nav').count()).toBe(0);
    await expectAccessible(visitor, '/sitzungen (visitor)');
    await Promise.all([
      visitor.waitForURL(`**/sitzungen/${meetingId}`),
      visitor.getByRole('link', { name: 'Verbandsversammlung 2/2027 (Browsertest)' }).click(),
    ]);
    const text = (await visitor.locator('main').textContent()) ?? '';
    expect(text).toContain('Wirtschaftsplan 2028');
    expect(text).toContain('7/2027');
    expect(text).toContain('angenommen');
    expect(text).not.toContain('Vertrauliche Vertragsangelegenheit');
    expect(await visitor.content()).not.toContain('Vertrauliche');
    await expectAccessible(visitor, '/sitzungen/:id (visitor)');
    await visitorContext.close();
  }, 180_000);
});
