/**
 * The CSV import of usage in the association area (permission usage.import):
 * - /verbrauch/import — upload a file (multipart, works without JavaScript), and one's own recent files;
 * - /verbrauch/import/:importId — the file, the column mapping (guessed from the header), a preview of
 *   the first rows as they will be read, the dry run of the whole file: line-numbered errors, or the
 *   counts and "Jetzt einlesen"; after the import its result;
 * - POST …/zuordnung (the mapping), POST …/bestaetigen (the import, all or nothing).
 *
 * Multipart is registered in this plugin's scope only (as for meeting documents), and the permission is
 * checked in onRequest, before a body is read. A file over the limit answers 413 with the form again.
 */
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDateTime } from '../../shared/dates.js';
import {
  ForbiddenError,
  type LineIssue,
  LinesInvalidError,
  UnauthenticatedError,
  ValidationError,
} from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import {
  Alert,
  Button,
  CheckboxGroup,
  Csrf,
  DataTable,
  DescriptionList,
  ErrorSummary,
  type FieldErrors,
  LinkButton,
  SelectField,
  TextField,
} from '../../web/components.js';
import { formProblem, submitOnce } from '../../web/form.js';
import { numberFormat, type T } from '../../web/i18n/index.js';
import type { Child, RawHtml } from '../../web/jsx/jsx-runtime.js';
import { csrfToken, sendPage } from '../../web/page.js';
import { hasPermission } from '../auth/permissions.js';
import { attributeKeyFor, DEFAULT_CSV_SOURCE, type UsageCsvMapping } from './metering.csv.js';
import {
  confirmUpload,
  lineIssueText,
  listOwnUploads,
  MAX_UPLOAD_BYTES,
  previewUpload,
  saveUploadMapping,
  type UploadPreview,
  type UsageUpload,
  uploadHeader,
  uploadUsageCsv,
} from './metering.import.service.js';
import { shown } from './metering.pages.js';
import { recordRejection } from './metering.status.service.js';

/** What the multipart reader keeps of the file field. */
interface UploadedFile {
  fileName: string;
  contentType: string;
  content: Buffer;
}

/** Errors listed on the page at most (the rest are counted). */
const MAX_LISTED_ERRORS = 100;

const BASE = '/verbrauch/import';
const text = (v: unknown) => (typeof v === 'string' ? v : '');

function size(bytes: number, nf: Intl.NumberFormat): string {
  return bytes >= 1024 * 1024
    ? `${nf.format(Math.round((bytes / 1024 / 1024) * 10) / 10)} MB`
    : `${nf.format(Math.max(1, Math.round(bytes / 1024)))} KB`;
}

/** The line-numbered problems of a file, as a list (the first MAX_LISTED_ERRORS). */
function LineErrors(props: { t: T; lines: readonly LineIssue[] }): RawHtml {
  const shownLines = props.lines.slice(0, MAX_LISTED_ERRORS);
  const more = props.lines.length - shownLines.length;
  return (
    <>
      <ul class="kern-list" id="import-errors">
        {shownLines.map((l) => (
          <li class="kern-body">{lineIssueText(props.t, l)}</li>
        ))}
      </ul>
      {more > 0 ? <p class="kern-body">{props.t.code('usage_import.errors_more', { count: more })}</p> : null}
    </>
  );
}

/** Form field of a mapping problem (the service names event fields; attributes share one group). */
function formFieldOf(field: string, mapping: UsageCsvMapping): string {
  if (field.startsWith('attributes')) return 'attributes';
  if (field === 'source') return 'column' in mapping.source ? 'source' : 'sourceValue';
  return field;
}

