/**
 * Importing usage from CSV files, on both databases: the upload page's flow (upload → mapping →
 * preview and line-numbered errors → confirm → result), the `allmende usage import` command (also for
 * files over the ingest's 10,000 events, in one transaction), all or nothing with nothing stored on any
 * bad line, re-imports counting duplicates, German decimals and dates, and who may import.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { runInTx } from '../../src/db/tx.js';
import { purgeExpiredUploads } from '../../src/modules/metering/metering.import.service.js';
import { ingestUsage } from '../../src/modules/metering/metering.service.js';
import { ALL_MEMBERS_WRITE, systemCtx } from '../../src/shared/context.js';
import { addMonths, formatDateTime, todayInBerlin } from '../../src/shared/dates.js';
import {
  type Client,
  DEMO,
  databaseUrlOf,
  loggedIn,
  memberIdByName,
  readAll,
  type TestApp,
  testApp,
  testDatabase,
  testDbKind,
  writeAll,
} from '../helpers.js';
import { multipart } from '../support/multipart.js';

let t: TestApp;
let finance: Client;
let panketal: string;
let belzig: string;

const month = addMonths(todayInBerlin().slice(0, 7), -1);
const [yyyy, mm] = month.split('-') as [string, string];
/** A day of last month in German notation, e.g. "10.11.2026". */
const de = (day: number) => `${String(day).padStart(2, '0')}.${mm}.${yyyy}`;

beforeAll(async () => {
  t = await testApp();
  finance = await loggedIn(t.app, DEMO.associationFinance);
  panketal = await memberIdByName(t.database, 'Panketal');
  belzig = await memberIdByName(t.database, 'Bad Belzig');
});
afterAll(async () => t?.close());

