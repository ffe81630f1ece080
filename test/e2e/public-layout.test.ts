/**
 * The public layout in a browser: a page in a municipality's branding (its coat of arms served by this
 * site, as the Content-Security-Policy requires) and the association's legal pages for visitors —
 * axe-core (WCAG 2.1 AA) finds nothing, in German and English, wide and narrow; the pages carry no script.
 * The branded page is rendered here and served on the real server's origin (the citizen portal that
 * will serve such pages comes later).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/web/i18n/index.js';
import { raw } from '../../src/web/jsx/jsx-runtime.js';
import { PublicLayout } from '../../src/web/public-layout.js';
import { expectAccessible } from './axe.js';
import { type E2eServer, launchBrowser, startE2eServer } from './server.js';

const COAT_OF_ARMS =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 48"><path d="M2 2h36v22c0 12-9 19-18 22C11 43 2 36 2 24z" fill="#1b5e20" stroke="#000" stroke-width="2"/><path d="M10 14h20v4H10zm0 10h20v4H10z" fill="#fff"/></svg>';

let srv: E2eServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  context = await browser.newContext({
    baseURL: srv.baseUrl,
    viewport: { width: 1280, height: 900 },
    locale: 'de-DE',
  });
  page = await context.newPage();
  for (const lang of ['de', 'en'] as const) {
    await page.route(`${srv.baseUrl}/test/buergerservice/${lang}`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: brandedPage(lang) }),
    );
  }
  await page.route(`${srv.baseUrl}/static/app/wappen-panketal.svg`, (route) =>
    route.fulfill({ status: 200, contentType: 'image/svg+xml', body: COAT_OF_ARMS }),
  );
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await srv?.stop();
});

function brandedPage(lang: 'de' | 'en'): string {
  const t = translator(lang);
  const title = lang === 'de' ? 'Hund anmelden' : 'Register a dog';
  return `<!DOCTYPE html>${
    PublicLayout({
      lang,
      t,
      title,
      here: `/test/buergerservice/${lang}`,
      branding: {
        name: 'Gemeinde Panketal',
        logoUrl: '/static/app/wappen-panketal.svg',
        homeUrl: `/test/buergerservice/${lang}`,
        privacyUrl: '/datenschutz',
        imprintUrl: '/impressum',
      },
      children: raw(
        `<div class="kern-stack"><h1 class="kern-heading-x-large">${title}</h1><p class="kern-body">${
          lang === 'de'
            ? 'Hier melden Sie Ihren Hund zur Hundesteuer an.'
            : 'Register your dog for the dog tax here.'
        }</p></div>`,
      ),
    }).html
  }`;
}

describe('public layout', () => {
  for (const width of [1280, 375]) {
    it(`a municipality's page, German and English, ${width} px`, async () => {
      await page.setViewportSize({ width, height: 900 });
      for (const lang of ['de', 'en'] as const) {
        const res = await page.goto(`/test/buergerservice/${lang}`);
        expect(res?.status()).toBe(200);
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        expect(await page.locator('.site-brand__name').textContent()).toBe('Gemeinde Panketal');
        // The coat of arms loaded (from this site) and is shown.
        const logo = page.locator('img.public-brand__logo');
        expect(
          await logo.evaluate((img) => {
            const i = img as unknown as { complete: boolean; naturalWidth: number };
            return i.complete && i.naturalWidth > 0;
          }),
        ).toBe(true);
        await expectAccessible(page, `branded page (${lang}, ${width} px)`);
      }
    });
  }

  it("the association's legal pages for visitors, with no script at all", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    for (const [url, h1] of [
      ['/impressum', 'Impressum'],
      ['/datenschutz', 'Datenschutz'],
      ['/barrierefreiheit', 'Erklärung zur Barrierefreiheit'],
    ]) {
      const res = await page.goto(url!);
      expect(res?.status()).toBe(200);
      expect((await page.locator('h1').textContent())?.trim()).toBe(h1);
      expect(await page.locator('.public-brand').count()).toBe(1);
      expect(await page.locator('script').count()).toBe(0);
      await expectAccessible(page, url!);
    }
    // The language switch works as a plain link and comes back to the page.
    await page.goto('/impressum');
    await Promise.all([
      page.waitForURL(/\/impressum$/),
      page.getByRole('link', { name: 'Switch to English' }).click(),
    ]);
    expect((await page.locator('h1').textContent())?.trim()).toBe('Legal notice (Impressum)');
    await expectAccessible(page, '/impressum (en)');
  });
});
