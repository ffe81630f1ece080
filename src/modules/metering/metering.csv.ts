/**
 * Usage from CSV files (the upload page and `allmende usage import`): pure functions, no database.
 *
 * - `parseCsv`: UTF-8 (optional BOM), delimiter `;` or `,` (whichever the header line holds more of,
 *   outside quotes), RFC 4180 quoting (`"…"`, `""` inside, line breaks inside quotes), CRLF, LF or CR.
 *   Every record keeps the file line it starts on (the header is line 1), so every error names the line
 *   a person sees in an editor.
 * - `guessMapping`: which column feeds which event field, from German and English header names.
 * - `mapUsageRows`: the records as usage events for the ingest. German files: a decimal comma when the
 *   delimiter is `;` (`1,5`, also `1.234,5`), times as `TT.MM.JJJJ HH:MM[:SS]`; times without an offset
 *   are Berlin local time. Without an event-id column the id is derived from the row's member, meter,
 *   time and attributes, so re-importing a file counts duplicates, and a changed quantity is a conflict.
 *   Rows repeating an earlier row of the file exactly are counted as duplicates here (so a file split
 *   into several ingest calls counts the same as one); the same key with other data is a conflict.
 */
import { canonicalJson, sha256Hex } from '../../shared/canonical-json.js';
import { TIME_ZONE } from '../../shared/dates.js';
import type { LineIssue } from '../../shared/errors.js';
import { parseInstant, parseQuantity } from './metering.events.js';

/** The event fields a column can feed. */
export const CSV_FIELDS = ['member', 'meter', 'quantity', 'time', 'source', 'eventId'] as const;
export type CsvField = (typeof CSV_FIELDS)[number];

/** The fields every file must map to a column (source may be a fixed value, the event id derived). */
export const REQUIRED_CSV_FIELDS = ['member', 'meter', 'quantity', 'time'] as const;

/** The source used when neither a column nor a value is given. */
export const DEFAULT_CSV_SOURCE = 'csv-import';

/** Prefix of derived event ids (`row:` and 40 hex digits of a SHA-256). */
export const DERIVED_ID_PREFIX = 'row:';

export interface CsvRecord {
  /** The file line the record starts on (the header is line 1). */
  readonly line: number;
  readonly cells: readonly string[];
}

export interface CsvTable {
  readonly delimiter: ';' | ',';
  readonly header: readonly string[];
  readonly records: readonly CsvRecord[];
}

/** A file that cannot be read as a CSV table at all: the reason and, where known, the line. */
export interface CsvFileError {
  readonly error: string;
  readonly line?: number;
}

/** Which column (by its header name) feeds which field. */
export interface UsageCsvMapping {
  readonly member: string | null;
  readonly meter: string | null;
  readonly quantity: string | null;
  readonly time: string | null;
  /** A column, or one value for every row. */
  readonly source: { readonly column: string } | { readonly value: string };
  /** A column, or null: derived from the row's values. */
  readonly eventId: string | null;
  /** Further columns kept as event attributes (e.g. a VM name, for unique counts). */
  readonly attributes: readonly { readonly key: string; readonly column: string }[];
}

/** An event as the ingest takes it, and the file line it came from. */
export interface MappedEvent {
  readonly member?: string;
  readonly meter?: string;
  readonly quantity?: string;
  readonly time?: string;
  readonly source: string;
  readonly eventId: string;
  readonly attributes?: Record<string, string>;
}

export interface MappedRows {
  /** The events for the ingest (rows repeating an earlier row exactly are left out). */
  readonly events: readonly MappedEvent[];
  /** The file line of each event (same index). */
  readonly lines: readonly number[];
  /** Rows that repeat an earlier row of the file exactly: duplicates. */
  readonly duplicatesInFile: number;
  /** Problems found without the database, by file line; `field` is the column's header name. */
  readonly issues: readonly LineIssue[];
  /** Data rows in the file. */
  readonly rows: number;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL byte says "binary file"
const BINARY = /\u0000/;

/**
 * Reads a CSV file. Fails as a whole (CsvFileError) only when the file is no readable table: not UTF-8,
 * binary, empty, a header of fewer than two columns, or a quote that never ends. Records with a wrong
 * number of cells are kept; mapUsageRows reports them by line.
 */
export function parseCsv(content: Buffer | string): CsvTable | CsvFileError {
  let text: string;
  if (typeof content === 'string') text = content;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    } catch {
      return { error: 'usage_import.not_utf8' };
    }
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (BINARY.test(text)) return { error: 'usage_import.not_csv' };
  if (text.trim() === '') return { error: 'usage_import.empty' };
  const delimiter = detectDelimiter(text);
  const parsed = tokenize(text, delimiter);
  if ('error' in parsed) return parsed;
  const [first, ...records] = parsed;
  const header = (first?.cells ?? []).map((h) => h.trim());
  if (header.length < 2) return { error: 'usage_import.not_csv', line: 1 };
  return { delimiter, header, records };
}