/** Uploads a file like the browser does (the CSRF token of the upload page). */
async function upload(client: Client, name: string, content: string | Buffer, type = 'text/csv') {
  await client.get('/verbrauch/import');
  const body = multipart(
    { _csrf: client.csrf ?? '' },
    { name, type, content: Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8') },
  );
  return t.app.inject({
    method: 'POST',
    url: '/verbrauch/import',
    payload: body.payload,
    headers: { ...body.headers, cookie: client.cookieHeader() },
  });
}

const stored = (database: Database, source: string) =>
  readAll(database, (tx) =>
    tx.db
      .selectFrom('usage_events')
      .select(['member_id', 'meter_key', 'quantity', 'time', 'event_id', 'attributes'])
      .where('source', '=', source)
      .orderBy('time')
      .orderBy('event_id')
      .execute(),
  );

/** A German file: semicolons, decimal commas, German dates. Line 4 names a meter the catalogue lacks. */
const german = (meter4: string) =>
  [
    'AGS;Zähler;Menge;Zeitpunkt;VM',
    `12060181;vm-stunden;1,5;${de(10)} 14:00;web-1`,
    `12060181;vm-stunden;2,25;${de(10)} 14:00;web-2`,
    `12069020;${meter4};120;${de(11)} 09:30;`,
    `12069020;druckseiten;1.234,5;${de(12)} 09:30:15;`,
    '',
  ].join('\r\n');

describe('the upload page', () => {
  it('is linked from /verbrauch and shows the upload form and the file format', async () => {
    const status = await finance.get('/verbrauch');
    expect(status.body).toContain('href="/verbrauch/import"');
    const res = await finance.get('/verbrauch/import');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1 class="kern-heading-x-large">Verbrauch aus CSV-Datei einlesen</h1>');
    expect(res.body).toContain('enctype="multipart/form-data"');
    expect(res.body).toContain('Höchstens 10 MB');
  });

  it('maps, previews, refuses bad lines by number storing nothing, then imports the fixed file', async () => {
    // 1. Upload: the mapping is guessed from the German header; two rows at the same time without the
    // VM column mapped are the same event with two quantities, and line 4's meter is unknown.
    const res = await upload(finance, 'verbrauch-november.csv', `\uFEFF${german('druckseite')}`);
    expect(res.statusCode).toBe(303);
    const page = res.headers.location as string;
    expect(page).toMatch(/^\/verbrauch\/import\/[0-9a-f-]{36}$/);
    const first = await finance.get(page);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('<title>Fehler: Einlesen: verbrauch-november.csv');
    expect(first.body).toContain(
      'Die Datei kann so nicht eingelesen werden; es wurde nichts gespeichert. Fehler: 2.',
    );
    expect(first.body).toContain(
      'Zeile 3: Eine frühere Zeile der Datei meldet dasselbe Ereignis (Mitglied, Zähler, Zeitpunkt und Attribute) mit einer anderen Menge.',
    );
    expect(first.body).toContain(
      'Zeile 4, Spalte „Zähler“: Diesen Zähler kennt das Leistungsverzeichnis nicht.',
    );
    expect(first.body).toMatch(/<option value="AGS" selected>AGS<\/option>/);
    expect(first.body).toMatch(/<option value="Zeitpunkt" selected>Zeitpunkt<\/option>/);
    expect(first.body).toContain('Semikolon (Dezimalkomma erlaubt)');
    // The preview shows the rows as they will be read: decimal comma, Berlin time.
    expect(first.body).toContain('>1,5</td>');
    expect(first.body).toContain(`>${de(10)}, 14:00:00</td>`);
    expect(first.body).not.toContain('Jetzt einlesen');
    expect(await stored(t.database, 'csv-import')).toEqual([]);

    // 2. The VM column as an attribute: the two rows are two events now; the meter stays wrong.
    const mapped = await finance.postForm(`${page}/zuordnung`, {
      member: 'AGS',
      meter: 'Zähler',
      quantity: 'Menge',
      time: 'Zeitpunkt',
      source: '',
      sourceValue: 'fibu-export',
      eventId: '',
      attributes: '4',
    });
    expect(mapped.statusCode).toBe(303);
    const second = await finance.get(page);
    expect(second.body).toContain('Fehler: 1.');
    expect(second.body).not.toContain('Zeile 3');
    expect(second.body).toContain('Zeile 4, Spalte „Zähler“');
    expect(second.body).toContain('vm=web-2');
    // Confirming anyway is refused line by line, nothing stored.
    const refused = await finance.postForm(`${page}/bestaetigen`, {});
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(
      'Zeile 4, Spalte „Zähler“: Diesen Zähler kennt das Leistungsverzeichnis nicht.',
    );
    expect(await stored(t.database, 'fibu-export')).toEqual([]);

    // 3. The fixed file, with the same mapping chosen: the check passes, confirm imports all of it.
    const fixed = await upload(finance, 'verbrauch-november.csv', german('druckseiten'));
    const fixedPage = fixed.headers.location as string;
    await finance.get(fixedPage);
    await finance.postForm(`${fixedPage}/zuordnung`, {
      member: 'AGS',
      meter: 'Zähler',
      quantity: 'Menge',
      time: 'Zeitpunkt',
      source: '',
      sourceValue: 'fibu-export',
      eventId: '',
      attributes: '4',
    });
    const ok = await finance.get(fixedPage);
    expect(ok.body).toContain('Die Datei ist fehlerfrei. Zeilen: 4, davon neu: 4, schon bekannt: 0.');
    expect(ok.body).toContain('Jetzt einlesen');
    const confirmed = await finance.postForm(`${fixedPage}/bestaetigen`, {});
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe(fixedPage);
    const result = await finance.get(fixedPage);
    expect(result.body).toContain('Eingelesen. Neue Meldungen: 4, schon bekannt: 0.');
    expect(result.body).toMatch(/Eingelesen am [0-9., :]+\. Zeilen: 4, davon neu: 4, schon bekannt: 0\./);

    // German decimals and Berlin local times, stored exactly.
    const rows = await stored(t.database, 'fibu-export');
    expect(
      rows
        .map((r) => [r.member_id, r.meter_key, r.quantity, formatDateTime(r.time, 'de'), r.attributes])
        .sort((a, b) => String(a[2]).localeCompare(String(b[2]))),
    ).toEqual([
      [panketal, 'vm-stunden', '1.5', `${de(10)}, 14:00:00`, { vm: 'web-1' }],
      [belzig, 'druckseiten', '120', `${de(11)}, 09:30:00`, null],
      [belzig, 'druckseiten', '1234.5', `${de(12)}, 09:30:15`, null],
      [panketal, 'vm-stunden', '2.25', `${de(10)}, 14:00:00`, { vm: 'web-2' }],
    ]);
    expect(rows.every((r) => r.event_id.startsWith('row:'))).toBe(true);

    // The content is gone, the record stays; the import is audited with the file's SHA-256.
    const record = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('usage_imports')
        .selectAll()
        .where('id', '=', fixedPage.split('/').pop()!)
        .executeTakeFirstOrThrow(),
    );
    expect(record).toMatchObject({
      state: 'imported',
      content: null,
      rows_total: 4,
      accepted: 4,
      duplicates: 0,
    });
    const audit = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('audit_events')
        .select(['details', 'actor_type', 'object_id'])
        .where('action', '=', 'usage.csv_imported')
        .where('object_id', '=', record.id)
        .execute(),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ rows: 4, accepted: 4, duplicates: 0, sha256: record.sha256 });
    // Confirming again changes nothing.
    const again = await finance.postForm(`${fixedPage}/bestaetigen`, {});
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Diese Datei ist schon eingelesen.');
    expect(await stored(t.database, 'fibu-export')).toHaveLength(4);

    // 4. The same file once more: every line a duplicate, nothing new.
    const re = await upload(finance, 'nochmal.csv', german('druckseiten'));
    const rePage = re.headers.location as string;
    await finance.get(rePage);
    await finance.postForm(`${rePage}/zuordnung`, {
      member: 'AGS',
      meter: 'Zähler',
      quantity: 'Menge',
      time: 'Zeitpunkt',
      source: '',
      sourceValue: 'fibu-export',
      eventId: '',
      attributes: '4',
    });
    expect((await finance.get(rePage)).body).toContain('Zeilen: 4, davon neu: 0, schon bekannt: 4.');
    await finance.postForm(`${rePage}/bestaetigen`, {});
    expect((await finance.get(rePage)).body).toContain('Eingelesen. Neue Meldungen: 0, schon bekannt: 4.');
    expect(await stored(t.database, 'fibu-export')).toHaveLength(4);
  });

  it('shows mapping problems at their fields', async () => {
    const res = await upload(
      finance,
      'fremd.csv',
      `Kommune,Art,Wert,Wann\n12060181,druckseiten,3,${yyyy}-${mm}-05T10:00\n`,
    );
    const page = res.headers.location as string;
    const first = await finance.get(page);
    expect(first.body).toContain('Die Zuordnung der Spalten ist noch nicht vollständig.');
    expect(first.body).toContain('href="#f-meter"');
    expect(first.body).toContain('href="#f-time"');
    expect(first.body).toContain('Komma (Dezimalpunkt)');
    const bad = await finance.postForm(`${page}/zuordnung`, {
      member: 'Kommune',
      meter: 'Art',
      quantity: 'Wert',
      time: '',
      source: '',
      sourceValue: 'kein gültiger Wert',
      eventId: '',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('href="#f-time"');
    expect(bad.body).toContain('href="#f-sourceValue"');
    const good = await finance.postForm(`${page}/zuordnung`, {
      member: 'Kommune',
      meter: 'Art',
      quantity: 'Wert',
      time: 'Wann',
      source: '',
      sourceValue: 'fremd',
      eventId: '',
    });
    expect(good.statusCode).toBe(303);
    expect((await finance.get(page)).body).toContain('Zeilen: 1, davon neu: 1, schon bekannt: 0.');
  });

  it('refuses files too large (413) or not CSV, in German, storing nothing', async () => {
    const count = () =>
      readAll(t.database, (tx) =>
        tx.db
          .selectFrom('usage_imports')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      );
    const before = Number((await count()).n);
    const big = await upload(finance, 'gross.csv', Buffer.alloc(10 * 1024 * 1024 + 1, 'a'));
    expect(big.statusCode).toBe(413);
    expect(big.body).toContain('Die Datei ist zu groß: höchstens 10 MB');
    const pdf = await upload(
      finance,
      'bericht.pdf',
      Buffer.from('%PDF-1.7\n\u0000\u0001binary'),
      'application/pdf',
    );
    expect(pdf.statusCode).toBe(422);
    expect(pdf.body).toContain('Das ist keine CSV-Datei');
    const latin1 = await upload(finance, 'excel.csv', Buffer.from('AGS;Zähler\n1;2\n', 'latin1'));
    expect(latin1.statusCode).toBe(422);
    expect(latin1.body).toContain('nicht in UTF-8 kodiert');
    const quote = await upload(finance, 'kaputt.csv', 'a;b\n1;2\n"offen;3\n');
    expect(quote.statusCode).toBe(422);
    expect(quote.body).toContain(
      'Zeile 3: Ein Anführungszeichen wird bis zum Ende der Datei nicht geschlossen.',
    );
    // Without the form's CSRF token: refused like every other form.
    const body = multipart(
      { _csrf: 'forged' },
      { name: 'x.csv', type: 'text/csv', content: Buffer.from(german('druckseiten')) },
    );
    const forged = await t.app.inject({
      method: 'POST',
      url: '/verbrauch/import',
      payload: body.payload,
      headers: { ...body.headers, cookie: finance.cookieHeader() },
    });
    expect(forged.statusCode).toBe(403);
    const none = await upload(finance, 'leer.csv', 'AGS;Zähler;Menge;Zeitpunkt\n');
    expect(none.statusCode).toBe(422);
    expect(none.body).toContain('nur die Kopfzeile');
    expect(Number((await count()).n)).toBe(before);
  });

  it('is the uploader’s own, for the association’s importers only; an upload expires after a day', async () => {
    const res = await upload(finance, 'privat.csv', german('druckseiten'));
    const page = res.headers.location as string;
    const id = page.split('/').pop()!;
    // Another association person sees nothing of it.
    const admin = await loggedIn(t.app, DEMO.associationAdmin);
    expect((await admin.get(page)).statusCode).toBe(404);
    expect((await admin.get('/verbrauch/import')).statusCode).toBe(200);
    // A member's staff may not import at all (checked before the body is read), nor see the link.
    const member = await loggedIn(t.app, DEMO.panketalAdmin);
    expect((await member.get('/verbrauch/import')).statusCode).toBe(403);
    expect((await member.get(page)).statusCode).toBe(403);
    const body = multipart(
      { _csrf: member.csrf ?? '' },
      { name: 'x.csv', type: 'text/csv', content: Buffer.from(german('druckseiten')) },
    );
    const post = await t.app.inject({
      method: 'POST',
      url: '/verbrauch/import',
      payload: body.payload,
      headers: { ...body.headers, cookie: member.cookieHeader() },
    });
    expect(post.statusCode).toBe(403);
    expect((await member.postForm(`${page}/bestaetigen`, {})).statusCode).toBe(403);
    const auditor = await loggedIn(t.app, DEMO.auditor);
    expect((await auditor.get('/verbrauch/import')).statusCode).toBe(403);
    // Past its day the upload is gone for the pages, and the hourly job deletes it.
    await writeAll(t.database, (tx) =>
      tx.db
        .updateTable('usage_imports')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', id)
        .execute(),
    );
    expect((await finance.get(page)).statusCode).toBe(404);
    const deleted = await runInTx(t.database, systemCtx('test-purge', ALL_MEMBERS_WRITE), (tx) =>
      purgeExpiredUploads(tx),
    );
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = await readAll(t.database, (tx) =>
      tx.db.selectFrom('usage_imports').select('id').where('id', '=', id).execute(),
    );
    expect(left).toEqual([]);
  });

  it('shows the pages in English too', async () => {
    const en = await loggedIn(t.app, DEMO.associationFinance);
    await en.get('/sprache/en?zurueck=/verbrauch/import');
    const res = await upload(en, 'english.csv', german('druckseite'));
    const body = (await en.get(res.headers.location as string)).body;
    expect(body).toContain('Line 4, column “Zähler”: The catalogue does not know this meter.');
  });
});

