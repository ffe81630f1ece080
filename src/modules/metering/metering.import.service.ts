/**
 * Importing usage from CSV files — the upload page (/verbrauch/import) and `allmende usage import`.
 * The file is read and mapped by the pure functions of metering.csv.ts and goes through the same ingest
 * as the API (`ingestUsage`, permission usage.import): all or nothing, in ONE transaction even when the
 * file holds more than the ingest's 10,000 events per call (it is then ingested in several calls).
 * Errors name the file's lines (the header is line 1) and columns.
 *
 * Uploads are kept between the page's steps in `usage_imports`, each the uploader's own: the content
 * is dropped on confirm (the row stays as the import's record), an upload not confirmed expires after
 * UPLOAD_HOURS and is deleted by the hourly job.
 */
import type { Tx } from '../../db/tx.js';
import { sha256Hex } from '../../shared/canonical-json.js';
import {
  ForbiddenError,
  InvalidStateError,
  type LineIssue,
  LinesInvalidError,
  NotFoundError,
  ValidationError,
} from '../../shared/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { requirePermission } from '../auth/permissions.js';
import { findMemberByReference } from '../members/members.service.js';
import {
  type CsvTable,
  checkMapping,
  fileIssue,
  guessMapping,
  type MappedEvent,
  mapUsageRows,
  parseCsv,
  type UsageCsvMapping,
} from './metering.csv.js';
import { MAX_EVENTS_PER_REQUEST } from './metering.events.js';
import {
  deleteExpiredUploads,
  insertUpload,
  listUploads,
  markImported,
  selectUpload,
  type UsageImportSummaryRow,
  updateMapping,
} from './metering.import.repository.js';
import { ingestUsage } from './metering.service.js';

/** The largest file the upload page takes (about 100,000 rows). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** An upload not confirmed within this many hours expires (and is deleted by the hourly job). */
export const UPLOAD_HOURS = 24;
/** Rows the preview shows. */
export const PREVIEW_ROWS = 10;

/** The declared types a browser or client may send for a CSV file (Windows says "Excel" for .csv). */
const CSV_TYPES = new Set([
  'text/csv',
  'text/plain',
  'application/csv',
  'application/vnd.ms-excel',
  'application/octet-stream',
  '',
]);

export interface CsvImportResult {
  /** Data rows in the file. */
  readonly rows: number;
  /** New events stored (or, on a dry run, that would be). */
  readonly accepted: number;
  /** Events already known (stored before, or repeated in the file): counted nothing. */
  readonly duplicates: number;
}

/**
 * Reads a file as a CSV table, or throws: ValidationError (field `file`) when it is no CSV table at all,
 * LinesInvalidError when it breaks at a line (an unclosed quote).
 */
export function readCsvFile(content: Buffer): CsvTable {
  const t = parseCsv(content);
  if ('error' in t) {
    if (t.line !== undefined && t.error.startsWith('usage_import.quote'))
      throw new LinesInvalidError([{ line: t.line, code: t.error }]);
    throw new ValidationError([{ field: 'file', code: t.error }]);
  }
  if (t.records.length === 0) throw new ValidationError([{ field: 'file', code: 'usage_import.no_rows' }]);
  return t;
}

/**
 * Imports (or, with `dryRun`, checks) a CSV table under a mapping. A mapping that does not fit the
 * header: ValidationError by field (member, meter, …). Invalid rows: LinesInvalidError with every
 * problem of the whole file by line and column, and nothing stored. Otherwise the counts; one audit
 * event `usage.csv_imported` (besides the ingest's `usage.reported` per member) names the file by its
 * SHA-256.
 */
