/**
 * Metering in Chromium, as the people involved use it: (a) Panketal's member admin opens the month's
 * consumption from the navigation, sees the chart and the table of days, and downloads the CSV; (b) the
 * association's finance user uploads a CSV file with one bad line, sees the line-numbered error,
 * uploads the fixed file and imports it, and sees how many events were accepted. axe-core checks the
 * import pages on the way, in German and English (WCAG 2.1 AA).
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, todayInBerlin } from '../../src/shared/dates.js';
import { expectAccessible } from './axe.js';
import { DEMO_USERS, type E2eServer, launchBrowser, login, newContext, startE2eServer } from './server.js';

let srv: E2eServer;
let browser: Browser;

beforeAll(async () => {
  [srv, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

async function click(page: Page, locator: ReturnType<Page['locator']>): Promise<number> {
  const [res] = await Promise.all([page.waitForNavigation(), locator.click()]);
  return res?.status() ?? 0;
}

describe("a member's consumption", () => {
  it('Panketal’s admin sees the month’s chart and table and downloads the CSV', async () => {
    const context = await newContext(browser, srv.baseUrl);
    const page = await context.newPage();
    await login(page, DEMO_USERS.panketalAdmin);
    expect(
      await click(
        page,
        page
          .getByRole('navigation', { name: 'Hauptnavigation' })
          .getByRole('link', { name: 'Verbrauch', exact: true }),
      ),
    ).toBe(200);
    expect(new URL(page.url()).pathname).toMatch(/^\/mitglieder\/[0-9a-f-]{36}\/verbrauch$/);
    expect(await page.locator('h1').textContent()).toBe('Verbrauch: Panketal');

    // The chart: an image with a text alternative; the numbers as a table of days beside it.
    const chart = page.getByRole('img', { name: /^Balkendiagramm: Virtuelle Server \(Betrieb\) je Tag/ });
    await expect.poll(() => chart.count()).toBe(1);
    const days = page.getByRole('table', { name: /Virtuelle Server \(Betrieb\): Verbrauch je Tag/ });
    const first = todayInBerlin().slice(0, 8).split('-');
    const firstDay = `01.${first[1]}.${first[0]}`;
    expect(
      await days.getByRole('row', { name: new RegExp(`^${firstDay.replaceAll('.', '\\.')}`) }).count(),
    ).toBe(1);
    // One bar per day of the month so far, one row per day in the table.
    const dayRows = (await days.getByRole('row').count()) - 1;
    expect(dayRows).toBeGreaterThan(0);
    expect(await chart.locator('rect').count()).toBe(dayRows);
    // The summary row of VM hours: last month and this month.
    const summary = page.getByRole('table', { name: /^Verbrauch je Leistung/ });
    const services = (await summary.getByRole('row').count()) - 1;
    expect(services).toBeGreaterThan(3);

    // The CSV download: BOM, German headers, semicolons, Panketal's rows.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Als CSV herunterladen' }).click(),
    ]);
    const month = todayInBerlin().slice(0, 7);
    expect(download.suggestedFilename()).toBe(`verbrauch-${month}.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(
      csv.startsWith(
        '\uFEFF"Mitglied";"Leistung";"Zähler";"Zusammenfassung";"Zeitraum";"Menge";"Einheit";"Meldungen"\r\n',
      ),
    ).toBe(true);
    const rows = csv.slice(1).trim().split('\r\n').slice(1);
    // Per service each day so far and the month's total.
    expect(rows.length).toBe(services * (dayRows + 1));
    expect(rows.every((r) => r.startsWith('"Panketal";'))).toBe(true);
    expect(rows.some((r) => r.includes('"vm-stunden"') && r.includes(`"${firstDay}"`))).toBe(true);
    await expectAccessible(page, 'member usage page (Panketal)');
    await context.close();
  });
});

describe('the association imports usage from a CSV file', () => {
  const last = addMonths(todayInBerlin().slice(0, 7), -1);
  const [y, m] = last.split('-') as [string, string];
  const file = (meter3: string) =>
    Buffer.from(
      [
        'AGS;Zähler;Menge;Zeitpunkt',
        `12060181;druckseiten;1.250,5;03.${m}.${y} 10:00`,
        `12060181;${meter3};2,5;03.${m}.${y} 11:00`,
        `12069020;postfaecher;118;03.${m}.${y} 06:00`,
        '',
      ].join('\r\n'),
      'utf8',
    );

  it('finance uploads a file with one bad line, sees the line, fixes it and imports it', async () => {
    const context = await newContext(browser, srv.baseUrl);
    const page = await context.newPage();
    await login(page, DEMO_USERS.associationFinance);
    await page.goto('/verbrauch');
    expect(await click(page, page.getByRole('link', { name: 'CSV-Datei einlesen' }))).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Verbrauch aus CSV-Datei einlesen');
    await expectAccessible(page, 'CSV upload (de)');

    // 1. The file with a meter the catalogue does not know in line 3.
    await page
      .getByLabel('CSV-Datei')
      .setInputFiles({ name: 'druck-november.csv', mimeType: 'text/csv', buffer: file('vm-stunde') });
    expect(await click(page, page.getByRole('button', { name: 'Hochladen und prüfen' }))).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Einlesen: druck-november.csv');
    const alert = page.getByRole('alert');
    expect(await alert.textContent()).toContain('Fehler: 1.');
    expect(await page.locator('#import-errors').textContent()).toBe(
      'Zeile 3, Spalte „Zähler“: Diesen Zähler kennt das Leistungsverzeichnis nicht.',
    );
    expect(await page.getByRole('button', { name: 'Jetzt einlesen' }).count()).toBe(0);
    // The preview shows the readable rows as they will be stored: a German thousands dot, Berlin time.
    const preview = page.getByRole('table', { name: 'Die ersten Zeilen, wie sie eingelesen werden' });
    expect(await preview.getByRole('row', { name: /^2 / }).textContent()).toContain('1.250,5');
    await expectAccessible(page, 'CSV import with a line error (de)');
    // On a phone the page never scrolls sideways (the preview scrolls in its own region).
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1280, height: 900 });

    // 2. The fixed file: the check passes, "Jetzt einlesen" imports it all.
    expect(await click(page, page.getByRole('link', { name: 'Weitere Datei einlesen' }))).toBe(200);
    await page
      .getByLabel('CSV-Datei')
      .setInputFiles({ name: 'druck-november.csv', mimeType: 'text/csv', buffer: file('vm-stunden') });
    expect(await click(page, page.getByRole('button', { name: 'Hochladen und prüfen' }))).toBe(200);
    expect(await page.locator('#check-result').textContent()).toBe(
      'Die Datei ist fehlerfrei. Zeilen: 3, davon neu: 3, schon bekannt: 0.',
    );
    await expectAccessible(page, 'CSV import ready to confirm (de)');
    expect(await click(page, page.getByRole('button', { name: 'Jetzt einlesen' }))).toBe(200);
    expect(await page.getByRole('status').first().textContent()).toContain(
      'Eingelesen. Neue Meldungen: 3, schon bekannt: 0.',
    );
    expect(await page.locator('#import-result').textContent()).toMatch(
      /^Eingelesen am .+\. Zeilen: 3, davon neu: 3, schon bekannt: 0\.$/,
    );
    await expectAccessible(page, 'CSV import result (de)');
    const resultUrl = page.url();

    // 3. The stored events are found in the association's search.
    await page.goto(`/verbrauch?zaehler=druckseiten&tag=${y}-${m}-03`);
    expect(await page.locator('main').textContent()).toContain('csv-import');

    // 4. English: the same pages pass axe, with the English texts.
    await page.goto('/verbrauch/import');
    expect(await click(page, page.getByRole('link', { name: 'English' }))).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Import usage from a CSV file');
    await expectAccessible(page, 'CSV upload (en)');
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'again.csv', mimeType: 'text/csv', buffer: file('vm-stunde') });
    expect(await click(page, page.getByRole('button', { name: 'Upload and check' }))).toBe(200);
    expect(await page.locator('#import-errors').textContent()).toBe(
      'Line 3, column “Zähler”: The catalogue does not know this meter.',
    );
    await expectAccessible(page, 'CSV import with a line error (en)');
    await page.goto(resultUrl);
    expect(await page.locator('#import-result').textContent()).toMatch(
      /Lines: 3, new: 3, already known: 0\.$/,
    );
    await expectAccessible(page, 'CSV import result (en)');
    await context.close();
  }, 120_000);
});
