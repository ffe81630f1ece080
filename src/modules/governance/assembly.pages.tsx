/**
 * The association's assembly pages at /versammlung (permission governance.manage): the meetings with a
 * form to create one; a meeting with its agenda (public and non-public TOPs), forms to add a TOP, to
 * record presence and to draft a resolution; and per resolution the vote: one row per present member
 * with the votes it holds, the result (quorum, majority needed, yes/no/abstain, carried or not) and the
 * button that applies a carried resolution. The voting rules in force are shown with a note where the
 * statute is silent and the rule is configuration.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDate } from '../../shared/dates.js';
import { isUuid } from '../../shared/ids.js';
import {
  Badge,
  Button,
  CheckboxGroup,
  Csrf,
  DataTable,
  DescriptionList,
  ErrorSummary,
  type FieldErrors,
  FormHeading,
  SelectField,
  TextField,
} from '../../web/components.js';
import { type FormValues, formList, formProblem, formText, parseForm, submitOnce } from '../../web/form.js';
import type { Lang, T } from '../../web/i18n/index.js';
import type { RawHtml } from '../../web/jsx/jsx-runtime.js';
import { csrfToken, sendPage } from '../../web/page.js';
import { listCatalogVersions } from '../catalog/catalog.service.js';
import { listMembers } from '../members/members.service.js';
import { listAdmissions } from './admission.service.js';
import {
  MeetingStatusBadge,
  meetingWhen,
  ResolutionTable,
  ResultBadge,
  requireManager,
  weightWords,
} from './assembly.components.js';
import {
  addAgendaItemTo,
  applyResolutionNow,
  berlinDay,
  berlinInstant,
  draftResolutionAt,
  getMeeting,
  getResolution,
  listMeetings,
  recordPresenceAt,
  recordVoteOn,
  type VotingSetup,
  votingSetup,
} from './assembly.service.js';
import {
  AgendaItemForm,
  BALLOTS,
  MeetingForm,
  PresenceBody,
  RESOLUTION_KINDS,
  ResolutionDraftForm,
  type ResolutionDto,
} from './governance.schema.js';
import { createMeeting } from './governance.service.js';
import type { Ballot, Share, VotingRules } from './voting.js';

type FormState = { errors?: FieldErrors; message?: string | undefined; values?: FormValues; status?: number };

/** "mehr als 1/2 aller Stimmen". */
function shareWords(t: T, s: Share): string {
  return t('assembly.share', {
    comparison: t.code(`assembly.share_${s.comparison}`),
    fraction: `${s.numerator}/${s.denominator}`,
    of: t.code(`assembly.share_of_${s.of}`),
  });
}

function majorityWords(t: T, rules: VotingRules, majority: 'simple' | 'qualified'): string {
  if (majority === 'qualified')
    return t('assembly.majority_qualified', { share: shareWords(t, rules.qualified) });
  return rules.simple
    ? t('assembly.majority_simple_share', { share: shareWords(t, rules.simple) })
    : t('assembly.majority_simple');
}

/** The voting rules in force on the meeting day, with the note that says where they come from. */
function RulesSection(props: { t: T; lang: Lang; setup: VotingSetup }): RawHtml {
  const { t, lang, setup } = props;
  const r = setup.rules;
  return (
    <section class="kern-stack" aria-labelledby="rules-h">
      <h2 class="kern-heading-medium" id="rules-h">
        {t('assembly.rules')}
      </h2>
      <ul class="kern-list kern-list--bullet">
        <li>{weightWords(t, lang, r.weight)}</li>
        <li>{t('assembly.rule_quorum', { share: shareWords(t, r.quorum) })}</li>
        <li>{majorityWords(t, r, 'simple')}</li>
        <li>{majorityWords(t, r, 'qualified')}</li>
      </ul>
      <div class="kern-alert kern-alert--info" role="note">
        <div class="kern-alert__body">
          <p class="kern-body">
            {setup.isDefault ? t('assembly.rules_default_note') : t('assembly.rules_configured_note')}
          </p>
          <p class="kern-body kern-body--small">
            {t('assembly.rules_source', {
              from: formatDate(setup.validFrom, lang),
              source: setup.source || '–',
            })}
          </p>
          <p class="kern-body kern-body--small">
            <a class="kern-link" href="/versammlung/stimmrecht">
              {t('assembly.rules_edit_link')}
            </a>
          </p>
        </div>
      </div>
    </section>
  );
}