/** `;` or `,`: whichever occurs more often in the first line outside quotes (`;` on a tie). */
function detectDelimiter(text: string): ';' | ',' {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c === ';') semicolons++;
    else if (!quoted && c === ',') commas++;
  }
  return commas > semicolons ? ',' : ';';
}

/**
 * RFC 4180 records with their starting lines; blank lines and lines of empty cells are skipped (but
 * counted).
 */
function tokenize(text: string, delimiter: string): CsvRecord[] | CsvFileError {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let atCellStart = true;
    let quotedAny = false;
    let endOfRecord = false;
    while (i < n && !endOfRecord) {
      const c = text[i]!;
      if (c === '"' && atCellStart) {
        // A quoted cell: up to the closing quote; "" is a quote; line breaks belong to the cell.
        quotedAny = true;
        i++;
        for (;;) {
          if (i >= n) return { error: 'usage_import.quote_open', line: start };
          const q = text[i]!;
          if (q === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (q === '\r' || q === '\n') {
            line++;
            if (q === '\r' && text[i + 1] === '\n') {
              cell += '\r\n';
              i += 2;
              continue;
            }
          }
          cell += q;
          i++;
        }
        // After the closing quote: a delimiter, the end of the line or of the file.
        const next = text[i];
        if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
          return { error: 'usage_import.quote_stray', line };
        }
        atCellStart = false;
        continue;
      }
      if (c === delimiter) {
        cells.push(cell);
        cell = '';
        atCellStart = true;
        i++;
        continue;
      }
      if (c === '\n' || c === '\r') {
        i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        endOfRecord = true;
        continue;
      }
      if (c === '"') return { error: 'usage_import.quote_stray', line };
      cell += c;
      atCellStart = false;
      i++;
    }
    cells.push(cell);
    // A blank line is no record, nor a line of delimiters only (spreadsheets write `;;;` below a table).
    if (!quotedAny && cells.every((c) => c.trim() === '')) continue;
    records.push({ line: start, cells });
  }
  return records;
}

// ---------------------------------------------------------------------------------------------
// Column mapping

/** Header names as compared: lower case, umlauts spelt out, nothing but letters and digits. */
export function normalizeHeader(h: string): string {
  return h
    .trim()
    .toLowerCase()
    .replaceAll('ä', 'ae')
    .replaceAll('ö', 'oe')
    .replaceAll('ü', 'ue')
    .replaceAll('ß', 'ss')
    .normalize('NFKD')
    .replace(/[^a-z0-9]/g, '');
}

/** Header names (normalised) that say which field a column feeds, in order of preference. */
const SYNONYMS: Record<CsvField, readonly string[]> = {
  member: [
    'ags',
    'gemeindeschluessel',
    'amtlichergemeindeschluessel',
    'gemeindekennziffer',
    'mitglied',
    'mitgliedid',
    'mitgliedsid',
    'mitgliedsnummer',
    'kommune',
    'member',
    'memberid',
    'municipality',
    'municipalitykey',
  ],
  meter: ['zaehler', 'zaehlerschluessel', 'zaehlerkennung', 'messgroesse', 'meter', 'meterkey', 'metric'],
  quantity: ['menge', 'anzahl', 'verbrauch', 'wert', 'quantity', 'amount', 'value', 'qty', 'count', 'usage'],
  time: [
    'zeitpunkt',
    'nutzungszeitpunkt',
    'zeitstempel',
    'zeit',
    'datumuhrzeit',
    'datum',
    'time',
    'timestamp',
    'datetime',
    'date',
    'occurredat',
  ],
  source: ['quelle', 'herkunft', 'system', 'source'],
  eventId: [
    'ereignisid',
    'ereignisnummer',
    'meldungsid',
    'meldungsnummer',
    'buchungsid',
    'eventid',
    'id',
    'transactionid',
  ],
};

/**
 * A mapping guessed from the header names (German and English): each field takes the first column
 * whose name is one of its synonyms. No source column: the fixed source `fallbackSource`. No id
 * column: derived ids. No attributes (the person chooses them).
 */
