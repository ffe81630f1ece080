/** The auditor's view of the trail: browse with filters, verify the chains, export CSV or JSON. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatDateTime, isIsoDate } from '../../shared/dates.js';
import { UnauthenticatedError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import {
  Alert,
  Badge,
  Button,
  DataTable,
  LinkButton,
  Pagination,
  SelectField,
  TextField,
} from '../../web/components.js';
import { queryParams, sendPage } from '../../web/page.js';
import { requirePermission } from '../auth/permissions.js';
import { listMembers } from '../members/members.service.js';
import { type AuditFilter, listAuditEvents, recordAudit, verifyAuditTrail } from './audit.service.js';

const EXPORT_LIMIT = 100_000;

function filterFrom(q: Record<string, string | undefined>, known: ReadonlyMap<string, unknown>): AuditFilter {
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

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // Neutralise spreadsheet formulas (CSV injection) and quote every cell.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
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
    const { events, total, members } = await tx(req, async (t2) => {
      const res = await listAuditEvents(t2, { ...filter, limit: pageSize, offset: (page - 1) * pageSize });
      const members = (await listMembers(t2, { pageSize: 200 })).items;
      recordAudit(t2, {
        action: 'audit.viewed',
        memberId: req.principal!.memberId,
        objectType: 'audit_trail',
        details: { count: res.events.length },
      });
      return { ...res, members };
    });
    const names = new Map(members.map((m) => [m.id, m.name]));
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
                ...[...registry.auditEvents.keys()].map((a) => ({ value: a, label: actionLabel(a) })),
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
            {events.map((e) => (
              <tr class="kern-table__row">
                <td class="kern-table__cell">{formatDateTime(e.occurredAt, req.lang)}</td>
                <td class="kern-table__cell">{names.get(e.memberId) ?? e.memberId}</td>
                <td class="kern-table__cell kern-table__cell--numeric">{String(e.seq)}</td>
                <td class="kern-table__cell">
                  {actionLabel(e.action)}
                  {Object.keys(e.details).length > 0 ? (
                    <span class="kern-body kern-body--small mono mono--wrap">{` ${JSON.stringify(e.details)}`}</span>
                  ) : null}
                </td>
                <td class="kern-table__cell mono" title={e.actorId}>
                  {`${e.actorType}:${e.actorType === 'system' ? e.actorId : e.actorId.slice(0, 8)}`}
                </td>
                <td class="kern-table__cell mono">{`${e.objectType}${e.objectId ? `:${e.objectId.slice(0, 8)}` : ''}`}</td>
                <td class="kern-table__cell mono" title={e.hash}>
                  {e.hash.slice(0, 12)}
                </td>
              </tr>
            ))}
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

  app.get('/pruefung/verifizieren', async (req, reply) => {
    guard(req);
    const t = req.t;
    const result = await verifyAuditTrail(deps.database, req.ctx);
    const names = await tx(req, async (t2) => {
      recordAudit(t2, {
        action: 'audit.verified',
        memberId: req.principal!.memberId,
        objectType: 'audit_trail',
        details: { ok: result.ok, events: result.eventsChecked, chains: result.chains.length },
      });
      return new Map((await listMembers(t2, { pageSize: 200 })).items.map((m) => [m.id, m.name]));
    });
    const broken = result.chains.filter((c) => c.problem);
    return sendPage(req, reply, {
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
                  <li>
                    {`${names.get(c.memberId) ?? c.memberId}: ${t(`audit.problem.${c.problem!.kind}`)}`}
                    {'event' in c.problem! ? ` (Nr. ${c.problem.event.seq}, ${c.problem.event.id})` : ''}
                  </li>
                ))}
              </ul>
            </Alert>
          )}
          <DataTable
            id="chains"
            caption={t('audit.chains')}
            variant="small"
            columns={[
              { label: t('audit.member') },
              { label: t('audit.events'), numeric: true },
              { label: t('audit.head_hash') },
              { label: t('people.status') },
            ]}
          >
            {result.chains.map((c) => (
              <tr class="kern-table__row">
                <th scope="row" class="kern-table__header">
                  {names.get(c.memberId) ?? c.memberId}
                </th>
                <td class="kern-table__cell kern-table__cell--numeric">{String(c.events)}</td>
                <td class="kern-table__cell mono mono--wrap">{c.headHash}</td>
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
        </div>
      ),
    });
  });

  const exportRoute = (format: 'csv' | 'json') =>
    app.get(`/pruefung/export.${format}`, async (req, reply) => {
      guard(req);
      requirePermission(req.ctx, 'audit.export');
      const filter = filterFrom(queryParams(req.query), registry.auditEvents);
      const { events } = await tx(req, async (t2) => {
        const res = await listAuditEvents(t2, { ...filter, limit: EXPORT_LIMIT, offset: 0 });
        recordAudit(t2, {
          action: 'audit.exported',
          memberId: req.principal!.memberId,
          objectType: 'audit_trail',
          details: { format, count: res.events.length },
        });
        return res;
      });
      const stamp = new Date().toISOString().slice(0, 10);
      reply.header('content-disposition', `attachment; filename="allmende-pruefpfad-${stamp}.${format}"`);
      reply.header('cache-control', 'no-store');
      if (format === 'json') {
        return reply.type('application/json; charset=utf-8').send(
          JSON.stringify(
            events.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
            null,
            2,
          ),
        );
      }
      const cols = [
        'id',
        'memberId',
        'seq',
        'occurredAt',
        'actorType',
        'actorId',
        'action',
        'objectType',
        'objectId',
        'dataDigest',
        'details',
        'requestId',
        'prevHash',
        'hash',
      ] as const;
      const lines = [cols.join(';')];
      for (const e of events) {
        const row = { ...e, occurredAt: e.occurredAt.toISOString() } as Record<string, unknown>;
        lines.push(cols.map((c) => csvCell(row[c])).join(';'));
      }
      return reply.type('text/csv; charset=utf-8').send(`\uFEFF${lines.join('\r\n')}\r\n`);
    });
  exportRoute('csv');
  exportRoute('json');
}
