/**
 * The API reference page (/api/docs) in a browser: axe-core (WCAG 2.1 AA) finds nothing, in German and
 * English, wide and at 375 px; loading it logs no console error (the Swagger UI it replaced had its
 * inline style blocked by the Content-Security-Policy on every visit) and no request answers 404.
 * With ALLMENDE_SCREENSHOTS=<folder>, screenshots are saved there.
 */
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type E2eServer, launchBrowser, login, newContext, startE2eServer } from './server.js';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SHOTS = process.env.ALLMENDE_SCREENSHOTS;

let srv: E2eServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  context = await newContext(browser, srv.baseUrl);
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await srv?.stop();
});

async function expectAccessible(label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`,
  );
  expect(found, `axe violations on ${label}:\n  ${found.join('\n  ')}`).toEqual([]);
  expect(result.passes.length, label).toBeGreaterThan(10);
}

async function open(label: string): Promise<void> {
  problems.length = 0;
  const res = await page.goto('/api/docs');
  expect(res?.status()).toBe(200);
  await page.waitForLoadState('networkidle');
  await page.evaluate('document.fonts.ready');
  if (SHOTS) {
    await page.screenshot({ path: path.join(SHOTS, `api-docs-${label}.png`), fullPage: false });
    await page
      .locator('section.api-operation', { has: page.locator('#op-post-api-v1-members') })
      .screenshot({ path: path.join(SHOTS, `api-docs-${label}-operation.png`) });
  }
}

describe('API reference page', () => {
  it('German, for visitors: accessible, no console error, nothing missing', async () => {
    await open('de');
    expect(await page.locator('h1').textContent()).toBe('API-Dokumentation');
    expect(await page.title()).toBe('API-Dokumentation – Allmende');
    await expectAccessible('API reference (de)');
    expect(problems).toEqual([]);
    // The table of contents leads to the operation.
    await page.locator('nav.api-toc a[href="#op-get-api-v1-members"]').click();
    expect(new URL(page.url()).hash).toBe('#op-get-api-v1-members');
    await expect.poll(() => page.locator('#op-get-api-v1-members').isVisible()).toBe(true);
  });

  it('English after the language switch', async () => {
    await page.goto('/sprache/en?zurueck=/api/docs');
    await open('en');
    expect(await page.locator('h1').textContent()).toBe('API documentation');
    await expectAccessible('API reference (en)');
    expect(problems).toEqual([]);
    await page.goto('/sprache/de?zurueck=/api/docs');
  });

  it('at 375 px, logged in: accessible, no sideways scrolling of the page', async () => {
    await login(page, DEMO_USERS.associationAdmin);
    await page.setViewportSize({ width: 375, height: 800 });
    try {
      await open('375');
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      await expectAccessible('API reference (375 px)');
      expect(problems).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});
