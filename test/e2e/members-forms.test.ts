/**
 * The member forms as a clerk of the association uses them in the browser: the empty form reports every
 * problem at once (summary and fields), a wrong AGS is reported once at its own field, a pasted AGS with
 * spaces is accepted and shown with its district, and a withdrawal asks for confirmation (without
 * JavaScript: a required checkbox the server checks) and reports a missing date on the member's page.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULES } from '../../src/modules/index.js';
import { createRegistry } from '../../src/modules/registry.js';
import { translator } from '../../src/web/i18n/index.js';
import {
  DEMO_USERS,
  type E2eServer,
  launchBrowser,
  login,
  memberIdByName,
  newContext,
  startE2eServer,
} from './server.js';

let srv: E2eServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const de = translator('de', createRegistry(MODULES).messages);

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  context = await newContext(browser, srv.baseUrl);
  page = await context.newPage();
  await login(page, DEMO_USERS.associationAdmin);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await srv?.stop();
});

/** Clicks the submit button of the main form and returns the response of the page that follows. */
async function submit(form = 'main form[method=post]'): Promise<Response> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.locator(`${form} button[type=submit]`).click(),
  ]);
  await page.waitForLoadState();
  return res;
}

/** axe-core (WCAG 2.1 AA) finds nothing on the page as it is now. */
async function expectAccessible(): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`)).toEqual([]);
}

const summaryLinks = () =>
  page.locator('#error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
const summaryTexts = () => page.locator('#error-summary li').allInnerTexts();
const fieldError = (field: string) => page.locator(`#f-${field}-error`).innerText();

