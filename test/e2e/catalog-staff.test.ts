/**
 * In Chromium, as people do it: the association's finance user drafts version 2.1 from 2.0 with one
 * changed price (typed in euros with a decimal comma) and the comparison page shows the change with its
 * percent; a member's admin books a service and sees what it costs per month.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type E2eServer, launchBrowser, login, newContext, startE2eServer } from './server.js';

let srv: E2eServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await srv?.stop();
});

async function session(email: string): Promise<Page> {
  const context = await newContext(browser, srv.baseUrl);
  contexts.push(context);
  const page = await context.newPage();
  await login(page, email);
  return page;
}

async function click(page: Page, locator: ReturnType<Page['locator']>) {
  const [res] = await Promise.all([page.waitForNavigation(), locator.click()]);
  return res;
}

describe('catalogue drafts and comparison', () => {
  it('a finance user drafts 2.1 with one changed price; the comparison shows it with its percent', async () => {
    const page = await session(DEMO_USERS.associationFinance);
    await click(
      page,
      page.locator('header nav.site-nav').getByRole('link', { name: 'Leistungsverzeichnis' }),
    );
    await click(page, page.getByRole('link', { name: 'Versionen des Leistungsverzeichnisses' }));
    expect(await page.locator('h1').textContent()).toBe('Versionen des Leistungsverzeichnisses');

    await page.getByLabel('Versionsnummer').fill('2.1');
    await page
      .getByLabel('Auf Grundlage von')
      .selectOption({ label: 'Leistungs- und Entgeltverzeichnis 2.0' });
    await page.getByLabel('Geplant in Kraft ab').fill('2027-07-01');
    await click(page, page.getByRole('button', { name: 'Entwurf anlegen' }));
    expect(await page.locator('h1').textContent()).toBe('Leistungs- und Entgeltverzeichnis 2.1');
    expect(await page.locator('[role=status]').first().textContent()).toContain(
      'Der Entwurf 2.1 wurde angelegt.',
    );
    expect(await page.getByRole('link', { name: 'Zur Verbandsversammlung' }).getAttribute('href')).toBe(
      '/versammlung',
    );

    await click(page, page.getByRole('link', { name: 'Zentraldruck schwarz-weiß' }));
    const price = page.locator('#f-unitPrice');
    expect(await price.inputValue()).toBe('0,035');
    await price.fill('0,04');
    await click(page, page.getByRole('button', { name: 'Speichern' }));
    expect(await page.locator('h1').textContent()).toBe('Leistungs- und Entgeltverzeichnis 2.1');
    expect(await page.getByRole('row', { name: /Zentraldruck/ }).textContent()).toContain('0,04 € je Seite');

    await page.goto('/leistungen/vergleich');
    await page.getByLabel('Von Version').selectOption('2.0');
    await page.getByLabel('Zu Version').selectOption('2.1');
    await click(page, page.getByRole('button', { name: 'Vergleichen' }));
    expect(new URL(page.url()).search).toBe('?von=2.0&bis=2.1');
    expect(await page.locator('main [role=status]').textContent()).toBe('0 neu, 0 entfallen, 1 geändert.');
    const row = page.getByRole('row', { name: /Zentraldruck/ });
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('0,035 € je Seite');
    expect(text).toContain('0,04 € je Seite');
    expect(text).toContain('Preis je Einheit: 0,035 € → 0,04 € (+14,3 %)');

    // Visitors compare adopted versions only.
    const visitor = await browser.newPage({ baseURL: srv.baseUrl });
    const res = await visitor.goto('/leistungen/vergleich?von=2.0&bis=2.1');
    expect(res?.status()).toBe(404);
    await visitor.close();
  });
});

describe("a member's agreements", () => {
  it('a member admin books a service and sees its monthly cost', async () => {
    const page = await session(DEMO_USERS.panketalAdmin);
    await click(
      page,
      page.locator('header nav.site-nav').getByRole('link', { name: 'Leistungsvereinbarungen' }),
    );
    expect(await page.locator('h1').textContent()).toBe('Leistungsvereinbarungen: Panketal');

    // From the first day of next month (by the server's clock, the real one).
    const today = new Date();
    const next = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1));
    const month = next.toISOString().slice(0, 7);
    await page.locator('#f-serviceCode').selectOption({ label: '2.4 Bürgerservice mit VOIS: Gebührenkasse' });
    await page.getByLabel('Beginn').fill(`${month}-01`);
    await page.getByLabel('Menge').fill('2');
    await click(page, page.getByRole('button', { name: 'Buchen' }));
    expect(await page.locator('h1').textContent()).toBe(
      'Vereinbarung: 2.4 Bürgerservice mit VOIS: Gebührenkasse',
    );
    expect(await page.locator('[role=status]').first().textContent()).toContain(
      'Die Leistung wurde gebucht.',
    );
    expect(await page.locator('main').textContent()).toContain('Frühestes Ende');

    await click(page, page.getByRole('link', { name: 'Zu allen Vereinbarungen von Panketal' }));
    await page.locator('#f-monat').selectOption(month);
    await click(page, page.getByRole('button', { name: 'Anzeigen' }));
    const row = page.locator('#costs-h ~ section').getByRole('row', { name: /Gebührenkasse/ });
    const text = (await row.textContent()) ?? '';
    // 2 × 45,00 € for a whole month, not taxable: 90,00 € net, 0,00 € VAT, 90,00 € gross.
    expect(text).toContain('2 × 45,00 €');
    expect(text).toContain('90,00 €');
    expect(text).toContain('nicht steuerbar');
    const total = page.getByRole('row', { name: /^Summe/ });
    expect(await total.count()).toBe(1);
  });
});

describe('on a 375 px phone', () => {
  it('the draft, its service editor (also with errors), the comparison and an agreement fit', async () => {
    const wide: string[] = [];
    const measure = async (page: Page, label: string) => {
      await page.evaluate('document.fonts.ready');
      const w = await page.evaluate<number>('document.documentElement.scrollWidth');
      if (w > 375) wide.push(`${label}: ${w} px`);
    };
    const finance = await session(DEMO_USERS.associationFinance);
    await finance.setViewportSize({ width: 375, height: 800 });
    for (const url of [
      '/leistungen/versionen',
      '/leistungen/versionen/2.1',
      '/leistungen/versionen/2.1/leistungen/vm-betrieb',
      '/leistungen/versionen/2.1/neue-leistung',
      '/leistungen/vergleich?von=1.0&bis=2.1',
    ]) {
      await finance.goto(url);
      await measure(finance, url);
    }
    await finance.goto('/leistungen/versionen/2.1/leistungen/vm-betrieb');
    await finance.locator('#f-tier1UpTo').fill('x');
    await click(finance, finance.getByRole('button', { name: 'Speichern' }));
    await measure(finance, 'service editor with errors');

    const member = await session(DEMO_USERS.panketalAdmin);
    await member.setViewportSize({ width: 375, height: 800 });
    await click(
      member,
      member.locator('header nav.site-nav').getByRole('link', { name: 'Leistungsvereinbarungen' }),
    );
    await measure(member, 'agreements');
    await click(member, member.getByRole('link', { name: /Dateiablage/ }));
    await measure(member, 'one agreement');
    await member.locator('#f-endsOn').fill('2020-01-01');
    await click(member, member.getByRole('button', { name: 'Kündigen' }));
    expect(await member.locator('#error-summary').textContent()).toContain('Frühestes Ende');
    await measure(member, 'cancellation refused');
    expect(wide).toEqual([]);
  });
});
