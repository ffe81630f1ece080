/** The auditor's view of the trail: browse with filters, verify the chains, anchor them, export. */
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDateTime, isIsoDate, todayInBerlin } from '../../shared/dates.js';
import { UnauthenticatedError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import {
  Alert,
  Badge,
  Button,
  Csrf,
  DataTable,
  LinkButton,
  Pagination,
  SelectField,
  TextField,
} from '../../web/components.js';
import type { T } from '../../web/i18n/index.js';
import type { RawHtml } from '../../web/jsx/jsx-runtime.js';
import { csrfToken, queryParams, sendPage } from '../../web/page.js';
import { requirePermission } from '../auth/permissions.js';
import { type AnchorComparison, anchorKey, parseAnchor } from './audit.anchor.js';
import type { ChainProblem, ChainReport } from './audit.chain.js';
import { actorText, csvCell, detailsText, localStamp, type NameBook, objectText } from './audit.format.js';
import {
  type AuditEventView,
  type AuditFilter,
  auditEventBatches,
  auditMembers,
  auditNames,
  compareAnchor,
  exportAnchor,
  listAuditEvents,
  recordAudit,
  recordTrailViewed,
  type VerifyResult,
  verifyAuditTrail,
} from './audit.service.js';

const EXPORT_LIMIT = 100_000;

function filterFrom(q: Record<string, string | undefined>, known: ReadonlySet<string>): AuditFilter {
  return {
    memberId: q.mitglied && isUuid(q.mitglied) ? q.mitglied : undefined,
    action: q.aktion && known.has(q.aktion) ? q.aktion : undefined,
    from: q.von && isIsoDate(q.von) ? q.von : undefined,
    to: q.bis && isIsoDate(q.bis) ? q.bis : undefined,
  };
}

function queryOf(f: AuditFilter, page?: number): string {
  const sp = new URLSearchParams();
  if (f.memberId) sp.set('mitglied', f.memberId);
  if (f.action) sp.set('aktion', f.action);
  if (f.from) sp.set('von', f.from);
  if (f.to) sp.set('bis', f.to);
  if (page && page > 1) sp.set('seite', String(page));
  const s = sp.toString();
  return s ? `?${s}` : '';
}

/** A hash shortened to its first 12 hex digits; the full value on demand (and in the title). */
function ShortHash(props: { hash: string; t: T }): RawHtml {
  return (
    <details class="audit-hash">
      <summary title={props.hash}>
        <code>{`${props.hash.slice(0, 12)}…`}</code>
        <span class="kern-sr-only">{` ${props.t('audit.show_full_hash')}`}</span>
      </summary>
      <code class="audit-hash__full">{props.hash}</code>
    </details>
  );
}

/** A chain problem in words, naming the first broken event. */
function problemText(p: ChainProblem, t: T): string {
  const label = t(`audit.problem.${p.kind}`);
  if (p.kind === 'unverifiable')
    return t('audit.problem_reason', {
      problem: label,
      reason: p.reason,
      seq: p.event.seqText,
      id: p.event.id,
    });
  if ('event' in p) return t('audit.problem_at', { problem: label, seq: p.event.seqText, id: p.event.id });
  return label;
}

export async function auditPages(app: FastifyInstance): Promise<void> {
  const { registry } = app.allmende;
  const { tx, deps } = app.allmende;

  const guard = (req: FastifyRequest) => {
    if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
    requirePermission(req.ctx, 'audit.read');
  };

  app.get('/pruefung', async (req, reply) => {
    guard(req);
    const t = req.t;
    const q = queryParams(req.query);
    const filter = filterFrom(q, registry.auditEvents);
    const page = Math.min(100000, Math.max(1, Number.parseInt(q.seite ?? '1', 10) || 1));
    const pageSize = 50;
    const { events, total, members, names } = await tx(req, async (t2) => {
      const res = await listAuditEvents(t2, { ...filter, limit: pageSize, offset: (page - 1) * pageSize });
      const members = await auditMembers(t2);
      const names = await auditNames(t2, res.events);
      await recordTrailViewed(t2, filter, res.total);
      return { ...res, members, names };
    });
    const memberName = (id: string) => names.members.get(id) ?? id;
    const actionLabel = (a: string) => registry.auditLabel(a, req.lang);
    return sendPage(req, reply, {
      title: t('audit.title'),
      nav: '/pruefung',
      body: (
        <div class="kern-stack">
          <div class="page-header">
            <h1 class="kern-heading-x-large">{t('audit.title')}</h1>
            <div class="kern-btn-wrapper">
              <LinkButton href="/pruefung/verifizieren" label={t('audit.verify')} variant="primary" />
              <LinkButton href={`/pruefung/export.csv${queryOf(filter)}`} label={t('audit.export_csv')} />
              <LinkButton href={`/pruefung/export.json${queryOf(filter)}`} label={t('audit.export_json')} />
            </div>
          </div>
          <p class="kern-body">{t('audit.intro')}</p>
          <form method="get" action="/pruefung" class="filters" aria-label={t('audit.filter')}>
            <SelectField
              name="mitglied"
              label={t('audit.member')}
              value={filter.memberId ?? ''}
              options={[
                { value: '', label: t('common.all') },
                ...members.map((m) => ({ value: m.id, label: m.name })),
              ]}
            />
            <SelectField
              name="aktion"
              label={t('audit.action')}
              value={filter.action ?? ''}
              options={[
                { value: '', label: t('common.all') },
                ...[...registry.auditEvents].map((a) => ({ value: a, label: actionLabel(a) })),
              ]}
            />
            <TextField name="von" label={t('audit.from')} type="date" value={filter.from} />
            <TextField name="bis" label={t('audit.to')} type="date" value={filter.to} />
            <div class="kern-btn-wrapper">
              <Button label={t('common.filter')} variant="secondary" />
            </div>
          </form>
          <p class="kern-body" role="status">
            {t('common.results', { total })}
          </p>
          <DataTable
            id="audit"
            caption={t('audit.title')}
            variant="small-striped"
            columns={[
              { label: t('audit.time') },
              { label: t('audit.member') },
              { label: t('audit.seq'), numeric: true },
              { label: t('audit.action') },
              { label: t('audit.actor') },
              { label: t('audit.object') },
              { label: t('audit.hash') },
            ]}
          >
            {events.map((e) => {
              const details = safeDetails(e, names, t, req.lang);
              return (
                <tr class="kern-table__row">
                  <td class="kern-table__cell">{formatDateTime(e.occurredAt, req.lang)}</td>
                  <td class="kern-table__cell">{memberName(e.memberId)}</td>
                  <td class="kern-table__cell kern-table__cell--numeric">{String(e.seq)}</td>
                  <td class="kern-table__cell">
                    {actionLabel(e.action)}
                    {details ? <span class="audit-details kern-body kern-body--small">{details}</span> : null}
                  </td>
                  <td class="kern-table__cell" title={`${e.actorType}:${e.actorId}`}>
                    {actorText(e, names, t)}
                  </td>
                  <td
                    class="kern-table__cell"
                    title={e.objectId ? `${e.objectType}:${e.objectId}` : undefined}
                  >
                    {objectText(e, names, t)}
                  </td>
                  <td class="kern-table__cell mono" title={e.hash}>
                    {e.hash.slice(0, 12)}
                  </td>
                </tr>
              );
            })}
          </DataTable>
          <Pagination
            t={t}
            page={page}
            pageSize={pageSize}
            total={total}
            hrefFor={(p) => `/pruefung${queryOf(filter, p)}`}
          />
        </div>
      ),
    });
  });

  /** The verify page, optionally with the result of comparing an uploaded anchor. */
  const verifyPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    anchor?: { error: string; text: string } | { createdAt: string; comparison: AnchorComparison[] },
  ) => {
    const t = req.t;
    const result: VerifyResult = await verifyAuditTrail(deps.database, req.ctx);
    const members = await tx(req, async (t2) => {
      recordAudit(t2, {
        action: 'audit.verified',
        memberId: req.principal!.memberId,
        objectType: 'audit_trail',
        details: { ok: result.ok, events: result.eventsChecked, chains: result.chains.length },
      });
      return auditMembers(t2);
    });
    // The association first, then by name; chains of members the reader cannot name last, by id.
    const order = new Map(members.map((m, i) => [m.id, i]));
    const names = new Map(members.map((m) => [m.id, m.name]));
    const rank = (c: ChainReport) => order.get(c.memberId) ?? Number.MAX_SAFE_INTEGER;
    const chains = [...result.chains].sort(
      (a, b) => rank(a) - rank(b) || a.memberId.localeCompare(b.memberId),
    );
    const broken = chains.filter((c) => c.problem);
    const csrf = csrfToken(req, reply);
    const anchoredAt =
      anchor && 'createdAt' in anchor ? formatDateTime(new Date(anchor.createdAt), req.lang) : '';
    const changed =
      anchor && 'comparison' in anchor ? anchor.comparison.filter((c) => c.status !== 'unchanged') : [];
    return sendPage(req, reply, {
      status: anchor && 'error' in anchor ? 422 : 200,
      title: t('audit.verify'),
      nav: '/pruefung',
      breadcrumbs: [{ href: '/pruefung', label: t('audit.title') }],
      body: (
        <div class="kern-stack">
          <h1 class="kern-heading-x-large">{t('audit.verify')}</h1>
          {result.ok ? (
            <Alert
              variant="success"
              title={t('audit.verify_ok', { events: result.eventsChecked, chains: result.chains.length })}
              role="status"
            />
          ) : (
            <Alert variant="danger" title={t('audit.verify_broken', { chains: broken.length })} role="alert">
              <ul class="kern-list kern-list--bullet">
                {broken.map((c) => (
                  <li>{`${names.get(c.memberId) ?? c.memberId}: ${problemText(c.problem!, t)}`}</li>
                ))}
              </ul>
            </Alert>
          )}
          {anchor && 'comparison' in anchor ? (
            changed.length === 0 ? (
              <Alert
                variant="success"
                title={t('audit.anchor.all_unchanged', {
                  chains: anchor.comparison.length,
                  date: anchoredAt,
                })}
                role="status"
              />
            ) : (
              <Alert
                variant="danger"
                title={t('audit.anchor.changed', { changed: changed.length, date: anchoredAt })}
                role="alert"
              >
                <ul class="kern-list kern-list--bullet">
                  {changed.map((c) => (
                    <li>
                      {t(c.status === 'rewritten' ? 'audit.anchor.rewritten' : 'audit.anchor.missing', {
                        name: names.get(c.memberId) ?? c.name,
                        date: anchoredAt,
                        seq: c.seq,
                      })}
                    </li>
                  ))}
                </ul>
              </Alert>
            )
          ) : null}
          <DataTable
            id="chains"
            caption={t('audit.chains')}
            variant="small"
            columns={[
              { label: t('audit.member') },
              { label: t('audit.events'), numeric: true },
              { label: t('audit.head_hash') },
              { label: t('audit.status') },
            ]}
          >
            {chains.map((c) => (
              <tr class="kern-table__row">
                <th scope="row" class="kern-table__header">
                  {names.get(c.memberId) ?? c.memberId}
                </th>
                <td class="kern-table__cell kern-table__cell--numeric">{String(c.events)}</td>
                <td class="kern-table__cell">
                  <ShortHash hash={c.headHash} t={t} />
                </td>
                <td class="kern-table__cell">
                  {c.problem ? (
                    <Badge variant="danger" label={t('audit.broken')} />
                  ) : (
                    <Badge variant="success" label={t('audit.intact')} />
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
          <section class="section kern-stack" aria-labelledby="anchor-h">
            <h2 class="kern-heading-medium" id="anchor-h">
              {t('audit.anchor.title')}
            </h2>
            <p class="kern-body">{t('audit.anchor.intro')}</p>
            <div class="kern-btn-wrapper">
              <LinkButton href="/pruefung/anker.json" label={t('audit.anchor.download')} />
            </div>
            <form method="post" action="/pruefung/anker" class="kern-stack" novalidate>
              <Csrf token={csrf} />
              <div class={`kern-form-input${anchor && 'error' in anchor ? ' kern-form-input--error' : ''}`}>
                <label class="kern-label" for="f-anker">
                  {t('audit.anchor.field')}
                </label>
                <div class="kern-hint" id="f-anker-hint">
                  {t('audit.anchor.hint')}
                </div>
                <textarea
                  class="kern-form-input__input audit-anchor-input"
                  id="f-anker"
                  name="anker"
                  rows="4"
                  aria-describedby={
                    anchor && 'error' in anchor ? 'f-anker-hint f-anker-error' : 'f-anker-hint'
                  }
                  aria-invalid={anchor && 'error' in anchor ? 'true' : undefined}
                >
                  {anchor && 'error' in anchor ? anchor.text : ''}
                </textarea>
                {anchor && 'error' in anchor ? (
                  <p class="kern-error" id="f-anker-error">
                    <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                    <span class="kern-body">{anchor.error}</span>
                  </p>
                ) : null}
              </div>
              <div class="kern-btn-wrapper">
                <Button label={t('audit.anchor.compare')} variant="secondary" />
              </div>
            </form>
          </section>
        </div>
      ),
    });
  };

  app.get('/pruefung/verifizieren', async (req, reply) => {
    guard(req);
    return verifyPage(req, reply);
  });

  app.get('/pruefung/anker.json', async (req, reply) => {
    guard(req);
    requirePermission(req.ctx, 'audit.export');
    const anchor = await exportAnchor(deps.database, req.ctx, anchorKey(deps.config));
    reply.header(
      'content-disposition',
      `attachment; filename="pruefanker-${todayInBerlin(new Date(anchor.createdAt))}.json"`,
    );
    reply.header('cache-control', 'no-store');
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(anchor, null, 2));
  });

  app.post('/pruefung/anker', async (req, reply) => {
    guard(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = typeof body.anker === 'string' ? body.anker : '';
    const parsed = parseAnchor(anchorKey(deps.config), text);
    if (!parsed.ok) {
      return verifyPage(req, reply, {
        error: req.t(
          parsed.error === 'signature' ? 'audit.anchor.error_signature' : 'audit.anchor.error_format',
        ),
        text: text.slice(0, 100_000),
      });
    }
    const comparison = await tx(req, (t2) => compareAnchor(t2, parsed.anchor));
    return verifyPage(req, reply, { createdAt: parsed.anchor.createdAt, comparison });
  });

  const download = (reply: FastifyReply, format: 'csv' | 'json') => {
    reply.header('content-disposition', `attachment; filename="pruefpfad-${todayInBerlin()}.${format}"`);
    reply.header('cache-control', 'no-store');
  };

  app.get('/pruefung/export.json', async (req, reply) => {
    guard(req);
    requirePermission(req.ctx, 'audit.export');
    const filter = filterFrom(queryParams(req.query), registry.auditEvents);
    const { events } = await tx(req, async (t2) => {
      const res = await listAuditEvents(t2, { ...filter, limit: EXPORT_LIMIT, offset: 0 });
      recordAudit(t2, {
        action: 'audit.exported',
        memberId: req.principal!.memberId,
        objectType: 'audit_trail',
        details: { format: 'json', count: res.events.length },
      });
      return res;
    });
    download(reply, 'json');
    return reply.type('application/json; charset=utf-8').send(
      JSON.stringify(
        events.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
        null,
        2,
      ),
    );
  });

  app.get('/pruefung/export.csv', async (req, reply) => {
    guard(req);
    requirePermission(req.ctx, 'audit.export');
    const filter = filterFrom(queryParams(req.query), registry.auditEvents);
    download(reply, 'csv');
    return reply.type('text/csv; charset=utf-8').send(csvExport(req, filter));
  });

  /**
   * The CSV export, streamed: batches of events are written as they are read, inside one transaction,
   * so neither the trail nor the file is held in memory. For people first (names, event names, Berlin
   * time, details in words — headers in the UI language, German by default), then for machines (ids,
   * codes, the UTC instant, hashes). UTF-8 with BOM (Excel), `;`-separated, formulas neutralised.
   * The export is audited in that transaction; should it fail (or the client go away), the response
   * is cut off instead of ending normally.
   */
  const csvExport = (req: FastifyRequest, filter: AuditFilter): PassThrough => {
    const body = new PassThrough();
    const t = req.t;
    const lang = req.lang;
    const header = [
      t('audit.csv.time'),
      t('audit.csv.member'),
      t('audit.csv.seq'),
      t('audit.csv.event'),
      t('audit.csv.actor'),
      t('audit.csv.object'),
      t('audit.csv.details'),
      'event_id',
      'member_id',
      'seq',
      'occurred_at_utc',
      'action',
      'actor_type',
      'actor_id',
      'object_type',
      'object_id',
      'details_json',
      'data_digest',
      'request_id',
      'prev_hash',
      'hash',
    ];
    const writable = () =>
      new Promise<void>((resolve) => {
        const done = () => {
          body.off('drain', done);
          body.off('close', done);
          resolve();
        };
        body.once('drain', done);
        body.once('close', done);
      });
    tx(req, async (t2) => {
      body.write(`\uFEFF${header.map(csvCell).join(';')}\r\n`);
      let count = 0;
      for await (const events of auditEventBatches(t2, { ...filter, limit: EXPORT_LIMIT })) {
        const names = await auditNames(t2, events);
        let chunk = '';
        for (const e of events) {
          const row = [
            localStamp(e.occurredAt, lang),
            names.members.get(e.memberId) ?? e.memberId,
            e.seq,
            registry.auditLabel(e.action, lang),
            actorText(e, names, t),
            objectText(e, names, t),
            safeDetails(e, names, t, lang),
            e.id,
            e.memberId,
            e.seq,
            e.occurredAt.toISOString(),
            e.action,
            e.actorType,
            e.actorId,
            e.objectType,
            e.objectId,
            safeJson(e.details),
            e.dataDigest,
            e.requestId,
            e.prevHash,
            e.hash,
          ];
          chunk += `${row.map((c) => csvCell(typeof c === 'number' ? String(c) : c)).join(';')}\r\n`;
        }
        count += events.length;
        if (!body.write(chunk)) await writable();
        if (body.destroyed) throw new Error('client went away during the export');
      }
      recordAudit(t2, {
        action: 'audit.exported',
        memberId: req.principal!.memberId,
        objectType: 'audit_trail',
        details: { format: 'csv', count },
      });
    }).then(
      () => body.end(),
      (err: unknown) => {
        req.log.error({ err }, 'audit export failed');
        body.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
    return body;
  };
}

/** Details in words; a value that cannot be shown (tampered, deeply nested) does not break the page. */
function safeDetails(e: AuditEventView, names: NameBook, t: T, lang: 'de' | 'en'): string {
  try {
    return detailsText(e.details, e.objectType, t, lang, names);
  } catch {
    return safeJson(e.details);
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return '…';
  }
}