describe('the ingest’s dry run', () => {
  it('answers what an ingest would store, conflicts included, and writes nothing', async () => {
    const event = (eventId: string, quantity: string) => ({
      member: '12060181',
      meter: 'druckseiten',
      quantity,
      time: `${yyyy}-${mm}-20T10:00:00+01:00`,
      source: 'dry',
      eventId,
    });
    await writeAll(t.database, (tx) => ingestUsage(tx, [event('a', '5')]));
    const keys = () =>
      readAll(t.database, (tx) =>
        tx.db.selectFrom('usage_event_keys').select('event_id').where('source', '=', 'dry').execute(),
      );
    const dry = (events: unknown[]) =>
      writeAll(t.database, (tx) => ingestUsage(tx, events, { dryRun: true, permission: 'usage.import' }));
    expect(await dry([event('a', '5'), event('b', '1'), event('b', '1')])).toEqual({
      accepted: 1,
      duplicates: 2,
    });
    await expect(dry([event('b', '1'), event('a', '6')])).rejects.toMatchObject({
      lines: [{ line: 2, field: 'eventId', code: 'usage.conflict' }],
    });
    expect((await keys()).map((k) => k.event_id)).toEqual(['a']);
  });
});

// ---------------------------------------------------------------------------------------------
// The command line

