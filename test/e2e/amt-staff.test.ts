/**
 * The Amt clerk's path through one of the Amt's municipalities, as a person would click it: the Amt's
 * list of municipalities → the municipality → its people. On every step the menu item of the Amt is
 * highlighted, the breadcrumb leads back through the Amt, every link named "Personen" has one target (the
 * Amt's staff), and the municipality's empty people page says that the Amt's staff act for it.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type E2eServer, launchBrowser, login, newContext, startE2eServer } from './server.js';

let srv: E2eServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  context = await newContext(browser, srv.baseUrl);
  page = await context.newPage();
  await login(page, DEMO_USERS.niemegkClerk);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await srv?.stop();
});

/** The highlighted main-menu items (text and target). */
async function highlighted(): Promise<{ text: string; href: string | null }[]> {
  const items = page.locator('header nav.site-nav a[aria-current="page"]');
  return Promise.all(
    (await items.all()).map(async (a) => ({
      text: ((await a.textContent()) ?? '').trim(),
      href: await a.getAttribute('href'),
    })),
  );
}

async function breadcrumb(): Promise<string[]> {
  const links = page.getByRole('navigation', { name: 'Brotkrumennavigation' }).getByRole('link');
  return (await links.allTextContents()).map((s) => s.trim());
}

/** axe-core (WCAG 2.0/2.1 A and AA) finds nothing on the page as it is now. */
async function expectAccessible(): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  expect(
    result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
}

/** The targets of every link a screen reader announces as "Personen", deduplicated. */
async function personenTargets(): Promise<string[]> {
  const links = await page.getByRole('link', { name: 'Personen', exact: true }).all();
  return [...new Set(await Promise.all(links.map((l) => l.getAttribute('href') as Promise<string>)))];
}

describe('the Amt clerk through a municipality of the Amt', () => {
  let amtPath: string;

  it("starts on the Amt's page with its list of municipalities", async () => {
    amtPath = new URL(page.url()).pathname;
    expect(await page.locator('h1').textContent()).toBe('Amt Niemegk');
    expect(await highlighted()).toEqual([{ text: 'Unsere Kommune', href: amtPath }]);
    expect(await personenTargets()).toEqual([`${amtPath}/personen`]);
    const list = page.getByRole('region', { name: 'Amtsangehörige Städte und Gemeinden' });
    expect(await list.getByRole('link').allTextContents()).toContain('Niemegk');
  });

  it('opens the municipality: the Amt stays highlighted, the breadcrumb leads to the Amt', async () => {
    await Promise.all([
      page.waitForURL((u) => u.pathname !== amtPath),
      page
        .getByRole('region', { name: 'Amtsangehörige Städte und Gemeinden' })
        .getByRole('link', { name: 'Niemegk', exact: true })
        .click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe('Niemegk');
    expect(await highlighted()).toEqual([{ text: 'Unsere Kommune', href: amtPath }]);
    expect(await breadcrumb()).toEqual(['Amt Niemegk']);
    // "Personen" is the Amt's staff, wherever it appears; the municipality's own list is named.
    expect(await personenTargets()).toEqual([`${amtPath}/personen`]);
    await expectAccessible();
  });

  it("opens the municipality's people: breadcrumb Amt › municipality, the empty state names the Amt's staff", async () => {
    const municipality = new URL(page.url()).pathname;
    await Promise.all([
      page.waitForURL(`**${municipality}/personen`),
      page.getByRole('link', { name: 'Personen: Niemegk', exact: true }).click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe('Personen: Niemegk');
    expect(await breadcrumb()).toEqual(['Amt Niemegk', 'Niemegk']);
    expect(await highlighted()).toEqual([{ text: 'Unsere Kommune', href: amtPath }]);
    expect(await personenTargets()).toEqual([`${amtPath}/personen`]);
    const main = page.getByRole('main');
    expect(await main.getByText('Für diese Stadt handeln die Beschäftigten des Amtes Niemegk.').count()).toBe(
      1,
    );
    expect(await main.getByRole('table').count()).toBe(0);
    await expectAccessible();
    // Its link leads to the Amt's staff, where the menu's "Personen" is highlighted.
    await Promise.all([
      page.waitForURL(`**${amtPath}/personen`),
      main.getByRole('link', { name: 'Personen: Amt Niemegk' }).click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe('Personen: Amt Niemegk');
    expect(await highlighted()).toEqual([{ text: 'Personen', href: `${amtPath}/personen` }]);
    expect(await main.getByRole('table').count()).toBe(1);
  });
});
