/**
 * Issue 7, point 2: an audit trail an auditor can read. Names instead of ids, details in words, the CSV
 * read back (German headers, names, German event names, Berlin local time, raw columns for machines,
 * BOM, formula injection neutralised), one "viewed" event per session and filter while paging, and a
 * compact verify page in a stable order with shortened hashes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, loggedIn, memberIdByName, readAll, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

/** RFC 4180 CSV with `;` as separator. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const berlin = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const viewedCount = () =>
  readAll(t.database, async (tx) =>
    Number(
      (
        await tx.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('action', '=', 'audit.viewed')
          .executeTakeFirstOrThrow()
      ).n,
    ),
  );

describe('a readable audit trail', () => {
  it('the trail shows names and details in words, not ids', async () => {
    const panketal = await memberIdByName(t.database, 'Panketal');
    await loggedIn(t.app, DEMO.panketalAdmin); // a log-in event with the method in its details
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const page = await auditor.get(`/pruefung?mitglied=${panketal}&aktion=auth.logged_in`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Paul Panke (Demo)');
    expect(page.body).toContain('Methode: Passwort');
    expect(page.body).not.toMatch(/>user:[0-9a-f]{8}</);
    expect(page.body).not.toMatch(/>member:[0-9a-f]{8}</);
    await auditor.get('/sprache/en?zurueck=/pruefung');
    const en = await auditor.get(`/pruefung?mitglied=${panketal}&aktion=auth.logged_in`);
    expect(en.body).toContain('Method: Password');
  });

  it('the CSV reads back with German headers, names, German event names and Berlin local time', async () => {
    const panketal = await memberIdByName(t.database, 'Panketal');
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const res = await auditor.get(`/pruefung/export.csv?mitglied=${panketal}`);
    expect(res.statusCode).toBe(200);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
    expect(res.headers['content-disposition']).toContain(`pruefpfad-${today}.csv`);
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(res.body.slice(1));
    expect(header!.slice(0, 7)).toEqual([
      'Zeitpunkt (Europe/Berlin)',
      'Körperschaft',
      'Nr.',
      'Ereignis',
      'Handelnde/r',
      'Objekt',
      'Details',
    ]);
    for (const machine of [
      'event_id',
      'member_id',
      'seq',
      'occurred_at_utc',
      'action',
      'actor_type',
      'actor_id',
    ])
      expect(header).toContain(machine);
    const col = (name: string) => header!.indexOf(name);
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) {
      expect(r).toHaveLength(header!.length);
      expect(r[1]).toBe('Panketal');
      expect(r[col('member_id')]).toBe(panketal);
      // Local time, e.g. 02.12.2026 14:05:09, matching the ISO UTC instant in the machine column.
      expect(r[0]).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/);
      expect(r[0]).toBe(berlin.format(new Date(r[col('occurred_at_utc')]!)).replace(', ', ' '));
      expect(r[col('occurred_at_utc')]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(r[3]).not.toMatch(/^[a-z_]+\.[a-z_]+$/); // an event name, not the code
    }
    const created = rows.find((r) => r[col('action')] === 'member.created')!;
    expect(created[3]).toBe('Mitglied angelegt');
    const login = rows.find((r) => r[col('action')] === 'auth.logged_in' && r[col('actor_type')] === 'user');
    expect(login?.[4]).toBe('Paul Panke (Demo)');
    expect(login?.[6]).toBe('Methode: Passwort');
  });

  it('neutralises formulas in CSV cells', async () => {
    const { csvCell } = await import('../../src/modules/audit/audit.format.js');
    for (const f of ['=1+1', '+1', '-1', '@SUM(A1)']) expect(csvCell(f)).toBe(`"'${f}"`);
    expect(csvCell('a"b')).toBe('"a""b"');
  });

  it('paging back and forth records one viewed event per session and filter; the hit count stays', async () => {
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const total = (body: string) => /role="status">([^<]*)</.exec(body)?.[1];
    await auditor.get('/pruefung');
    const before = await viewedCount();
    const counts: (string | undefined)[] = [];
    for (const p of [2, 1, 2, 3, 1]) {
      const res = await auditor.get(`/pruefung?seite=${p}`);
      expect(res.statusCode).toBe(200);
      counts.push(total(res.body));
    }
    expect(new Set(counts).size).toBe(1);
    expect(await viewedCount()).toBe(before);
    // Another filter is another view; the same filter again is not.
    const panketal = await memberIdByName(t.database, 'Panketal');
    await auditor.get(`/pruefung?mitglied=${panketal}`);
    await auditor.get(`/pruefung?mitglied=${panketal}&seite=2`);
    expect(await viewedCount()).toBe(before + 1);
    // A new session is a new view.
    const again = await loggedIn(t.app, DEMO.auditor);
    await again.get('/pruefung?seite=2');
    expect(await viewedCount()).toBe(before + 2);
    // The API pages the same way (and is the same view as the page with the same filter).
    await auditor.api('GET', '/api/v1/audit/events?page=2');
    expect(await viewedCount()).toBe(before + 2);
    await auditor.api('GET', '/api/v1/audit/events?action=member.created&page=1');
    await auditor.api('GET', '/api/v1/audit/events?action=member.created&page=2');
    expect(await viewedCount()).toBe(before + 3);
  });

  it('the verify page lists chains by name, association first, with short hashes', async () => {
    const auditor = await loggedIn(t.app, DEMO.auditor);
    const res = await auditor.get('/pruefung/verifizieren');
    expect(res.statusCode).toBe(200);
    const table = res.body.slice(res.body.indexOf('id="chains-caption"'));
    const names = [...table.matchAll(/<th scope="row" class="kern-table__header">([^<]*)<\/th>/g)].map(
      (m) => m[1]!,
    );
    expect(names[0]).toBe('Zweckverband Digitale Kommunen Brandenburg');
    const rest = names.slice(1);
    expect(rest).toEqual([...rest].sort((a, b) => a.localeCompare(b, 'de')));
    expect(names.every((n) => !/^[0-9a-f-]{36}$/.test(n))).toBe(true);
    // Hashes shortened to 12 hex digits, the full value in a <details>.
    expect(table).toMatch(/<code>[0-9a-f]{12}…<\/code>/);
    expect(table).not.toMatch(/<td class="kern-table__cell mono mono--wrap">[0-9a-f]{64}/);
    const again = await auditor.get('/pruefung/verifizieren');
    const namesAgain = [
      ...again.body
        .slice(again.body.indexOf('id="chains-caption"'))
        .matchAll(/<th scope="row" class="kern-table__header">([^<]*)<\/th>/g),
    ].map((m) => m[1]!);
    expect(namesAgain).toEqual(names);
  });
});
