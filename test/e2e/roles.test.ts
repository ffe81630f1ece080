/**
 * Each demo role logs in through the real login form and sees exactly its area: the main navigation,
 * pages outside the area answer 403/404 when opened by URL, a member's staff cannot reach another
 * member's pages, logout works, and the language switch works both ways.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_USERS,
  type E2eServer,
  launchBrowser,
  login,
  logout,
  memberIdByName,
  newContext,
  startE2eServer,
} from './server.js';

let srv: E2eServer;
let browser: Browser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  // Member ids, looked up the way a person would: through the association's member list.
  const { context, page } = await session(DEMO_USERS.associationAdmin);
  for (const name of [
    'Panketal',
    'Bad Belzig',
    'Amt Niemegk',
    'Niemegk',
    'Zweckverband Digitale Kommunen Brandenburg',
  ]) {
    ids[name] = await memberIdByName(page, name);
  }
  await context.close();
});

afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

async function session(email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, srv.baseUrl);
  const page = await context.newPage();
  await login(page, email);
  return { context, page };
}

async function mainNav(page: Page): Promise<string[]> {
  return (await page.locator('header nav.site-nav a').allTextContents()).map((s) => s.trim());
}

/** Opens a URL; returns its HTTP status, the whole HTML (head included), the title and the main heading. */
async function open(
  page: Page,
  url: string,
): Promise<{ status: number; text: string; title: string; h1: string }> {
  const res = await page.goto(url);
  return {
    status: res?.status() ?? 0,
    text: await page.content(),
    title: await page.title(),
    h1: (await page.locator('h1').first().textContent()) ?? '',
  };
}

describe('association admin', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => ({ context, page } = await session(DEMO_USERS.associationAdmin)));
  afterAll(async () => context?.close());

  it('starts on the member list and sees the association navigation', async () => {
    expect(new URL(page.url()).pathname).toBe('/mitglieder');
    await page.goto('/mitglieder');
    expect(await mainNav(page)).toEqual([
      'Mitglieder',
      'Personen des Verbands',
      'API-Tokens',
      'Leistungsverzeichnis',
      'Verbrauchsdaten',
      'Verbandsversammlung',
    ]);
    expect(await page.locator('h1').textContent()).toBe('Mitglieder');
  });

  it('opens every member and the association pages, but not the audit trail', async () => {
    for (const url of [
      `/mitglieder/${ids.Panketal}`,
      `/mitglieder/${ids.Panketal}/personen`,
      `/mitglieder/${ids.Panketal}/bearbeiten`,
      '/mitglieder/neu',
    ]) {
      expect((await open(page, url)).status, url).toBe(200);
    }
    const audit = await open(page, '/pruefung');
    expect(audit.status).toBe(403);
    expect(audit.h1).toBe('Keine Berechtigung');
  });

  it('has the session cookie as a Secure __Host- cookie', async () => {
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === '__Host-allmende-session');
    expect(session).toMatchObject({ secure: true, httpOnly: true, path: '/', sameSite: 'Lax' });
  });
});

describe('association finance', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => ({ context, page } = await session(DEMO_USERS.associationFinance)));
  afterAll(async () => context?.close());

  it('sees only the member list', async () => {
    expect(new URL(page.url()).pathname).toBe('/mitglieder');
    expect(await mainNav(page)).toEqual(['Mitglieder', 'Leistungsverzeichnis', 'Verbrauchsdaten']);
    expect(await page.getByRole('link', { name: 'Aufnahmeantrag erfassen' }).count()).toBe(0);
  });

  it('cannot manage members, people, tokens or read the audit trail', async () => {
    expect((await open(page, `/mitglieder/${ids.Panketal}`)).status).toBe(200);
    expect((await open(page, '/leistungen/versionen')).status).toBe(200);
    expect((await open(page, `/mitglieder/${ids.Panketal}/vereinbarungen`)).status).toBe(200);
    expect((await open(page, '/mitglieder/neu')).status).toBe(403);
    expect((await open(page, `/mitglieder/${ids.Panketal}/bearbeiten`)).status).toBe(403);
    expect((await open(page, '/pruefung')).status).toBe(403);
    expect((await open(page, '/versammlung')).status).toBe(403);
    expect([403, 404]).toContain((await open(page, `/mitglieder/${ids.Panketal}/personen`)).status);
    expect([403, 404]).toContain((await open(page, `/mitglieder/${ids.Panketal}/api-tokens`)).status);
  });
});

