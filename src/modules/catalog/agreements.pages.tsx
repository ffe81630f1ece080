/**
 * A member's service agreements (Leistungsvereinbarungen) at /mitglieder/:memberId/vereinbarungen:
 * what is booked, what it costs in a month under the catalogue in force (each line explained, net,
 * VAT, gross), and — with agreements.manage — booking a service, changing a quantity from a day and
 * cancelling with the service's notice period. Tenant-scoped like every member page: another member's
 * ids are not found.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addMonths, formatDate, formatMonth } from '../../shared/dates.js';
import { fraction, roundHalfUp } from '../../shared/decimal.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { formatDecimal, formatEuro } from '../../shared/money.js';
import {
  Alert,
  Badge,
  Button,
  Csrf,
  DataTable,
  DescriptionList,
  type FieldErrors,
  FormHeading,
  SelectField,
  TextField,
} from '../../web/components.js';
import { type FormValues, formProblem, formText, parseForm, submitOnce } from '../../web/form.js';
import type { Lang, T } from '../../web/i18n/index.js';
import { memberNav } from '../../web/layout.js';
import { csrfToken, queryParams, sendPage } from '../../web/page.js';
import { hasPermission } from '../auth/permissions.js';
import { getMemberSummary } from '../members/members.service.js';
import {
  type AgreementDto,
  agreementCostsForMonth,
  bookService,
  cancelAgreement,
  changeAgreementQuantity,
  listAgreements,
} from './agreements.service.js';
import { earliestEnd } from './agreements.terms.js';
import { parseDecimalInput } from './catalog.forms.js';
import { AgreementCancelBody, AgreementCreateBody, AgreementQuantityBody } from './catalog.schema.js';
import { type CatalogItem, catalogLookups, loadPriceBook, type PriceBook } from './catalog.service.js';
import { explainCharge } from './pricing.explain.js';

const VAT_RATE: Record<CatalogItem['vat'], number> = { not_taxable: 0, standard: 19, reduced: 7 };
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** VAT on a net amount in cents at `rate` percent, rounded half-up to the cent (exact, no float). */
export function vatCents(netCents: number, rate: number): number {
  return Number(roundHalfUp(fraction(BigInt(netCents) * BigInt(rate), 100n)));
}

/** The quantity booked on `day` (or the last one), for display. */
function quantityOn(a: AgreementDto, day: string): string | null {
  const term =
    a.terms.find((x) => x.validFrom <= day && (x.validUntil === null || day <= x.validUntil)) ??
    a.terms.at(-1);
  return term?.quantity ?? null;
}

type AgreementStatus = { variant: 'info' | 'success' | 'warning' | 'danger'; key: string; date?: string };

function statusOf(a: AgreementDto, day: string): AgreementStatus {
  if (a.startsOn > day) return { variant: 'info', key: 'agreements_page.status_upcoming', date: a.startsOn };
  if (a.endsOn !== null && a.endsOn < day)
    return { variant: 'danger', key: 'agreements_page.status_ended', date: a.endsOn };
  if (a.noticeGivenOn !== null && a.endsOn !== null)
    return { variant: 'warning', key: 'agreements_page.status_cancelled', date: a.endsOn };
  if (a.endsOn !== null) return { variant: 'info', key: 'agreements_page.status_fixed', date: a.endsOn };
  return { variant: 'success', key: 'agreements_page.status_running' };
}

function StatusBadge(props: { t: T; lang: Lang; a: AgreementDto; day: string }) {
  const s = statusOf(props.a, props.day);
  return <Badge variant={s.variant} label={props.t.code(s.key, { date: formatDate(s.date, props.lang) })} />;
}

/** The earliest end a cancellation given on `day` allows, as cancelAgreement computes it. */
function earliestFor(
  a: AgreementDto,
  book: PriceBook,
  day: string,
): { earliest: string; noticeDays: number } {
  const noticeDays =
    (book.priceAt(a.serviceCode, day) ?? book.priceAt(a.serviceCode, a.startsOn))?.item.noticeDays ?? 0;
  let earliest = earliestEnd(day, noticeDays);
  if (earliest < a.startsOn) earliest = a.startsOn;
  return { earliest, noticeDays };
}

