/**
 * Member pages: the association's member list with search and filters, a member's detail page (for
 * member staff: "our municipality"), registration, editing, admission and withdrawal.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDate } from '../../shared/dates.js';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors.js';
import { compactKey, districtOf } from '../../shared/identifiers.js';
import { isUuid } from '../../shared/ids.js';
import {
  Badge,
  Button,
  Csrf,
  DataTable,
  DescriptionList,
  ErrorSummary,
  type FieldErrors,
  FormHeading,
  LinkButton,
  Pagination,
  SelectField,
  TextField,
} from '../../web/components.js';
import { formProblem, parseForm, submitOnce } from '../../web/form.js';
import { type Lang, numberFormat, type T } from '../../web/i18n/index.js';
import type { Child } from '../../web/jsx/jsx-runtime.js';
import { memberNav } from '../../web/layout.js';
import { csrfToken, queryParams, sendPage } from '../../web/page.js';
import { hasPermission } from '../auth/permissions.js';
import { getAdmission } from '../governance/admission.service.js';
import {
  MEMBER_KINDS,
  MEMBER_STATUSES,
  MemberCreateBody,
  type MemberDto,
  MemberPatchBody,
  MemberStatusBody,
  type MemberSummaryDto,
} from './members.schema.js';
import {
  changeMemberStatus,
  checkMemberFields,
  createMember,
  getAmtMunicipalities,
  getMember,
  getMemberSummary,
  listMembers,
  MASTER_FIELDS,
  PROFILE_FIELDS,
  updateMember,
} from './members.service.js';
import { statusDisplay } from './members.status.js';

/** The status as shown: "Mitglied", or "Mitglied ab 01.01.2030", "scheidet aus zum 30.06.2031" (members.status.ts). */
export function statusBadge(t: T, lang: Lang, m: Pick<MemberSummaryDto, 'status' | 'nextStatus'>) {
  return <Badge {...statusDisplay(m, t, (day) => formatDate(day, lang))} />;
}

/** The district (Kreis or kreisfreie Stadt) of an AGS or ARS, as shown beside the key; '' if none. */
export function districtLabel(t: T, key: string | null | undefined): string {
  const d = key ? districtOf(compactKey(key)) : undefined;
  if (!d) return '';
  return d.kind === 'kreis'
    ? t('members.district_kreis', { name: d.name })
    : t('members.district_city', { name: d.name });
}

/** A key in monospace with its district beside it: "12069020 – Potsdam-Mittelmark (Kreis)". */
function KeyWithDistrict(props: { t: T; value: string | null }) {
  if (!props.value) return null;
  const district = districtLabel(props.t, props.value);
  return (
    <>
      <span class="mono">{props.value}</span>
      {district ? ` – ${district}` : ''}
    </>
  );
}