describe('auditor', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => ({ context, page } = await session(DEMO_USERS.auditor)));
  afterAll(async () => context?.close());

  it('sees the member list and the audit trail', async () => {
    expect(await mainNav(page)).toEqual(['Mitglieder', 'Prüfpfad']);
    const audit = await open(page, '/pruefung');
    expect(audit.status).toBe(200);
    expect(audit.h1).toBe('Prüfpfad');
    expect((await open(page, '/pruefung/verifizieren')).status).toBe(200);
    expect((await open(page, '/mitglieder')).status).toBe(200);
  });

  it('reads but does not change', async () => {
    expect((await open(page, '/mitglieder/neu')).status).toBe(403);
    expect((await open(page, `/mitglieder/${ids.Panketal}/bearbeiten`)).status).toBe(403);
    expect([403, 404]).toContain((await open(page, `/mitglieder/${ids.Panketal}/api-tokens`)).status);
  });
});

describe('member admin of Panketal', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => ({ context, page } = await session(DEMO_USERS.panketalAdmin)));
  afterAll(async () => context?.close());

  it('starts on its own member page and sees the member navigation', async () => {
    expect(new URL(page.url()).pathname).toBe(`/mitglieder/${ids.Panketal}`);
    expect(await mainNav(page)).toEqual([
      'Unsere Kommune',
      'Personen',
      'API-Tokens',
      'Leistungsvereinbarungen',
      'Verbrauch',
      'Leistungsverzeichnis',
    ]);
    expect(await page.locator('h1').textContent()).toBe('Panketal');
  });

  it('opens its own pages', async () => {
    for (const url of [
      `/mitglieder/${ids.Panketal}/personen`,
      `/mitglieder/${ids.Panketal}/bearbeiten`,
      `/mitglieder/${ids.Panketal}/api-tokens`,
      `/mitglieder/${ids.Panketal}/vereinbarungen`,
      `/mitglieder/${ids.Panketal}/verbrauch`,
    ]) {
      expect((await open(page, url)).status, url).toBe(200);
    }
    expect((await open(page, `/mitglieder/${ids['Bad Belzig']}/vereinbarungen`)).status).toBe(404);
    expect((await open(page, `/mitglieder/${ids['Bad Belzig']}/verbrauch`)).status).toBe(404);
    expect((await open(page, '/verbrauch')).status).toBe(403);
    expect((await open(page, '/leistungen/versionen')).status).toBe(403);
  });

  it('cannot open the association area or other members', async () => {
    expect((await open(page, '/mitglieder')).status).toBe(403);
    expect((await open(page, '/versammlung')).status).toBe(403);
    expect((await open(page, '/pruefung')).status).toBe(403);
    expect((await open(page, '/mitglieder/neu')).status).toBe(403);
    const other = await open(page, `/mitglieder/${ids['Bad Belzig']}`);
    expect(other.status).toBe(404);
    expect(other.text).not.toContain('Bad Belzig');
  });
});

describe('member clerk of Bad Belzig', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => ({ context, page } = await session(DEMO_USERS.badBelzigClerk)));
  afterAll(async () => context?.close());

  it('sees its own member and its people only', async () => {
    expect(new URL(page.url()).pathname).toBe(`/mitglieder/${ids['Bad Belzig']}`);
    expect(await mainNav(page)).toEqual([
      'Unsere Kommune',
      'Personen',
      'Leistungsvereinbarungen',
      'Verbrauch',
      'Leistungsverzeichnis',
    ]);
    expect((await open(page, `/mitglieder/${ids['Bad Belzig']}/personen`)).status).toBe(200);
  });

  it('gets 403 for the association area and the audit trail', async () => {
    for (const url of ['/mitglieder', '/pruefung', '/mitglieder/neu']) {
      const r = await open(page, url);
      expect(r.status, url).toBe(403);
      expect(r.h1, url).toBe('Keine Berechtigung');
    }
  });

  it('cannot change its own member, people or tokens', async () => {
    expect((await open(page, `/mitglieder/${ids['Bad Belzig']}/bearbeiten`)).status).toBe(403);
    expect([403, 404]).toContain((await open(page, `/mitglieder/${ids['Bad Belzig']}/personen/neu`)).status);
    expect([403, 404]).toContain((await open(page, `/mitglieder/${ids['Bad Belzig']}/api-tokens`)).status);
  });

  it("cannot reach Panketal's pages by URL: 404 without any Panketal data", async () => {
    const p = ids.Panketal;
    for (const url of [
      `/mitglieder/${p}`,
      `/mitglieder/${p}/personen`,
      `/mitglieder/${p}/bearbeiten`,
      `/mitglieder/${p}/api-tokens`,
      `/mitglieder/${p}/personen/neu`,
      `/mitglieder/${p}/verbrauch`,
    ]) {
      const r = await open(page, url);
      expect(r.status, url).toBe(404);
      expect(r.h1, url).toBe('Nicht gefunden');
      for (const secret of ['Panketal', '12060181', '16341', 'panketal.example', 'Paul Panke']) {
        expect(r.text, `${url} shows ${secret}`).not.toContain(secret);
        expect(r.title, `${url} title shows ${secret}`).not.toContain(secret);
      }
    }
  });
});

