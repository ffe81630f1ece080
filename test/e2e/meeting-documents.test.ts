/**
 * The meeting documents page in a real browser, without JavaScript's help: the association's admin
 * uploads a PDF through the multipart form, an HTML file is refused with the German message at the
 * field; axe-core (WCAG 2.1 AA) finds no violation on the empty form, the form with an error and the
 * list after the upload; a visitor downloads the public PDF.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTx } from '../../src/db/tx.js';
import { renderInvitationPdf } from '../../src/modules/governance/minutes.pdf.js';
import { ALL_MEMBERS_READ, systemCtx } from '../../src/shared/context.js';
import { expectAccessible } from './axe.js';
import { DEMO_USERS, type E2eServer, launchBrowser, login, newContext, startE2eServer } from './server.js';

let srv: E2eServer;
let browser: Browser;
let page: Page;
let meetingId: string;
let dir: string;

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  const context = await newContext(browser, srv.baseUrl);
  page = await context.newPage();
  await login(page, DEMO_USERS.associationAdmin);
  meetingId = (
    await runInTx(srv.server.database, systemCtx('e2e', ALL_MEMBERS_READ), (tx) =>
      tx.db
        .selectFrom('meetings')
        .select('id')
        .where('starts_at', '=', new Date('2021-03-11T09:00:00Z'))
        .executeTakeFirstOrThrow(),
    )
  ).id;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-docs-'));
  const pdf = await renderInvitationPdf(
    { association: 'Verband', title: 'Bericht', startsAt: new Date(), place: 'Cottbus', items: [] },
    { createdAt: new Date() },
  );
  fs.writeFileSync(path.join(dir, 'Bericht Jahresergebnis.pdf'), pdf);
  fs.writeFileSync(path.join(dir, 'seite.html'), '<html><body>keine PDF</body></html>');
});

afterAll(async () => {
  await browser?.close();
  await srv?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('meeting documents page', () => {
  it('uploads a PDF, refuses HTML with a German message, and is accessible in each state', async () => {
    const url = `/versammlung/sitzungen/${meetingId}/dokumente`;
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('Dokumente der Sitzung');
    await expectAccessible(page, 'empty form');

    await page.locator('#f-name').fill('Falsche Datei');
    await page.locator('#f-file').setInputFiles(path.join(dir, 'seite.html'));
    await page.getByRole('button', { name: 'Hochladen' }).click();
    await expect(page.locator('#f-file-error').textContent()).resolves.toContain('Die Datei ist kein PDF.');
    expect(await page.title()).toMatch(/^Fehler: /);
    await expectAccessible(page, 'form with an error');

    await page.locator('#f-name').fill('Vorläufiges Jahresergebnis 2020');
    await page.locator('#f-kind').selectOption('report');
    await page.locator('#f-file').setInputFiles(path.join(dir, 'Bericht Jahresergebnis.pdf'));
    await page.getByRole('button', { name: 'Hochladen' }).click();
    expect(await page.locator('main').textContent()).toContain('Das Dokument wurde hochgeladen.');
    const link = page.getByRole('link', { name: 'Vorläufiges Jahresergebnis 2020 herunterladen (PDF)' });
    expect(await link.count()).toBe(1);
    await expectAccessible(page, 'list after upload');

    // A visitor (no session) downloads the public document.
    const href = (await link.getAttribute('href'))!;
    const download = await fetch(`${srv.baseUrl}${href}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
  });
});
