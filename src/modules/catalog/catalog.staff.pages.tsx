/**
 * The association's catalogue pages (permission catalog.edit): the versions with their state, a new
 * draft based on an earlier version, a version's services by category, the edit form of a draft's
 * service (prices typed in euros, stored as exact cents), and the comparison of two versions (public
 * for adopted versions). Adoption is the assembly's: the draft page links to /versammlung.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDate } from '../../shared/dates.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../shared/errors.js';
import { formatDecimal, formatEuro } from '../../shared/money.js';
import {
  Alert,
  Badge,
  Button,
  Csrf,
  DataTable,
  DescriptionList,
  ErrorSummary,
  type FieldErrors,
  FormHeading,
  LinkButton,
  SelectField,
  TextAreaField,
  TextField,
} from '../../web/components.js';
import { formProblem, submitOnce } from '../../web/form.js';
import type { Lang, T } from '../../web/i18n/index.js';
import type { RawHtml } from '../../web/jsx/jsx-runtime.js';
import { csrfToken, queryParams, sendPage } from '../../web/page.js';
import { sendPublicPage } from '../../web/public-layout.js';
import { hasPermission } from '../auth/permissions.js';
import {
  AGGREGATIONS,
  type ItemFormValues,
  itemFromForm,
  itemToValues,
  tierRows,
  VAT_KINDS,
} from './catalog.forms.js';
import { priceInWords } from './catalog.pages.js';
import {
  type CatalogItem,
  type CatalogVersion,
  catalogLookups,
  diffCatalogVersions,
  draftCatalogVersion,
  getCatalogVersion,
  listCatalogVersions,
  loadPriceBook,
  removeDraftItem,
  setDraftItem,
} from './catalog.service.js';
import type { CatalogDiffEntry, PriceChange } from './price-book.js';
import { PRICE_MODELS } from './pricing.js';

const VERSION_RE = /^\d{1,3}\.\d{1,3}$/;
const CODE_RE = /^[a-z][a-z0-9-]{1,63}$/;

export type VersionState = 'draft' | 'planned' | 'in_force' | 'superseded';

/** Each version with its state on `day` and its in-force period (the same rule as the API). */
export function versionStates(
  versions: readonly CatalogVersion[],
  periods: readonly { version: { id: string }; validFrom: string; validUntil: string | null }[],
  day: string,
) {
  const current = periods.find((p) => p.validFrom <= day && (p.validUntil === null || day <= p.validUntil));
  return versions.map((v) => {
    const period = periods.find((p) => p.version.id === v.id);
    const state: VersionState =
      v.status === 'draft'
        ? 'draft'
        : period && period === current
          ? 'in_force'
          : period && period.validFrom > day
            ? 'planned'
            : 'superseded';
    return {
      version: v,
      state,
      validFrom: period?.validFrom ?? null,
      validUntil: period?.validUntil ?? null,
    };
  });
}

function stateBadge(t: T, lang: Lang, s: { state: VersionState; validFrom: string | null }) {
  switch (s.state) {
    case 'draft':
      return <Badge variant="warning" label={t.code('catalog_staff.state_draft')} />;
    case 'planned':
      return (
        <Badge
          variant="info"
          label={t.code('catalog_staff.state_planned', { from: formatDate(s.validFrom, lang) })}
        />
      );
    case 'in_force':
      return (
        <Badge
          variant="success"
          label={t.code('catalog_staff.state_in_force', { from: formatDate(s.validFrom, lang) })}
        />
      );
    case 'superseded':
      return <Badge variant="info" label={t.code('catalog_staff.state_superseded')} />;
  }
}

/** The figure of a price change, in words: euros for amounts, a number for bounds and sizes. */
function changeValue(c: PriceChange, v: string | null, t: T, lang: Lang): string {
  if (v === null) return '–';
  if (c.field === 'model') return t.code(`price_model.${v}`);
  if (c.field.includes('Cents')) return formatEuro(v, lang);
  return formatDecimal(v, lang);
}

function changeLabel(field: string, t: T): string {
  const m = /^tiers\[(\d+)\]\.(\w+)$/.exec(field);
  if (m) return t.code(`catalog_diff.field.tier_${m[2]}`, { tier: m[1] ?? '' });
  return t.code(`catalog_diff.field.${field}`);
}

/** "+5,3 %" / "−12,5 %" */
export function percentText(p: string, lang: Lang): string {
  const neg = p.startsWith('-');
  const abs = formatDecimal(neg ? p.slice(1) : p, lang);
  return `${neg ? '−' : p === '0' || p === '0.0' ? '±' : '+'}${abs} %`;
}

