/**
 * Phones: at 375 × 800 px no page scrolls sideways as a whole (`scrollWidth <= 375`), for every demo
 * role and for visitors. Each role's pages are found the way a person finds them: from the start page,
 * following the links of the navigation and the page (one page per URL pattern: ids count as one),
 * plus the states a person meets that no link leads to (forms with errors). Wide tables scroll inside
 * their own focusable region with the first column kept in view.
 * Every page load is also checked for 404 answers of what it loads (favicon, styles).
 * With ALLMENDE_SCREENSHOTS=<folder>, a full-page screenshot of each page is saved there.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type E2eServer, launchBrowser, login, startE2eServer } from './server.js';

const WIDTH = 375;
const SHOTS = process.env.ALLMENDE_SCREENSHOTS;

let srv: E2eServer;
let browser: Browser;

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  if (SHOTS) fs.mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

async function phone(email?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: srv.baseUrl,
    viewport: { width: WIDTH, height: 800 },
    locale: 'de-DE',
  });
  const page = await context.newPage();
  if (email) await login(page, email);
  return { context, page };
}

/** Same-origin page links (GET, HTML) worth following; sign-out, language, exports and downloads (the audit anchor) and the API are not. */
function followable(href: string): boolean {
  if (!href.startsWith('/') || href.startsWith('//')) return false;
  // Files (meeting documents, minutes, CSV exports) are downloads, not pages; OParl answers JSON.
  if (/^\/sitzungen\/dokumente\/|\.(pdf|csv)(\?|$)|^\/oparl\//.test(href)) return false;
  return !/^\/(abmelden|sprache\/|static\/|pruefung\/(export|anker\.json)|anmelden\/oidc|api\/(?!docs\b))/.test(
    href,
  );
}

/** One URL per pattern: ids, numbers and query values do not make a new page. */
function patternOf(href: string): string {
  const u = new URL(href, 'http://x');
  const keys = [...u.searchParams.keys()].sort().join(',');
  return `${u.pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/\/\d+(?=\/|$)/g, '/:n')}?${keys}`;
}

interface Visit {
  url: string;
  status: number;
  scrollWidth: number;
  /** Resources of the page that answered 404. */
  missing: string[];
}

/** Opens a page and measures it (after fonts are loaded, which change widths). */
async function measure(page: Page, url: string, label: string): Promise<Visit> {
  const missing: string[] = [];
  const onResponse = (res: import('playwright-core').Response) => {
    if (res.status() === 404 && res.request().resourceType() !== 'document') missing.push(res.url());
  };
  page.on('response', onResponse);
  let status = 0;
  try {
    const res = url === '' ? null : await page.goto(url);
    status = res?.status() ?? 200;
    await page.evaluate('document.fonts.ready');
    // A favicon is fetched after load; give it its moment.
    await page.waitForLoadState('networkidle');
  } finally {
    page.off('response', onResponse);
  }
  const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
  if (SHOTS) {
    const name = `${label}-${patternOf(page.url()).replace(/[^a-z0-9]+/gi, '_')}`.slice(0, 120);
    // The top of the page (a whole audit trail is 10,000 px high).
    const height = Math.min(2000, await page.evaluate<number>('document.documentElement.scrollHeight'));
    await page.screenshot({
      path: path.join(SHOTS, `${name}.png`),
      fullPage: true,
      clip: { x: 0, y: 0, width: WIDTH, height },
    });
  }
  return { url: page.url(), status, scrollWidth, missing };
}

/** Visits the start page and every page reachable by links (one per pattern, at most `limit`). */
async function crawl(page: Page, label: string, start: string, limit = 40): Promise<Visit[]> {
  const seen = new Set<string>();
  const queue = [start];
  const visits: Visit[] = [];
  while (queue.length > 0 && visits.length < limit) {
    const url = queue.shift()!;
    const key = patternOf(url);
    if (seen.has(key)) continue;
    seen.add(key);
    visits.push(await measure(page, url, label));
    const hrefs = await page
      .locator('header a[href], main a[href], footer a[href]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const h of hrefs) if (followable(h) && !seen.has(patternOf(h))) queue.push(h);
  }
  return visits;
}

function expectFits(visits: Visit[], label: string): void {
  const wide = visits.filter((v) => v.scrollWidth > WIDTH).map((v) => `${v.url}: ${v.scrollWidth} px`);
  expect(wide, `${label}: pages wider than ${WIDTH} px`).toEqual([]);
  const missing = visits.flatMap((v) => v.missing.map((m) => `${v.url} loads ${m}`));
  expect(missing, `${label}: 404 while loading a page`).toEqual([]);
}

/** Submits the form of the button and measures the page that answers. */
async function submitted(page: Page, button: ReturnType<Page['locator']>, label: string): Promise<Visit> {
  const [res] = await Promise.all([page.waitForNavigation(), button.click()]);
  return { ...(await measure(page, '', label)), status: res?.status() ?? 0 };
}

describe('every page fits a 375 px phone', () => {
  it('visitor: login (also with errors), legal pages, API reference, 404', async () => {
    const { context, page } = await phone();
    try {
      const visits = await crawl(page, 'visitor', '/anmelden');
      for (const url of ['/impressum', '/datenschutz', '/barrierefreiheit', '/api/docs', '/gibt-es-nicht'])
        visits.push(await measure(page, url, 'visitor'));
      await page.goto('/anmelden');
      visits.push(await submitted(page, page.locator('main form button[type=submit]'), 'visitor-errors'));
      expect(visits.map((v) => new URL(v.url).pathname)).toContain('/api/docs');
      expectFits(visits, 'visitor');
    } finally {
      await context.close();
    }
  });

  for (const [role, email] of Object.entries(DEMO_USERS)) {
    it(`${role}: every page reachable from the start page`, async () => {
      const { context, page } = await phone(email);
      try {
        const visits = await crawl(page, role, new URL(page.url()).pathname);
        // The start page, the navigation and the pages behind them (lists, details, forms).
        expect(visits.length, `${role}: pages visited`).toBeGreaterThanOrEqual(4);
        expectFits(visits, role);
      } finally {
        await context.close();
      }
    });
  }

  it('forms with errors (new member, member edit, new person, API token, password)', async () => {
    const { context, page } = await phone(DEMO_USERS.associationAdmin);
    try {
      const visits: Visit[] = [];
      await page.goto('/mitglieder/neu');
      visits.push(await submitted(page, page.locator('main form button[type=submit]').first(), 'errors'));
      await page.goto('/mitglieder?q=Panketal');
      const member = await page.getByRole('link', { name: 'Panketal', exact: true }).getAttribute('href');
      await page.goto(`${member}/bearbeiten`);
      await page.locator('#f-ags').fill('abc');
      visits.push(await submitted(page, page.locator('main form button[type=submit]').first(), 'errors'));
      await page.goto(`${member}/personen/neu`);
      visits.push(await submitted(page, page.locator('main form button[type=submit]').first(), 'errors'));
      await page.goto(`${member}/api-tokens`);
      visits.push(await submitted(page, page.getByRole('button', { name: 'Token erstellen' }), 'errors'));
      await page.goto('/konto');
      await page.locator('#f-currentPassword').fill('falsch');
      visits.push(await submitted(page, page.getByRole('button', { name: 'Passwort ändern' }), 'errors'));
      expect(visits.filter((v) => v.status < 400).map((v) => v.url)).toEqual([]);
      expectFits(visits, 'forms with errors');
    } finally {
      await context.close();
    }
  });

  it('a wide table scrolls in its own named, focusable region with its first column kept', async () => {
    const { context, page } = await phone(DEMO_USERS.auditor);
    try {
      await page.goto('/pruefung');
      const region = page.locator('main .kern-table-responsive').first();
      expect(await region.getAttribute('tabindex')).toBe('0');
      const name = (await region.getAttribute('aria-label')) ?? '';
      expect(name).not.toBe('');
      expect(await page.getByRole('region', { name, exact: true }).count()).toBe(1);
      expect(
        await region.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).overflowX),
      ).toBe('auto');
      const box = await region.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      // The table is wider than the phone: it scrolls inside the region, not the page.
      expect(box.scroll).toBeGreaterThan(box.client);
      const firstCell = region.locator('tbody tr').first().locator('td, th').first();
      const before = (await firstCell.boundingBox())!.x;
      await region.evaluate((el) => {
        el.scrollLeft = el.scrollWidth;
      });
      const after = (await firstCell.boundingBox())!.x;
      expect(after).toBe(before);
      // The last column (which was off-screen) is now in view.
      const lastHeader = region.locator('thead th').last();
      const last = (await lastHeader.boundingBox())!;
      expect(last.x + last.width).toBeLessThanOrEqual(WIDTH);
    } finally {
      await context.close();
    }
  });
});
