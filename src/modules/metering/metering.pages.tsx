/**
 * The metering pages. Member area, /mitglieder/:memberId/verbrauch: per catalogue service with a meter
 * the month's and the previous month's quantity (aggregated as the catalogue says, exactly as rating
 * does), and per day a server-drawn bar chart with the same numbers as a table; a CSV export of the
 * month; Allmende's own meters (e.g. the accounts) after the catalogue's services. Tenant-scoped like
 * every member page: another member's id is not found. Association area, /verbrauch: the ingestion
 * status per source, the refused deliveries with their reasons, a search of stored events, and the links
 * to the CSV import (metering.import.pages.tsx) and the billing months (metering.billing.pages.tsx).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  addMonths,
  formatDate,
  formatDateTime,
  formatMonth,
  isIsoDate,
  monthInBerlin,
} from '../../shared/dates.js';
import { UnauthenticatedError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { formatDecimal } from '../../shared/money.js';
import { Badge, Button, DataTable, LinkButton, SelectField, TextField } from '../../web/components.js';
import type { Lang, T } from '../../web/i18n/index.js';
import { memberNav } from '../../web/layout.js';
import { queryParams, sendPage } from '../../web/page.js';
import { hasPermission, requireMemberPermission } from '../auth/permissions.js';
import { type CatalogItem, catalogLookups, loadPriceBook } from '../catalog/catalog.service.js';
import { getMemberSummary, listMembers } from '../members/members.service.js';
import type { Aggregation } from './metering.aggregate.js';
import {
  CorrectionsTable,
  meteringBillingPages,
  pricedCorrections,
  requireAssociationUsageReader,
} from './metering.billing.pages.js';
import {
  billingMonths,
  correctionsBilledIn,
  pendingCorrections,
  voidsAmong,
} from './metering.billing.service.js';
import { keyOf } from './metering.repository.js';
import {
  ingestionStatus,
  listRejections,
  REJECTIONS_SHOWN,
  type Rejection,
} from './metering.status.service.js';
import { type MonthUsage, monthUsage, searchUsageEvents } from './metering.usage.service.js';

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A decimal for people: grouped, at most three fraction digits (averages may run to twelve). */
export function shown(quantity: string, lang: Lang): string {
  const [int, frac = ''] = quantity.split('.');
  const cut = frac.slice(0, 3).replace(/0+$/, '');
  const approx = frac.length > 3 && /[1-9]/.test(frac.slice(3));
  return `${approx ? '≈ ' : ''}${formatDecimal(cut ? `${int}.${cut}` : int!, lang)}`;
}

/** A decimal for a spreadsheet: no grouping, decimal comma in German. */
function csvNumber(quantity: string, lang: Lang): string {
  return lang === 'de' ? quantity.replace('.', ',') : quantity;
}

/** A CSV cell: quoted, with spreadsheet formulas neutralised (as the audit export does). */
function csvCell(v: string | number): string {
  const s = String(v);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}

/**
 * One metered service of the catalogue — or one of Allmende's own meters that no catalogue service
 * names (e.g. the accounts per member) — with its usage in the month and the month before.
 */
interface ServiceUsage {
  /** As listed: the catalogue number and name, or the own meter's label. */
  name: string;
  /** The service's name alone (for the chart's text alternative). */
  title: string;
  meter: string;
  aggregation: Aggregation;
  unit: string;
  current: MonthUsage;
  previous: MonthUsage;
}

