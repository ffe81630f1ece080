/**
 * POST → redirect → GET in the browser: the demo association admin creates a member, a person and an
 * API token through the real forms and reloads after every create. Nothing new is created by a reload
 * (counted in the database before and after), the success message and a one-time secret are shown
 * once and are gone on reload, and a double click on "create" makes one token. A person is invited by
 * mail (no mail server here: the page says the mail went to the log); no password is shown.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTx } from '../../src/db/tx.js';
import { MODULES } from '../../src/modules/index.js';
import { createRegistry } from '../../src/modules/registry.js';
import { ALL_MEMBERS_READ, systemCtx } from '../../src/shared/context.js';
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
let panketal: string;
/** The translators of the app: the platform's texts and every module's messages. */
const messages = createRegistry(MODULES).messages;
const de = translator('de', messages);

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  context = await newContext(browser, srv.baseUrl);
  page = await context.newPage();
  await login(page, DEMO_USERS.associationAdmin);
  panketal = await memberIdByName(page, 'Panketal');
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await srv?.stop();
});

const count = (table: 'members' | 'users' | 'api_tokens' | 'audit_events') =>
  runInTx(srv.server.database, systemCtx('test', ALL_MEMBERS_READ), async (tx) => {
    const r = await tx.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  });

/** Submits a form; the caller waits for what the page after the redirect shows. */
async function submit(form: string): Promise<void> {
  await page.locator(`${form} button[type=submit]`).click();
}

describe('reloading after every create creates nothing new', () => {
  it('a member', async () => {
    await page.goto('/mitglieder/neu');
    const form = 'main form[action="/mitglieder"]';
    await page.locator(`${form} input[name=name]`).fill('Zweckverband Neuladen');
    await page.locator(`${form} select[name=kind]`).selectOption('verband');
    const before = await count('members');
    await submit(form);
    await page.waitForURL(/\/mitglieder\/[0-9a-f-]{36}$/);
    expect(await page.locator('h1').textContent()).toBe('Zweckverband Neuladen');
    await expect
      .poll(() =>
        page
          .getByRole('status')
          .filter({ hasText: de('members.created') })
          .count(),
      )
      .toBe(1);
    expect(await count('members')).toBe(before + 1);
    const audit = await count('audit_events');

    await page.reload();
    expect(await page.locator('h1').textContent()).toBe('Zweckverband Neuladen');
    expect(await page.getByText(de('members.created')).count()).toBe(0);
    expect(await count('members')).toBe(before + 1);
    expect(await count('audit_events')).toBe(audit);
  });

  it('a person (invited by mail; the notice is shown once, no password anywhere)', async () => {
    const base = `/mitglieder/${panketal}/personen`;
    await page.goto(`${base}/neu`);
    const form = `main form[action="${base}"]`;
    expect(await page.locator(`${form} input[type=password]`).count()).toBe(0);
    await page.locator(`${form} input[name=email]`).fill('neu.geladen@panketal.example');
    await page.locator(`${form} input[name=displayName]`).fill('Neu Geladen');
    await page.locator(`${form} input[name=roles][value=member_clerk]`).check();
    const before = await count('users');
    await submit(form);
    await page.getByText(de('people.invited_logged')).waitFor();
    expect(new URL(page.url()).pathname).toBe(base);
    expect(await page.locator('.token-secret').count()).toBe(0);
    expect(await count('users')).toBe(before + 1);

    await page.reload();
    expect(await page.getByText(de('people.invited_logged')).count()).toBe(0);
    expect(await page.getByRole('cell', { name: 'neu.geladen@panketal.example' }).count()).toBe(1);
    expect(await count('users')).toBe(before + 1);
  });

  it('an API token (the secret is not shown again)', async () => {
    const base = `/mitglieder/${panketal}/api-tokens`;
    await page.goto(base);
    const form = `main form[action="${base}"]`;
    await page.locator(`${form} input[name=name]`).fill('Neulade-Token');
    const before = await count('api_tokens');
    await submit(form);
    await page.locator('.token-secret').waitFor();
    const secret = (await page.locator('.token-secret').textContent()) ?? '';
    expect(secret).toMatch(/^alm_/);
    expect(page.url()).not.toContain('alm_');
    expect(await count('api_tokens')).toBe(before + 1);

    await page.reload();
    expect(await page.locator('.token-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByRole('rowheader', { name: 'Neulade-Token' }).count()).toBe(1);
    expect(await count('api_tokens')).toBe(before + 1);
  });

  it('a double click on "save" creates one member', async () => {
    await page.goto('/mitglieder/neu');
    const form = 'main form[action="/mitglieder"]';
    await page.locator(`${form} input[name=name]`).fill('Zweckverband Doppelklick');
    await page.locator(`${form} select[name=kind]`).selectOption('verband');
    const before = await count('members');
    await page.locator(`${form} button[type=submit]`).dblclick();
    await page.waitForURL(/\/mitglieder\/[0-9a-f-]{36}$/);
    await page.reload();
    expect(await page.locator('h1').textContent()).toBe('Zweckverband Doppelklick');
    expect(await count('members')).toBe(before + 1);
  });
});