export async function importUsageCsv(
  tx: Tx,
  table: CsvTable,
  mapping: UsageCsvMapping,
  options: { dryRun?: boolean; sha256?: string; importId?: string } = {},
): Promise<CsvImportResult> {
  requirePermission(tx.ctx, 'usage.import');
  const mappingIssues = checkMapping(table.header, mapping);
  if (mappingIssues.length > 0)
    throw new ValidationError(mappingIssues.map((i) => ({ field: i.field ?? 'file', code: i.code })));
  const mapped = mapUsageRows(table, mapping);
  const issues: LineIssue[] = [...mapped.issues];
  let accepted = 0;
  let duplicates = mapped.duplicatesInFile;
  // Several ingest calls in this one transaction: a refused call stores nothing, a later refusal rolls
  // back the earlier calls with the transaction. Every call runs, so that every bad line is reported.
  for (let offset = 0; offset < mapped.events.length; offset += MAX_EVENTS_PER_REQUEST) {
    const chunk: MappedEvent[] = mapped.events.slice(offset, offset + MAX_EVENTS_PER_REQUEST);
    try {
      const r = await ingestUsage(tx, chunk, {
        permission: 'usage.import',
        ...(options.dryRun ? { dryRun: true } : {}),
      });
      accepted += r.accepted;
      duplicates += r.duplicates;
    } catch (err) {
      if (!(err instanceof LinesInvalidError)) throw err;
      issues.push(...err.lines.map((l) => fileIssue(l, offset, mapped.lines, mapping)));
    }
  }
  if (issues.length > 0) throw new LinesInvalidError(issues.sort((a, b) => a.line - b.line));
  const result = { rows: mapped.rows, accepted, duplicates };
  // Only a change is audited (as the ingest does): a file of duplicates only stored nothing.
  if (!options.dryRun && accepted > 0) {
    const association =
      tx.ctx.principal?.memberId ?? (await findMemberByReference(tx, 'association'))?.id ?? undefined;
    if (association) {
      recordAudit(tx, {
        action: 'usage.csv_imported',
        memberId: association,
        objectType: 'usage_import',
        objectId: options.importId ?? null,
        details: { ...result, ...(options.sha256 ? { sha256: options.sha256 } : {}) },
      });
    }
  }
  return result;
}

/** A person's upload and its table. */
export interface UsageUpload {
  readonly id: string;
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly mapping: UsageCsvMapping;
  readonly state: 'uploaded' | 'imported';
  readonly importedAt: Date | null;
  readonly result: CsvImportResult | null;
}

function uploadOf(r: UsageImportSummaryRow): UsageUpload {
  return {
    id: r.id,
    fileName: r.file_name,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    mapping: r.mapping as UsageCsvMapping,
    state: r.state,
    importedAt: r.imported_at,
    result:
      r.state === 'imported'
        ? { rows: r.rows_total ?? 0, accepted: r.accepted ?? 0, duplicates: r.duplicates ?? 0 }
        : null,
  };
}

/** The person behind the request (uploads belong to a person). */
function uploader(tx: Tx): { memberId: string; userId: string } {
  requirePermission(tx.ctx, 'usage.import');
  const p = tx.ctx.principal;
  if (p?.kind !== 'user' || !p.isAssociation) throw new ForbiddenError('usage.import');
  return { memberId: p.memberId, userId: p.id };
}

/** A file name fit to keep and show: the last path segment, no control or markup characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = [...base.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e<>]/g, '_')]
    .slice(0, 200)
    .join('')
    .trim();
  return clean || 'verbrauch.csv';
}

/**
 * Keeps an uploaded CSV file for the next steps, with a mapping guessed from its header. Refused with a
 * ValidationError on `file` (empty, too large, not CSV, not UTF-8, no data rows) or a LinesInvalidError
 * (a quote that never closes).
 */
export async function uploadUsageCsv(
  tx: Tx,
  input: { fileName: string; contentType: string; content: Buffer },
): Promise<{ id: string }> {
  const who = uploader(tx);
  if (input.content.length === 0)
    throw new ValidationError([{ field: 'file', code: 'usage_import.file_missing' }]);
  if (input.content.length > MAX_UPLOAD_BYTES)
    throw new ValidationError([{ field: 'file', code: 'usage_import.too_large' }]);
  const type = input.contentType.split(';')[0]!.trim().toLowerCase();
  if (!CSV_TYPES.has(type) && !/\.(csv|txt)$/i.test(input.fileName))
    throw new ValidationError([{ field: 'file', code: 'usage_import.not_csv' }]);
  const table = readCsvFile(input.content);
  const now = tx.ctx.clock.now();
  const id = await insertUpload(tx, {
    memberId: who.memberId,
    createdBy: who.userId,
    expiresAt: new Date(now.getTime() + UPLOAD_HOURS * 3_600_000),
    fileName: cleanFileName(input.fileName),
    sha256: sha256Hex(input.content),
    content: input.content,
    mapping: guessMapping(table.header),
  });
  return { id };
}

/** Loads one's own upload (not expired) with its parsed table (none once imported). */
async function loadUpload(
  tx: Tx,
  id: string,
  lock = false,
): Promise<{ upload: UsageUpload; table: CsvTable | null }> {
  const who = uploader(tx);
  const row = await selectUpload(tx, who.memberId, id, who.userId, lock);
  if (!row) throw new NotFoundError('usage_import');
  const upload = uploadOf(row);
  if (upload.state === 'uploaded' && upload.expiresAt.getTime() <= tx.ctx.clock.now().getTime())
    throw new NotFoundError('usage_import');
  const table = row.content ? readCsvFile(Buffer.from(row.content)) : null;
  return { upload, table };
}

