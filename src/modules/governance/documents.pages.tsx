/**
 * A meeting's documents and minutes:
 * - /versammlung/sitzungen/:meetingId/dokumente — the association's staff upload PDFs (multipart form,
 *   works without JavaScript) and see every document of the meeting;
 * - /sitzungen/dokumente/:documentId — the download: public documents for anyone, non-public ones
 *   only for the association (404 for everyone else, as if there were none);
 * - /sitzungen/:meetingId/niederschrift.pdf — the minutes, the association's copy with the non-public
 *   items, everyone else's without.
 *
 * Multipart is registered in this plugin's scope only: every other form of the app stays urlencoded
 * (@fastify/formbody), and an upload is read only after the route checked the permission.
 */
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDateTime } from '../../shared/dates.js';
import { isUuid } from '../../shared/ids.js';
import {
  Button,
  Csrf,
  DataTable,
  ErrorSummary,
  type FieldErrors,
  SelectField,
  TextField,
} from '../../web/components.js';
import { formProblem, submitOnce } from '../../web/form.js';
import { numberFormat } from '../../web/i18n/index.js';
import { csrfToken, sendPage } from '../../web/page.js';
import { requireManager } from './assembly.components.js';
import {
  assemblyNamesOn,
  berlinDayOf,
  DOCUMENT_KINDS,
  getMeetingDocument,
  getMeetingForDocuments,
  listMeetingDocuments,
  loadMinutes,
  MAX_DOCUMENT_BYTES,
  uploadMeetingDocument,
} from './documents.service.js';
import { renderMinutesPdf } from './minutes.pdf.js';

/** What the multipart reader keeps of the file field. */
interface UploadedFile {
  fileName: string;
  contentType: string;
  content: Buffer;
}