export async function catalogStaffPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  const requireEditor = (req: FastifyRequest) => {
    if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
    if (!hasPermission(req.ctx, 'catalog.edit')) throw new ForbiddenError('catalog.edit');
  };
  const name = (lang: Lang, x: { nameDe: string; nameEn: string }) => (lang === 'de' ? x.nameDe : x.nameEn);
  const crumbs = (t: T, version?: CatalogVersion) => [
    { href: '/leistungen', label: t.code('nav.catalog') },
    { href: '/leistungen/versionen', label: t.code('catalog_staff.versions_title') },
    ...(version ? [{ href: `/leistungen/versionen/${version.number}`, label: version.title }] : []),
  ];

  // ---- versions ----

  const versionsPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    form: { values?: Record<string, string>; errors?: FieldErrors; message?: string; status?: number } = {},
  ) => {
    const t = req.t;
    const lang = req.lang;
    const { versions, book, day } = await tx(req, async (t2) => ({
      versions: await listCatalogVersions(t2),
      book: await loadPriceBook(t2),
      day: t2.ctx.clock.today(),
    }));
    const states = versionStates(versions, book.periods, day);
    const current = states.find((s) => s.state === 'in_force');
    const v = form.values ?? {};
    const e = form.errors ?? {};
    const title = t.code('catalog_staff.versions_title');
    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: '/leistungen',
      breadcrumbs: [{ href: '/leistungen', label: t.code('nav.catalog') }],
      body: (
        <div class="kern-stack-lg">
          <FormHeading title={title} errors={e} t={t} message={form.message} />
          <p class="kern-body">{t.code('catalog_staff.versions_intro')}</p>
          <DataTable
            id="versions"
            caption={title}
            variant="striped"
            columns={[
              { label: t.code('catalog_staff.version') },
              { label: t.code('catalog_staff.status') },
              { label: t.code('catalog_staff.adopted_on') },
              { label: t.code('catalog_staff.in_force') },
              { label: t.code('catalog_staff.resolution') },
            ]}
          >
            {states.map((s) => (
              <tr class="kern-table__row">
                <th scope="row" class="kern-table__header">
                  <a class="kern-link" href={`/leistungen/versionen/${s.version.number}`}>
                    {s.version.title}
                  </a>
                </th>
                <td class="kern-table__cell">{stateBadge(t, lang, s)}</td>
                <td class="kern-table__cell">{formatDate(s.version.adoptedOn, lang) || '–'}</td>
                <td class="kern-table__cell">
                  {s.validFrom
                    ? s.validUntil
                      ? t.code('catalog_staff.period', {
                          from: formatDate(s.validFrom, lang),
                          until: formatDate(s.validUntil, lang),
                        })
                      : t.code('catalog_staff.period_open', { from: formatDate(s.validFrom, lang) })
                    : s.version.inForceFrom
                      ? t.code('catalog_staff.planned_from', {
                          from: formatDate(s.version.inForceFrom, lang),
                        })
                      : '–'}
                </td>
                <td class="kern-table__cell">{s.version.resolutionRef ?? '–'}</td>
              </tr>
            ))}
          </DataTable>
          <p class="kern-body">
            <a class="kern-link" href="/leistungen/vergleich">
              {t.code('catalog_staff.compare_link')}
            </a>
          </p>
          <section aria-labelledby="new-draft-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="new-draft-h">
              {t.code('catalog_staff.new_draft')}
            </h2>
            <p class="kern-body">{t.code('catalog_staff.new_draft_intro')}</p>
            <form method="post" action="/leistungen/versionen" class="kern-stack" novalidate>
              <Csrf token={csrfToken(req, reply)} />
              <div class="form-grid">
                <TextField
                  name="number"
                  label={t.code('catalog_staff.number')}
                  hint={t.code('catalog_staff.number_hint')}
                  value={v.number ?? ''}
                  error={e.number}
                  required
                  requiredLabel={t('common.required')}
                  maxlength={7}
                  width={8}
                />
                <SelectField
                  name="basedOn"
                  label={t.code('catalog_staff.based_on')}
                  value={v.basedOn ?? current?.version.id ?? ''}
                  error={e.basedOn}
                  options={[
                    { value: '', label: t.code('catalog_staff.based_on_none') },
                    ...versions.map((x) => ({ value: x.id, label: x.title })),
                  ]}
                />
                <TextField
                  name="inForceFrom"
                  type="date"
                  label={t.code('catalog_staff.planned_in_force')}
                  hint={t.code('catalog_staff.planned_in_force_hint')}
                  value={v.inForceFrom ?? ''}
                  error={e.inForceFrom}
                  optionalLabel={t('common.optional')}
                />
              </div>
              <TextField
                name="title"
                label={t.code('catalog_staff.title')}
                hint={t.code('catalog_staff.title_hint')}
                value={v.title ?? ''}
                error={e.title}
                optionalLabel={t('common.optional')}
                maxlength={200}
              />
              <div class="kern-btn-wrapper">
                <Button label={t.code('catalog_staff.create_draft')} />
              </div>
            </form>
          </section>
        </div>
      ),
    });
  };

  app.get('/leistungen/versionen', async (req, reply) => {
    requireEditor(req);
    return versionsPage(req, reply);
  });

  app.post('/leistungen/versionen', async (req, reply) => {
    requireEditor(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const s = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
    const values = {
      number: s('number'),
      basedOn: s('basedOn'),
      inForceFrom: s('inForceFrom'),
      title: s('title'),
    };
    const render = (errors: FieldErrors, message?: string, status = 422) =>
      versionsPage(req, reply, { values, errors, message, status });
    if (values.number === '') return render({ number: req.t('form.required') });
    if (values.basedOn !== '' && !/^[0-9a-f-]{36}$/.test(values.basedOn))
      return render({ basedOn: req.t('form.choose') });
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        const draft = await draftCatalogVersion(t2, {
          number: values.number,
          title: values.title || req.t.code('catalog_staff.default_title', { number: values.number }),
          basedOn: values.basedOn || null,
          inForceFrom: values.inForceFrom || null,
        });
        return {
          to: `/leistungen/versionen/${draft.number}`,
          flash: { title: 'catalog_staff.draft_created', params: { number: draft.number } },
        };
      });
    } catch (err) {
      if (err instanceof NotFoundError) return render({ basedOn: req.t('form.choose') });
      const problem = formProblem(err, req.t);
      if (problem) return render(problem.errors, problem.message, problem.status);
      throw err;
    }
  });

  // ---- one version ----

  const loadVersion = async (req: FastifyRequest, number: string) =>
    tx(req, async (t2) => ({
      ...(await getCatalogVersion(t2, { number })),
      lookups: await catalogLookups(t2),
    }));

  const versionPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    number: string,
    form: { message?: string; status?: number } = {},
  ) => {
    const t = req.t;
    const lang = req.lang;
    const { version, items, lookups } = await loadVersion(req, number);
    const draft = version.status === 'draft';
    const unitName = (code: string) => lookups.units.get(code)?.[lang] ?? code;
    const groups = lookups.categories
      .map((c) => ({ category: c, items: items.filter((i) => i.categoryCode === c.code) }))
      .filter((g) => g.items.length > 0);
    const csrf = csrfToken(req, reply);
    const base = `/leistungen/versionen/${version.number}`;
    return sendPage(req, reply, {
      title: version.title,
      status: form.status,
      nav: '/leistungen',
      breadcrumbs: crumbs(t),
      body: (
        <div class="kern-stack-lg">
          <div class="page-header">
            <hgroup class="kern-hgroup">
              <p class="kern-preline">
                {draft ? t.code('catalog_staff.state_draft') : t.code('catalog_staff.adopted')}
              </p>
              <h1 class="kern-heading-x-large">{version.title}</h1>
            </hgroup>
            {draft ? (
              <div class="kern-btn-wrapper">
                <LinkButton
                  href={`${base}/neue-leistung`}
                  label={t.code('catalog_staff.add_item')}
                  variant="primary"
                />
              </div>
            ) : null}
          </div>
          <ErrorSummary errors={{}} t={t} message={form.message} />
          {draft ? (
            <Alert variant="info" title={t.code('catalog_staff.draft_note_title')}>
              <p class="kern-body">
                {t.code('catalog_staff.draft_note')}{' '}
                <a class="kern-link" href="/versammlung">
                  {t.code('catalog_staff.assembly_link')}
                </a>
              </p>
            </Alert>
          ) : (
            <Alert variant="info" title={t.code('catalog_staff.readonly_title')}>
              <p class="kern-body">{t.code('catalog.version_adopted')}</p>
            </Alert>
          )}
          <DescriptionList
            items={[
              [t.code('catalog_staff.number'), version.number],
              [t.code('catalog_staff.adopted_on'), formatDate(version.adoptedOn, lang)],
              [
                draft ? t.code('catalog_staff.planned_in_force') : t.code('catalog_staff.in_force_from'),
                formatDate(version.inForceFrom, lang),
              ],
              [t.code('catalog_staff.resolution'), version.resolutionRef],
              [t.code('catalog_staff.item_count'), String(items.length)],
            ]}
          />
          <p class="kern-body">
            <a class="kern-link" href={`/leistungen/vergleich?bis=${encodeURIComponent(version.number)}`}>
              {t.code('catalog_staff.compare_this')}
            </a>
          </p>
          {items.length === 0 ? <p class="kern-body">{t.code('catalog_staff.no_items')}</p> : null}
          {groups.map(({ category, items: list }) => (
            <section class="kern-stack" aria-labelledby={`cat-${category.code}`}>
              <h2 class="kern-heading-medium" id={`cat-${category.code}`}>
                {name(lang, category)}
              </h2>
              <DataTable
                id={`items-${category.code}`}
                caption={name(lang, category)}
                columns={[
                  { label: t.code('catalog_staff.item_number') },
                  { label: t.code('catalog_staff.item_name') },
                  { label: t.code('catalog_staff.item_price') },
                  { label: t.code('catalog_staff.item_notice') },
                  ...(draft ? [{ label: t.code('catalog_staff.actions'), hidden: true }] : []),
                ]}
              >
                {list.map((i) => (
                  <tr class="kern-table__row">
                    <td class="kern-table__cell">{i.number}</td>
                    <th scope="row" class="kern-table__header">
                      {/* Only a draft's services have an edit form; an adopted version is read here. */}
                      {draft ? (
                        <a class="kern-link" href={`${base}/leistungen/${i.serviceCode}`}>
                          {name(lang, i)}
                        </a>
                      ) : (
                        name(lang, i)
                      )}
                      {(lang === 'de' ? i.descriptionDe : i.descriptionEn) ? (
                        <span class="kern-body kern-body--small kern-body--muted">
                          {` – ${lang === 'de' ? i.descriptionDe : i.descriptionEn}`}
                        </span>
                      ) : null}
                    </th>
                    <td class="kern-table__cell">{priceInWords(i.price, unitName(i.unitCode), t, lang)}</td>
                    <td class="kern-table__cell">{t.code('catalog_staff.days', { days: i.noticeDays })}</td>
                    {draft ? (
                      <td class="kern-table__cell">
                        <form method="post" action={`${base}/leistungen/${i.serviceCode}/entfernen`}>
                          <Csrf token={csrf} />
                          <button type="submit" class="kern-btn kern-btn--tertiary">
                            <span class="kern-label">
                              {t.code('catalog_staff.remove')}
                              <span class="kern-sr-only">: {name(lang, i)}</span>
                            </span>
                          </button>
                        </form>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </DataTable>
            </section>
          ))}
        </div>
      ),
    });
  };

  app.get<{ Params: { number: string } }>('/leistungen/versionen/:number', async (req, reply) => {
    requireEditor(req);
    if (!VERSION_RE.test(req.params.number)) return reply.callNotFound();
    return versionPage(req, reply, req.params.number);
  });

  app.post<{ Params: { number: string; serviceCode: string } }>(
    '/leistungen/versionen/:number/leistungen/:serviceCode/entfernen',
    async (req, reply) => {
      requireEditor(req);
      const { number, serviceCode } = req.params;
      if (!VERSION_RE.test(number) || !CODE_RE.test(serviceCode)) return reply.callNotFound();
      const { version } = await loadVersion(req, number);
      try {
        return await submitOnce(req, reply, tx, async (t2) => {
          await removeDraftItem(t2, version.id, serviceCode);
          return {
            to: `/leistungen/versionen/${number}`,
            flash: { title: 'catalog_staff.item_removed' },
          };
        });
      } catch (err) {
        const problem = formProblem(err, req.t);
        if (problem)
          return versionPage(req, reply, number, { message: problem.message, status: problem.status });
        throw err;
      }
    },
  );

  // ---- one service of a version ----

  const itemPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    opts: {
      number: string;
      serviceCode?: string;
      values?: ItemFormValues;
      errors?: FieldErrors;
      message?: string;
      status?: number;
    },
  ) => {
    const t = req.t;
    const lang = req.lang;
    const { version, items, lookups } = await loadVersion(req, opts.number);
    const item = opts.serviceCode ? items.find((i) => i.serviceCode === opts.serviceCode) : undefined;
    if (opts.serviceCode && !item) throw new NotFoundError('catalog_item');
    const draft = version.status === 'draft';
    const base = `/leistungen/versionen/${version.number}`;
    const title = item
      ? t.code(draft ? 'catalog_staff.edit_item' : 'catalog_staff.show_item', {
          name: `${item.number} ${name(lang, item)}`,
        })
      : t.code('catalog_staff.add_item');
    const v: ItemFormValues =
      opts.values ??
      (item ? itemToValues(item, lang) : { vat: 'not_taxable', noticeDays: '90', model: 'unit' });
    const s = (k: string) => v[k] ?? '';
    const e = opts.errors ?? {};
    const req_ = t('common.required');
    const opt = t('common.optional');
    const unitName = (code: string) => lookups.units.get(code)?.[lang] ?? code;
    const field = (
      key: string,
      label: string,
      extra: {
        hint?: string;
        required?: boolean;
        inputmode?: string;
        width?: 2 | 4 | 5 | 8 | 12;
        maxlength?: number;
      } = {},
    ) => (
      <TextField
        name={key}
        label={label}
        value={s(key)}
        error={e[key]}
        hint={extra.hint}
        required={extra.required}
        requiredLabel={extra.required ? req_ : undefined}
        optionalLabel={extra.required ? undefined : opt}
        inputmode={extra.inputmode}
        width={extra.width}
        maxlength={extra.maxlength}
      />
    );
    const money = (key: string, label: string, hint?: string) =>
      field(key, label, { hint, inputmode: 'decimal', width: 12, maxlength: 20 });
    const rows = tierRows(v);
    const action = item ? `${base}/leistungen/${item.serviceCode}` : `${base}/neue-leistung`;
    return sendPage(req, reply, {
      title,
      status: opts.status,
      nav: '/leistungen',
      breadcrumbs: crumbs(t, version),
      body: (
        <div class="kern-stack">
          <FormHeading title={title} errors={e} t={t} message={opts.message} />
          {!draft ? (
            <>
              <Alert variant="info" title={t.code('catalog_staff.readonly_title')}>
                <p class="kern-body">{t.code('catalog.version_adopted')}</p>
              </Alert>
              {item ? (
                <DescriptionList
                  items={[
                    [t.code('catalog_staff.item_number'), item.number],
                    [t.code('catalog_staff.item_name'), name(lang, item)],
                    [
                      t.code('catalog_staff.item_description'),
                      (lang === 'de' ? item.descriptionDe : item.descriptionEn) ?? '',
                    ],
                    [
                      t.code('catalog_staff.item_price'),
                      priceInWords(item.price, unitName(item.unitCode), t, lang),
                    ],
                    [
                      t.code('catalog_staff.item_notice'),
                      t.code('catalog_staff.days', { days: item.noticeDays }),
                    ],
                  ]}
                />
              ) : null}
              <p class="kern-body">
                <a class="kern-link" href={base}>
                  {t.code('catalog_staff.back_to_version', { title: version.title })}
                </a>
              </p>
            </>
          ) : (
            <form method="post" action={action} class="kern-stack" novalidate>
              <Csrf token={csrfToken(req, reply)} />
              <p class="kern-body">{t.code('catalog_staff.item_intro', { title: version.title })}</p>
              <fieldset class="kern-fieldset">
                <legend class="kern-label kern-label--large">
                  {t.code('catalog_staff.section_service')}
                </legend>
                <div class="kern-fieldset__body kern-stack">
                  <div class="form-grid">
                    {item
                      ? null
                      : field('serviceCode', t.code('catalog_staff.item_code'), {
                          hint: t.code('catalog_staff.item_code_hint'),
                          required: true,
                          maxlength: 64,
                        })}
                    {field('number', t.code('catalog_staff.item_number'), {
                      required: true,
                      width: 8,
                      maxlength: 20,
                    })}
                    <SelectField
                      name="categoryCode"
                      label={t.code('catalog_staff.item_category')}
                      value={s('categoryCode')}
                      error={e.categoryCode}
                      required
                      requiredLabel={req_}
                      options={[
                        { value: '', label: t.code('catalog_staff.choose') },
                        ...lookups.categories.map((c) => ({ value: c.code, label: name(lang, c) })),
                      ]}
                    />
                  </div>
                  <div class="form-grid">
                    {field('nameDe', t.code('catalog_staff.item_name_de'), {
                      required: true,
                      maxlength: 200,
                    })}
                    {field('nameEn', t.code('catalog_staff.item_name_en'), { maxlength: 200 })}
                  </div>
                  <TextAreaField
                    name="descriptionDe"
                    label={t.code('catalog_staff.item_description_de')}
                    value={s('descriptionDe')}
                    error={e.descriptionDe}
                    optionalLabel={opt}
                    maxlength={4000}
                  />
                  <TextAreaField
                    name="descriptionEn"
                    label={t.code('catalog_staff.item_description_en')}
                    value={s('descriptionEn')}
                    error={e.descriptionEn}
                    optionalLabel={opt}
                    maxlength={4000}
                  />
                </div>
              </fieldset>
              <fieldset class="kern-fieldset">
                <legend class="kern-label kern-label--large">{t.code('catalog_staff.section_usage')}</legend>
                <div class="kern-fieldset__body form-grid">
                  <SelectField
                    name="unitCode"
                    label={t.code('catalog_staff.item_unit')}
                    value={s('unitCode')}
                    error={e.unitCode}
                    required
                    requiredLabel={req_}
                    options={[
                      { value: '', label: t.code('catalog_staff.choose') },
                      ...[...lookups.units].map(([code, n]) => ({ value: code, label: n[lang] })),
                    ]}
                  />
                  {field('meterKey', t.code('catalog_staff.item_meter'), {
                    hint: t.code('catalog_staff.item_meter_hint'),
                    maxlength: 64,
                  })}
                  <SelectField
                    name="aggregation"
                    label={t.code('catalog_staff.item_aggregation')}
                    hint={t.code('catalog_staff.item_aggregation_hint')}
                    value={s('aggregation')}
                    error={e.aggregation}
                    options={[
                      { value: '', label: t.code('catalog_staff.aggregation_none') },
                      ...AGGREGATIONS.map((a) => ({ value: a, label: t.code(`aggregation.${a}`) })),
                    ]}
                  />
                </div>
              </fieldset>
              <fieldset class="kern-fieldset">
                <legend class="kern-label kern-label--large">{t.code('catalog_staff.section_price')}</legend>
                <div class="kern-fieldset__body kern-stack">
                  <p class="kern-body">{t.code('catalog_staff.price_intro')}</p>
                  <SelectField
                    name="model"
                    label={t.code('catalog_staff.price_model')}
                    value={s('model')}
                    error={e.model}
                    required
                    requiredLabel={req_}
                    options={PRICE_MODELS.map((m) => ({ value: m, label: t.code(`price_model.${m}`) }))}
                  />
                  <div class="form-grid">
                    {money(
                      'unitPrice',
                      t.code('catalog_staff.unit_price'),
                      t.code('catalog_staff.for_model', { model: t.code('price_model.unit') }),
                    )}
                    {money(
                      'flatMonthly',
                      t.code('catalog_staff.flat_monthly'),
                      t.code('catalog_staff.for_model', { model: t.code('price_model.flat') }),
                    )}
                    {money(
                      'perInhabitant',
                      t.code('catalog_staff.per_inhabitant'),
                      t.code('catalog_staff.for_model', { model: t.code('price_model.per_inhabitant') }),
                    )}
                  </div>
                  <div class="form-grid">
                    {field('packageSize', t.code('catalog_staff.package_size'), {
                      hint: t.code('catalog_staff.for_model', { model: t.code('price_model.package') }),
                      inputmode: 'decimal',
                      width: 12,
                      maxlength: 20,
                    })}
                    {money(
                      'packagePrice',
                      t.code('catalog_staff.package_price'),
                      t.code('catalog_staff.for_model', { model: t.code('price_model.package') }),
                    )}
                  </div>
                  <fieldset class="kern-fieldset">
                    <legend class="kern-label">{t.code('catalog_staff.tiers')}</legend>
                    <div class="kern-fieldset__body kern-stack">
                      <p class="kern-hint">{t.code('catalog_staff.tiers_hint')}</p>
                      {Array.from({ length: rows }, (_, n) => (
                        <div class="form-grid">
                          {field(`tier${n + 1}UpTo`, t.code('catalog_staff.tier_up_to', { tier: n + 1 }), {
                            inputmode: 'decimal',
                            width: 12,
                            maxlength: 20,
                          })}
                          {money(`tier${n + 1}Price`, t.code('catalog_staff.tier_price', { tier: n + 1 }))}
                          {money(`tier${n + 1}Flat`, t.code('catalog_staff.tier_flat', { tier: n + 1 }))}
                        </div>
                      ))}
                    </div>
                  </fieldset>
                  <div class="form-grid">
                    {money('minimum', t.code('catalog_staff.minimum'), t.code('catalog_staff.minimum_hint'))}
                  </div>
                </div>
              </fieldset>
              <fieldset class="kern-fieldset">
                <legend class="kern-label kern-label--large">{t.code('catalog_staff.section_terms')}</legend>
                <div class="kern-fieldset__body form-grid">
                  <SelectField
                    name="vat"
                    label={t.code('catalog_staff.vat')}
                    value={s('vat')}
                    error={e.vat}
                    required
                    requiredLabel={req_}
                    options={VAT_KINDS.map((k) => ({ value: k, label: t.code(`vat.${k}`) }))}
                  />
                  {field('vatNote', t.code('catalog_staff.vat_note'), {
                    hint: t.code('catalog_staff.vat_note_hint'),
                    maxlength: 500,
                  })}
                  {field('noticeDays', t.code('catalog_staff.notice_days'), {
                    inputmode: 'numeric',
                    width: 5,
                    maxlength: 4,
                  })}
                </div>
              </fieldset>
              <div class="kern-btn-wrapper">
                <Button label={t('common.save')} />
                <LinkButton href={base} label={t('common.cancel')} variant="tertiary" />
              </div>
            </form>
          )}
        </div>
      ),
    });
  };

  const saveItem = async (req: FastifyRequest, reply: FastifyReply, number: string, serviceCode?: string) => {
    const t = req.t;
    const { version, items, lookups } = await loadVersion(req, number);
    const base = serviceCode ? items.find((i) => i.serviceCode === serviceCode) : undefined;
    if (serviceCode && !base) throw new NotFoundError('catalog_item');
    const known = {
      categories: new Set(lookups.categories.map((c) => c.code)),
      units: new Set(lookups.units.keys()),
    };
    const parsed = itemFromForm((req.body ?? {}) as Record<string, unknown>, req.lang, known, base);
    const render = (errors: FieldErrors, message?: string, status = 422) =>
      itemPage(req, reply, {
        number,
        ...(serviceCode ? { serviceCode } : {}),
        values: parsed.values,
        errors,
        message,
        status,
      });
    if (version.status !== 'draft') return render({}, t.code('catalog.version_adopted'), 409);
    if (!parsed.ok) {
      const errors: FieldErrors = {};
      for (const i of parsed.issues) errors[i.field] ??= t.code(i.code);
      return render(errors);
    }
    const item: CatalogItem = parsed.item;
    if (!serviceCode && items.some((i) => i.serviceCode === item.serviceCode)) {
      return render({ serviceCode: t.code('catalog_item.code_taken') }, undefined, 409);
    }
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        await setDraftItem(t2, version.id, item);
        return {
          to: `/leistungen/versionen/${number}`,
          flash: { title: 'catalog_staff.item_saved', params: { name: item.nameDe } },
        };
      });
    } catch (err) {
      const problem = formProblem(err, t);
      if (problem) return render(problem.errors, problem.message, problem.status);
      throw err;
    }
  };

  app.get<{ Params: { number: string } }>(
    '/leistungen/versionen/:number/neue-leistung',
    async (req, reply) => {
      requireEditor(req);
      if (!VERSION_RE.test(req.params.number)) return reply.callNotFound();
      return itemPage(req, reply, { number: req.params.number });
    },
  );

  app.post<{ Params: { number: string } }>(
    '/leistungen/versionen/:number/neue-leistung',
    async (req, reply) => {
      requireEditor(req);
      if (!VERSION_RE.test(req.params.number)) return reply.callNotFound();
      return saveItem(req, reply, req.params.number);
    },
  );

  app.get<{ Params: { number: string; serviceCode: string } }>(
    '/leistungen/versionen/:number/leistungen/:serviceCode',
    async (req, reply) => {
      requireEditor(req);
      const { number, serviceCode } = req.params;
      if (!VERSION_RE.test(number) || !CODE_RE.test(serviceCode)) return reply.callNotFound();
      return itemPage(req, reply, { number, serviceCode });
    },
  );

  app.post<{ Params: { number: string; serviceCode: string } }>(
    '/leistungen/versionen/:number/leistungen/:serviceCode',
    async (req, reply) => {
      requireEditor(req);
      const { number, serviceCode } = req.params;
      if (!VERSION_RE.test(number) || !CODE_RE.test(serviceCode)) return reply.callNotFound();
      return saveItem(req, reply, number, serviceCode);
    },
  );

  // ---- comparison ----

  app.get('/leistungen/vergleich', async (req, reply) => {
    const t = req.t;
    const lang = req.lang;
    const q = queryParams(req.query);
    const editor = req.principal?.kind === 'user' && hasPermission(req.ctx, 'catalog.edit');
    const { versions, lookups } = await tx(req, async (t2) => ({
      versions: (await listCatalogVersions(t2)).filter((v) => editor || v.status === 'adopted'),
      lookups: await catalogLookups(t2),
    }));
    const adopted = versions.filter((v) => v.status === 'adopted');
    // Default: the latest version against the one before it.
    const bis = q.bis && VERSION_RE.test(q.bis) ? q.bis : versions.at(-1)?.number;
    const bisIndex = versions.findIndex((v) => v.number === bis);
    const before = bisIndex > 0 ? versions[bisIndex - 1] : adopted.at(-2);
    const von = q.von && VERSION_RE.test(q.von) ? q.von : before?.number;
    const errors: FieldErrors = {};
    const from = versions.find((v) => v.number === von);
    const to = versions.find((v) => v.number === bis);
    if (q.von !== undefined && !from) errors.von = t.code('catalog_diff.unknown_version');
    if (q.bis !== undefined && !to) errors.bis = t.code('catalog_diff.unknown_version');
    const diff =
      from && to && from.id !== to.id
        ? await tx(req, (t2) => diffCatalogVersions(t2, from.id, to.id))
        : undefined;
    const unitName = (code: string) => lookups.units.get(code)?.[lang] ?? code;
    const title = t.code('catalog_diff.title');
    const options = versions.map((v) => ({
      value: v.number,
      label: v.status === 'draft' ? `${v.title} (${t.code('catalog_staff.state_draft')})` : v.title,
    }));
    const changeName = (c: CatalogDiffEntry['change']) => t.code(`catalog_diff.${c}`);
    const body: RawHtml = (
      <div class="kern-stack">
        <FormHeading title={title} errors={errors} t={t} />
        <p class="kern-body">{t.code('catalog_diff.intro')}</p>
        {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for older screen readers */}
        <form method="get" action="/leistungen/vergleich" class="filters" role="search" aria-label={title}>
          <SelectField
            name="von"
            label={t.code('catalog_diff.from')}
            value={from?.number ?? ''}
            error={errors.von}
            options={options}
          />
          <SelectField
            name="bis"
            label={t.code('catalog_diff.to')}
            value={to?.number ?? ''}
            error={errors.bis}
            options={options}
          />
          <div class="kern-btn-wrapper">
            <Button label={t.code('catalog_diff.compare')} variant="secondary" />
          </div>
        </form>
        {diff ? (
          <>
            <h2 class="kern-heading-medium">
              {t.code('catalog_diff.heading', { from: diff.from.title, to: diff.to.title })}
            </h2>
            <p class="kern-body" role="status">
              {t.code('catalog_diff.summary', {
                added: diff.entries.filter((x) => x.change === 'added').length,
                removed: diff.entries.filter((x) => x.change === 'removed').length,
                changed: diff.entries.filter((x) => x.change === 'changed').length,
              })}
            </p>
            {diff.entries.length === 0 ? null : (
              <DataTable
                id="diff"
                caption={t.code('catalog_diff.heading', { from: diff.from.title, to: diff.to.title })}
                variant="striped"
                columns={[
                  { label: t.code('catalog_staff.item_name') },
                  { label: t.code('catalog_diff.change') },
                  { label: t.code('catalog_diff.old_price', { version: diff.from.number }) },
                  { label: t.code('catalog_diff.new_price', { version: diff.to.number }) },
                  { label: t.code('catalog_diff.details') },
                ]}
              >
                {diff.entries.map((x) => {
                  const shown = x.change === 'removed' ? x.from : x.to;
                  const old = x.change === 'added' ? null : x.from;
                  const neu = x.change === 'removed' ? null : x.to;
                  return (
                    <tr class="kern-table__row">
                      <th scope="row" class="kern-table__header">
                        {shown.number} {name(lang, shown)}
                      </th>
                      <td class="kern-table__cell">
                        <Badge
                          variant={
                            x.change === 'added' ? 'success' : x.change === 'removed' ? 'danger' : 'warning'
                          }
                          label={changeName(x.change)}
                        />
                      </td>
                      <td class="kern-table__cell">
                        {old ? priceInWords(old.price, unitName(old.unitCode), t, lang) : '–'}
                      </td>
                      <td class="kern-table__cell">
                        {neu ? priceInWords(neu.price, unitName(neu.unitCode), t, lang) : '–'}
                      </td>
                      <td class="kern-table__cell">
                        {x.change === 'changed' ? (
                          <ul class="kern-list">
                            {x.prices.map((c) => (
                              <li>
                                {changeLabel(c.field, t)}: {changeValue(c, c.from, t, lang)} →{' '}
                                {changeValue(c, c.to, t, lang)}
                                {c.percent !== null ? ` (${percentText(c.percent, lang)})` : ''}
                              </li>
                            ))}
                            {x.fields.length > 0 ? (
                              <li>
                                {t.code('catalog_diff.also_changed', {
                                  fields: x.fields
                                    .map((f) => t.code(`catalog_diff.item_field.${f}`))
                                    .join(', '),
                                })}
                              </li>
                            ) : null}
                          </ul>
                        ) : (
                          '–'
                        )}
                      </td>
                    </tr>
                  );
                })}
              </DataTable>
            )}
          </>
        ) : from && to ? (
          <p class="kern-body">{t.code('catalog_diff.same')}</p>
        ) : null}
      </div>
    );
    const status = Object.keys(errors).length > 0 ? 404 : 200;
    return req.principal
      ? sendPage(req, reply, {
          title,
          body,
          status,
          nav: '/leistungen',
          breadcrumbs: [{ href: '/leistungen', label: t.code('nav.catalog') }],
        })
      : sendPublicPage(req, reply, { title, body, status });
  });
}