/** What the mapping page shows: the upload, its header, the first rows as mapped, and the dry run. */
export interface UploadPreview {
  readonly upload: UsageUpload;
  readonly header: readonly string[];
  readonly delimiter: ';' | ',';
  /** Data rows in the file. */
  readonly rows: number;
  /** The first rows as the ingest will get them (lines with problems are left out here). */
  readonly preview: readonly { line: number; event: MappedEvent }[];
  /** The dry run: what confirming would store, or why it is refused. */
  readonly check:
    | { readonly ok: true; readonly result: CsvImportResult }
    | { readonly ok: false; readonly lines: readonly LineIssue[]; readonly fields: readonly LineIssue[] };
}

/** The upload, its first rows and a dry run of the import under the stored mapping. */
export async function previewUpload(tx: Tx, id: string): Promise<UploadPreview | { upload: UsageUpload }> {
  const { upload, table } = await loadUpload(tx, id);
  if (!table) return { upload };
  const head = mapUsageRows({ ...table, records: table.records.slice(0, PREVIEW_ROWS) }, upload.mapping);
  const preview = head.events.map((event, i) => ({ line: head.lines[i]!, event }));
  let check: UploadPreview['check'];
  try {
    check = { ok: true, result: await importUsageCsv(tx, table, upload.mapping, { dryRun: true }) };
  } catch (err) {
    if (err instanceof LinesInvalidError) check = { ok: false, lines: err.lines, fields: [] };
    else if (err instanceof ValidationError)
      check = { ok: false, lines: [], fields: err.issues.map((i) => ({ line: 1, ...i })) };
    else throw err;
  }
  return {
    upload,
    header: table.header,
    delimiter: table.delimiter,
    rows: table.records.length,
    preview,
    check,
  };
}

/** The header of one's own upload waiting for confirm. */
export async function uploadHeader(tx: Tx, id: string): Promise<readonly string[]> {
  const { table } = await loadUpload(tx, id);
  if (!table) throw new InvalidStateError('usage_import.already_imported');
  return table.header;
}

/** Stores another mapping for an upload (checked against its header: ValidationError by field). */
export async function saveUploadMapping(tx: Tx, id: string, mapping: UsageCsvMapping): Promise<void> {
  const { upload, table } = await loadUpload(tx, id, true);
  if (!table) throw new InvalidStateError('usage_import.already_imported');
  const issues = checkMapping(table.header, mapping);
  if (issues.length > 0)
    throw new ValidationError(issues.map((i) => ({ field: i.field ?? 'file', code: i.code })));
  await updateMapping(tx, tx.ctx.principal!.memberId, upload.id, mapping);
}

/**
 * Imports an upload as it is mapped, all or nothing (LinesInvalidError: nothing stored, the upload
 * stays for another try); on success the content is dropped and the counts kept. An upload already
 * imported is refused (InvalidStateError), so a second confirm never imports twice.
 */
export async function confirmUpload(tx: Tx, id: string): Promise<CsvImportResult> {
  const { upload, table } = await loadUpload(tx, id, true);
  if (!table) throw new InvalidStateError('usage_import.already_imported');
  const result = await importUsageCsv(tx, table, upload.mapping, {
    sha256: upload.sha256,
    importId: upload.id,
  });
  await markImported(tx, tx.ctx.principal!.memberId, upload.id, { at: tx.ctx.clock.now(), ...result });
  return result;
}

/** One's own uploads waiting for confirm and the last imports, newest first. */
export async function listOwnUploads(tx: Tx, limit = 10): Promise<UsageUpload[]> {
  const who = uploader(tx);
  return (await listUploads(tx, who.memberId, who.userId, tx.ctx.clock.now(), limit)).map(uploadOf);
}

/** Deletes uploads never confirmed whose day ran out (the hourly job); returns how many. */
export async function purgeExpiredUploads(tx: Tx): Promise<number> {
  if (tx.ctx.principal || !tx.ctx.system) throw new ForbiddenError('usage.import');
  return deleteExpiredUploads(tx, tx.ctx.clock.now());
}

/** A translator as pages and the CLI have one. */
interface Texts {
  code(key: string, params?: Record<string, string | number>): string;
}

/** One problem of a file in words: "Zeile 3, Spalte „Menge“: …". */
export function lineIssueText(t: Texts, issue: LineIssue): string {
  const reason = t.code(issue.code);
  return issue.field
    ? t.code('usage_import.issue_column', { line: issue.line, column: issue.field, reason })
    : t.code('usage_import.issue_line', { line: issue.line, reason });
}