describe('member clerk of Amt Niemegk', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => ({ context, page } = await session(DEMO_USERS.niemegkClerk)));
  afterAll(async () => context?.close());

  it('starts on the Amt and opens the member page of Niemegk, a municipality of the Amt', async () => {
    expect(new URL(page.url()).pathname).toBe(`/mitglieder/${ids['Amt Niemegk']}`);
    expect(await mainNav(page)).toEqual([
      'Unsere Kommune',
      'Personen',
      'Leistungsvereinbarungen',
      'Verbrauch',
      'Leistungsverzeichnis',
    ]);
    await Promise.all([
      page.waitForURL(`**/mitglieder/${ids.Niemegk}`),
      page.getByRole('link', { name: 'Niemegk', exact: true }).click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe('Niemegk');
    const r = await open(page, `/mitglieder/${ids.Niemegk}`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('12069448');
  });

  it('cannot open members outside the Amt', async () => {
    expect((await open(page, `/mitglieder/${ids.Panketal}`)).status).toBe(404);
    expect((await open(page, `/mitglieder/${ids['Bad Belzig']}`)).status).toBe(404);
    expect((await open(page, '/mitglieder')).status).toBe(403);
  });
});

describe('logout and language', () => {
  it('logs out: the session ends and pages ask for a login again', async () => {
    const { context, page } = await session(DEMO_USERS.badBelzigClerk);
    const before = (await context.cookies()).find((c) => c.name === '__Host-allmende-session');
    expect(before?.value).toBeTruthy();
    await logout(page);
    expect(await page.locator('h1').textContent()).toBe('Anmelden');
    expect(await page.getByText('Sie wurden abgemeldet.').count()).toBe(1);
    expect(await page.locator('header form[action="/abmelden"]').count()).toBe(0);
    await page.goto(`/mitglieder/${ids['Bad Belzig']}`);
    expect(new URL(page.url()).pathname).toBe('/anmelden');
    // The old session token is worthless, even when replayed from another browser.
    const replay = await newContext(browser, srv.baseUrl);
    await replay.addCookies([{ ...before!, expires: -1 }]);
    const other = await replay.newPage();
    await other.goto(`/mitglieder/${ids['Bad Belzig']}`);
    expect(new URL(other.url()).pathname).toBe('/anmelden');
    await replay.close();
    await context.close();
  });

  it('removes the session cookie from the browser on logout', async () => {
    const { context, page } = await session(DEMO_USERS.badBelzigClerk);
    await logout(page);
    const cookies = await context.cookies();
    await context.close();
    expect(cookies.some((c) => c.name === '__Host-allmende-session')).toBe(false);
  });

  it('switches to English and back, keeping the page', async () => {
    const { context, page } = await session(DEMO_USERS.associationAdmin);
    await page.goto('/mitglieder?q=Panke');
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await Promise.all([
      page.waitForURL('**/mitglieder?q=Panke'),
      page.getByRole('link', { name: 'Switch to English' }).click(),
    ]);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('Members');
    expect(await mainNav(page)).toEqual([
      'Members',
      'Association staff',
      'API tokens',
      'Service catalogue',
      'Usage data',
      'Assembly',
    ]);
    expect(await page.getByRole('link', { name: 'Panketal' }).count()).toBe(1);
    await Promise.all([
      page.waitForURL('**/mitglieder?q=Panke'),
      page.getByRole('link', { name: 'Auf Deutsch wechseln' }).click(),
    ]);
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await page.locator('h1').textContent()).toBe('Mitglieder');
    await context.close();
  });

  it('switches language on the login page before login', async () => {
    const context = await newContext(browser, srv.baseUrl);
    const page = await context.newPage();
    await page.goto('/anmelden');
    await page.getByRole('link', { name: 'Switch to English' }).click();
    await page.waitForURL('**/anmelden');
    expect(await page.locator('h1').textContent()).toBe('Sign in');
    await login(page, DEMO_USERS.panketalAdmin);
    expect(await mainNav(page)).toEqual([
      'Our municipality',
      'People',
      'API tokens',
      'Service agreements',
      'Usage',
      'Service catalogue',
    ]);
    await context.close();
  });
});
