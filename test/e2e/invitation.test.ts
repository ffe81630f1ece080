/**
 * The invitation as people do it in a browser, against a real SMTP server: the admin adds a person,
 * the invitation mail arrives, its link opens the page to set the password, and the person is then
 * logged in. A second use of the link is refused. The link pages and "Passwort vergessen" have no
 * axe violations.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtp, type TestSmtp } from '../support/smtp.js';
import { expectAccessible } from './axe.js';
import {
  DEMO_USERS,
  type E2eServer,
  launchBrowser,
  login,
  memberIdByName,
  newContext,
  startE2eServer,
} from './server.js';

let smtp: TestSmtp;
let srv: E2eServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  smtp = await startTestSmtp();
  [srv, browser] = await Promise.all([
    startE2eServer({ env: { ALLMENDE_SMTP_URL: smtp.url, ALLMENDE_JOBS_POLL_MS: '100' } }),
    launchBrowser(),
  ]);
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await srv?.stop();
  await smtp?.close();
});

async function newPage(): Promise<Page> {
  const context = await newContext(browser, srv.baseUrl);
  contexts.push(context);
  return context.newPage();
}

describe('invitation in the browser', () => {
  it('invitation link → set password → logged in; the link works once', async () => {
    const admin = await newPage();
    await login(admin, DEMO_USERS.associationAdmin);
    const panketal = await memberIdByName(admin, 'Panketal');
    const base = `/mitglieder/${panketal}/personen`;
    await admin.goto(`${base}/neu`);
    await admin.locator('#f-email').fill('browser.einladung@panketal.example');
    await admin.locator('#f-displayName').fill('Berta Browser');
    await admin.getByLabel('Kommune (Sachbearbeitung)').check();
    await admin.locator('main form button[type=submit]').click();
    await admin.getByText('Sie erhält eine E-Mail mit einem Link').waitFor();

    const mail = await smtp.waitFor('browser.einladung@panketal.example');
    const link = /(http:\/\/localhost:\d+\/passwort-setzen\/[A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
    expect(link).toBeDefined();

    const invitee = await newPage();
    await invitee.goto(link!);
    expect(await invitee.locator('h1').textContent()).toBe('Willkommen: Passwort festlegen');
    await expectAccessible(invitee, 'set password (invitation)');
    await invitee.locator('#f-password').fill('Bertas-eigenes-Passwort');
    await invitee.locator('#f-passwordRepeat').fill('Bertas-eigenes-Passwort');
    await Promise.all([
      invitee.waitForURL((u) => !u.pathname.startsWith('/passwort-setzen')),
      invitee.locator('main form button[type=submit]').click(),
    ]);
    // Logged in: the own account page shows the person.
    await invitee.goto('/konto');
    expect(new URL(invitee.url()).pathname).toBe('/konto');
    expect(await invitee.locator('main').textContent()).toContain('browser.einladung@panketal.example');

    // The link is used up.
    const again = await newPage();
    const res = await again.goto(link!);
    expect(res?.status()).toBe(410);
    expect(await again.locator('h1').textContent()).toBe('Dieser Link gilt nicht mehr');
    await expectAccessible(again, 'used link');
  });

  it('"Passwort vergessen" is linked from the login page and answers without naming accounts', async () => {
    const page = await newPage();
    await page.goto('/anmelden');
    await Promise.all([
      page.waitForURL(/\/passwort-vergessen$/),
      page.getByRole('link', { name: 'Passwort vergessen?' }).click(),
    ]);
    await expectAccessible(page, 'forgot password');
    await page.locator('#f-email').fill('niemand@example.org');
    await Promise.all([page.waitForURL(/gesendet/), page.locator('main form button[type=submit]').click()]);
    expect(await page.locator('[role=status]').textContent()).toContain(
      'Wenn für diese Adresse ein Konto besteht',
    );
    await expectAccessible(page, 'forgot password, sent');
  });
});