export async function assemblyPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  // ---- the meetings ----

  const meetingsPage = async (req: FastifyRequest, reply: FastifyReply, form: FormState = {}) => {
    const t = req.t;
    const lang = req.lang;
    const { meetings, pending } = await tx(req, async (t2) => ({
      meetings: await listMeetings(t2),
      pending: (await listAdmissions(t2)).pending.length,
    }));
    const csrf = csrfToken(req, reply);
    const e = form.errors ?? {};
    const v = (k: string) => (form.values ? formText(form.values, k) : undefined) ?? '';
    const title = t('assembly.title');
    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: '/versammlung',
      body: (
        <div class="kern-stack-lg">
          <FormHeading title={title} errors={e} t={t} message={form.message} />
          <p class="kern-body">
            {t('assembly.intro')}{' '}
            <a class="kern-link" href="/sitzungen">
              {t('assembly.public_calendar_link')}
            </a>
          </p>
          <ul class="kern-list kern-list--bullet">
            <li>
              <a class="kern-link" href="/versammlung/aufnahmen">
                {t('admission.title')}
              </a>
              {pending > 0 ? ` (${t('admission.pending_count', { n: pending })})` : ''}
            </li>
            <li>
              <a class="kern-link" href="/versammlung/zusammensetzung">
                {t('composition.title')}
              </a>
            </li>
          </ul>
          <DataTable
            id="meetings"
            caption={t('assembly.meetings')}
            variant="striped"
            columns={[
              { label: t('assembly.when') },
              { label: t('assembly.meeting') },
              { label: t('assembly.place') },
              { label: t('assembly.status') },
            ]}
          >
            {meetings.map((m) => (
              <tr class="kern-table__row">
                <td class="kern-table__cell">{meetingWhen(m.startsAt, t, lang)}</td>
                <th scope="row" class="kern-table__header">
                  <a class="kern-link" href={`/versammlung/sitzungen/${m.id}`}>
                    {m.title}
                  </a>
                </th>
                <td class="kern-table__cell">{m.place ?? '–'}</td>
                <td class="kern-table__cell">
                  <MeetingStatusBadge t={t} status={m.status} />
                </td>
              </tr>
            ))}
          </DataTable>
          <section class="kern-stack" aria-labelledby="new-h">
            <h2 class="kern-heading-medium" id="new-h">
              {t('assembly.new_meeting')}
            </h2>
            <form method="post" action="/versammlung/sitzungen" class="kern-stack" novalidate>
              <Csrf token={csrf} />
              <TextField
                name="title"
                label={t('assembly.meeting_title')}
                hint={t('assembly.meeting_title_hint')}
                value={v('title')}
                error={e.title}
                required
                requiredLabel={t('common.required')}
                maxlength={200}
              />
              <div class="form-grid">
                <TextField
                  name="date"
                  type="date"
                  label={t('assembly.date')}
                  value={v('date')}
                  error={e.date}
                  required
                  requiredLabel={t('common.required')}
                />
                <TextField
                  name="time"
                  type="time"
                  label={t('assembly.time')}
                  hint={t('assembly.time_hint')}
                  value={v('time') || '16:00'}
                  error={e.time}
                  required
                  requiredLabel={t('common.required')}
                />
              </div>
              <TextField
                name="place"
                label={t('assembly.place')}
                value={v('place')}
                error={e.place}
                optionalLabel={t('common.optional')}
                maxlength={300}
              />
              <div class="kern-btn-wrapper">
                <Button label={t('assembly.create_meeting')} />
              </div>
            </form>
          </section>
        </div>
      ),
    });
  };

  app.get('/versammlung', async (req, reply) => {
    requireManager(req);
    return meetingsPage(req, reply);
  });

  app.post('/versammlung/sitzungen', async (req, reply) => {
    requireManager(req);
    const form = parseForm(req, MeetingForm);
    const render = (errors: FieldErrors, message?: string, status = 422) =>
      meetingsPage(req, reply, { errors, message, status, values: form.values });
    if (!form.ok) return render(form.errors);
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        const { id } = await createMeeting(t2, {
          title: form.data.title,
          startsAt: berlinInstant(form.data.date, form.data.time),
          place: form.data.place ?? null,
        });
        return { to: `/versammlung/sitzungen/${id}`, flash: { title: 'assembly.meeting_created' } };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return render(problem.errors, problem.message, problem.status);
      throw err;
    }
  });

  // ---- one meeting ----

  type Which = 'top' | 'presence' | 'resolution';
  const meetingPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    meetingId: string,
    form: FormState & { which?: Which } = {},
  ) => {
    const t = req.t;
    const lang = req.lang;
    const data = await tx(req, async (t2) => ({
      detail: await getMeeting(t2, meetingId),
      setup: await votingSetup(t2, meetingId),
      drafts: (await listCatalogVersions(t2)).filter((c) => c.status === 'draft'),
      applicants: (await listMembers(t2, { status: 'applied', pageSize: 200 })).items,
    }));
    const { meeting, agendaItems, resolutions } = data.detail;
    const setup = data.setup;
    const csrf = csrfToken(req, reply);
    const e = form.errors ?? {};
    const mine = (w: Which) => form.which === w && form.values !== undefined;
    const v = (w: Which, k: string, fallback = '') =>
      (mine(w) ? formText(form.values!, k) : undefined) ?? fallback;
    const presentVotes = setup.members.filter((m) => m.present).reduce((s, m) => s + m.votes, 0);
    const totalVotes = setup.members.reduce((s, m) => s + m.votes, 0);
    const presentIds = mine('presence')
      ? formList(form.values!, 'memberIds')
      : setup.members.filter((m) => m.present).map((m) => m.id);
    const kind = v('resolution', 'kind', 'other');
    const year = meeting.startsAt.slice(0, 4);
    const nextNumber = `${resolutions.filter((r) => r.number.endsWith(`/${year}`)).length + 1}/${year}`;
    const votesLabel = (n: number) => (n === 1 ? t('assembly.votes_one') : t('assembly.votes_n', { n }));
    return sendPage(req, reply, {
      title: meeting.title,
      status: form.status,
      nav: '/versammlung',
      breadcrumbs: [{ href: '/versammlung', label: t('nav.assembly') }],
      body: (
        <div class="kern-stack-lg">
          <hgroup class="kern-hgroup">
            <p class="kern-preline">{t('assembly.preline')}</p>
            <h1 class="kern-heading-x-large">{meeting.title}</h1>
          </hgroup>
          <ErrorSummary errors={e} t={t} message={form.message} />
          <DescriptionList
            items={[
              [t('assembly.when'), meetingWhen(meeting.startsAt, t, lang)],
              [t('assembly.place'), meeting.place],
              [t('assembly.status'), <MeetingStatusBadge t={t} status={meeting.status} />],
              [
                t('assembly.presence'),
                meeting.status === 'held'
                  ? t('assembly.presence_summary', {
                      members: setup.members.filter((m) => m.present).length,
                      all: setup.members.length,
                      present: presentVotes,
                      total: totalVotes,
                    })
                  : t('assembly.presence_none'),
              ],
            ]}
          />
          <ul class="kern-list">
            <li>
              <a class="kern-link" href={`/sitzungen/${meeting.id}`}>
                {t('assembly.public_page_link')}
              </a>
            </li>
            <li>
              <a class="kern-link" href={`/versammlung/sitzungen/${meeting.id}/dokumente`}>
                {t('assembly.documents_link')}
              </a>
            </li>
          </ul>
          <RulesSection t={t} lang={lang} setup={setup} />

          <section class="kern-stack" aria-labelledby="agenda-h">
            <h2 class="kern-heading-large" id="agenda-h">
              {t('assembly.agenda')}
            </h2>
            {agendaItems.length === 0 ? (
              <p class="kern-body">{t('assembly.no_agenda')}</p>
            ) : (
              <DataTable
                id="agenda"
                caption={t('assembly.agenda')}
                columns={[
                  { label: t('assembly.top') },
                  { label: t('assembly.top_title') },
                  { label: t('assembly.visibility') },
                ]}
              >
                {agendaItems.map((a) => (
                  <tr class="kern-table__row">
                    <th scope="row" class="kern-table__header">
                      {a.number}
                    </th>
                    <td class="kern-table__cell">{a.title}</td>
                    <td class="kern-table__cell">
                      {a.public ? (
                        <Badge variant="info" label={t('assembly.public')} />
                      ) : (
                        <Badge variant="warning" label={t('assembly.non_public')} />
                      )}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
            <form
              method="post"
              action={`/versammlung/sitzungen/${meeting.id}/tagesordnung`}
              class="kern-stack"
              novalidate
            >
              <Csrf token={csrf} />
              <h3 class="kern-heading-small">{t('assembly.add_top')}</h3>
              <div class="form-grid">
                <TextField
                  name="topNumber"
                  label={t('assembly.top')}
                  value={v('top', 'topNumber', `TOP ${agendaItems.length + 1}`)}
                  error={e.topNumber}
                  required
                  requiredLabel={t('common.required')}
                  maxlength={20}
                  width={8}
                />
                <SelectField
                  name="public"
                  label={t('assembly.visibility')}
                  hint={t('assembly.visibility_hint')}
                  value={v('top', 'public', 'true')}
                  error={e.public}
                  options={[
                    { value: 'true', label: t('assembly.public') },
                    { value: 'false', label: t('assembly.non_public') },
                  ]}
                />
              </div>
              <TextField
                name="topTitle"
                label={t('assembly.top_title')}
                value={v('top', 'topTitle')}
                error={e.topTitle}
                required
                requiredLabel={t('common.required')}
                maxlength={300}
              />
              <div class="kern-btn-wrapper">
                <Button label={t('assembly.add_top_button')} variant="secondary" />
              </div>
            </form>
          </section>

          <section class="kern-stack" aria-labelledby="presence-h">
            <h2 class="kern-heading-large" id="presence-h">
              {t('assembly.presence')}
            </h2>
            <p class="kern-body">{t('assembly.presence_intro', { day: formatDate(setup.day, lang) })}</p>
            <form
              method="post"
              action={`/versammlung/sitzungen/${meeting.id}/anwesenheit`}
              class="kern-stack"
              novalidate
            >
              <Csrf token={csrf} />
              <input type="hidden" name="version" value={String(meeting.version)} />
              <CheckboxGroup
                name="memberIds"
                legend={t('assembly.presence_legend')}
                options={setup.members.map((m) => ({
                  value: m.id,
                  label: `${m.name} (${votesLabel(m.votes)})`,
                }))}
                values={presentIds}
                error={e.memberIds}
              />
              <div class="kern-btn-wrapper">
                <Button label={t('assembly.presence_button')} variant="secondary" />
              </div>
            </form>
          </section>

          <section class="kern-stack" aria-labelledby="res-h">
            <h2 class="kern-heading-large" id="res-h">
              {t('assembly.resolutions')}
            </h2>
            {resolutions.length === 0 ? (
              <p class="kern-body">{t('assembly.no_resolutions')}</p>
            ) : (
              <>
                <ResolutionTable
                  t={t}
                  lang={lang}
                  id="resolutions"
                  meetingDay={berlinDay(new Date(meeting.startsAt))}
                  resolutions={resolutions}
                  hrefFor={(r) => `/versammlung/beschluesse/${r.id}/abstimmung`}
                />
                <p class="kern-body kern-body--small">{t('assembly.vote_link_hint')}</p>
              </>
            )}
            {agendaItems.length === 0 ? (
              <p class="kern-body">{t('assembly.resolution_needs_top')}</p>
            ) : (
              <form
                method="post"
                action={`/versammlung/sitzungen/${meeting.id}/beschluesse`}
                class="kern-stack"
                novalidate
              >
                <Csrf token={csrf} />
                <h3 class="kern-heading-small">{t('assembly.draft_resolution')}</h3>
                <div class="form-grid">
                  <SelectField
                    name="agendaItemId"
                    label={t('assembly.top')}
                    value={v('resolution', 'agendaItemId')}
                    error={e.agendaItemId}
                    required
                    requiredLabel={t('common.required')}
                    options={agendaItems.map((a) => ({ value: a.id, label: `${a.number} – ${a.title}` }))}
                  />
                  <TextField
                    name="number"
                    label={t('assembly.resolution_number')}
                    hint={t('assembly.resolution_number_hint')}
                    value={v('resolution', 'number', nextNumber)}
                    error={e.number}
                    required
                    requiredLabel={t('common.required')}
                    maxlength={9}
                    width={8}
                  />
                  <SelectField
                    name="kind"
                    label={t('assembly.resolution_kind')}
                    hint={t('assembly.resolution_kind_hint')}
                    value={kind}
                    error={e.kind}
                    required
                    requiredLabel={t('common.required')}
                    options={RESOLUTION_KINDS.map((k) => ({
                      value: k,
                      label: t.code(`resolution_kind.${k}`),
                    }))}
                  />
                </div>
                <TextField
                  name="title"
                  label={t('assembly.resolution_title')}
                  value={v('resolution', 'title')}
                  error={e.title}
                  required
                  requiredLabel={t('common.required')}
                  maxlength={300}
                />
                <div class={`kern-form-input${e.text ? ' kern-form-input--error' : ''}`}>
                  <label class="kern-label" for="f-text">
                    {t('assembly.resolution_text')}
                    <span class="kern-label__optional"> {t('common.optional')}</span>
                  </label>
                  <textarea
                    class="kern-form-input__input"
                    id="f-text"
                    name="text"
                    rows="4"
                    maxlength={20000}
                    aria-invalid={e.text ? 'true' : undefined}
                    aria-describedby={e.text ? 'f-text-error' : undefined}
                  >
                    {v('resolution', 'text')}
                  </textarea>
                  {e.text ? (
                    <p class="kern-error" id="f-text-error">
                      <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                      <span class="kern-body">{e.text}</span>
                    </p>
                  ) : null}
                </div>
                <TextField
                  name="effectiveOn"
                  type="date"
                  label={t('assembly.effective_on')}
                  hint={t('assembly.effective_on_hint')}
                  value={v('resolution', 'effectiveOn')}
                  error={e.effectiveOn}
                  optionalLabel={t('common.optional')}
                />
                <fieldset class="kern-fieldset">
                  <legend class="kern-label">
                    {t('assembly.for_kind', { kind: t('resolution_kind.adopt_catalog_version') })}
                  </legend>
                  <div class="kern-fieldset__body form-grid">
                    <SelectField
                      name="versionId"
                      label={t('assembly.catalog_version')}
                      value={v('resolution', 'versionId')}
                      error={e.versionId}
                      options={[
                        { value: '', label: t('assembly.choose') },
                        ...data.drafts.map((c) => ({ value: c.id, label: `${c.number} – ${c.title}` })),
                      ]}
                    />
                    <TextField
                      name="inForceFrom"
                      type="date"
                      label={t('assembly.in_force_from')}
                      value={v('resolution', 'inForceFrom')}
                      error={e.inForceFrom}
                    />
                  </div>
                </fieldset>
                {data.applicants.length > 0 ? (
                  <CheckboxGroup
                    name="admitMemberIds"
                    legend={t('assembly.for_kind', { kind: t('resolution_kind.admit_members') })}
                    options={data.applicants.map((m) => ({ value: m.id, label: m.name }))}
                    values={mine('resolution') ? formList(form.values!, 'admitMemberIds') : []}
                    error={e.admitMemberIds}
                  />
                ) : (
                  <p class="kern-body kern-body--small">{t('assembly.no_applicants')}</p>
                )}
                <fieldset class="kern-fieldset">
                  <legend class="kern-label">
                    {t('assembly.for_kind', { kind: t('resolution_kind.release_member') })}
                  </legend>
                  <div class="kern-fieldset__body form-grid">
                    <SelectField
                      name="releaseMemberId"
                      label={t('assembly.release_member')}
                      value={v('resolution', 'releaseMemberId')}
                      error={e.releaseMemberId}
                      options={[
                        { value: '', label: t('assembly.choose') },
                        ...setup.members.map((m) => ({ value: m.id, label: m.name })),
                      ]}
                    />
                    <TextField
                      name="lastDay"
                      type="date"
                      label={t('assembly.last_day')}
                      value={v('resolution', 'lastDay')}
                      error={e.lastDay}
                    />
                  </div>
                </fieldset>
                <fieldset class="kern-fieldset">
                  <legend class="kern-label">
                    {t('assembly.for_kind', { kind: t('resolution_kind.award_contract') })}
                  </legend>
                  <div class="kern-fieldset__body form-grid">
                    <TextField
                      name="contractor"
                      label={t('assembly.contractor')}
                      value={v('resolution', 'contractor')}
                      error={e.contractor}
                      maxlength={300}
                    />
                    <TextField
                      name="subject"
                      label={t('assembly.subject')}
                      value={v('resolution', 'subject')}
                      error={e.subject}
                      maxlength={300}
                    />
                  </div>
                </fieldset>
                <div class="kern-btn-wrapper">
                  <Button label={t('assembly.draft_button')} variant="secondary" />
                </div>
              </form>
            )}
          </section>
        </div>
      ),
    });
  };

  app.get<{ Params: { meetingId: string } }>('/versammlung/sitzungen/:meetingId', async (req, reply) => {
    requireManager(req);
    if (!isUuid(req.params.meetingId)) return reply.callNotFound();
    return meetingPage(req, reply, req.params.meetingId);
  });

  /** Runs a meeting form's change, or shows the meeting page again with that form's errors. */
  const meetingForm = async (
    req: FastifyRequest<{ Params: { meetingId: string } }>,
    reply: FastifyReply,
    which: Which,
    parsed: { ok: true; values: FormValues } | { ok: false; errors: FieldErrors; values: FormValues },
    work: Parameters<typeof submitOnce>[3],
    mapErrors: (e: FieldErrors) => FieldErrors = (e) => e,
  ) => {
    const id = req.params.meetingId;
    const render = (errors: FieldErrors, message?: string, status = 422) =>
      meetingPage(req, reply, id, {
        which,
        errors: mapErrors(errors),
        message,
        status,
        values: parsed.values,
      });
    if (!parsed.ok) return render(parsed.errors);
    try {
      return await submitOnce(req, reply, tx, work);
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return render(problem.errors, problem.message, problem.status);
      throw err;
    }
  };

  app.post<{ Params: { meetingId: string } }>(
    '/versammlung/sitzungen/:meetingId/tagesordnung',
    async (req, reply) => {
      requireManager(req);
      const id = req.params.meetingId;
      if (!isUuid(id)) return reply.callNotFound();
      const form = parseForm(req, AgendaItemForm);
      return meetingForm(
        req,
        reply,
        'top',
        form,
        async (t2) => {
          if (!form.ok) throw new Error('unreachable');
          await addAgendaItemTo(t2, id, {
            number: form.data.topNumber,
            title: form.data.topTitle,
            public: form.data.public,
          });
          return { to: `/versammlung/sitzungen/${id}#agenda-h`, flash: { title: 'assembly.top_added' } };
        },
        (e) => {
          const { number, title, position, ...rest } = e;
          return {
            ...rest,
            ...(number ? { topNumber: number } : {}),
            ...(title ? { topTitle: title } : {}),
            ...(position ? { topNumber: position } : {}),
          };
        },
      );
    },
  );

  app.post<{ Params: { meetingId: string } }>(
    '/versammlung/sitzungen/:meetingId/anwesenheit',
    async (req, reply) => {
      requireManager(req);
      const id = req.params.meetingId;
      if (!isUuid(id)) return reply.callNotFound();
      const form = parseForm(req, PresenceBody);
      return meetingForm(
        req,
        reply,
        'presence',
        form,
        async (t2) => {
          if (!form.ok) throw new Error('unreachable');
          await recordPresenceAt(t2, id, form.data);
          return {
            to: `/versammlung/sitzungen/${id}#presence-h`,
            flash: { title: 'assembly.presence_recorded' },
          };
        },
        (e) => {
          const { present, version, ...rest } = e;
          return {
            ...rest,
            ...(present ? { memberIds: present } : {}),
            ...(version ? { memberIds: version } : {}),
          };
        },
      );
    },
  );

  app.post<{ Params: { meetingId: string } }>(
    '/versammlung/sitzungen/:meetingId/beschluesse',
    async (req, reply) => {
      requireManager(req);
      const id = req.params.meetingId;
      if (!isUuid(id)) return reply.callNotFound();
      const form = parseForm(req, ResolutionDraftForm);
      return meetingForm(
        req,
        reply,
        'resolution',
        form,
        async (t2) => {
          if (!form.ok) throw new Error('unreachable');
          const d = form.data;
          const payload: Record<string, unknown> =
            d.kind === 'adopt_catalog_version'
              ? { versionId: d.versionId ?? undefined, inForceFrom: d.inForceFrom ?? undefined }
              : d.kind === 'admit_members'
                ? { memberIds: d.admitMemberIds ?? [] }
                : d.kind === 'release_member'
                  ? { memberId: d.releaseMemberId ?? undefined, lastDay: d.lastDay ?? undefined }
                  : d.kind === 'award_contract'
                    ? { contractor: d.contractor ?? undefined, subject: d.subject ?? undefined }
                    : {};
          const r = await draftResolutionAt(t2, id, {
            agendaItemId: d.agendaItemId,
            number: d.number,
            kind: d.kind,
            title: d.title,
            text: d.text ?? '',
            payload,
            effectiveOn: d.effectiveOn ?? null,
          });
          return {
            to: `/versammlung/beschluesse/${r.id}/abstimmung`,
            flash: { title: 'assembly.resolution_drafted', params: { number: r.number } },
          };
        },
        (e) => {
          const out: FieldErrors = {};
          const fields: Record<string, string> = {
            'payload.versionId': 'versionId',
            'payload.inForceFrom': 'inForceFrom',
            'payload.memberIds': 'admitMemberIds',
            'payload.memberId': 'releaseMemberId',
            'payload.lastDay': 'lastDay',
            'payload.contractor': 'contractor',
          };
          for (const [k, msg] of Object.entries(e)) out[fields[k] ?? k] ??= msg;
          return out;
        },
      );
    },
  );

  // ---- the vote on a resolution ----

  const votePage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    resolutionId: string,
    form: FormState = {},
  ) => {
    const t = req.t;
    const lang = req.lang;
    const nf = new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB');
    const data = await tx(req, async (t2) => {
      const detail = await getResolution(t2, resolutionId);
      const meeting = await getMeeting(t2, detail.resolution.meetingId);
      const setup = await votingSetup(t2, detail.resolution.meetingId);
      return { detail, meeting, setup };
    });
    const r: ResolutionDto = data.detail.resolution;
    const { setup } = data;
    const meeting = data.meeting.meeting;
    const top = data.meeting.agendaItems.find((a) => a.id === r.agendaItemId);
    const csrf = csrfToken(req, reply);
    const e = form.errors ?? {};
    const present = setup.members.filter((m) => m.present);
    const title = t('assembly.vote_title', { number: r.number });
    const tally = r.tally;
    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: '/versammlung',
      breadcrumbs: [
        { href: '/versammlung', label: t('nav.assembly') },
        { href: `/versammlung/sitzungen/${meeting.id}`, label: meeting.title },
      ],
      body: (
        <div class="kern-stack-lg">
          <FormHeading title={title} errors={e} t={t} message={form.message} />
          <DescriptionList
            items={[
              [t('assembly.resolution_title'), r.title],
              [t('assembly.resolution_kind'), t.code(`resolution_kind.${r.kind}`)],
              [t('assembly.top'), top ? `${top.number} – ${top.title}` : null],
              [t('assembly.meeting'), `${meeting.title}, ${meetingWhen(meeting.startsAt, t, lang)}`],
              [t('assembly.majority_needed'), majorityWords(t, setup.rules, r.majority)],
              [t('assembly.result'), <ResultBadge t={t} r={r} />],
            ]}
          />
          {r.text ? <p class="kern-body">{r.text}</p> : null}
          <RulesSection t={t} lang={lang} setup={setup} />
          {r.status === 'voted' && tally ? (
            <section class="kern-stack" aria-labelledby="result-h">
              <h2 class="kern-heading-medium" id="result-h">
                {t('assembly.result')}
              </h2>
              <ul class="kern-list kern-list--bullet">
                <li>
                  {t('assembly.result_quorum', {
                    present: nf.format(tally.presentVotes),
                    total: nf.format(tally.totalVotes),
                    share: shareWords(t, setup.rules.quorum),
                  })}{' '}
                  {tally.quorate ? t('assembly.quorate') : t('assembly.not_quorate')}
                </li>
                <li>
                  {t('assembly.result_majority', { majority: majorityWords(t, setup.rules, r.majority) })}
                </li>
                <li>
                  {t('assembly.result_votes', {
                    yes: nf.format(tally.yes),
                    no: nf.format(tally.no),
                    abstain: nf.format(tally.abstain),
                  })}
                </li>
                <li>
                  <strong>{resultOf(t, r)}</strong>
                </li>
              </ul>
              {r.carried ? (
                r.appliedAt ? (
                  <p class="kern-body">
                    {t('assembly.applied_at', { at: meetingWhen(r.appliedAt, t, lang) })}
                  </p>
                ) : (
                  <form
                    method="post"
                    action={`/versammlung/beschluesse/${r.id}/vollziehen`}
                    class="kern-stack"
                    novalidate
                  >
                    <Csrf token={csrf} />
                    <p class="kern-body">{t('assembly.apply_hint')}</p>
                    <div class="kern-btn-wrapper">
                      <Button label={t('assembly.apply')} />
                    </div>
                  </form>
                )
              ) : (
                <div class="kern-alert kern-alert--warning" role="note">
                  <div class="kern-alert__body">
                    <p class="kern-body">{t('assembly.failed_no_effect')}</p>
                  </div>
                </div>
              )}
              <DataTable
                id="votes"
                caption={t('assembly.votes_per_member')}
                columns={[
                  { label: t('assembly.member') },
                  { label: t('assembly.votes'), numeric: true },
                  { label: t('assembly.ballot') },
                ]}
              >
                {data.detail.votes.map((vt) => (
                  <tr class="kern-table__row">
                    <th scope="row" class="kern-table__header">
                      {vt.memberName ?? vt.memberId}
                    </th>
                    <td class="kern-table__cell kern-table__cell--numeric">{nf.format(vt.votes)}</td>
                    <td class="kern-table__cell">{t.code(`ballot.${vt.ballot}`)}</td>
                  </tr>
                ))}
              </DataTable>
            </section>
          ) : present.length === 0 ? (
            <p class="kern-body">
              {t('assembly.vote_needs_presence')}{' '}
              <a class="kern-link" href={`/versammlung/sitzungen/${meeting.id}#presence-h`}>
                {t('assembly.presence')}
              </a>
            </p>
          ) : (
            <section class="kern-stack" aria-labelledby="vote-h">
              <h2 class="kern-heading-medium" id="vote-h">
                {t('assembly.record_vote')}
              </h2>
              <p class="kern-body">
                {t('assembly.vote_intro', {
                  members: present.length,
                  present: nf.format(present.reduce((s, m) => s + m.votes, 0)),
                  total: nf.format(setup.members.reduce((s, m) => s + m.votes, 0)),
                })}
              </p>
              <form
                method="post"
                action={`/versammlung/beschluesse/${r.id}/abstimmung`}
                class="kern-stack"
                novalidate
              >
                <Csrf token={csrf} />
                <input type="hidden" name="version" value={String(r.version)} />
                {present.map((m) => {
                  const name = `b-${m.id}`;
                  const err = e[name];
                  const chosen = form.values ? formText(form.values, name) : undefined;
                  return (
                    <fieldset
                      class={`kern-fieldset${err ? ' kern-fieldset--error' : ''}`}
                      id={`f-${name}`}
                      aria-describedby={err ? `f-${name}-error` : undefined}
                    >
                      <legend class="kern-label">
                        {m.name} (
                        {m.votes === 1 ? t('assembly.votes_one') : t('assembly.votes_n', { n: m.votes })})
                      </legend>
                      <div class="kern-fieldset__body kern-fieldset__body--horizontal">
                        {BALLOTS.map((b) => (
                          <div class="kern-form-check">
                            <input
                              class={`kern-form-check__radio${err ? ' kern-form-check__radio--error' : ''}`}
                              id={`f-${name}-${b}`}
                              name={name}
                              type="radio"
                              value={b}
                              checked={chosen === b}
                            />
                            <label class="kern-label" for={`f-${name}-${b}`}>
                              {t.code(`ballot.${b}`)}
                            </label>
                          </div>
                        ))}
                      </div>
                      {err ? (
                        <p class="kern-error" id={`f-${name}-error`}>
                          <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
                          <span class="kern-body">{err}</span>
                        </p>
                      ) : null}
                    </fieldset>
                  );
                })}
                <div class="kern-btn-wrapper">
                  <Button label={t('assembly.record_vote_button')} />
                </div>
              </form>
            </section>
          )}
        </div>
      ),
    });
  };

  app.get<{ Params: { resolutionId: string } }>(
    '/versammlung/beschluesse/:resolutionId/abstimmung',
    async (req, reply) => {
      requireManager(req);
      if (!isUuid(req.params.resolutionId)) return reply.callNotFound();
      return votePage(req, reply, req.params.resolutionId);
    },
  );

  app.post<{ Params: { resolutionId: string } }>(
    '/versammlung/beschluesse/:resolutionId/abstimmung',
    async (req, reply) => {
      requireManager(req);
      const id = req.params.resolutionId;
      if (!isUuid(id)) return reply.callNotFound();
      const t = req.t;
      const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
        string,
        unknown
      >;
      const values: FormValues = {};
      const errors: FieldErrors = {};
      const ballots: { memberId: string; ballot: Ballot }[] = [];
      // The form has one radio group per present member; every `b-<member id>` sent is a ballot, so a
      // ballot for anyone else reaches the service, which refuses it and changes nothing.
      for (const [key, raw] of Object.entries(body)) {
        const m = /^b-(.+)$/.exec(key);
        if (!m) continue;
        const value = Array.isArray(raw) ? raw[0] : raw;
        values[key] = typeof value === 'string' ? value : '';
        if (!isUuid(m[1]!) || !BALLOTS.includes(value as Ballot)) errors[key] = t('assembly.ballot_choose');
        else ballots.push({ memberId: m[1]!, ballot: value as Ballot });
      }
      const version = Number(typeof body.version === 'string' ? body.version : Number.NaN);
      const render = (errs: FieldErrors, message?: string, status = 422) =>
        votePage(req, reply, id, { errors: errs, message, status, values });
      // Every present member needs a choice (an abstention is a choice, not a default).
      const setup = await tx(req, async (t2) =>
        votingSetup(t2, (await getResolution(t2, id)).resolution.meetingId),
      );
      for (const m of setup.members.filter((x) => x.present)) {
        if (values[`b-${m.id}`] === undefined)
          errors[`b-${m.id}`] = t('assembly.ballot_missing', { name: m.name });
      }
      if (!Number.isInteger(version)) return render(errors, t('assembly.reload'));
      if (Object.keys(errors).length > 0) return render(errors);
      try {
        return await submitOnce(req, reply, tx, async (t2) => {
          const result = await recordVoteOn(t2, id, { ballots, version });
          return {
            to: `/versammlung/beschluesse/${id}/abstimmung#result-h`,
            flash: { title: result.resolution.carried ? 'assembly.vote_carried' : 'assembly.vote_failed' },
          };
        });
      } catch (err) {
        const problem = formProblem(err, t);
        if (problem) {
          // The service names the ballots as a whole ("ballots"): shown as the form's message.
          const { ballots: ballotsError, ...rest } = problem.errors;
          return render(rest, ballotsError ?? problem.message, problem.status);
        }
        throw err;
      }
    },
  );

  app.post<{ Params: { resolutionId: string } }>(
    '/versammlung/beschluesse/:resolutionId/vollziehen',
    async (req, reply) => {
      requireManager(req);
      const id = req.params.resolutionId;
      if (!isUuid(id)) return reply.callNotFound();
      try {
        return await submitOnce(req, reply, tx, async (t2) => {
          const { applied } = await applyResolutionNow(t2, id);
          return {
            to: `/versammlung/beschluesse/${id}/abstimmung#result-h`,
            flash: { title: applied ? 'assembly.applied' : 'assembly.applied_before' },
          };
        });
      } catch (err) {
        const problem = formProblem(err, req.t);
        if (problem) return votePage(req, reply, id, { message: problem.message, status: problem.status });
        throw err;
      }
    },
  );
}

function resultOf(t: T, r: ResolutionDto): string {
  if (r.carried) return t('assembly.carried');
  return r.tally?.reason === 'not_quorate' ? t('assembly.failed_quorum') : t('assembly.failed_majority');
}