export function guessMapping(
  header: readonly string[],
  fallbackSource = DEFAULT_CSV_SOURCE,
): UsageCsvMapping {
  const used = new Set<number>();
  const pick = (field: CsvField): string | null => {
    const names = header.map(normalizeHeader);
    for (const synonym of SYNONYMS[field]) {
      const i = names.findIndex((n, j) => n === synonym && !used.has(j));
      if (i >= 0) {
        used.add(i);
        return header[i]!;
      }
    }
    return null;
  };
  const member = pick('member');
  const meter = pick('meter');
  const quantity = pick('quantity');
  const time = pick('time');
  const source = pick('source');
  const eventId = pick('eventId');
  return {
    member,
    meter,
    quantity,
    time,
    source: source ? { column: source } : { value: fallbackSource },
    eventId,
    attributes: [],
  };
}

const SOURCE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;
const ATTRIBUTE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** An attribute key for a column name: its letters and digits (umlauts spelt out), `-` between words. */
export function attributeKeyFor(column: string): string {
  const key = column
    .trim()
    .toLowerCase()
    .replaceAll('ä', 'ae')
    .replaceAll('ö', 'oe')
    .replaceAll('ü', 'ue')
    .replaceAll('ß', 'ss')
    .normalize('NFKD')
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return key || 'attribut';
}

/**
 * Checks a mapping against the header: every required field mapped, each to a column that exists once,
 * a valid fixed source, valid attribute keys. Issues are on line 1 (the header).
 */
export function checkMapping(header: readonly string[], mapping: UsageCsvMapping): LineIssue[] {
  const issues: LineIssue[] = [];
  const column = (field: string, name: string) => {
    const count = header.filter((h) => h === name).length;
    if (count === 0) issues.push({ line: 1, field, code: 'usage_import.column_unknown' });
    else if (count > 1) issues.push({ line: 1, field, code: 'usage_import.column_ambiguous' });
  };
  for (const field of REQUIRED_CSV_FIELDS) {
    const name = mapping[field];
    if (name === null || name === '') issues.push({ line: 1, field, code: 'usage_import.column_unmapped' });
    else column(field, name);
  }
  if ('column' in mapping.source) column('source', mapping.source.column);
  else if (!SOURCE.test(mapping.source.value))
    issues.push({ line: 1, field: 'source', code: 'usage.source_format' });
  if (mapping.eventId !== null) column('eventId', mapping.eventId);
  const keys = new Set<string>();
  for (const a of mapping.attributes) {
    column(`attributes.${a.key}`, a.column);
    if (!ATTRIBUTE_KEY.test(a.key) || keys.has(a.key))
      issues.push({ line: 1, field: `attributes.${a.key}`, code: 'usage_import.attribute_key' });
    keys.add(a.key);
  }
  if (mapping.attributes.length > 20)
    issues.push({ line: 1, field: 'attributes', code: 'usage.attributes_format' });
  return issues;
}

// ---------------------------------------------------------------------------------------------
// Values

/**
 * A quantity as written → an exact decimal text for the ingest, or the reason it is none. With `;` as
 * delimiter (German files) a decimal comma is accepted, with dots as thousands separators (`1.234,5`,
 * `1.234.567`); `1.5` is a decimal point. One dot before exactly three digits (`1.250`) is refused as
 * ambiguous there: a German reads 1250, a machine 1.25 — a bill must not guess. With `,` as delimiter
 * only a decimal point.
 */
export function csvQuantity(text: string, delimiter: ';' | ','): { quantity: string } | { code: string } {
  const s = text.trim().replace(/^\+/, '');
  const format = {
    code: delimiter === ';' ? 'usage_import.quantity_format' : 'usage_import.quantity_format_point',
  };
  if (s === '') return format;
  const sign = s.startsWith('-') ? '-' : '';
  const body = sign ? s.slice(1) : s;
  if (delimiter === ';') {
    if (/^\d{1,3}\.\d{3}$/.test(body)) return { code: 'usage_import.quantity_ambiguous' };
    if (/^\d+,\d+$/.test(body)) return { quantity: sign + body.replace(',', '.') };
    if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(body) && (body.includes(',') || body.split('.').length > 2))
      return { quantity: sign + body.replaceAll('.', '').replace(',', '.') };
  }
  if (/^\d+(\.\d+)?$/.test(body)) return { quantity: sign + body };
  return format;
}

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?$/;
const ISO_OFFSET = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})$/;
const GERMAN = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

const berlinParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** The Berlin wall-clock time of an instant as 'YYYY-MM-DDTHH:MM:SS'. */
function berlinWallClock(ms: number): string {
  const p = Object.fromEntries(berlinParts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/**
 * A Berlin wall-clock time → the instant with its offset ('…+01:00' or '…+02:00'). In the hour that
 * occurs twice (last Sunday of October) the earlier one (summer time) is taken; a time in the hour
 * skipped in spring does not exist: undefined.
 */
export function berlinLocalToIso(wall: string, fraction = ''): string | undefined {
  const asUtc = Date.parse(`${wall}Z`);
  if (Number.isNaN(asUtc)) return undefined;
  if (new Date(asUtc).toISOString().slice(0, 19) !== wall) return undefined;
  for (const hours of [2, 1]) {
    const ms = asUtc - hours * 3_600_000;
    if (berlinWallClock(ms) === wall) return `${wall}${fraction}+0${hours}:00`;
  }
  return undefined;
}

/**
 * A time as written → ISO 8601 with offset for the ingest, or a reason. Accepted: ISO 8601 with offset
 * (`2026-11-30T14:00:00+01:00`, `…Z`), ISO without offset and German `30.11.2026 14:00[:00]` (Berlin
 * local time), a day alone (00:00 Berlin time).
 */
export function csvTime(text: string): { iso: string } | { code: string } {
  const s = text.trim();
  if (s === '') return { code: 'usage.time_missing' };
  const offset = ISO_OFFSET.exec(s);
  if (offset) {
    const iso = `${offset[1]}T${offset[2]}${offset[3]}`;
    return parseInstant(iso) ? { iso } : { code: 'usage_import.time_format' };
  }
  let wall: string | undefined;
  let fraction = '';
  const local = ISO_LOCAL.exec(s);
  const german = GERMAN.exec(s);
  if (local) {
    const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = ''] = local;
    wall = `${y}-${mo}-${d}T${h}:${mi}:${sec}`;
    fraction = frac;
  } else if (german) {
    const [, d, mo, y, h = '00', mi = '00', sec = '00'] = german;
    wall = `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}T${h.padStart(2, '0')}:${mi}:${sec}`;
  }
  if (!wall) return { code: 'usage_import.time_format' };
  const asUtc = Date.parse(`${wall}Z`);
  if (Number.isNaN(asUtc) || new Date(asUtc).toISOString().slice(0, 19) !== wall)
    return { code: 'usage_import.time_format' };
  const iso = berlinLocalToIso(wall, fraction);
  // A valid day and time that does not exist in Berlin: the hour skipped when summer time starts.
  return iso ? { iso } : { code: 'usage_import.time_skipped' };
}

/**
 * The event id derived from a row without an id column: member, meter, time (as an instant) and
 * attributes — not the quantity, so a re-import with a changed quantity is a conflict, never a second
 * count. Two rows alike in these are the same event.
 */
export function derivedEventId(e: {
  member: string;
  meter: string;
  time: string;
  attributes: Record<string, string> | undefined;
}): string {
  const instant = parseInstant(e.time)?.iso ?? e.time;
  const digest = sha256Hex(
    canonicalJson({
      member: e.member.toLowerCase(),
      meter: e.meter,
      time: instant,
      attributes: e.attributes ?? null,
    }),
  );
  return `${DERIVED_ID_PREFIX}${digest.slice(0, 40)}`;
}

/**
 * The file's rows as usage events under a mapping. Mapping problems (line 1) stop here; otherwise each
 * row's problems that need no database (cell count, quantity and time formats, conflicts between rows
 * of the file) are reported by line, and the ingest checks the rest.
 */
export function mapUsageRows(table: CsvTable, mapping: UsageCsvMapping): MappedRows {
  const mappingIssues = checkMapping(table.header, mapping);
  if (mappingIssues.length > 0)
    return { events: [], lines: [], duplicatesInFile: 0, issues: mappingIssues, rows: table.records.length };
  const col = (name: string) => table.header.indexOf(name);
  const idx = {
    member: col(mapping.member!),
    meter: col(mapping.meter!),
    quantity: col(mapping.quantity!),
    time: col(mapping.time!),
    source: 'column' in mapping.source ? col(mapping.source.column) : -1,
    eventId: mapping.eventId === null ? -1 : col(mapping.eventId),
  };
  const attrs = mapping.attributes.map((a) => ({ key: a.key, column: a.column, i: col(a.column) }));
  const fixedSource = 'value' in mapping.source ? mapping.source.value : undefined;

  const events: MappedEvent[] = [];
  const lines: number[] = [];
  const issues: LineIssue[] = [];
  let duplicatesInFile = 0;
  // Per event key (member, source, id): the payload and line of its first row.
  const seen = new Map<string, string>();

  for (const r of table.records) {
    if (r.cells.length !== table.header.length) {
      issues.push({ line: r.line, code: 'usage_import.cell_count' });
      continue;
    }
    const cell = (i: number) => r.cells[i]!.trim();
    const rowIssues: LineIssue[] = [];
    const member = cell(idx.member);
    const meter = cell(idx.meter);
    const quantityText = cell(idx.quantity);
    let quantity: string | undefined;
    if (quantityText !== '') {
      const q = csvQuantity(quantityText, table.delimiter);
      if ('quantity' in q) quantity = q.quantity;
      else rowIssues.push({ line: r.line, field: mapping.quantity!, code: q.code });
    }
    const timeText = cell(idx.time);
    let time: string | undefined;
    if (timeText !== '') {
      const t = csvTime(timeText);
      if ('iso' in t) time = t.iso;
      else rowIssues.push({ line: r.line, field: mapping.time!, code: t.code });
    }
    let attributes: Record<string, string> | undefined;
    for (const a of attrs) {
      const v = cell(a.i);
      if (v === '') continue;
      attributes ??= {};
      attributes[a.key] = v;
    }
    const source = fixedSource ?? cell(idx.source);
    let eventId = idx.eventId >= 0 ? cell(idx.eventId) : undefined;
    if (rowIssues.length > 0) {
      issues.push(...rowIssues);
      continue;
    }
    if (eventId === undefined) {
      // Derived only from a complete row; an incomplete one is refused by the ingest for what is missing.
      eventId =
        member && meter && time
          ? derivedEventId({ member, meter, time, attributes })
          : `${DERIVED_ID_PREFIX}line-${r.line}`;
    }
    const event: MappedEvent = {
      ...(member !== '' ? { member } : {}),
      ...(meter !== '' ? { meter } : {}),
      ...(quantity !== undefined ? { quantity } : {}),
      ...(time !== undefined ? { time } : {}),
      source,
      eventId,
      ...(attributes ? { attributes } : {}),
    };
    // The same event twice in the file: a duplicate when it says the same, else a conflict.
    const q = quantity === undefined ? undefined : parseQuantity(quantity);
    const instant = time === undefined ? undefined : parseInstant(time);
    if (member && meter && q && 'quantity' in q && instant && eventId !== '') {
      const key = JSON.stringify([member.toLowerCase(), source, eventId]);
      const payload = canonicalJson({
        meter,
        quantity: q.quantity,
        time: instant.iso,
        attributes: attributes ?? null,
      });
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        if (earlier === payload) duplicatesInFile++;
        else
          issues.push({
            line: r.line,
            ...(mapping.eventId !== null ? { field: mapping.eventId } : {}),
            code: mapping.eventId === null ? 'usage_import.row_conflict' : 'usage_import.id_conflict',
          });
        continue;
      }
      seen.set(key, payload);
    }
    events.push(event);
    lines.push(r.line);
  }
  return { events, lines, duplicatesInFile, issues, rows: table.records.length };
}