/** The bar chart of a month's days: an SVG drawn on the server, with a text alternative. */
function DayChart(props: { usage: ServiceUsage; t: T; lang: Lang; id: string; monthName: string }) {
  const { usage, t, lang } = props;
  const days = usage.current.days;
  const values = days.map((d) => (d.quantity === null ? 0 : Number(d.quantity)));
  // Numbers for drawing only (the table and the CSV carry the exact values).
  const top = Math.max(0, ...values);
  const W = 640;
  const H = 200;
  const left = 8;
  const bottom = 24;
  const slot = (W - left * 2) / Math.max(days.length, 28);
  const peakAt = values.indexOf(top);
  const alt =
    top > 0
      ? t.code('usage_page.chart_alt', {
          service: usage.title,
          month: props.monthName,
          max: shown(days[peakAt]!.quantity ?? '0', lang),
          unit: usage.unit,
          day: formatDate(days[peakAt]!.day, lang),
        })
      : t.code('usage_page.chart_alt_empty', {
          service: usage.title,
          month: props.monthName,
        });
  return (
    <figure class="usage-chart">
      <svg
        role="img"
        aria-labelledby={`${props.id}-t`}
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
        focusable="false"
      >
        <title id={`${props.id}-t`}>{alt}</title>
        <line x1={left} y1={H - bottom} x2={W - left} y2={H - bottom} stroke="#3d3d3d" stroke-width="1" />
        {days.map((d, i) => {
          const h = top > 0 ? (values[i]! / top) * (H - bottom - 12) : 0;
          return (
            <rect
              x={(left + i * slot + slot * 0.15).toFixed(1)}
              y={(H - bottom - h).toFixed(1)}
              width={(slot * 0.7).toFixed(1)}
              height={h.toFixed(1)}
              fill="#1f4e8c"
            >
              <title>{`${formatDate(d.day, lang)}: ${d.quantity === null ? '–' : shown(d.quantity, lang)}`}</title>
            </rect>
          );
        })}
        {days.map((d, i) =>
          i === 0 || (i + 1) % 5 === 0 ? (
            <text
              x={(left + i * slot + slot / 2).toFixed(1)}
              y={H - 6}
              font-size="12"
              text-anchor="middle"
              fill="#1b1b1b"
            >
              {String(Number(d.day.slice(8)))}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption class="kern-body kern-body--small">{t.code('usage_page.chart_caption')}</figcaption>
    </figure>
  );
}

export async function meteringPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  const guard = (req: FastifyRequest, reply: FastifyReply, memberId: string): boolean => {
    if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
    if (!isUuid(memberId)) {
      reply.callNotFound();
      return false;
    }
    return true;
  };

  /** The member, the metered services and their usage in `month` and the month before, in one transaction. */
  const load = (req: FastifyRequest, memberId: string, month: string) =>
    tx(req, async (t2) => {
      const member = await getMemberSummary(t2, memberId);
      requireMemberPermission(t2.ctx, memberId, 'usage.read');
      const amt = member.amtId ? await getMemberSummary(t2, member.amtId).catch(() => null) : null;
      const today = t2.ctx.clock.today();
      const book = await loadPriceBook(t2);
      const lookups = await catalogLookups(t2);
      const previousMonth = addMonths(month, -1);
      // The metered services in force in the month (or, failing that, the month before), one per meter.
      const byMeter = new Map<string, CatalogItem>();
      for (const day of [`${month}-01`, `${previousMonth}-01`]) {
        for (const item of book.itemsOn(day)) {
          if (item.meterKey && item.aggregation && !byMeter.has(item.meterKey))
            byMeter.set(item.meterKey, item);
        }
      }
      const services: ServiceUsage[] = [];
      for (const [meter, item] of [...byMeter].sort(([, a], [, b]) =>
        a.number.localeCompare(b.number, 'de', { numeric: true }),
      )) {
        const aggregation = item.aggregation as Aggregation;
        const current = await monthUsage(t2, memberId, meter, aggregation, month, today);
        const previous = await monthUsage(t2, memberId, meter, aggregation, previousMonth, today);
        if (current.total.events === 0 && previous.total.events === 0) continue;
        const unit = lookups.units.get(item.unitCode)?.[req.lang] ?? item.unitCode;
        const title = req.lang === 'de' ? item.nameDe : item.nameEn;
        services.push({
          name: `${item.number} ${title}`,
          title,
          meter,
          aggregation,
          unit,
          current,
          previous,
        });
      }
      // Allmende's own meters (declared by modules) that no catalogue service names yet.
      for (const [meter, def] of [...app.allmende.registry.meters].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (byMeter.has(meter)) continue;
        const current = await monthUsage(t2, memberId, meter, def.aggregation, month, today);
        const previous = await monthUsage(t2, memberId, meter, def.aggregation, previousMonth, today);
        if (current.total.events === 0 && previous.total.events === 0) continue;
        const title = req.t.code(`meter.${meter}`);
        services.push({
          name: req.t.code('usage_page.own_meter', { name: title }),
          title,
          meter,
          aggregation: def.aggregation,
          unit: req.t.code(`meter_unit.${meter}`),
          current,
          previous,
        });
      }
      const closed = (await billingMonths(t2)).find((m) => m.month === month);
      const pending = pricedCorrections(book, await pendingCorrections(t2, memberId));
      const carried = closed ? pricedCorrections(book, await correctionsBilledIn(t2, memberId, month)) : [];
      return { member, amt, services, today, previousMonth, closed, pending, carried };
    });

  const monthOf = (req: FastifyRequest, today: string): string | undefined => {
    const q = queryParams(req.query);
    if (q.monat === undefined || q.monat === '') return today.slice(0, 7);
    return MONTH_RE.test(q.monat) ? q.monat : undefined;
  };

  app.get<{ Params: { memberId: string } }>('/mitglieder/:memberId/verbrauch', async (req, reply) => {
    const { memberId } = req.params;
    if (!guard(req, reply, memberId)) return;
    const t = req.t;
    const lang = req.lang;
    const today = req.ctx.clock.today();
    const month = monthOf(req, today) ?? today.slice(0, 7);
    const d = await load(req, memberId, month);
    const base = `/mitglieder/${memberId}/verbrauch`;
    const title = t.code('usage_page.title', { name: d.member.name });
    const thisMonth = today.slice(0, 7);
    const months = Array.from({ length: 25 }, (_, i) => addMonths(thisMonth, -i));
    if (!months.includes(month)) months.push(month);
    const name = (s: ServiceUsage) => s.name;
    const monthName = formatMonth(month, lang);
    const prevName = formatMonth(d.previousMonth, lang);
    return sendPage(req, reply, {
      title,
      nav: memberNav(req, memberId, base),
      breadcrumbs: [
        ...(req.principal!.isAssociation ? [{ href: '/mitglieder', label: t('nav.members') }] : []),
        ...(d.amt ? [{ href: `/mitglieder/${d.amt.id}`, label: d.amt.name }] : []),
        { href: `/mitglieder/${d.member.id}`, label: d.member.name },
      ],
      body: (
        <div class="kern-stack-lg">
          <div class="page-header">
            <h1 class="kern-heading-x-large">{title}</h1>
            <div class="kern-btn-wrapper">
              <LinkButton href={`${base}.csv?monat=${month}`} label={t.code('usage_page.csv')} />
            </div>
          </div>
          <p class="kern-body">{t.code('usage_page.intro')}</p>
          {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for older screen readers */}
          <form
            method="get"
            action={base}
            class="filters"
            role="search"
            aria-label={t.code('usage_page.month_filter')}
          >
            <SelectField
              name="monat"
              label={t.code('usage_page.month')}
              value={month}
              options={months.map((m) => ({ value: m, label: formatMonth(m, lang) }))}
            />
            <div class="kern-btn-wrapper">
              <Button label={t.code('usage_page.show')} variant="secondary" />
            </div>
          </form>
          {d.services.length === 0 ? (
            <p class="kern-body">{t.code('usage_page.none', { month: monthName })}</p>
          ) : (
            <DataTable
              id="usage-summary"
              caption={t.code('usage_page.summary_caption', { month: monthName, previous: prevName })}
              variant="striped"
              columns={[
                { label: t.code('usage_page.service') },
                { label: t.code('usage_page.aggregation') },
                { label: prevName, numeric: true },
                { label: monthName, numeric: true },
                { label: t.code('usage_page.unit') },
              ]}
            >
              {d.services.map((s) => (
                <tr class="kern-table__row">
                  <th scope="row" class="kern-table__header">
                    <a class="kern-link" href={`#usage-${s.meter}`}>
                      {name(s)}
                    </a>
                  </th>
                  <td class="kern-table__cell">{t.code(`aggregation.${s.aggregation}`)}</td>
                  <td class="kern-table__cell kern-table__cell--numeric">
                    {shown(s.previous.total.quantity, lang)}
                  </td>
                  <td class="kern-table__cell kern-table__cell--numeric">
                    {shown(s.current.total.quantity, lang)}
                  </td>
                  <td class="kern-table__cell">{s.unit}</td>
                </tr>
              ))}
            </DataTable>
          )}
          {d.closed ? (
            <p class="kern-body">
              {t.code('usage_page.month_closed', {
                month: monthName,
                at: formatDateTime(d.closed.closedAt, lang),
              })}
            </p>
          ) : null}
          {d.pending.length > 0 || d.carried.length > 0 ? (
            <section aria-labelledby="corrections-h" class="kern-stack">
              <h2 class="kern-heading-medium" id="corrections-h">
                {t.code('usage_page.corrections_title')}
              </h2>
              {[
                {
                  id: 'corrections-pending',
                  list: d.pending,
                  intro: t.code('usage_page.corrections_pending'),
                },
                {
                  id: 'corrections-carried',
                  list: d.carried,
                  intro: t.code('usage_page.corrections_carried', { month: monthName }),
                },
              ]
                .filter((x) => x.list.length > 0)
                .map((x) => (
                  <div class="kern-stack">
                    <p class="kern-body">{x.intro}</p>
                    <CorrectionsTable
                      id={x.id}
                      caption={t.code('usage_page.corrections_caption')}
                      list={x.list}
                      t={t}
                      lang={lang}
                    />
                  </div>
                ))}
            </section>
          ) : null}
          {d.services.map((s) => (
            <section aria-labelledby={`usage-${s.meter}`} class="kern-stack">
              <h2 class="kern-heading-medium" id={`usage-${s.meter}`}>
                {name(s)}
              </h2>
              <p class="kern-body">
                {t.code('usage_page.month_total', {
                  month: monthName,
                  quantity: shown(s.current.total.quantity, lang),
                  unit: s.unit,
                  aggregation: t.code(`aggregation.${s.aggregation}`),
                })}
              </p>
              <DayChart usage={s} t={t} lang={lang} id={`chart-${s.meter}`} monthName={monthName} />
              <DataTable
                id={`days-${s.meter}`}
                caption={t.code('usage_page.days_caption', { service: name(s), month: monthName })}
                variant="small-striped"
                columns={[
                  { label: t.code('usage_page.day') },
                  { label: t.code('usage_page.quantity', { unit: s.unit }), numeric: true },
                  { label: t.code('usage_page.events'), numeric: true },
                ]}
              >
                {s.current.days.map((day) => (
                  <tr class="kern-table__row">
                    <th scope="row" class="kern-table__header">
                      {formatDate(day.day, lang)}
                    </th>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {day.quantity === null ? '–' : shown(day.quantity, lang)}
                    </td>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {formatDecimal(String(day.events), lang)}
                    </td>
                  </tr>
                ))}
              </DataTable>
            </section>
          ))}
        </div>
      ),
    });
  });

  app.get<{ Params: { memberId: string } }>('/mitglieder/:memberId/verbrauch.csv', async (req, reply) => {
    const { memberId } = req.params;
    if (!guard(req, reply, memberId)) return;
    const t = req.t;
    const lang = req.lang;
    const month = monthOf(req, req.ctx.clock.today());
    if (!month) return reply.callNotFound();
    const d = await load(req, memberId, month);
    const header = [
      t.code('usage_csv.member'),
      t.code('usage_csv.service'),
      t.code('usage_csv.meter'),
      t.code('usage_csv.aggregation'),
      t.code('usage_csv.period'),
      t.code('usage_csv.quantity'),
      t.code('usage_csv.unit'),
      t.code('usage_csv.events'),
    ];
    let body = `\uFEFF${header.map(csvCell).join(';')}\r\n`;
    for (const s of d.services) {
      const common = (period: string, quantity: string | null, events: number) =>
        [
          d.member.name,
          s.name,
          s.meter,
          t.code(`aggregation.${s.aggregation}`),
          period,
          quantity === null ? '' : csvNumber(quantity, lang),
          s.unit,
          String(events),
        ]
          .map(csvCell)
          .join(';');
      for (const day of s.current.days)
        body += `${common(formatDate(day.day, lang), day.quantity, day.events)}\r\n`;
      body += `${common(formatMonth(month, lang), s.current.total.quantity, s.current.total.events)}\r\n`;
    }
    reply.header('content-disposition', `attachment; filename="verbrauch-${month}.csv"`);
    reply.header('cache-control', 'no-store');
    return reply.type('text/csv; charset=utf-8').send(body);
  });

  // ---- association area: ingestion status and event search ----

  app.get('/verbrauch', async (req, reply) => {
    requireAssociationUsageReader(req);
    const t = req.t;
    const lang = req.lang;
    const q = queryParams(req.query);
    const filter = {
      memberId: q.mitglied && isUuid(q.mitglied) ? q.mitglied : undefined,
      meter: q.zaehler && /^[a-z][a-z0-9-]{1,63}$/.test(q.zaehler) ? q.zaehler : undefined,
      day: q.tag && isIsoDate(q.tag) ? q.tag : undefined,
    };
    const searched = Boolean(filter.memberId || filter.meter || filter.day);
    const d = await tx(req, async (t2) => {
      const status = await ingestionStatus(t2);
      const rejections = await listRejections(t2);
      const members = (await listMembers(t2, { pageSize: 200 })).items;
      const book = await loadPriceBook(t2);
      const meters = new Set<string>(app.allmende.registry.meters.keys());
      for (const per of book.periods)
        for (const item of book.itemsOf(per.version.id)) if (item.meterKey) meters.add(item.meterKey);
      const events = searched
        ? await searchUsageEvents(t2, {
            ...(filter.memberId ? { memberId: filter.memberId } : {}),
            ...(filter.meter ? { meter: filter.meter } : {}),
            ...(filter.day ? { day: filter.day } : {}),
          })
        : [];
      const voids = await voidsAmong(t2, events);
      const closed = new Map((await billingMonths(t2)).map((m) => [m.month, m.closedAt]));
      return { status, rejections, members, meters: [...meters].sort(), events, voids, closed };
    });
    const names = new Map(d.members.map((m) => [m.id, m.name]));
    const canVoid = hasPermission(req.ctx, 'usage.void');
    // An event received after its month was closed: a late event, corrected on the next bill.
    const lateFor = (e: { time: Date; receivedAt: Date }): string | undefined => {
      const month = monthInBerlin(e.time);
      const closedAt = d.closed.get(month);
      return closedAt && e.receivedAt.getTime() > closedAt.getTime() ? month : undefined;
    };
    /** Who sent a refused delivery, in words, with the sender's member. */
    const sender = (r: Rejection) => {
      const kind = t.code(`audit.actor_kind.${r.actorType}`);
      const who =
        r.actorType === 'user'
          ? (r.actorName ?? `${kind} ${r.actorId}`)
          : r.actorType === 'token'
            ? r.actorName
              ? `${kind} „${r.actorName}“`
              : `${kind} ${r.actorId}`
            : `${kind}: ${r.actorId}`;
      const member = names.get(r.memberId);
      return member ? `${who} (${member})` : who;
    };
    const title = t.code('usage_admin.title');
    return sendPage(req, reply, {
      title,
      nav: '/verbrauch',
      body: (
        <div class="kern-stack-lg">
          <div class="page-header">
            <h1 class="kern-heading-x-large">{title}</h1>
            {hasPermission(req.ctx, 'usage.import') ? (
              <div class="kern-btn-wrapper">
                <LinkButton href="/verbrauch/import" label={t.code('usage_admin.import_link')} />
              </div>
            ) : null}
          </div>
          <p class="kern-body">{t.code('usage_admin.intro')}</p>
          <p class="kern-body">
            <a class="kern-link" href="/verbrauch/abrechnung">
              {t.code('usage_billing.link')}
            </a>
          </p>
          <section aria-labelledby="status-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="status-h">
              {t.code('usage_admin.status_title')}
            </h2>
            {d.status.length === 0 ? (
              <p class="kern-body">{t.code('usage_admin.no_sources')}</p>
            ) : (
              <DataTable
                id="sources"
                caption={t.code('usage_admin.status_caption')}
                variant="striped"
                columns={[
                  { label: t.code('usage_admin.source') },
                  { label: t.code('usage_admin.members_of_source'), numeric: true },
                  { label: t.code('usage_admin.last_received') },
                  { label: t.code('usage_admin.last_time') },
                  { label: t.code('usage_admin.today'), numeric: true },
                  { label: t.code('usage_admin.recent'), numeric: true },
                  { label: t.code('usage_admin.recent_duplicates'), numeric: true },
                  { label: t.code('usage_admin.total'), numeric: true },
                ]}
              >
                {d.status.map((s) => (
                  <tr class="kern-table__row">
                    <th scope="row" class="kern-table__header">
                      {s.source}
                    </th>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {formatDecimal(String(s.members), lang)}
                    </td>
                    <td class="kern-table__cell">{formatDateTime(s.lastReceived, lang)}</td>
                    <td class="kern-table__cell">
                      {s.latestTime ? formatDateTime(s.latestTime, lang) : '–'}
                    </td>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {formatDecimal(String(s.today), lang)}
                    </td>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {formatDecimal(String(s.recent), lang)}
                    </td>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {formatDecimal(String(s.recentDuplicates), lang)}
                    </td>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {formatDecimal(String(s.total), lang)}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          <section aria-labelledby="rejections-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="rejections-h">
              {t.code('usage_rejections.title')}
            </h2>
            <p class="kern-body">{t.code('usage_rejections.intro')}</p>
            {d.rejections.items.length === 0 ? (
              <p class="kern-body">{t.code('usage_rejections.none')}</p>
            ) : (
              <DataTable
                id="rejections"
                caption={t.code('usage_rejections.caption', {
                  total: formatDecimal(String(d.rejections.total), lang),
                  shown: String(REJECTIONS_SHOWN),
                })}
                variant="small-striped"
                columns={[
                  { label: t.code('usage_rejections.time') },
                  { label: t.code('usage_rejections.sender') },
                  { label: t.code('usage_rejections.channel') },
                  { label: t.code('usage_rejections.sources') },
                  { label: t.code('usage_rejections.lines'), numeric: true },
                  { label: t.code('usage_rejections.errors'), numeric: true },
                  { label: t.code('usage_rejections.reasons') },
                ]}
              >
                {d.rejections.items.map((r) => (
                  <tr class="kern-table__row">
                    <th scope="row" class="kern-table__header">
                      {formatDateTime(r.rejectedAt, lang)}
                    </th>
                    <td class="kern-table__cell">{sender(r)}</td>
                    <td class="kern-table__cell">{t.code(`usage_rejections.channel.${r.channel}`)}</td>
                    <td class="kern-table__cell">{r.sources.length > 0 ? r.sources.join(', ') : '–'}</td>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {formatDecimal(String(r.lines), lang)}
                    </td>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {formatDecimal(String(r.errorCount), lang)}
                    </td>
                    <td class="kern-table__cell">
                      {r.message ? <p class="kern-body kern-body--small">{r.message}</p> : null}
                      {r.errors.length > 0 ? (
                        <ul class="kern-list">
                          {r.errors.map((e) => (
                            <li>
                              {t.code('usage_rejections.line', { line: String(e.line) })}
                              {e.field ? ` (${e.field})` : ''}: {t.code(e.code)}
                            </li>
                          ))}
                          {r.errorCount > r.errors.length ? (
                            <li>
                              {t.code('usage_rejections.more', {
                                count: String(r.errorCount - r.errors.length),
                              })}
                            </li>
                          ) : null}
                        </ul>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          <section aria-labelledby="search-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="search-h">
              {t.code('usage_admin.search_title')}
            </h2>
            {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for older screen readers */}
            <form
              method="get"
              action="/verbrauch"
              class="filters"
              role="search"
              aria-label={t.code('usage_admin.search_title')}
            >
              <SelectField
                name="mitglied"
                label={t.code('usage_admin.member')}
                value={filter.memberId ?? ''}
                options={[
                  { value: '', label: t.code('usage_admin.any') },
                  ...d.members.map((m) => ({ value: m.id, label: m.name })),
                ]}
              />
              <SelectField
                name="zaehler"
                label={t.code('usage_admin.meter')}
                value={filter.meter ?? ''}
                options={[
                  { value: '', label: t.code('usage_admin.any') },
                  ...d.meters.map((m) => ({ value: m, label: m })),
                ]}
              />
              <TextField name="tag" type="date" label={t.code('usage_admin.day')} value={filter.day ?? ''} />
              <div class="kern-btn-wrapper">
                <Button label={t.code('usage_admin.search')} variant="secondary" />
              </div>
            </form>
            {!searched ? (
              <p class="kern-body">{t.code('usage_admin.search_hint')}</p>
            ) : d.events.length === 0 ? (
              <p class="kern-body">{t.code('usage_admin.no_events')}</p>
            ) : (
              <DataTable
                id="events"
                caption={t.code('usage_admin.events_caption', { count: d.events.length })}
                variant="small-striped"
                columns={[
                  { label: t.code('usage_admin.time') },
                  { label: t.code('usage_admin.member') },
                  { label: t.code('usage_admin.meter') },
                  { label: t.code('usage_admin.quantity'), numeric: true },
                  { label: t.code('usage_admin.source') },
                  { label: t.code('usage_admin.event_id') },
                  { label: t.code('usage_admin.received') },
                  { label: t.code('usage_admin.void_column') },
                ]}
              >
                {d.events.map((e) => (
                  <tr class="kern-table__row">
                    <td class="kern-table__cell">{formatDateTime(e.time, lang)}</td>
                    <td class="kern-table__cell">{names.get(e.memberId) ?? e.memberId}</td>
                    <td class="kern-table__cell">{e.meter}</td>
                    <td class="kern-table__cell kern-table__cell--numeric">{shown(e.quantity, lang)}</td>
                    <td class="kern-table__cell">{e.source}</td>
                    <td class="kern-table__cell">
                      {e.eventId}
                      {e.attributes ? (
                        <span class="kern-body--small">
                          {' '}
                          (
                          {Object.entries(e.attributes)
                            .map(([k, v]) => `${k}=${v}`)
                            .join(', ')}
                          )
                        </span>
                      ) : null}
                    </td>
                    <td class="kern-table__cell">
                      {formatDateTime(e.receivedAt, lang)}
                      {lateFor(e) ? (
                        <>
                          {' '}
                          <Badge
                            variant="info"
                            label={t.code('usage_admin.late_badge', {
                              month: formatMonth(lateFor(e)!, lang),
                            })}
                          />
                        </>
                      ) : null}
                    </td>
                    <td class="kern-table__cell">
                      {d.voids.has(keyOf(e.memberId, e.source, e.eventId)) ? (
                        <Badge variant="warning" label={t.code('usage_void.voided_badge')} />
                      ) : canVoid ? (
                        <a
                          class="kern-link"
                          href={`/verbrauch/storno?mitglied=${e.memberId}&quelle=${encodeURIComponent(e.source)}&ereignis=${encodeURIComponent(e.eventId)}`}
                        >
                          {t.code('usage_void.action')}
                          <span class="kern-sr-only">{` ${e.source} / ${e.eventId}`}</span>
                        </a>
                      ) : (
                        '–'
                      )}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
        </div>
      ),
    });
  });

  await meteringBillingPages(app);
}