export async function meteringImportPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, fieldSize: 2000, parts: 12 },
    // The file as buffer with its declared name and type (keyValues would keep only the bytes).
    async onFile(part: MultipartFile) {
      const content = await part.toBuffer();
      (part as unknown as { value: UploadedFile }).value = {
        fileName: part.filename,
        contentType: part.mimetype,
        content,
      };
    },
  });

  /** Association staff with usage.import only, checked before any body is read. */
  const requireImporter = async (req: FastifyRequest) => {
    if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
    if (!req.principal.isAssociation || !hasPermission(req.ctx, 'usage.import'))
      throw new ForbiddenError('usage.import');
  };

  // ---- upload ----

  const uploadPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    form: { errors?: FieldErrors; lines?: readonly LineIssue[]; status?: number } = {},
  ) => {
    const t = req.t;
    const lang = req.lang;
    const uploads = await tx(req, (t2) => listOwnUploads(t2));
    const nf = numberFormat(lang);
    const title = t.code('usage_import.title');
    const errors = form.errors ?? {};
    const fileError =
      errors.file ?? (form.lines?.length ? form.lines.map((l) => lineIssueText(t, l)).join(' ') : undefined);
    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: '/verbrauch',
      breadcrumbs: [{ href: '/verbrauch', label: t.code('usage_admin.title') }],
      body: (
        <div class="kern-stack-lg">
          <h1 class="kern-heading-x-large">{title}</h1>
          <ErrorSummary errors={fileError ? { file: fileError } : {}} t={t} />
          <p class="kern-body">{t.code('usage_import.intro')}</p>
          <form method="post" action={BASE} enctype="multipart/form-data" class="kern-stack" novalidate>
            <Csrf token={csrfToken(req, reply)} />
            <div class={`kern-form-input${fileError ? ' kern-form-input--error' : ''}`}>
              <label class="kern-label" for="f-file">
                {t.code('usage_import.file')}
                <span class="kern-label__required"> {t('common.required')}</span>
              </label>
              <div class="kern-hint" id="f-file-hint">
                {t.code('usage_import.file_hint')}
              </div>
              <input
                class={`kern-form-input__input${fileError ? ' kern-form-input__input--error' : ''}`}
                id="f-file"
                name="file"
                type="file"
                accept=".csv,text/csv,text/plain"
                required
                aria-invalid={fileError ? 'true' : undefined}
                aria-describedby={fileError ? 'f-file-hint f-file-error' : 'f-file-hint'}
              />
              {fileError ? (
                <p class="kern-error" id="f-file-error">
                  <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                  <span class="kern-body">{fileError}</span>
                </p>
              ) : null}
            </div>
            <div class="kern-btn-wrapper">
              <Button label={t.code('usage_import.upload')} />
            </div>
          </form>
          <section aria-labelledby="format-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="format-h">
              {t.code('usage_import.format_title')}
            </h2>
            <p class="kern-body">{t.code('usage_import.format_text')}</p>
          </section>
          {uploads.length > 0 ? (
            <section aria-labelledby="recent-h" class="kern-stack">
              <h2 class="kern-heading-medium" id="recent-h">
                {t.code('usage_import.recent')}
              </h2>
              <DataTable
                id="uploads"
                caption={t.code('usage_import.recent')}
                columns={[
                  { label: t.code('usage_import.col_file') },
                  { label: t.code('usage_import.col_uploaded') },
                  { label: t.code('usage_import.size'), numeric: true },
                  { label: t.code('usage_import.col_state') },
                ]}
              >
                {uploads.map((u) => (
                  <tr class="kern-table__row">
                    <th scope="row" class="kern-table__header">
                      <a class="kern-link" href={`${BASE}/${u.id}`}>
                        {u.fileName}
                      </a>
                    </th>
                    <td class="kern-table__cell">{formatDateTime(u.createdAt, lang)}</td>
                    <td class="kern-table__cell kern-table__cell--numeric">{size(u.sizeBytes, nf)}</td>
                    <td class="kern-table__cell">{stateText(t, u, lang, nf)}</td>
                  </tr>
                ))}
              </DataTable>
            </section>
          ) : null}
        </div>
      ),
    });
  };

  const stateText = (t: T, u: UsageUpload, lang: 'de' | 'en', nf: Intl.NumberFormat) =>
    u.result
      ? t.code('usage_import.state_imported', {
          at: formatDateTime(u.importedAt, lang),
          accepted: nf.format(u.result.accepted),
          duplicates: nf.format(u.result.duplicates),
        })
      : t.code('usage_import.state_uploaded', { until: formatDateTime(u.expiresAt, lang) });

  // A too large file or a broken multipart body: the form again with a German message, nothing stored.
  app.setErrorHandler(async (error: FastifyError, req, reply) => {
    if (
      req.method !== 'POST' ||
      req.url !== BASE ||
      !/^FST_(REQ_FILE_TOO_LARGE|FILES_LIMIT|PARTS_LIMIT|FIELDS_LIMIT|PROTO_VIOLATION|INVALID_MULTIPART)/.test(
        error.code ?? '',
      )
    )
      throw error;
    const tooLarge = error.code === 'FST_REQ_FILE_TOO_LARGE';
    return uploadPage(req, reply, {
      errors: { file: req.t.code(tooLarge ? 'usage_import.too_large' : 'usage_import.upload_failed') },
      status: tooLarge ? 413 : 400,
    });
  });

  app.get(BASE, { onRequest: requireImporter }, async (req, reply) => uploadPage(req, reply));

  app.post(
    BASE,
    // The permission is checked before the body (up to 10 MB) is read.
    { onRequest: requireImporter },
    async (req, reply) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const file = body.file as UploadedFile | undefined;
      const hasFile = typeof file === 'object' && file !== null && Buffer.isBuffer(file.content);
      try {
        return await submitOnce(req, reply, tx, async (t2) => {
          const { id } = await uploadUsageCsv(t2, {
            fileName: hasFile ? file.fileName : '',
            contentType: hasFile ? file.contentType : '',
            content: hasFile ? file.content : Buffer.alloc(0),
          });
          return { to: `${BASE}/${id}` };
        });
      } catch (err) {
        if (err instanceof LinesInvalidError)
          return uploadPage(req, reply, { lines: err.lines, status: 422 });
        const problem = formProblem(err, req.t);
        if (problem) return uploadPage(req, reply, { errors: problem.errors, status: problem.status });
        throw err;
      }
    },
  );

  // ---- one file: mapping, preview, check, confirm, result ----

  type ImportParams = { Params: { importId: string } };

  const importPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    importId: string,
    form: {
      errors?: FieldErrors;
      values?: Partial<Record<string, string | string[]>>;
      lines?: readonly LineIssue[];
      message?: string;
      status?: number;
    } = {},
  ) => {
    const t = req.t;
    const lang = req.lang;
    const nf = numberFormat(lang);
    const data = await tx(req, (t2) => previewUpload(t2, importId));
    const { upload } = data;
    const title = t.code('usage_import.file_title', { name: upload.fileName });
    const facts: [string, Child][] = [
      [t.code('usage_import.file_facts'), <span class="wrap-anywhere">{upload.fileName}</span>],
      [t.code('usage_import.size'), size(upload.sizeBytes, nf)],
      [t.code('usage_import.checksum'), <span class="mono">{upload.sha256}</span>],
      [t.code('usage_import.uploaded_at'), formatDateTime(upload.createdAt, lang)],
    ];
    const breadcrumbs = [
      { href: '/verbrauch', label: t.code('usage_admin.title') },
      { href: BASE, label: t.code('usage_import.title') },
    ];
    if (!('check' in data)) {
      // Imported: the record of it (a second confirm from another tab lands here with its message).
      const r = upload.result!;
      return sendPage(req, reply, {
        title,
        status: form.status,
        nav: '/verbrauch',
        breadcrumbs,
        body: (
          <div class="kern-stack-lg">
            <h1 class="kern-heading-x-large wrap-anywhere">{title}</h1>
            {form.message ? <Alert variant="info" title={form.message} role="status" /> : null}
            <section aria-labelledby="result-h" class="kern-stack">
              <h2 class="kern-heading-medium" id="result-h">
                {t.code('usage_import.result_title')}
              </h2>
              <p class="kern-body" id="import-result">
                {t.code('usage_import.result_text', {
                  at: formatDateTime(upload.importedAt, lang),
                  rows: nf.format(r.rows),
                  accepted: nf.format(r.accepted),
                  duplicates: nf.format(r.duplicates),
                })}
              </p>
              <DescriptionList items={facts} />
            </section>
            <div class="kern-btn-wrapper">
              <LinkButton href={BASE} label={t.code('usage_import.another')} variant="primary" />
              <LinkButton href="/verbrauch" label={t.code('usage_import.to_usage')} />
            </div>
          </div>
        ),
      });
    }

    const d = data as UploadPreview;
    const m = upload.mapping;
    const values = form.values ?? {};
    const val = (k: string, fallback: string) => {
      const v = values[k];
      return typeof v === 'string' ? v : fallback;
    };
    // The check's problems: the mapping's at its fields, the file's by line.
    const fieldErrors: FieldErrors = { ...(form.errors ?? {}) };
    if (!form.errors && !d.check.ok)
      for (const f of d.check.fields) fieldErrors[formFieldOf(f.field ?? 'file', m)] ??= t.code(f.code);
    const lines = form.lines ?? (d.check.ok ? [] : d.check.lines);
    const failed = lines.length > 0 || Object.keys(fieldErrors).length > 0;
    const columnOptions = (empty: string) => [
      { value: '', label: empty },
      ...d.header.map((h) => ({ value: h, label: h })),
    ];
    const chosenAttributes = Array.isArray(values.attributes)
      ? values.attributes
      : m.attributes.map((a) => String(d.header.indexOf(a.column)));
    const requiredLabel = t('common.required');
    const ok = d.check.ok && !form.lines && !form.errors ? d.check.result : undefined;

    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: '/verbrauch',
      breadcrumbs,
      body: (
        <div class="kern-stack-lg">
          <h1 class="kern-heading-x-large wrap-anywhere">{title}</h1>
          <ErrorSummary
            errors={fieldErrors}
            t={t}
            message={
              lines.length > 0
                ? t.code('usage_import.check_failed', { count: nf.format(lines.length) })
                : Object.keys(fieldErrors).length > 0
                  ? t.code('usage_import.check_failed_mapping')
                  : undefined
            }
          />
          <DescriptionList
            items={[
              ...facts,
              [t.code('usage_import.expires_at'), formatDateTime(upload.expiresAt, lang)],
              [
                t.code('usage_import.delimiter'),
                t.code(
                  d.delimiter === ';' ? 'usage_import.delimiter_semicolon' : 'usage_import.delimiter_comma',
                ),
              ],
              [t.code('usage_import.rows'), nf.format(d.rows)],
            ]}
          />

          <section aria-labelledby="check-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="check-h">
              {t.code('usage_import.check_title')}
            </h2>
            {ok ? (
              <>
                <Alert variant="success" title={t.code('usage_import.check_title')} role="status">
                  <p class="kern-body" id="check-result">
                    {t.code('usage_import.check_ok', {
                      rows: nf.format(ok.rows),
                      accepted: nf.format(ok.accepted),
                      duplicates: nf.format(ok.duplicates),
                    })}
                  </p>
                </Alert>
                <form method="post" action={`${BASE}/${upload.id}/bestaetigen`} class="kern-stack">
                  <Csrf token={csrfToken(req, reply)} />
                  <p class="kern-body">{t.code('usage_import.confirm_hint')}</p>
                  <div class="kern-btn-wrapper">
                    <Button label={t.code('usage_import.confirm')} />
                  </div>
                </form>
              </>
            ) : failed ? (
              <>
                {lines.length > 0 ? <LineErrors t={t} lines={lines} /> : null}
                <p class="kern-body">{t.code('usage_import.fix_hint')}</p>
                <div class="kern-btn-wrapper">
                  <LinkButton href={BASE} label={t.code('usage_import.another')} />
                </div>
              </>
            ) : null}
          </section>

          <section aria-labelledby="mapping-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="mapping-h">
              {t.code('usage_import.mapping_title')}
            </h2>
            <p class="kern-body">{t.code('usage_import.mapping_intro')}</p>
            <form method="post" action={`${BASE}/${upload.id}/zuordnung`} class="kern-stack" novalidate>
              <Csrf token={csrfToken(req, reply)} />
              {(['member', 'meter', 'quantity', 'time'] as const).map((f) => (
                <SelectField
                  name={f}
                  label={t.code(`usage_import.field_${f}`)}
                  value={val(f, m[f] ?? '')}
                  error={fieldErrors[f]}
                  required
                  requiredLabel={requiredLabel}
                  options={columnOptions(t.code('usage_import.choose_column'))}
                />
              ))}
              <SelectField
                name="source"
                label={t.code('usage_import.field_source')}
                value={val('source', 'column' in m.source ? m.source.column : '')}
                error={fieldErrors.source}
                options={columnOptions(t.code('usage_import.source_fixed'))}
              />
              <TextField
                name="sourceValue"
                label={t.code('usage_import.field_source_value')}
                hint={t.code('usage_import.field_source_value_hint')}
                value={val('sourceValue', 'value' in m.source ? m.source.value : DEFAULT_CSV_SOURCE)}
                error={fieldErrors.sourceValue}
                maxlength={100}
              />
              <SelectField
                name="eventId"
                label={t.code('usage_import.field_event_id')}
                value={val('eventId', m.eventId ?? '')}
                error={fieldErrors.eventId}
                options={columnOptions(t.code('usage_import.event_id_derived'))}
              />
              <CheckboxGroup
                name="attributes"
                legend={t.code('usage_import.field_attributes')}
                values={chosenAttributes}
                error={fieldErrors.attributes}
                options={d.header.map((h, i) => ({
                  value: String(i),
                  label: t.code('usage_import.attribute_as', { column: h, key: attributeKeyFor(h) }),
                }))}
              />
              <div class="kern-btn-wrapper">
                <Button label={t.code('usage_import.save_mapping')} variant={ok ? 'secondary' : 'primary'} />
              </div>
            </form>
          </section>

          <section aria-labelledby="preview-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="preview-h">
              {t.code('usage_import.preview_title')}
            </h2>
            {d.preview.length === 0 ? (
              <p class="kern-body">{t.code('usage_import.preview_none')}</p>
            ) : (
              <DataTable
                id="preview"
                caption={t.code('usage_import.preview_caption')}
                variant="small-striped"
                columns={[
                  { label: t.code('usage_import.col_line'), numeric: true },
                  { label: t.code('usage_import.field_member') },
                  { label: t.code('usage_import.field_meter') },
                  { label: t.code('usage_import.field_quantity'), numeric: true },
                  { label: t.code('usage_import.field_time') },
                  { label: t.code('usage_import.field_source') },
                  { label: t.code('usage_import.field_event_id') },
                  { label: t.code('usage_import.col_attributes') },
                ]}
              >
                {d.preview.map(({ line, event: e }) => (
                  <tr class="kern-table__row">
                    <th scope="row" class="kern-table__header kern-table__header--numeric">
                      {String(line)}
                    </th>
                    <td class="kern-table__cell">{e.member ?? '–'}</td>
                    <td class="kern-table__cell">{e.meter ?? '–'}</td>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {e.quantity === undefined ? '–' : quantityShown(e.quantity, lang)}
                    </td>
                    <td class="kern-table__cell">{e.time ? formatDateTime(new Date(e.time), lang) : '–'}</td>
                    <td class="kern-table__cell">{e.source}</td>
                    <td class="kern-table__cell">
                      <span class="mono">{e.eventId}</span>
                    </td>
                    <td class="kern-table__cell">
                      {e.attributes
                        ? Object.entries(e.attributes)
                            .map(([k, v]) => `${k}=${v}`)
                            .join(', ')
                        : '–'}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
        </div>
      ),
    });
  };

  app.get<ImportParams>(`${BASE}/:importId`, { onRequest: requireImporter }, async (req, reply) => {
    if (!isUuid(req.params.importId)) return reply.callNotFound();
    return importPage(req, reply, req.params.importId);
  });

  app.post<ImportParams>(
    `${BASE}/:importId/zuordnung`,
    { onRequest: requireImporter },
    async (req, reply) => {
      const importId = req.params.importId;
      if (!isUuid(importId)) return reply.callNotFound();
      const body = (req.body ?? {}) as Record<string, unknown>;
      const attrs = [body.attributes].flat().filter((x): x is string => typeof x === 'string');
      const values = {
        member: text(body.member),
        meter: text(body.meter),
        quantity: text(body.quantity),
        time: text(body.time),
        source: text(body.source),
        sourceValue: text(body.sourceValue).trim(),
        eventId: text(body.eventId),
        attributes: attrs,
      };
      try {
        return await submitOnce(req, reply, tx, async (t2) => {
          const header = await uploadHeader(t2, importId);
          const mapping: UsageCsvMapping = {
            member: values.member || null,
            meter: values.meter || null,
            quantity: values.quantity || null,
            time: values.time || null,
            source: values.source ? { column: values.source } : { value: values.sourceValue },
            eventId: values.eventId || null,
            attributes: attrs
              .map((i) => header[Number(i)])
              .filter((c): c is string => c !== undefined)
              .map((column) => ({ key: attributeKeyFor(column), column })),
          };
          await saveUploadMapping(t2, importId, mapping);
          return { to: `${BASE}/${importId}` };
        });
      } catch (err) {
        if (err instanceof ValidationError) {
          const mapping = {
            source: values.source ? { column: values.source } : { value: '' },
          } as UsageCsvMapping;
          const errors: FieldErrors = {};
          for (const i of err.issues) errors[formFieldOf(i.field, mapping)] ??= req.t.code(i.code);
          return importPage(req, reply, importId, { errors, values, status: 422 });
        }
        const problem = formProblem(err, req.t);
        if (problem)
          return importPage(req, reply, importId, { errors: problem.errors, values, status: problem.status });
        throw err;
      }
    },
  );

  app.post<ImportParams>(
    `${BASE}/:importId/bestaetigen`,
    { onRequest: requireImporter },
    async (req, reply) => {
      const importId = req.params.importId;
      if (!isUuid(importId)) return reply.callNotFound();
      try {
        return await submitOnce(req, reply, tx, async (t2) => {
          const r = await confirmUpload(t2, importId);
          return {
            to: `${BASE}/${importId}`,
            flash: {
              title: 'usage_import.imported',
              params: { accepted: r.accepted, duplicates: r.duplicates },
            },
          };
        });
      } catch (err) {
        // Refused after all (e.g. an event stored meanwhile with other data): nothing stored, the reasons.
        if (err instanceof LinesInvalidError) {
          // A refused delivery, recorded for /verbrauch in its own transaction (the import rolled back).
          const lines = err.lines;
          await tx(req, (t2) =>
            recordRejection(t2, { channel: 'csv', sources: [], lines: lines.length, issues: lines }),
          ).catch((e: unknown) => req.log.warn({ err: e }, 'refused CSV import not recorded'));
          return importPage(req, reply, importId, { lines: err.lines, status: 422 });
        }
        // Imported already (another tab): the page shows the import's result.
        const problem = formProblem(err, req.t);
        if (problem)
          return importPage(req, reply, importId, {
            errors: problem.errors,
            ...(problem.message ? { message: problem.message } : {}),
            status: problem.status,
          });
        throw err;
      }
    },
  );
}

/** A quantity as the preview shows it (the exact decimal, grouped, decimal comma in German). */
function quantityShown(quantity: string, lang: 'de' | 'en'): string {
  return shown(quantity.replace(/^\+/, ''), lang);
}