/**
 * Translates an ingest issue (line = 1-based index into `events` of the chunk starting at `offset`)
 * back to the file: its line and the column the field came from.
 */
export function fileIssue(
  issue: LineIssue,
  offset: number,
  lines: readonly number[],
  mapping: UsageCsvMapping,
): LineIssue {
  const line = lines[offset + issue.line - 1] ?? issue.line;
  const column = issue.field ? columnOf(issue.field, mapping) : undefined;
  // A conflict with a stored event whose id this file derived: say it in the file's terms.
  const code =
    issue.code === 'usage.conflict' && mapping.eventId === null
      ? 'usage_import.row_conflict_stored'
      : issue.code;
  return { line, ...(column ? { field: column } : {}), code };
}

/** The header name behind an event field under a mapping (undefined for a fixed or derived value). */
export function columnOf(field: string, mapping: UsageCsvMapping): string | undefined {
  switch (field) {
    case 'member':
    case 'meter':
    case 'quantity':
    case 'time':
      return mapping[field] ?? undefined;
    case 'source':
      return 'column' in mapping.source ? mapping.source.column : undefined;
    case 'eventId':
      return mapping.eventId ?? undefined;
    case 'attributes':
      return mapping.attributes.length === 1 ? mapping.attributes[0]!.column : undefined;
    default:
      return undefined;
  }
}
