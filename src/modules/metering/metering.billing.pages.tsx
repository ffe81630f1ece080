/**
 * Billing months, corrections and voids in the association's area. /verbrauch/abrechnung: the month
 * to close next (association finance closes it), the closed months, what the next bills will carry as
 * corrections, and the latest voids. /verbrauch/storno: one stored event with the form to void it, with
 * a reason (association finance). The event search on /verbrauch links here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { formatDateTime, formatMonth, todayInBerlin } from '../../shared/dates.js';
import { rat, sub, toDecimalString } from '../../shared/decimal.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import {
  Alert,
  Button,
  Csrf,
  DataTable,
  DescriptionList,
  ErrorSummary,
  type FieldErrors,
  LinkButton,
  TextAreaField,
} from '../../web/components.js';
import { type FormValues, formProblem, formText, parseForm, submitOnce } from '../../web/form.js';
import type { Lang, T } from '../../web/i18n/index.js';
import { csrfToken, queryParams, sendPage } from '../../web/page.js';
import { hasPermission, requirePermission } from '../auth/permissions.js';
import { loadPriceBook, type PriceBook } from '../catalog/catalog.service.js';
import { listMembers } from '../members/members.service.js';
import {
  billingMonths,
  closeBillingMonth,
  findUsageEvent,
  nextMonth,
  nextMonthToClose,
  type PendingCorrection,
  pendingCorrections,
  recentVoids,
  voidUsageEvent,
} from './metering.billing.service.js';
import { shown } from './metering.pages.js';

/** The difference after − before, signed, for people. */
function difference(c: PendingCorrection, lang: Lang): string {
  // Exact: quantities carry at most 12 fraction digits.
  const d = toDecimalString(sub(rat(c.quantityAfter), rat(c.quantityBefore)), 12).text;
  return `${d.startsWith('-') ? '−' : '+'}${shown(d.replace(/^-/, ''), lang)}`;
}

/**
 * Corrections as a table: original month, meter, aggregation, billed, now, difference; with the member
 * when `names` is given (the association's view of all members).
 */