/** RFC 6266: an ASCII fallback and the UTF-8 name. */
export function contentDisposition(kind: 'attachment' | 'inline', fileName: string): string {
  const ascii =
    fileName
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\;]/g, '') || 'dokument.pdf';
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export async function documentsPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 10, fieldSize: 2000, parts: 12 },
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

  // Checked before the body is read (an upload of someone without the right is never parsed).
  const managerOnly = async (req: FastifyRequest) => requireManager(req);

  const documentsPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    meetingId: string,
    form: { errors?: FieldErrors; message?: string; values?: Record<string, string>; status?: number } = {},
  ) => {
    const t = req.t;
    const lang = req.lang;
    const { meeting, items, documents } = await tx(req, async (t2) => ({
      ...(await getMeetingForDocuments(t2, meetingId)),
      documents: await listMeetingDocuments(t2, meetingId),
    }));
    const errors = form.errors ?? {};
    const values = form.values ?? {};
    const nf = numberFormat(lang);
    const size = (bytes: number) =>
      bytes >= 1024 * 1024
        ? `${nf.format(Math.round((bytes / 1024 / 1024) * 10) / 10)} MB`
        : `${nf.format(Math.max(1, Math.round(bytes / 1024)))} KB`;
    const itemLabel = (id: string | null) => {
      const i = items.find((x) => x.id === id);
      return i ? i.number : '–';
    };
    const title = t('documents_page.title');
    const isPublic = (values.public ?? 'ja') !== 'nein';
    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: '/versammlung',
      body: (
        <div class="kern-stack">
          <h1 class="kern-heading-x-large">{title}</h1>
          <p class="kern-body">
            {t('documents_page.meeting', {
              title: meeting.title,
              date: formatDateTime(meeting.starts_at, lang),
            })}
          </p>
          <ErrorSummary errors={errors} t={t} message={form.message} />
          <p class="kern-body">
            <a class="kern-link" href={`/sitzungen/${meeting.id}/niederschrift.pdf`}>
              {t('documents_page.minutes')}
            </a>
          </p>
          <p class="kern-body kern-body--small">{t('documents_page.minutes_hint')}</p>
          <h2 class="kern-heading-large">{t('documents_page.list')}</h2>
          {documents.length === 0 ? (
            <p class="kern-body">{t('documents_page.none')}</p>
          ) : (
            <DataTable
              id="documents"
              caption={t('documents_page.list')}
              columns={[
                { label: t('documents_page.col_name') },
                { label: t('documents_page.col_kind') },
                { label: t('documents_page.col_item') },
                { label: t('documents_page.col_access') },
                { label: t('documents_page.col_size'), numeric: true },
                { label: t('documents_page.col_checksum') },
              ]}
            >
              {documents.map((d) => (
                <tr class="kern-table__row">
                  <td class="kern-table__cell">
                    <a
                      class="kern-link"
                      href={`/sitzungen/dokumente/${d.id}`}
                      aria-label={t('documents_page.download', { name: d.name })}
                    >
                      {d.name}
                    </a>
                  </td>
                  <td class="kern-table__cell">{t.code(`document_kind.${d.kind}`)}</td>
                  <td class="kern-table__cell">{itemLabel(d.agendaItemId)}</td>
                  <td class="kern-table__cell">
                    {d.public ? t('documents_page.public') : t('documents_page.closed')}
                  </td>
                  <td class="kern-table__cell kern-table__cell--numeric">{size(d.sizeBytes)}</td>
                  <td class="kern-table__cell">
                    <span class="mono">{d.sha256.slice(0, 16)}…</span>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
          <h2 class="kern-heading-large">{t('documents_page.upload')}</h2>
          <form
            method="post"
            action={`/versammlung/sitzungen/${meeting.id}/dokumente`}
            enctype="multipart/form-data"
            class="kern-stack"
            novalidate
          >
            <Csrf token={csrfToken(req, reply)} />
            <TextField
              name="name"
              label={t('documents_page.name')}
              value={values.name}
              error={errors.name}
              required
              requiredLabel={t('common.required')}
              maxlength={200}
            />
            <SelectField
              name="kind"
              label={t('documents_page.kind')}
              value={values.kind ?? 'report'}
              error={errors.kind}
              options={DOCUMENT_KINDS.map((k) => ({ value: k, label: t.code(`document_kind.${k}`) }))}
            />
            <SelectField
              name="agendaItemId"
              label={t('documents_page.item')}
              value={values.agendaItemId ?? ''}
              error={errors.agendaItemId}
              options={[
                { value: '', label: t('documents_page.item_none') },
                ...items.map((i) => ({
                  value: i.id,
                  label: `${i.number} ${i.title}${i.public ? '' : ` (${t('documents_page.closed')})`}`,
                })),
              ]}
            />
            <fieldset
              class={`kern-fieldset${errors.public ? ' kern-fieldset--error' : ''}`}
              id="f-public"
              aria-describedby={errors.public ? 'f-public-error' : undefined}
            >
              <legend class="kern-label">{t('documents_page.access')}</legend>
              <div class="kern-fieldset__body">
                <div class="kern-form-check">
                  <input
                    class="kern-form-check__radio"
                    id="f-public-ja"
                    name="public"
                    type="radio"
                    value="ja"
                    checked={isPublic}
                  />
                  <label class="kern-label" for="f-public-ja">
                    {t('documents_page.access_public')}
                  </label>
                </div>
                <div class="kern-form-check">
                  <input
                    class="kern-form-check__radio"
                    id="f-public-nein"
                    name="public"
                    type="radio"
                    value="nein"
                    checked={!isPublic}
                  />
                  <label class="kern-label" for="f-public-nein">
                    {t('documents_page.access_closed')}
                  </label>
                </div>
              </div>
              {errors.public ? (
                <p class="kern-error" id="f-public-error">
                  <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                  <span class="kern-body">{errors.public}</span>
                </p>
              ) : null}
            </fieldset>
            <div class={`kern-form-input${errors.file ? ' kern-form-input--error' : ''}`}>
              <label class="kern-label" for="f-file">
                {t('documents_page.file')}
                <span class="kern-label__required"> {t('common.required')}</span>
              </label>
              <div class="kern-hint" id="f-file-hint">
                {t('documents_page.file_hint')}
              </div>
              <input
                class={`kern-form-input__input${errors.file ? ' kern-form-input__input--error' : ''}`}
                id="f-file"
                name="file"
                type="file"
                accept="application/pdf,.pdf"
                required
                aria-invalid={errors.file ? 'true' : undefined}
                aria-describedby={errors.file ? 'f-file-hint f-file-error' : 'f-file-hint'}
              />
              {errors.file ? (
                <p class="kern-error" id="f-file-error">
                  <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                  <span class="kern-body">{errors.file}</span>
                </p>
              ) : null}
            </div>
            <div class="kern-btn-wrapper">
              <Button label={t('documents_page.submit')} />
            </div>
          </form>
        </div>
      ),
    });
  };

  type MeetingParams = { Params: { meetingId: string } };

  // A too large file or a broken multipart body: the form again with a German message, nothing stored.
  app.setErrorHandler(async (error: FastifyError, req, reply) => {
    const params = req.params as { meetingId?: string } | undefined;
    const upload = req.method === 'POST' && params?.meetingId && isUuid(params.meetingId);
    if (
      !upload ||
      !/^FST_(REQ_FILE_TOO_LARGE|FILES_LIMIT|PARTS_LIMIT|FIELDS_LIMIT|PROTO_VIOLATION|INVALID_MULTIPART)/.test(
        error.code ?? '',
      )
    )
      throw error;
    const tooLarge = error.code === 'FST_REQ_FILE_TOO_LARGE';
    const body = (req.body ?? {}) as Record<string, unknown>;
    return documentsPage(req, reply, params.meetingId!, {
      errors: { file: req.t.code(tooLarge ? 'document.too_large' : 'document.upload_failed') },
      values: { name: text(body.name), kind: text(body.kind), agendaItemId: text(body.agendaItemId) },
      status: tooLarge ? 413 : 400,
    });
  });

  app.get<MeetingParams>(
    '/versammlung/sitzungen/:meetingId/dokumente',
    { onRequest: managerOnly },
    async (req, reply) => {
      if (!isUuid(req.params.meetingId)) return reply.callNotFound();
      return documentsPage(req, reply, req.params.meetingId);
    },
  );

  app.post<MeetingParams>(
    '/versammlung/sitzungen/:meetingId/dokumente',
    // The permission is checked before the body (up to 20 MB) is read.
    { onRequest: managerOnly },
    async (req, reply) => {
      const meetingId = req.params.meetingId;
      if (!isUuid(meetingId)) return reply.callNotFound();
      const body = (req.body ?? {}) as Record<string, unknown>;
      const file = body.file as UploadedFile | undefined;
      const values = {
        name: text(body.name),
        kind: text(body.kind),
        agendaItemId: text(body.agendaItemId),
        public: text(body.public) === 'nein' ? 'nein' : 'ja',
      };
      const hasFile = typeof file === 'object' && file !== null && Buffer.isBuffer(file.content);
      try {
        return await submitOnce(req, reply, tx, async (t2) => {
          await uploadMeetingDocument(t2, meetingId, {
            name: values.name,
            kind: values.kind,
            agendaItemId: values.agendaItemId || null,
            public: values.public === 'ja',
            fileName: hasFile ? file.fileName : '',
            contentType: hasFile ? file.contentType : '',
            content: hasFile ? file.content : Buffer.alloc(0),
          });
          return {
            to: `/versammlung/sitzungen/${meetingId}/dokumente`,
            flash: { title: 'documents_page.uploaded' },
          };
        });
      } catch (err) {
        const problem = formProblem(err, req.t);
        if (problem)
          return documentsPage(req, reply, meetingId, {
            errors: problem.errors,
            ...(problem.message ? { message: problem.message } : {}),
            values,
            status: problem.status,
          });
        throw err;
      }
    },
  );

  app.get<{ Params: { documentId: string } }>('/sitzungen/dokumente/:documentId', async (req, reply) => {
    const doc = await tx(req, (t2) => getMeetingDocument(t2, req.params.documentId));
    return (
      reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', contentDisposition('attachment', doc.fileName))
        .header('content-length', String(doc.content.length))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', doc.public ? 'public, max-age=300' : 'private, no-store')
        // RFC 9530: the SHA-256 kept at upload, so a client can verify what it received.
        .header('repr-digest', `sha-256=:${Buffer.from(doc.sha256, 'hex').toString('base64')}:`)
        .send(doc.content)
    );
  });

  app.get<MeetingParams>('/sitzungen/:meetingId/niederschrift.pdf', async (req, reply) => {
    const meetingId = req.params.meetingId;
    const { meeting } = await tx(req, (t2) => getMeetingForDocuments(t2, meetingId));
    const names = await assemblyNamesOn(app.allmende.deps.database, berlinDayOf(meeting.starts_at));
    const data = await tx(req, (t2) => loadMinutes(t2, meetingId, names));
    const pdf = await renderMinutesPdf(data, { createdAt: req.ctx.clock.now() });
    const day = berlinDayOf(meeting.starts_at);
    return reply
      .header('content-type', 'application/pdf')
      .header(
        'content-disposition',
        contentDisposition('inline', `Niederschrift-${day}${data.full ? '-Verband' : ''}.pdf`),
      )
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', data.full ? 'private, no-store' : 'public, max-age=300')
      .send(pdf);
  });
}