export async function agreementPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  /** Logged-in staff only; ids that are not uuids are simply not found. */
  const guard = (req: FastifyRequest, reply: FastifyReply, ...ids: string[]): boolean => {
    if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
    if (!ids.every(isUuid)) {
      reply.callNotFound();
      return false;
    }
    return true;
  };

  /** Everything the pages show of a member, read in one transaction; another member's id is not found. */
  const load = (req: FastifyRequest, memberId: string) =>
    tx(req, async (t2) => {
      const member = await getMemberSummary(t2, memberId);
      const amt = member.amtId ? await getMemberSummary(t2, member.amtId).catch(() => null) : null;
      const agreements = await listAgreements(t2, memberId);
      const book = await loadPriceBook(t2);
      const lookups = await catalogLookups(t2);
      return { member, amt, agreements, book, lookups, day: t2.ctx.clock.today() };
    });
  type Loaded = Awaited<ReturnType<typeof load>>;

  const crumbs = (req: FastifyRequest, d: Loaded) => [
    ...(req.principal!.isAssociation ? [{ href: '/mitglieder', label: req.t('nav.members') }] : []),
    ...(d.amt ? [{ href: `/mitglieder/${d.amt.id}`, label: d.amt.name }] : []),
    { href: `/mitglieder/${d.member.id}`, label: d.member.name },
  ];

  const serviceName = (d: Loaded, lang: Lang, code: string, day: string) => {
    const item =
      d.book.priceAt(code, day)?.item ??
      d.book.periods
        .map((p) => d.book.itemsOf(p.version.id).find((i) => i.serviceCode === code))
        .find(Boolean);
    return item ? `${item.number} ${lang === 'de' ? item.nameDe : item.nameEn}` : code;
  };

  // ---- the list with the month's costs and the booking form ----

  const listPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    memberId: string,
    form: { values?: FormValues; errors?: FieldErrors; message?: string; status?: number } = {},
  ) => {
    const t = req.t;
    const lang = req.lang;
    const q = queryParams(req.query);
    const d = await load(req, memberId);
    const thisMonth = d.day.slice(0, 7);
    const month = q.monat && MONTH_RE.test(q.monat) ? q.monat : thisMonth;
    const costs = await tx(req, (t2) => agreementCostsForMonth(t2, memberId, month));
    const canManage = hasPermission(req.ctx, 'agreements.manage');
    const unitName = (code: string) => d.lookups.units.get(code)?.[lang] ?? code;
    const e = form.errors ?? {};
    const v = form.values ?? {};
    const title = t.code('agreements_page.title', { name: d.member.name });
    const base = `/mitglieder/${memberId}/vereinbarungen`;

    // Net per agreement and its VAT (rate of the version in force on each line's first day).
    const rows = costs.agreements.map((c) => {
      const byRate = new Map<number, number>();
      const lines = c.lines.map((l) => {
        const item = d.book.priceAt(c.agreement.serviceCode, l.validFrom)?.item;
        const rate = item ? VAT_RATE[item.vat] : 0;
        byRate.set(rate, (byRate.get(rate) ?? 0) + l.charge.amountCents);
        return { line: l, rate, vat: item?.vat ?? 'not_taxable' };
      });
      const vat = [...byRate].reduce((s, [rate, net]) => s + vatCents(net, rate), 0);
      return {
        cost: c,
        lines,
        net: c.amountCents,
        vat,
        gross: c.amountCents + vat,
        rates: [...byRate.keys()],
      };
    });
    const total = rows.reduce(
      (s, r) => ({ net: s.net + r.net, vat: s.vat + r.vat, gross: s.gross + r.gross }),
      { net: 0, vat: 0, gross: 0 },
    );
    const months = Array.from({ length: 25 }, (_, i) => addMonths(thisMonth, i - 12));
    if (!months.includes(month)) months.push(month);
    const bookable = d.book.itemsOn(d.day);
    const eur = (c: number) => formatEuro(c, lang);

    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: memberNav(req, memberId, base),
      breadcrumbs: crumbs(req, d),
      body: (
        <div class="kern-stack-lg">
          <FormHeading title={title} errors={e} t={t} message={form.message} />
          <p class="kern-body">
            {t.code('agreements_page.intro')}{' '}
            <a class="kern-link" href="/leistungen">
              {t.code('agreements_page.catalog_link')}
            </a>
          </p>
          {d.agreements.length === 0 ? (
            <p class="kern-body">{t.code('agreements_page.none')}</p>
          ) : (
            <DataTable
              id="agreements"
              caption={t.code('agreements_page.list_caption')}
              variant="striped"
              columns={[
                { label: t.code('agreements_page.service') },
                { label: t.code('agreements_page.since') },
                { label: t.code('agreements_page.until') },
                { label: t.code('agreements_page.quantity'), numeric: true },
                { label: t.code('agreements_page.notice') },
                { label: t.code('agreements_page.status') },
              ]}
            >
              {d.agreements.map((a) => {
                const qty = quantityOn(a, d.day);
                const notice = earliestFor(a, d.book, d.day).noticeDays;
                return (
                  <tr class="kern-table__row">
                    <th scope="row" class="kern-table__header">
                      <a class="kern-link" href={`${base}/${a.id}`}>
                        {serviceName(d, lang, a.serviceCode, d.day)}
                      </a>
                    </th>
                    <td class="kern-table__cell">{formatDate(a.startsOn, lang)}</td>
                    <td class="kern-table__cell">{a.endsOn ? formatDate(a.endsOn, lang) : '–'}</td>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {qty === null ? '–' : formatDecimal(qty, lang)}
                    </td>
                    <td class="kern-table__cell">{t.code('agreements_page.days', { days: notice })}</td>
                    <td class="kern-table__cell">
                      <StatusBadge t={t} lang={lang} a={a} day={d.day} />
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          )}

          <section aria-labelledby="costs-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="costs-h">
              {t.code('agreements_page.costs_title', { month: formatMonth(month, lang) })}
            </h2>
            {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for older screen readers */}
            <form
              method="get"
              action={base}
              class="filters"
              role="search"
              aria-label={t.code('agreements_page.month_filter')}
            >
              <SelectField
                name="monat"
                label={t.code('agreements_page.month')}
                value={month}
                options={months.map((m) => ({ value: m, label: formatMonth(m, lang) }))}
              />
              <div class="kern-btn-wrapper">
                <Button label={t.code('agreements_page.show')} variant="secondary" />
              </div>
            </form>
            <p class="kern-body">{t.code('agreements_page.costs_intro')}</p>
            {rows.length === 0 ? (
              <p class="kern-body">{t.code('agreements_page.no_costs')}</p>
            ) : (
              <DataTable
                id="costs"
                caption={t.code('agreements_page.costs_title', { month: formatMonth(month, lang) })}
                columns={[
                  { label: t.code('agreements_page.service') },
                  { label: t.code('agreements_page.explanation') },
                  { label: t.code('agreements_page.net'), numeric: true },
                  { label: t.code('agreements_page.vat'), numeric: true },
                  { label: t.code('agreements_page.gross'), numeric: true },
                ]}
              >
                {rows.map((r) => (
                  <tr class="kern-table__row">
                    <th scope="row" class="kern-table__header">
                      {serviceName(d, lang, r.cost.agreement.serviceCode, `${month}-01`)}
                    </th>
                    <td class="kern-table__cell">
                      {r.lines.map(({ line, vat }) => (
                        <div class="kern-stack cost-line">
                          <p class="kern-body kern-body--small">
                            {t.code('agreements_page.line_period', {
                              from: formatDate(line.validFrom, lang),
                              until: formatDate(line.validUntil, lang),
                              version: line.versionNumber,
                            })}
                            {vat === 'not_taxable' ? ` · ${t.code('agreements_page.not_taxable')}` : ''}
                          </p>
                          <ul class="kern-list">
                            {explainCharge(line.charge, unitName(line.unitCode), t, lang).map((x) => (
                              <li>{x}</li>
                            ))}
                          </ul>
                        </div>
                      ))}
                    </td>
                    <td class="kern-table__cell kern-table__cell--numeric">{eur(r.net)}</td>
                    <td class="kern-table__cell kern-table__cell--numeric">
                      {eur(r.vat)}
                      {r.rates.some((x) => x > 0) ? (
                        <span class="kern-body--small"> ({r.rates.filter((x) => x > 0).join(', ')} %)</span>
                      ) : null}
                    </td>
                    <td class="kern-table__cell kern-table__cell--numeric">{eur(r.gross)}</td>
                  </tr>
                ))}
                <tr class="kern-table__row">
                  <th scope="row" class="kern-table__header">
                    {t.code('agreements_page.total')}
                  </th>
                  <td class="kern-table__cell"></td>
                  <td class="kern-table__cell kern-table__cell--numeric">
                    <strong>{eur(total.net)}</strong>
                  </td>
                  <td class="kern-table__cell kern-table__cell--numeric">
                    <strong>{eur(total.vat)}</strong>
                  </td>
                  <td class="kern-table__cell kern-table__cell--numeric">
                    <strong>{eur(total.gross)}</strong>
                  </td>
                </tr>
              </DataTable>
            )}
          </section>

          {canManage ? (
            <section aria-labelledby="book-h" class="kern-stack">
              <h2 class="kern-heading-medium" id="book-h">
                {t.code('agreements_page.book_title')}
              </h2>
              <p class="kern-body">{t.code('agreements_page.book_intro')}</p>
              <form method="post" action={base} class="kern-stack" novalidate>
                <Csrf token={csrfToken(req, reply)} />
                <SelectField
                  name="serviceCode"
                  label={t.code('agreements_page.service')}
                  value={formText(v, 'serviceCode') ?? ''}
                  error={e.serviceCode}
                  required
                  requiredLabel={t('common.required')}
                  options={[
                    { value: '', label: t.code('catalog_staff.choose') },
                    ...bookable.map((i) => ({
                      value: i.serviceCode,
                      label: `${i.number} ${lang === 'de' ? i.nameDe : i.nameEn}`,
                    })),
                  ]}
                />
                <div class="form-grid">
                  <TextField
                    name="startsOn"
                    type="date"
                    label={t.code('agreements_page.starts_on')}
                    value={formText(v, 'startsOn') ?? ''}
                    error={e.startsOn}
                    required
                    requiredLabel={t('common.required')}
                  />
                  <TextField
                    name="endsOn"
                    type="date"
                    label={t.code('agreements_page.ends_on')}
                    hint={t.code('agreements_page.ends_on_hint')}
                    value={formText(v, 'endsOn') ?? ''}
                    error={e.endsOn}
                    optionalLabel={t('common.optional')}
                  />
                  <TextField
                    name="quantity"
                    label={t.code('agreements_page.quantity')}
                    hint={t.code('agreements_page.quantity_hint')}
                    value={formText(v, 'quantity') ?? ''}
                    error={e.quantity}
                    inputmode="decimal"
                    width={12}
                    maxlength={20}
                    optionalLabel={t('common.optional')}
                  />
                </div>
                <div class="kern-btn-wrapper">
                  <Button label={t.code('agreements_page.book')} />
                </div>
              </form>
            </section>
          ) : null}
        </div>
      ),
    });
  };

  /** German decimal comma in the quantity → the API's decimal; what was typed stays for the form. */
  const normalizeQuantity = (req: FastifyRequest): string | undefined => {
    const body = req.body as Record<string, unknown> | undefined;
    const typed = typeof body?.quantity === 'string' ? body.quantity : undefined;
    if (body && typed !== undefined && typed.trim() !== '') {
      body.quantity = parseDecimalInput(typed, req.lang) ?? typed;
    }
    return typed;
  };

  /** The tenant check and the permission to change, before anything is read from the form. */
  const requireManage = async (req: FastifyRequest, memberId: string) => {
    await tx(req, (t2) => getMemberSummary(t2, memberId));
    if (!hasPermission(req.ctx, 'agreements.manage')) throw new ForbiddenError('agreements.manage');
  };

  app.get<{ Params: { memberId: string } }>('/mitglieder/:memberId/vereinbarungen', async (req, reply) => {
    if (!guard(req, reply, req.params.memberId)) return;
    return listPage(req, reply, req.params.memberId);
  });

  app.post<{ Params: { memberId: string } }>('/mitglieder/:memberId/vereinbarungen', async (req, reply) => {
    if (!guard(req, reply, req.params.memberId)) return;
    const { memberId } = req.params;
    await requireManage(req, memberId);
    const typed = normalizeQuantity(req);
    const form = parseForm(req, AgreementCreateBody, {
      only: ['serviceCode', 'startsOn', 'endsOn', 'quantity'],
      labels: { quantity: req.t.code('agreements_page.quantity') },
    });
    const values = { ...form.values, ...(typed !== undefined ? { quantity: typed } : {}) };
    const render = (errors: FieldErrors, message?: string, status = 422) =>
      listPage(req, reply, memberId, { values, errors, message, status });
    if (!form.ok) return render(form.errors);
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        const a = await bookService(t2, memberId, form.data);
        return {
          to: `/mitglieder/${memberId}/vereinbarungen/${a.id}`,
          flash: { title: 'agreements_page.booked' },
        };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return render(problem.errors, problem.message, problem.status);
      throw err;
    }
  });

  // ---- one agreement: its terms, change of quantity, cancellation ----

  const agreementPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    memberId: string,
    agreementId: string,
    form: {
      which?: 'quantity' | 'cancel';
      values?: FormValues;
      errors?: FieldErrors;
      message?: string;
      status?: number;
    } = {},
  ) => {
    const t = req.t;
    const lang = req.lang;
    const d = await load(req, memberId);
    const a = d.agreements.find((x) => x.id === agreementId);
    if (!a) throw new NotFoundError('service_agreement');
    const canManage = hasPermission(req.ctx, 'agreements.manage');
    const svc = serviceName(d, lang, a.serviceCode, d.day);
    const title = t.code('agreements_page.agreement_title', { service: svc });
    const { earliest, noticeDays } = earliestFor(a, d.book, d.day);
    const base = `/mitglieder/${memberId}/vereinbarungen`;
    const e = form.errors ?? {};
    const v = form.values ?? {};
    const ended = a.endsOn !== null && a.endsOn < d.day;
    const usesQuantity = a.terms.at(-1)?.quantity !== null && a.terms.length > 0;
    const csrf = csrfToken(req, reply);
    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: memberNav(req, memberId, base),
      breadcrumbs: [...crumbs(req, d), { href: base, label: t.code('nav.agreements') }],
      body: (
        <div class="kern-stack-lg">
          <FormHeading title={title} errors={e} t={t} message={form.message} />
          <DescriptionList
            items={[
              [t.code('agreements_page.member'), d.member.name],
              [t.code('agreements_page.status'), <StatusBadge t={t} lang={lang} a={a} day={d.day} />],
              [t.code('agreements_page.since'), formatDate(a.startsOn, lang)],
              [t.code('agreements_page.until'), a.endsOn ? formatDate(a.endsOn, lang) : null],
              [
                t.code('agreements_page.notice_given'),
                a.noticeGivenOn ? formatDate(a.noticeGivenOn, lang) : null,
              ],
              [t.code('agreements_page.notice'), t.code('agreements_page.days', { days: noticeDays })],
            ]}
          />
          {usesQuantity ? (
            <DataTable
              id="terms"
              caption={t.code('agreements_page.terms')}
              columns={[
                { label: t.code('agreements_page.term_from') },
                { label: t.code('agreements_page.term_until') },
                { label: t.code('agreements_page.quantity'), numeric: true },
              ]}
            >
              {a.terms.map((x) => (
                <tr class="kern-table__row">
                  <th scope="row" class="kern-table__header">
                    {formatDate(x.validFrom, lang)}
                  </th>
                  <td class="kern-table__cell">{x.validUntil ? formatDate(x.validUntil, lang) : '–'}</td>
                  <td class="kern-table__cell kern-table__cell--numeric">
                    {x.quantity === null ? '–' : formatDecimal(x.quantity, lang)}
                  </td>
                </tr>
              ))}
            </DataTable>
          ) : null}
          {canManage && !ended && usesQuantity ? (
            <section aria-labelledby="qty-h" class="kern-stack">
              <h2 class="kern-heading-medium" id="qty-h">
                {t.code('agreements_page.change_title')}
              </h2>
              <form method="post" action={`${base}/${a.id}/menge`} class="kern-stack" novalidate>
                <Csrf token={csrf} />
                <input type="hidden" name="version" value={String(a.version)} />
                <div class="form-grid">
                  <TextField
                    name="from"
                    type="date"
                    label={t.code('agreements_page.change_from')}
                    hint={t.code('agreements_page.change_from_hint')}
                    value={form.which === 'quantity' ? (formText(v, 'from') ?? '') : ''}
                    error={form.which === 'quantity' ? e.from : undefined}
                    required
                    requiredLabel={t('common.required')}
                  />
                  <TextField
                    name="quantity"
                    label={t.code('agreements_page.new_quantity')}
                    value={form.which === 'quantity' ? (formText(v, 'quantity') ?? '') : ''}
                    error={form.which === 'quantity' ? e.quantity : undefined}
                    inputmode="decimal"
                    width={12}
                    maxlength={20}
                    required
                    requiredLabel={t('common.required')}
                  />
                </div>
                <div class="kern-btn-wrapper">
                  <Button label={t.code('agreements_page.change')} variant="secondary" />
                </div>
              </form>
            </section>
          ) : null}
          {canManage && !ended && a.noticeGivenOn === null ? (
            <section aria-labelledby="cancel-h" class="kern-stack">
              <h2 class="kern-heading-medium" id="cancel-h">
                {t.code('agreements_page.cancel_title')}
              </h2>
              <Alert
                variant="info"
                title={t.code('agreements_page.earliest', { date: formatDate(earliest, lang) })}
              >
                <p class="kern-body">
                  {t.code('agreements_page.earliest_explained', {
                    days: noticeDays,
                    today: formatDate(d.day, lang),
                    date: formatDate(earliest, lang),
                  })}
                </p>
              </Alert>
              <form method="post" action={`${base}/${a.id}/kuendigen`} class="kern-stack" novalidate>
                <Csrf token={csrf} />
                <input type="hidden" name="version" value={String(a.version)} />
                <TextField
                  name="endsOn"
                  type="date"
                  label={t.code('agreements_page.cancel_end')}
                  hint={t.code('agreements_page.cancel_end_hint', { date: formatDate(earliest, lang) })}
                  value={form.which === 'cancel' ? (formText(v, 'endsOn') ?? earliest) : earliest}
                  error={form.which === 'cancel' ? e.endsOn : undefined}
                  required
                  requiredLabel={t('common.required')}
                />
                <div class="kern-btn-wrapper">
                  <Button label={t.code('agreements_page.cancel')} variant="secondary" />
                </div>
              </form>
            </section>
          ) : null}
          <p class="kern-body">
            <a class="kern-link" href={base}>
              {t.code('agreements_page.back', { name: d.member.name })}
            </a>
          </p>
        </div>
      ),
    });
  };

  type AgreementParams = { Params: { memberId: string; agreementId: string } };

  app.get<AgreementParams>('/mitglieder/:memberId/vereinbarungen/:agreementId', async (req, reply) => {
    if (!guard(req, reply, req.params.memberId, req.params.agreementId)) return;
    return agreementPage(req, reply, req.params.memberId, req.params.agreementId);
  });

  app.post<AgreementParams>('/mitglieder/:memberId/vereinbarungen/:agreementId/menge', async (req, reply) => {
    if (!guard(req, reply, req.params.memberId, req.params.agreementId)) return;
    const { memberId, agreementId } = req.params;
    await requireManage(req, memberId);
    const typed = normalizeQuantity(req);
    const form = parseForm(req, AgreementQuantityBody, {
      labels: { quantity: req.t.code('agreements_page.new_quantity') },
    });
    const values = { ...form.values, ...(typed !== undefined ? { quantity: typed } : {}) };
    const render = (errors: FieldErrors, message?: string, status = 422) =>
      agreementPage(req, reply, memberId, agreementId, {
        which: 'quantity',
        values,
        errors,
        message,
        status,
      });
    if (!form.ok) return render(form.errors);
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        await changeAgreementQuantity(t2, memberId, agreementId, form.data);
        return {
          to: `/mitglieder/${memberId}/vereinbarungen/${agreementId}`,
          flash: { title: 'agreements_page.changed' },
        };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return render(problem.errors, problem.message, problem.status);
      throw err;
    }
  });

  app.post<AgreementParams>(
    '/mitglieder/:memberId/vereinbarungen/:agreementId/kuendigen',
    async (req, reply) => {
      if (!guard(req, reply, req.params.memberId, req.params.agreementId)) return;
      const { memberId, agreementId } = req.params;
      await requireManage(req, memberId);
      const form = parseForm(req, AgreementCancelBody);
      const render = async (errors: FieldErrors, message?: string, status = 422) => {
        // A cancellation before the notice period says which day is the earliest.
        if (errors.endsOn === req.t.code('agreement.notice_period')) {
          const d = await load(req, memberId);
          const a = d.agreements.find((x) => x.id === agreementId);
          if (a) {
            const { earliest } = earliestFor(a, d.book, d.day);
            errors.endsOn = `${errors.endsOn} ${req.t.code('agreements_page.earliest', { date: formatDate(earliest, req.lang) })}.`;
          }
        }
        return agreementPage(req, reply, memberId, agreementId, {
          which: 'cancel',
          values: form.values,
          errors,
          message,
          status,
        });
      };
      if (!form.ok) return render(form.errors);
      try {
        return await submitOnce(req, reply, tx, async (t2) => {
          const a = await cancelAgreement(t2, memberId, agreementId, form.data);
          return {
            to: `/mitglieder/${memberId}/vereinbarungen/${agreementId}`,
            flash: { title: 'agreements_page.cancelled', params: { date: formatDate(a.endsOn, req.lang) } },
          };
        });
      } catch (err) {
        const problem = formProblem(err, req.t);
        if (problem) return render(problem.errors, problem.message, problem.status);
        throw err;
      }
    },
  );
}