export function CorrectionsTable(props: {
  id: string;
  caption: string;
  list: readonly PendingCorrection[];
  names?: ReadonlyMap<string, string>;
  t: T;
  lang: Lang;
}) {
  const { t, lang, names } = props;
  return (
    <DataTable
      id={props.id}
      caption={props.caption}
      variant="small-striped"
      columns={[
        ...(names ? [{ label: t.code('usage_admin.member') }] : []),
        { label: t.code('usage_billing.original_month') },
        { label: t.code('usage_admin.meter') },
        { label: t.code('usage_page.aggregation') },
        { label: t.code('usage_billing.billed'), numeric: true },
        { label: t.code('usage_billing.now'), numeric: true },
        { label: t.code('usage_billing.difference'), numeric: true },
      ]}
    >
      {props.list.map((c) => (
        <tr class="kern-table__row">
          {names ? <td class="kern-table__cell">{names.get(c.memberId) ?? c.memberId}</td> : null}
          <td class="kern-table__cell">{formatMonth(c.month, lang)}</td>
          <td class="kern-table__cell">{c.meter}</td>
          <td class="kern-table__cell">{t.code(`aggregation.${c.aggregation}`)}</td>
          <td class="kern-table__cell kern-table__cell--numeric">{shown(c.quantityBefore, lang)}</td>
          <td class="kern-table__cell kern-table__cell--numeric">{shown(c.quantityAfter, lang)}</td>
          <td class="kern-table__cell kern-table__cell--numeric">{difference(c, lang)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/**
 * Pending corrections as a bill would rate them: per member's meter and month, only the aggregation
 * kind the catalogue in force in that month prices the meter by (all kinds for an unpriced meter).
 */
export function pricedCorrections(
  book: PriceBook,
  corrections: readonly PendingCorrection[],
): PendingCorrection[] {
  return corrections.filter((c) => {
    const kinds = new Set(
      book
        .itemsOn(`${c.month}-01`)
        .filter((i) => i.meterKey === c.meter && i.aggregation)
        .map((i) => i.aggregation as string),
    );
    return kinds.size === 0 || kinds.has(c.aggregation);
  });
}

const VoidForm = Type.Object({
  member: Type.String({ format: 'uuid' }),
  source: Type.String({ minLength: 1, maxLength: 100 }),
  eventId: Type.String({ minLength: 1, maxLength: 200 }),
  reason: Type.String({ minLength: 3, maxLength: 500 }),
});

const CloseForm = Type.Object({ month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }) });

type FormState = { errors?: FieldErrors; message?: string | undefined; values?: FormValues; status?: number };

/** The association's usage pages: a person of the association with usage.read (401, else 403). */
export function requireAssociationUsageReader(req: FastifyRequest): void {
  const p = req.principal;
  if (p?.kind !== 'user') throw new UnauthenticatedError();
  if (!p.isAssociation) throw new ForbiddenError('usage.read');
  requirePermission(req.ctx, 'usage.read');
}

export async function meteringBillingPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  const billingPage = async (req: FastifyRequest, reply: FastifyReply, form: FormState = {}) => {
    requireAssociationUsageReader(req);
    const t = req.t;
    const lang = req.lang;
    const d = await tx(req, async (t2) => {
      const members = (await listMembers(t2, { pageSize: 200 })).items;
      return {
        closed: await billingMonths(t2),
        next: await nextMonthToClose(t2),
        pending: pricedCorrections(await loadPriceBook(t2), await pendingCorrections(t2)),
        voids: await recentVoids(t2, 50),
        names: new Map(members.map((m) => [m.id, m.name])),
      };
    });
    const canClose = hasPermission(req.ctx, 'usage.close');
    const csrf = csrfToken(req, reply);
    const title = t.code('usage_billing.title');
    const nextName = formatMonth(d.next.month, lang);
    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: '/verbrauch',
      breadcrumbs: [{ href: '/verbrauch', label: t.code('usage_admin.title') }],
      body: (
        <div class="kern-stack-lg">
          <h1 class="kern-heading-x-large">{title}</h1>
          <ErrorSummary errors={form.errors} t={t} message={form.message} />
          <p class="kern-body">{t.code('usage_billing.intro')}</p>
          <section aria-labelledby="next-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="next-h">
              {t.code('usage_billing.next_title')}
            </h2>
            <p class="kern-body">
              {d.next.closable
                ? t.code('usage_billing.next_closable', { month: nextName })
                : t.code('usage_billing.next_not_ended', {
                    month: nextName,
                    from: `01.${nextMonth(d.next.month).slice(5)}.${nextMonth(d.next.month).slice(0, 4)}`,
                  })}
            </p>
            {d.next.closable && canClose ? (
              <form method="post" action="/verbrauch/abrechnung" class="kern-stack" novalidate>
                <Csrf token={csrf} />
                <input type="hidden" name="month" value={d.next.month} />
                <p class="kern-body kern-body--small">{t.code('usage_billing.close_hint')}</p>
                <div class="kern-btn-wrapper">
                  <Button label={t.code('usage_billing.close', { month: nextName })} />
                </div>
              </form>
            ) : !canClose ? (
              <p class="kern-body kern-body--small">{t.code('usage_billing.close_finance_only')}</p>
            ) : null}
          </section>
          <section aria-labelledby="closed-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="closed-h">
              {t.code('usage_billing.closed_title')}
            </h2>
            {d.closed.length === 0 ? (
              <p class="kern-body">{t.code('usage_billing.none_closed')}</p>
            ) : (
              <DataTable
                id="closed-months"
                caption={t.code('usage_billing.closed_title')}
                variant="small-striped"
                columns={[
                  { label: t.code('usage_page.month') },
                  { label: t.code('usage_billing.closed_at') },
                ]}
              >
                {d.closed.map((m) => (
                  <tr class="kern-table__row">
                    <th scope="row" class="kern-table__header">
                      {formatMonth(m.month, lang)}
                    </th>
                    <td class="kern-table__cell">{formatDateTime(m.closedAt, lang)}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          <section aria-labelledby="corr-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="corr-h">
              {t.code('usage_billing.pending_title')}
            </h2>
            {d.pending.length === 0 ? (
              <p class="kern-body">{t.code('usage_billing.no_pending')}</p>
            ) : (
              <CorrectionsTable
                id="pending-corrections"
                caption={t.code('usage_billing.pending_caption', { month: nextName })}
                list={d.pending}
                names={d.names}
                t={t}
                lang={lang}
              />
            )}
          </section>
          <section aria-labelledby="voids-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="voids-h">
              {t.code('usage_billing.voids_title')}
            </h2>
            {d.voids.length === 0 ? (
              <p class="kern-body">{t.code('usage_billing.no_voids')}</p>
            ) : (
              <DataTable
                id="voids"
                caption={t.code('usage_billing.voids_title')}
                variant="small-striped"
                columns={[
                  { label: t.code('usage_billing.voided_at') },
                  { label: t.code('usage_admin.member') },
                  { label: t.code('usage_admin.time') },
                  { label: t.code('usage_admin.meter') },
                  { label: t.code('usage_admin.quantity'), numeric: true },
                  { label: t.code('usage_admin.event_id') },
                  { label: t.code('usage_billing.reason') },
                ]}
              >
                {d.voids.map((v) => (
                  <tr class="kern-table__row">
                    <td class="kern-table__cell">{formatDateTime(v.voidedAt, lang)}</td>
                    <td class="kern-table__cell">{d.names.get(v.memberId) ?? v.memberId}</td>
                    <td class="kern-table__cell">{formatDateTime(v.time, lang)}</td>
                    <td class="kern-table__cell">{v.meter}</td>
                    <td class="kern-table__cell kern-table__cell--numeric">{shown(v.quantity, lang)}</td>
                    <td class="kern-table__cell">{`${v.source} / ${v.eventId}`}</td>
                    <td class="kern-table__cell">{v.reason}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
        </div>
      ),
    });
  };

  app.get('/verbrauch/abrechnung', (req, reply) => billingPage(req, reply));

  app.post('/verbrauch/abrechnung', async (req, reply) => {
    requireAssociationUsageReader(req);
    requirePermission(req.ctx, 'usage.close');
    const form = parseForm(req, CloseForm);
    if (!form.ok) return billingPage(req, reply, { errors: form.errors, status: 422 });
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        const r = await closeBillingMonth(t2, form.data.month);
        return {
          to: '/verbrauch/abrechnung',
          flash: {
            title: 'usage_billing.closed_flash',
            params: { month: formatMonth(r.month, req.lang), corrections: r.corrections },
          },
        };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return billingPage(req, reply, problem);
      throw err;
    }
  });

  // ---- voiding one event ----

  const voidPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    key: { memberId: string; source: string; eventId: string },
    form: FormState = {},
  ) => {
    requireAssociationUsageReader(req);
    const t = req.t;
    const lang = req.lang;
    const d = await tx(req, async (t2) => {
      const found = await findUsageEvent(t2, key);
      const members = (await listMembers(t2, { pageSize: 200 })).items;
      return { ...found, name: members.find((m) => m.id === key.memberId)?.name ?? key.memberId };
    });
    if (!d.event) throw new NotFoundError('usage_event');
    const e = d.event;
    const canVoid = hasPermission(req.ctx, 'usage.void');
    const csrf = csrfToken(req, reply);
    const errors = form.errors ?? {};
    const v = (k: string) => (form.values ? formText(form.values, k) : undefined);
    const title = t.code('usage_void.title');
    const day = todayInBerlin(e.time);
    const back = `/verbrauch?mitglied=${e.memberId}&zaehler=${e.meter}&tag=${day}`;
    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: '/verbrauch',
      breadcrumbs: [{ href: '/verbrauch', label: t.code('usage_admin.title') }],
      body: (
        <div class="kern-stack-lg">
          <h1 class="kern-heading-x-large">{title}</h1>
          <ErrorSummary errors={errors} t={t} message={form.message} />
          <DescriptionList
            items={[
              [t.code('usage_admin.member'), d.name],
              [t.code('usage_admin.time'), formatDateTime(e.time, lang)],
              [t.code('usage_admin.meter'), e.meter],
              [t.code('usage_admin.quantity'), shown(e.quantity, lang)],
              [t.code('usage_admin.source'), e.source],
              [t.code('usage_admin.event_id'), e.eventId],
              [t.code('usage_admin.received'), formatDateTime(e.receivedAt, lang)],
            ]}
          />
          {d.voided ? (
            <Alert variant="info" title={t.code('usage_void.already')}>
              <p class="kern-body">
                {t.code('usage_void.already_detail', {
                  at: formatDateTime(d.voided.voidedAt, lang),
                  reason: d.voided.reason,
                })}
              </p>
            </Alert>
          ) : canVoid ? (
            <form method="post" action="/verbrauch/storno" class="kern-stack" novalidate>
              <Csrf token={csrf} />
              <input type="hidden" name="member" value={e.memberId} />
              <input type="hidden" name="source" value={e.source} />
              <input type="hidden" name="eventId" value={e.eventId} />
              <p class="kern-body">
                {d.correctsMonth
                  ? t.code('usage_void.closed_hint', { month: formatMonth(d.correctsMonth, lang) })
                  : t.code('usage_void.open_hint')}
              </p>
              <TextAreaField
                name="reason"
                label={t.code('usage_void.reason')}
                hint={t.code('usage_void.reason_hint')}
                value={v('reason') ?? ''}
                error={errors.reason}
                requiredLabel={t('common.required')}
                maxlength={500}
                rows={3}
              />
              <div class="kern-btn-wrapper">
                <Button label={t.code('usage_void.submit')} />
                <LinkButton href={back} label={t('common.cancel')} variant="tertiary" />
              </div>
            </form>
          ) : (
            <p class="kern-body">{t.code('usage_void.finance_only')}</p>
          )}
        </div>
      ),
    });
  };

  app.get('/verbrauch/storno', async (req, reply) => {
    const q = queryParams(req.query);
    if (!q.mitglied || !isUuid(q.mitglied) || !q.quelle || !q.ereignis) return reply.callNotFound();
    return voidPage(req, reply, { memberId: q.mitglied, source: q.quelle, eventId: q.ereignis });
  });

  app.post('/verbrauch/storno', async (req, reply) => {
    requireAssociationUsageReader(req);
    requirePermission(req.ctx, 'usage.void');
    const form = parseForm(req, VoidForm, { labels: { reason: req.t.code('usage_void.reason') } });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const key = {
      memberId: typeof body.member === 'string' ? body.member : '',
      source: typeof body.source === 'string' ? body.source : '',
      eventId: typeof body.eventId === 'string' ? body.eventId : '',
    };
    if (!isUuid(key.memberId) || !key.source || !key.eventId) return reply.callNotFound();
    if (!form.ok) return voidPage(req, reply, key, { errors: form.errors, values: form.values, status: 422 });
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        const v = await voidUsageEvent(t2, { ...key, reason: form.data.reason });
        const day = todayInBerlin(v.time);
        return {
          to: `/verbrauch?mitglied=${v.memberId}&zaehler=${v.meter}&tag=${day}`,
          flash: {
            title: v.correctsMonth ? 'usage_void.done_closed' : 'usage_void.done',
            params: {
              event: `${v.source} / ${v.eventId}`,
              ...(v.correctsMonth ? { month: formatMonth(v.correctsMonth, req.lang) } : {}),
            },
          },
        };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return voidPage(req, reply, key, { ...problem, values: form.values });
      throw err;
    }
  });
}