describe('new member form', () => {
  it('names the button by what it does and marks the required fields', async () => {
    await page.goto('/mitglieder');
    await page.getByRole('link', { name: 'Aufnahmeantrag erfassen' }).click();
    await page.waitForURL('**/mitglieder/neu');
    expect(await page.locator('h1').innerText()).toBe('Aufnahmeantrag erfassen');
    expect(await page.locator('label[for=f-name]').innerText()).toContain('(Pflichtfeld)');
    expect(await page.locator('label[for=f-kind]').innerText()).toContain('(Pflichtfeld)');
    expect(await page.locator('#f-name').getAttribute('required')).not.toBeNull();
    // A pasted key with spaces fits the field.
    expect(Number(await page.locator('#f-ags').getAttribute('maxlength'))).toBeGreaterThanOrEqual(10);
    // Einwohnerzahl and Stichjahr share a row; the name field spans the form.
    const pop = await page.locator('#f-population').boundingBox();
    const year = await page.locator('#f-populationYear').boundingBox();
    expect(Math.abs(pop!.y - year!.y)).toBeLessThan(2);
    const name = await page.locator('#f-name').boundingBox();
    const leitweg = await page.locator('#f-leitwegId').boundingBox();
    expect(name!.width).toBeGreaterThan(leitweg!.width * 2);
  });

  it('shows every problem of the empty form at once, in the summary and at the fields', async () => {
    await page.goto('/mitglieder/neu');
    const res = await submit();
    expect(res.status()).toBe(422);
    expect(await summaryLinks()).toEqual(['#f-name', '#f-kind']);
    expect(await fieldError('name')).toBe(de.code('member_name.required'));
    expect(await fieldError('kind')).toBe(de.code('kind.invalid'));
    expect(await page.locator('#f-name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#f-kind').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible();
  });

  it('reports a key of no district once, at its field, and not at the ARS that merely disagrees', async () => {
    await page.goto('/mitglieder/neu');
    await page.locator('#f-name').fill('Gemeinde Irgendwo');
    await page.locator('#f-kind').selectOption('gemeinde');
    await page.locator('#f-ags').fill('16060269');
    await page.locator('#f-ars').fill('120600269269');
    await page.locator('#f-postalCode').fill('1');
    const res = await submit();
    expect(res.status()).toBe(422);
    expect(await summaryLinks()).toEqual(['#f-ags', '#f-postalCode']);
    const texts = await summaryTexts();
    expect(texts.filter((x) => x === de.code('ags.district'))).toHaveLength(1);
    expect(await fieldError('ags')).toBe(de.code('ags.district'));
    expect(await page.locator('#f-ars-error').count()).toBe(0);
    // What was typed stays.
    expect(await page.locator('#f-ags').inputValue()).toBe('16060269');
  });

  it('accepts an AGS pasted with spaces and shows the district beside it', async () => {
    await page.goto('/mitglieder/neu');
    await page.locator('#f-name').fill('Gemeinde Wandlitz');
    await page.locator('#f-kind').selectOption('gemeinde');
    await page.locator('#f-ags').fill('12 060 269');
    expect(await page.locator('#f-ags').inputValue()).toBe('12 060 269');
    const res = await submit();
    expect(res.status()).toBe(303);
    await page.waitForURL(/\/mitglieder\/[0-9a-f-]{36}$/);
    expect(await page.locator('h1').innerText()).toBe('Gemeinde Wandlitz');
    const main = await page.locator('main').innerText();
    expect(main).toContain('12060269 – Barnim (Kreis)');
  });
});

describe('new Amt', () => {
  it('is asked for its Gemeindeverband key, not an AGS, and shown with its district', async () => {
    await page.goto('/mitglieder/neu');
    await page.getByRole('link', { name: /Ein Amt erfassen/ }).click();
    await page.waitForURL('**/mitglieder/neu?art=amt');
    expect(await page.locator('#f-kind').inputValue()).toBe('amt');
    expect(await page.locator('#f-ags').count()).toBe(0);
    expect(await page.locator('#f-amtId').count()).toBe(0);
    expect(await page.locator('label[for=f-ars]').innerText()).toBe(
      'Gemeindeverbandsschlüssel (Pflichtfeld)',
    );
    await page.locator('#f-name').fill('Amt Peitz');
    await page.locator('#f-ars').fill('12069448');
    expect((await submit()).status()).toBe(422);
    expect(await fieldError('ars')).toBe(de.code('amt_key.format'));
    await page.locator('#f-ars').fill('12 0 71 5209');
    expect((await submit()).status()).toBe(303);
    await page.waitForURL(/\/mitglieder\/[0-9a-f-]{36}$/);
    expect(await page.locator('main').innerText()).toContain('120715209 – Spree-Neiße (Kreis)');
  });
});

describe('the association in its own member list', () => {
  it('is not shown as "Mitglied"', async () => {
    await page.goto('/mitglieder?q=Zweckverband');
    const row = page.locator('main table tbody tr', { hasText: 'Zweckverband Digitale Kommunen' });
    expect(await row.locator('td').last().innerText()).toBe('Verband selbst');
  });
  it('has no keys or Amt in its edit form, and its full name fits the name field', async () => {
    const id = await memberIdByName(page, 'Zweckverband Digitale Kommunen Brandenburg');
    await page.goto(`/mitglieder/${id}/bearbeiten`);
    for (const field of ['kind', 'ags', 'ars', 'amtId'])
      expect(await page.locator(`#f-${field}`).count()).toBe(0);
    const fits = await page.locator('#f-name').evaluate((el) => el.scrollWidth <= el.clientWidth);
    expect(fits).toBe(true);
  });
});

describe('withdrawal', () => {
  let id: string;
  beforeAll(async () => {
    id = await memberIdByName(page, 'Kyritz');
  });

  it('reports a missing date on the member page, at the field', async () => {
    await page.goto(`/mitglieder/${id}`);
    await page.locator('#f-confirm').check();
    const res = await submit(`form[action="/mitglieder/${id}/status"]`);
    expect(res.status()).toBe(422);
    expect(await page.locator('h1').innerText()).toBe('Kyritz');
    expect(await summaryLinks()).toEqual(['#f-on']);
    expect(await fieldError('on')).toBe(de('members.status_date_required'));
  });

  it('asks for confirmation and changes nothing without it', async () => {
    await page.goto(`/mitglieder/${id}`);
    expect(await page.getByRole('button', { name: 'Ausscheiden eintragen' }).count()).toBe(1);
    await page.locator('#f-on').fill('2031-06-30');
    const res = await submit(`form[action="/mitglieder/${id}/status"]`);
    expect(res.status()).toBe(422);
    expect(await summaryLinks()).toEqual(['#f-confirm']);
    expect(await fieldError('confirm')).toBe(de('members.withdraw_confirm_required'));
    // The date typed is kept; the member is unchanged.
    expect(await page.locator('#f-on').inputValue()).toBe('2031-06-30');
    expect(await page.locator('main').innerText()).not.toContain('scheidet aus');
    await expectAccessible();
  });

  it('records the withdrawal once confirmed', async () => {
    await page.locator('#f-confirm').check();
    const res = await submit(`form[action="/mitglieder/${id}/status"]`);
    expect(res.status()).toBe(303);
    await page.waitForURL(`**/mitglieder/${id}`);
    expect(await page.locator('main').innerText()).toContain('scheidet aus zum 30.06.2031');
  });
});