export async function memberPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  const requireUser = (req: FastifyRequest) => {
    if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
  };

  // The member list is the association's view (staff and auditors of the association).
  app.get('/mitglieder', async (req, reply) => {
    requireUser(req);
    const t = req.t;
    if (!req.principal!.isAssociation) throw new ForbiddenError('members.read');
    const q = queryParams(req.query);
    const kind = MEMBER_KINDS.includes(q.art as never) ? (q.art as MemberDto['kind']) : undefined;
    const status = MEMBER_STATUSES.includes(q.status as never)
      ? (q.status as MemberDto['status'])
      : undefined;
    const page = Math.min(10000, Math.max(1, Number.parseInt(q.seite ?? '1', 10) || 1));
    const search = (q.q ?? '').slice(0, 100);
    const list = await tx(req, (t2) => listMembers(t2, { q: search, kind, status, page, pageSize: 25 }));
    const nf = numberFormat(req.lang);
    const params = (p: number) => {
      const sp = new URLSearchParams();
      if (search) sp.set('q', search);
      if (kind) sp.set('art', kind);
      if (status) sp.set('status', status);
      if (p > 1) sp.set('seite', String(p));
      const s = sp.toString();
      return `/mitglieder${s ? `?${s}` : ''}`;
    };
    return sendPage(req, reply, {
      title: t('members.title'),
      nav: '/mitglieder',
      body: (
        <div>
          <div class="page-header">
            <h1 class="kern-heading-x-large">{t('members.title')}</h1>
            {hasPermission(req.ctx, 'members.manage') ? (
              <LinkButton href="/mitglieder/neu" label={t('members.new')} variant="primary" />
            ) : null}
          </div>
          {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for older screen readers */}
          <form
            method="get"
            action="/mitglieder"
            class="filters"
            role="search"
            aria-label={t('members.search_label')}
          >
            <TextField
              name="q"
              label={t('members.search')}
              value={search}
              type="search"
              hint={t('members.search_hint')}
            />
            <SelectField
              name="art"
              label={t('members.kind')}
              value={kind ?? ''}
              options={[
                { value: '', label: t('common.all') },
                ...MEMBER_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) })),
              ]}
            />
            <SelectField
              name="status"
              label={t('members.status')}
              value={status ?? ''}
              options={[
                { value: '', label: t('common.all') },
                ...MEMBER_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })),
              ]}
            />
            <div class="kern-btn-wrapper">
              <Button label={t('common.filter')} variant="secondary" />
              <a class="kern-link" href="/mitglieder">
                {t('common.reset')}
              </a>
            </div>
          </form>
          <p class="kern-body" role="status">
            {t('common.results', { total: list.total })}
          </p>
          <DataTable
            id="members"
            caption={t('members.title')}
            variant="striped"
            columns={[
              { label: t('members.name') },
              { label: t('members.kind') },
              { label: t('members.ags') },
              { label: t('members.population'), numeric: true },
              { label: t('members.status') },
            ]}
          >
            {list.items.map((m) => (
              <tr class="kern-table__row">
                <th scope="row" class="kern-table__header">
                  <a class="kern-link" href={`/mitglieder/${m.id}`}>
                    {m.name}
                  </a>
                  {m.isAssociation ? ` (${t('members.association')})` : ''}
                  {m.amtName ? (
                    <span class="kern-body kern-body--small kern-body--muted">{` – ${t('members.in_amt', { amt: m.amtName })}`}</span>
                  ) : null}
                </th>
                <td class="kern-table__cell">{t(`kind.${m.kind}`)}</td>
                <td class="kern-table__cell mono">{m.ags ?? '–'}</td>
                <td class="kern-table__cell kern-table__cell--numeric">
                  {m.population === null ? '–' : nf.format(m.population)}
                </td>
                <td class="kern-table__cell">
                  {m.isAssociation ? (
                    <Badge variant="info" label={t('members.association_self')} />
                  ) : (
                    statusBadge(t, req.lang, m)
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
          <Pagination t={t} page={list.page} pageSize={list.pageSize} total={list.total} hrefFor={params} />
        </div>
      ),
    });
  });

  const memberForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    opts: {
      member?: MemberDto;
      values: Record<string, unknown>;
      errors?: FieldErrors;
      message?: string;
      status?: number;
      amts: { id: string; name: string }[];
    },
  ) => {
    const t = req.t;
    const csrf = csrfToken(req, reply);
    const v = opts.values;
    const s = (k: string) => (v[k] === null || v[k] === undefined ? '' : String(v[k]));
    const e = opts.errors ?? {};
    const editing = Boolean(opts.member);
    const master = hasPermission(req.ctx, 'members.manage');
    const title = editing ? t('members.edit_title', { name: opts.member!.name }) : t('members.new');
    const opt = t('common.optional');
    const requiredText = t('common.required');
    const association = Boolean(opts.member?.isAssociation);
    // An Amt is asked for its Gemeindeverband key, not for an AGS or an Amt of its own: when editing
    // one, and on the new form for an Amt (/mitglieder/neu?art=amt, or after a submit with kind Amt).
    // An AGS typed for an Amt is still shown, with its error.
    const isAmt = (opts.member ? opts.member.kind : s('kind')) === 'amt';
    const showAgs = !association && (!isAmt || s('ags') !== '' || Boolean(e.ags));
    type FieldExtra = Omit<Parameters<typeof TextField>[0], 'name' | 'label' | 'value' | 'error'>;
    /**
     * A text field of this form with its value and error by name, marked optional unless it is
     * required (or `plain`: conditionally required, marked by its hint).
     */
    const field = (name: string, label: string, extra: FieldExtra & { plain?: boolean } = {}) => {
      const { plain, ...rest } = extra;
      const mark = plain ? {} : rest.required ? { requiredLabel: requiredText } : { optionalLabel: opt };
      return <TextField name={name} label={label} value={s(name)} error={e[name]} {...mark} {...rest} />;
    };
    const withDistrict = (hint: string, key: string) => {
      const district = districtLabel(t, key);
      return district ? `${hint} ${t('members.district_in', { district })}` : hint;
    };
    return sendPage(req, reply, {
      title,
      status: opts.status,
      nav:
        master || !opts.member
          ? '/mitglieder'
          : memberNav(req, opts.member.id, `/mitglieder/${opts.member.id}`),
      breadcrumbs: [
        ...(req.principal?.isAssociation ? [{ href: '/mitglieder', label: t('nav.members') }] : []),
        ...(editing ? [{ href: `/mitglieder/${opts.member!.id}`, label: opts.member!.name }] : []),
      ],
      body: (
        <div class="kern-stack">
          <FormHeading title={title} errors={e} t={t} message={opts.message} />
          {editing ? null : (
            <p class="kern-body">
              {isAmt ? (
                <a class="kern-link" href="/mitglieder/neu">
                  {t('members.new_other_link')}
                </a>
              ) : (
                <a class="kern-link" href="/mitglieder/neu?art=amt">
                  {t('members.new_amt_link')}
                </a>
              )}
            </p>
          )}
          <form
            method="post"
            action={editing ? `/mitglieder/${opts.member!.id}` : '/mitglieder'}
            class="kern-stack"
            novalidate
          >
            <Csrf token={csrf} />
            {editing ? <input type="hidden" name="version" value={String(opts.member!.version)} /> : null}
            {master ? (
              <fieldset class="kern-fieldset">
                <legend class="kern-label kern-label--large">{t('members.section_master')}</legend>
                <div class="kern-fieldset__body form-rows">
                  <div class="form-row form-row--wide">
                    {field('name', t('members.name'), { required: true, maxlength: 200 })}
                  </div>
                  {association ? null : (
                    <div class="form-grid form-row">
                      <SelectField
                        name="kind"
                        label={t('members.kind')}
                        value={s('kind')}
                        error={e.kind}
                        required
                        requiredLabel={requiredText}
                        options={[
                          { value: '', label: t('members.choose') },
                          ...MEMBER_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) })),
                        ]}
                      />
                      {isAmt ? null : (
                        <SelectField
                          name="amtId"
                          label={t('members.amt')}
                          hint={t('members.amt_hint')}
                          value={s('amtId')}
                          error={e.amtId}
                          options={[
                            { value: '', label: t('members.no_amt') },
                            ...opts.amts.map((a) => ({ value: a.id, label: a.name })),
                          ]}
                        />
                      )}
                    </div>
                  )}
                  <div class="form-grid form-row">
                    {!showAgs
                      ? null
                      : field('ags', t('members.ags_long'), {
                          hint: withDistrict(t('members.ags_hint'), s('ags')),
                          inputmode: 'numeric',
                          autocomplete: 'off',
                          maxlength: 11,
                          width: 12,
                          plain: true,
                        })}
                    {association
                      ? null
                      : isAmt
                        ? field('ars', t('members.amt_key'), {
                            required: true,
                            hint: withDistrict(t('members.amt_key_hint'), s('ars')),
                            inputmode: 'numeric',
                            autocomplete: 'off',
                            maxlength: 16,
                            width: 12,
                          })
                        : field('ars', t('members.ars'), {
                            hint: t('members.ars_hint'),
                            inputmode: 'numeric',
                            autocomplete: 'off',
                            maxlength: 16,
                            width: 12,
                          })}
                    {field('leitwegId', t('members.leitweg'), {
                      hint: t('members.leitweg_hint'),
                      maxlength: 46,
                    })}
                  </div>
                  <div class="form-grid form-row">
                    {field('population', t('members.population'), { inputmode: 'numeric' })}
                    {field('populationYear', t('members.population_year'), {
                      inputmode: 'numeric',
                      maxlength: 4,
                      width: 4,
                    })}
                  </div>
                </div>
              </fieldset>
            ) : null}
            <fieldset class="kern-fieldset">
              <legend class="kern-label kern-label--large">{t('members.section_address')}</legend>
              <div class="kern-fieldset__body form-grid">
                {field('street', t('members.street'), { autocomplete: 'street-address', maxlength: 200 })}
                {field('postalCode', t('members.postal_code'), {
                  autocomplete: 'postal-code',
                  inputmode: 'numeric',
                  maxlength: 5,
                  width: 5,
                })}
                {field('city', t('members.city'), { autocomplete: 'address-level2', maxlength: 100 })}
                {field('website', t('members.website'), { type: 'url', maxlength: 300 })}
              </div>
            </fieldset>
            <fieldset class="kern-fieldset">
              <legend class="kern-label kern-label--large">{t('members.section_contact')}</legend>
              <div class="kern-fieldset__body form-grid">
                {field('contactName', t('members.contact_name'), { maxlength: 200 })}
                {field('contactEmail', t('members.contact_email'), { type: 'email', maxlength: 254 })}
                {field('contactPhone', t('members.contact_phone'), { type: 'tel', maxlength: 50 })}
              </div>
            </fieldset>
            <div class="kern-btn-wrapper">
              <Button label={editing ? t('common.save') : t('members.create')} />
              <LinkButton
                href={editing ? `/mitglieder/${opts.member!.id}` : '/mitglieder'}
                label={t('common.cancel')}
                variant="tertiary"
              />
            </div>
          </form>
        </div>
      ),
    });
  };

  const loadAmts = (req: FastifyRequest) =>
    tx(req, async (t2) =>
      (await listMembers(t2, { kind: 'amt', pageSize: 200 })).items.map((a) => ({ id: a.id, name: a.name })),
    );

  app.get('/mitglieder/neu', async (req, reply) => {
    requireUser(req);
    if (!hasPermission(req.ctx, 'members.manage')) throw new ForbiddenError('members.manage');
    // ?art=amt: the form for an Amt (its Gemeindeverband key instead of an AGS).
    const kind = queryParams(req.query).art === 'amt' ? 'amt' : undefined;
    return memberForm(req, reply, { values: kind ? { kind } : {}, amts: await loadAmts(req) });
  });

  app.post('/mitglieder', async (req, reply) => {
    requireUser(req);
    if (!hasPermission(req.ctx, 'members.manage')) throw new ForbiddenError('members.manage');
    const form = parseForm(req, MemberCreateBody, { check: (v) => checkMemberFields(v, v.kind) });
    const render = async (errors: FieldErrors, message?: string, status = 422) =>
      memberForm(req, reply, { values: form.values, errors, message, status, amts: await loadAmts(req) });
    if (!form.ok) return render(form.errors);
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        const m = await createMember(t2, form.data);
        return { to: `/mitglieder/${m.id}`, flash: { title: 'members.created' } };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return render(problem.errors, problem.message, problem.status);
      throw err;
    }
  });

  /**
   * A member's page. After a status change that failed (no date, no confirmation of a withdrawal) it
   * is shown again with the errors at the fields and in the summary, and what was typed.
   */
  const memberPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    form: {
      errors?: FieldErrors;
      message?: string | undefined;
      values?: Record<string, string>;
      status?: number;
    } = {},
  ) => {
    const t = req.t;
    const { member, municipalities, amt, admission } = await tx(req, async (t2) => {
      const member = await getMember(t2, id);
      const municipalities = member.kind === 'amt' ? await getAmtMunicipalities(t2, member.id) : [];
      const amt = member.amtId ? await getMember(t2, member.amtId).catch(() => null) : null;
      const admission = member.isAssociation ? null : await getAdmission(t2, member.id);
      return { member, municipalities, amt, admission };
    });
    const csrf = csrfToken(req, reply);
    const nf = numberFormat(req.lang);
    const canManage = hasPermission(req.ctx, 'members.manage');
    const canEdit = canManage || hasPermission(req.ctx, 'members.edit_profile');
    const own = req.principal!.memberId === member.id;
    const demo = app.allmende.deps.demo;
    const errors = form.errors ?? {};
    const withdrawing = member.recordedStatus !== 'applied';
    return sendPage(req, reply, {
      title: member.name,
      status: form.status,
      nav: req.principal!.isAssociation
        ? '/mitglieder'
        : memberNav(req, member.id, `/mitglieder/${member.id}`),
      breadcrumbs: [
        ...(req.principal!.isAssociation ? [{ href: '/mitglieder', label: t('nav.members') }] : []),
        ...(amt ? [{ href: `/mitglieder/${amt.id}`, label: amt.name }] : []),
      ],
      body: (
        <div class="kern-stack-lg">
          <div class="page-header">
            <hgroup class="kern-hgroup">
              <p class="kern-preline">
                {member.isAssociation ? t('members.association') : t(`kind.${member.kind}`)}
              </p>
              <h1 class="kern-heading-x-large">{member.name}</h1>
            </hgroup>
            <div class="kern-btn-wrapper">
              {canEdit ? (
                <LinkButton href={`/mitglieder/${member.id}/bearbeiten`} label={t('common.edit')} />
              ) : null}
              {hasPermission(req.ctx, 'people.read') ? (
                <LinkButton
                  href={`/mitglieder/${member.id}/personen`}
                  // On another member's page "Personen" alone would name a second target beside the menu's.
                  label={own ? t('nav.people') : t('people.title', { name: member.name })}
                  variant="tertiary"
                />
              ) : null}
              {hasPermission(req.ctx, 'agreements.read') && !own ? (
                <LinkButton
                  href={`/mitglieder/${member.id}/vereinbarungen`}
                  label={t.code('agreements_page.title', { name: member.name })}
                  variant="tertiary"
                />
              ) : null}
            </div>
          </div>
          <ErrorSummary errors={errors} t={t} message={form.message} />
          {admission?.state === 'pending' ? (
            <section aria-labelledby="adm-h" class="kern-stack">
              <h2 class="kern-heading-medium" id="adm-h">
                {t('admission.running', { step: t.code(`admission.step.${admission.waitingFor}`) })}
              </h2>
              <ol class="kern-list">
                {admission.steps.map((s) => (
                  <li>
                    {t.code(`admission.step.${s.step}`)}:{' '}
                    {s.doneOn
                      ? `${formatDate(s.doneOn, req.lang)}${s.resolutionNumber ? ` – ${t('admission.resolution', { number: s.resolutionNumber })}` : s.reference ? ` – ${s.reference}` : ''}`
                      : t('admission.open')}
                  </li>
                ))}
              </ol>
              {hasPermission(req.ctx, 'governance.manage') ? (
                <p class="kern-body">
                  <a class="kern-link" href={`/versammlung/aufnahmen/${member.id}`}>
                    {t('admission.next')}
                  </a>
                </p>
              ) : null}
            </section>
          ) : null}
          <section aria-labelledby="md-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="md-h">
              {t('members.section_master')}
            </h2>
            <DescriptionList
              items={[
                [
                  t('members.status'),
                  member.isAssociation ? (
                    <Badge variant="info" label={t('members.association_self')} />
                  ) : (
                    statusBadge(t, req.lang, member)
                  ),
                ],
                [t('members.applied_on'), formatDate(member.appliedOn, req.lang)],
                [t('members.admitted_on'), formatDate(member.admittedOn, req.lang)],
                ...(member.withdrawnOn
                  ? ([[t('members.withdrawn_on'), formatDate(member.withdrawnOn, req.lang)]] as [
                      string,
                      string,
                    ][])
                  : []),
                ...((member.isAssociation
                  ? []
                  : member.kind === 'amt'
                    ? [[t('members.amt_key'), <KeyWithDistrict t={t} value={member.ars} />]]
                    : [
                        [t('members.ags_long'), <KeyWithDistrict t={t} value={member.ags} />],
                        [t('members.ars'), <KeyWithDistrict t={t} value={member.ars} />],
                      ]) as [string, Child][]),
                [
                  t('members.leitweg'),
                  member.leitwegId ? (
                    <>
                      <span class="mono">{member.leitwegId}</span>
                      {demo && member.leitwegId.includes('BEISPIEL') ? ` (${t('common.example')})` : ''}
                    </>
                  ) : null,
                ],
                [
                  t('members.population'),
                  member.population === null
                    ? null
                    : `${nf.format(member.population)} (${t('members.population_ref', { year: member.populationYear ?? '' })})`,
                ],
                ...(amt
                  ? ([
                      [
                        t('members.amt'),
                        <a class="kern-link" href={`/mitglieder/${amt.id}`}>
                          {amt.name}
                        </a>,
                      ],
                    ] as [string, ReturnType<typeof Badge>][])
                  : []),
              ]}
            />
          </section>
          <section aria-labelledby="addr-h" class="kern-stack">
            <h2 class="kern-heading-medium" id="addr-h">
              {t('members.section_address')} / {t('members.section_contact')}
            </h2>
            <DescriptionList
              items={[
                [
                  t('members.address'),
                  [member.street, [member.postalCode, member.city].filter(Boolean).join(' ')]
                    .filter(Boolean)
                    .join(', ') || null,
                ],
                [
                  t('members.website'),
                  member.website ? (
                    <a class="kern-link" href={member.website}>
                      {member.website}
                    </a>
                  ) : null,
                ],
                [t('members.contact_name'), member.contactName],
                [t('members.contact_email'), member.contactEmail],
                [t('members.contact_phone'), member.contactPhone],
              ]}
            />
          </section>
          {member.kind === 'amt' ? (
            <section aria-labelledby="amt-h" class="kern-stack">
              <h2 class="kern-heading-medium" id="amt-h">
                {t('members.municipalities')}
              </h2>
              <p class="kern-body">{t('members.municipalities_intro')}</p>
              <ul class="kern-list kern-list--bullet">
                {municipalities.map((m) => (
                  <li>
                    <a class="kern-link" href={`/mitglieder/${m.id}`}>
                      {m.name}
                    </a>{' '}
                    <span class="mono">({m.ags})</span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {canManage && !member.isAssociation && member.recordedStatus !== 'withdrawn' ? (
            <section aria-labelledby="st-h" class="kern-stack">
              <h2 class="kern-heading-medium" id="st-h">
                {t('members.status_change')}
              </h2>
              <p class="kern-body">{withdrawing ? t('members.withdraw_hint') : t('members.admit_hint')}</p>
              <form method="post" action={`/mitglieder/${member.id}/status`} class="kern-stack" novalidate>
                <Csrf token={csrf} />
                <input type="hidden" name="version" value={String(member.version)} />
                <input type="hidden" name="status" value={withdrawing ? 'withdrawn' : 'active'} />
                <TextField
                  name="on"
                  label={withdrawing ? t('members.withdrawn_on') : t('members.admitted_on')}
                  type="date"
                  hint={t('members.status_date_hint')}
                  value={form.values?.on ?? ''}
                  error={errors.on}
                  required
                  requiredLabel={t('common.required')}
                />
                {withdrawing ? (
                  <div class={`kern-form-check${errors.confirm ? ' kern-form-check--error' : ''}`}>
                    <input
                      class={`kern-form-check__checkbox${errors.confirm ? ' kern-form-check__checkbox--error' : ''}`}
                      id="f-confirm"
                      name="confirm"
                      type="checkbox"
                      value="ja"
                      required
                      aria-invalid={errors.confirm ? 'true' : undefined}
                      aria-describedby={errors.confirm ? 'f-confirm-error' : undefined}
                    />
                    <label class="kern-label" for="f-confirm">
                      {t('members.withdraw_confirm')}
                    </label>
                    {errors.confirm ? (
                      <p class="kern-error" id="f-confirm-error">
                        <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                        <span class="kern-body">{errors.confirm}</span>
                      </p>
                    ) : null}
                  </div>
                ) : null}
                <div class="kern-btn-wrapper">
                  <Button
                    label={withdrawing ? t('members.withdraw') : t('members.admit')}
                    variant="secondary"
                  />
                </div>
              </form>
            </section>
          ) : null}
        </div>
      ),
    });
  };

  app.get<{ Params: { id: string } }>('/mitglieder/:id', async (req, reply) => {
    requireUser(req);
    if (!isUuid(req.params.id)) return reply.callNotFound();
    return memberPage(req, reply, req.params.id);
  });

  app.get<{ Params: { id: string } }>('/mitglieder/:id/bearbeiten', async (req, reply) => {
    requireUser(req);
    if (!isUuid(req.params.id)) return reply.callNotFound();
    const member = await tx(req, async (t2) => {
      await getMemberSummary(t2, req.params.id); // 404 for another member's ids, before 403
      if (!hasPermission(t2.ctx, 'members.manage') && !hasPermission(t2.ctx, 'members.edit_profile')) {
        throw new ForbiddenError('members.edit_profile');
      }
      return getMember(t2, req.params.id);
    });
    return memberForm(req, reply, {
      member,
      values: member,
      amts: await loadAmts(req),
    });
  });

  app.post<{ Params: { id: string } }>('/mitglieder/:id', async (req, reply) => {
    requireUser(req);
    if (!isUuid(req.params.id)) return reply.callNotFound();
    const member = await tx(req, (t2) => getMember(t2, req.params.id));
    const master = hasPermission(req.ctx, 'members.manage');
    // Profile editors send only profile fields; master fields are not theirs to change (ignored).
    // Fields the form does not show are not read: the association has no kind, keys or Amt to change;
    // an Amt has no AGS and belongs to no Amt.
    const hidden: readonly string[] = member.isAssociation
      ? ['kind', 'ags', 'ars', 'amtId']
      : member.kind === 'amt'
        ? ['ags', 'amtId']
        : [];
    const masterFields = master ? MASTER_FIELDS.filter((k) => !hidden.includes(k)) : [];
    const current = Object.fromEntries([...MASTER_FIELDS, ...PROFILE_FIELDS].map((k) => [k, member[k]]));
    const form = parseForm(req, MemberPatchBody, {
      only: ['version', ...masterFields, ...PROFILE_FIELDS],
      required: masterFields.filter((k) => k === 'name' || k === 'kind'),
      check: (v) => checkMemberFields({ ...current, ...v }, v.kind ?? member.kind),
    });
    const render = async (errors: FieldErrors, message?: string, status = 422) =>
      memberForm(req, reply, {
        member,
        values: { ...member, ...form.values },
        errors,
        message,
        status,
        amts: await loadAmts(req),
      });
    if (!form.ok) return render(form.errors);
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        await updateMember(t2, req.params.id, form.data);
        return { to: `/mitglieder/${req.params.id}`, flash: { title: 'members.saved' } };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return render(problem.errors, problem.message, problem.status);
      throw err;
    }
  });

  app.post<{ Params: { id: string } }>('/mitglieder/:id/status', async (req, reply) => {
    requireUser(req);
    if (!isUuid(req.params.id)) return reply.callNotFound();
    const t = req.t;
    const form = parseForm(req, MemberStatusBody);
    const body = (req.body ?? {}) as Record<string, unknown>;
    // A withdrawal is confirmed with a checkbox (works without JavaScript); an admission needs none.
    const confirmed = body.status !== 'withdrawn' || body.confirm === 'ja';
    const render = (errors: FieldErrors, message?: string, status = 422) =>
      memberPage(req, reply, req.params.id, {
        errors,
        message,
        status,
        values: { on: typeof body.on === 'string' ? body.on : '' },
      });
    const fieldErrors: FieldErrors = {};
    if (!form.ok) {
      // The hidden fields come from the page; only the date is the person's to fix.
      const { on, ...rest } = form.errors;
      if (on !== undefined) fieldErrors.on = body.on ? on : t('members.status_date_required');
      if (Object.keys(rest).length > 0) return render(fieldErrors, Object.values(rest).join(' '));
    }
    if (!confirmed) fieldErrors.confirm = t('members.withdraw_confirm_required');
    if (!form.ok || !confirmed) return render(fieldErrors);
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        await changeMemberStatus(t2, req.params.id, form.data);
        return { to: `/mitglieder/${req.params.id}`, flash: { title: 'members.saved' } };
      });
    } catch (err) {
      const problem = formProblem(err, t);
      if (problem) return render(problem.errors, problem.message, problem.status);
      throw err;
    }
  });
}