function cli(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, ['bin/allmende.js', ...args], { env, cwd: process.cwd() });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end();
  });
}

describe('allmende usage import', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-usage-cli-'));
  const pgliteDir = path.join(dir, 'pglite');
  let database: Database | undefined;
  let env: NodeJS.ProcessEnv;
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  /** Reads the CLI's database (on PGlite: the folder, opened while no CLI runs). */
  const inDb = async <T>(fn: (db: Database) => Promise<T>): Promise<T> => {
    if (database) return fn(database);
    const db = await createDatabase({ kind: 'pglite', dataDir: pgliteDir });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    const db = await testDatabase(testDbKind() === 'pglite' ? { pgliteDataDir: pgliteDir } : {});
    if (testDbKind() === 'pglite') await db.close();
    else database = db;
    env = {
      ...process.env,
      LOG_LEVEL: 'silent',
      ...(database ? { DATABASE_URL: databaseUrlOf(database)! } : { ALLMENDE_DATA_DIR: dir }),
    };
  });
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a file with a bad line by line number (German), stores nothing; --dry-run stores nothing', async () => {
    const bad = file(
      'bad.csv',
      [
        'AGS;Zähler;Menge;Zeitpunkt;Ereignis-ID',
        `12060181;druckseiten;10;${de(3)} 08:00;d-1`,
        `12060181;druckseiten;zehn;${de(3)} 09:00;d-2`,
        `12060181;druckseiten;-2;${de(3)} 10:00;d-3`,
        `99999999;druckseiten;2;${de(3)} 11:00;d-4`,
      ].join('\n'),
    );
    const r = await cli(['usage', 'import', bad, '--source', 'cli-test'], env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('Zeile 3, Spalte „Menge“: Die Menge muss eine Zahl sein');
    expect(r.stderr).toContain('Zeile 4, Spalte „Menge“: Die Menge darf nicht negativ sein.');
    expect(r.stderr).toContain('Zeile 5, Spalte „AGS“: Unbekanntes Mitglied');
    expect(r.stderr).toContain(`Nichts gespeichert. Fehler in ${bad}: 3.`);
    const good = file(
      'good.csv',
      [
        'AGS;Zähler;Menge;Zeitpunkt;Ereignis-ID',
        `12060181;druckseiten;10;${de(3)} 08:00;d-1`,
        `12060181;druckseiten;7,5;${de(3)} 09:00;d-2`,
      ].join('\n'),
    );
    const dry = await cli(['usage', 'import', good, '--source', 'cli-test', '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      'Prüfung bestanden, nichts gespeichert (--dry-run). Zeilen: 2, davon wären neu: 2, schon bekannt: 0.',
    );
    expect(await inDb((db) => stored(db, 'cli-test'))).toEqual([]);

    // Imported; the same file again counts duplicates only; a changed quantity is a conflict.
    const first = await cli(['usage', 'import', good, '--source', 'cli-test'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Eingelesen. Zeilen: 2, davon neu: 2, schon bekannt: 0.');
    expect(first.stdout).toContain('eventId="Ereignis-ID"');
    const again = await cli(['usage', 'import', good, '--source', 'cli-test'], env);
    expect(again.stdout).toContain('Eingelesen. Zeilen: 2, davon neu: 0, schon bekannt: 2.');
    const changed = file('changed.csv', fs.readFileSync(good, 'utf8').replace('7,5', '8'));
    const conflict = await cli(['usage', 'import', changed, '--source', 'cli-test', '--lang', 'en'], env);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain(
      'Line 3, column “Ereignis-ID”: This event id was already reported for this member and source with other data.',
    );
    expect(conflict.stderr).toContain(`Nothing stored. Errors in ${changed}: 1.`);
    const rows = await inDb((db) => stored(db, 'cli-test'));
    expect(rows.map((x) => [x.event_id, x.quantity])).toEqual([
      ['d-1', '10'],
      ['d-2', '7.5'],
    ]);
    // Audited like any ingest: system work of the CLI.
    const audit = await inDb((db) =>
      readAll(db, (tx) =>
        tx.db
          .selectFrom('audit_events')
          .select(['action', 'actor_type', 'actor_id'])
          .where('actor_id', '=', 'cli-usage-import')
          .execute(),
      ),
    );
    expect(audit.map((a) => a.action).sort()).toEqual(['usage.csv_imported', 'usage.reported']);
    expect(audit.every((a) => a.actor_type === 'system')).toBe(true);
  });

  it('maps columns with --map, and imports over 10,000 rows in one transaction, all or nothing', async () => {
    // Headers nobody guesses; member by id, times in ISO without offset (Berlin), a comma file.
    const lines = ['Kommune,Art,Wert,Wann,Host'];
    const start = Date.UTC(Number(yyyy), Number(mm) - 1, 1, 6, 0);
    const n = 10_004;
    for (let i = 0; i < n; i++) {
      const d = new Date(start + i * 60_000);
      const local = `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}`;
      lines.push(`${panketal},vm-stunden,${i % 7}.25,${local},vm-${i % 3}`);
    }
    const good = lines.join('\n');
    // One bad line far behind the first 10,000 events: nothing of the file is stored.
    const badLines = [...lines];
    badLines[10_003] = badLines[10_003]!.replace('vm-stunden', 'vm-stunde');
    const bad = file('big-bad.csv', badLines.join('\n'));
    const map = ['--map', 'member=Kommune', 'meter=Art', 'quantity=Wert', 'time=Wann', 'attr.host=Host'];
    const refused = await cli(['usage', 'import', bad, '--source', 'big', ...map], env);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(
      'Zeile 10004, Spalte „Art“: Diesen Zähler kennt das Leistungsverzeichnis nicht.',
    );
    expect(refused.stderr).toContain(`Nichts gespeichert. Fehler in ${bad}: 1.`);
    expect(await inDb((db) => stored(db, 'big'))).toEqual([]);

    const ok = await cli(['usage', 'import', file('big.csv', good), '--source', 'big', ...map], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`Eingelesen. Zeilen: ${n}, davon neu: ${n}, schon bekannt: 0.`);
    const rows = await inDb((db) => stored(db, 'big'));
    expect(rows).toHaveLength(n);
    expect(rows[0]!.attributes).toEqual({ host: 'vm-0' });
    const unknown = await cli(['usage', 'import', file('x.csv', good), '--map', 'colour=Art'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unbekanntes Feld');
  }, 120_000);
});
