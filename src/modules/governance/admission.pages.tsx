/**
 * The admission procedure in the association's area: /versammlung/aufnahmen lists every pending
 * admission with the step it waits for ("wartet auf Genehmigung der Aufsichtsbehörde") and the members
 * admitted with the day they are in from; /versammlung/aufnahmen/:memberId shows one admission with its
 * steps and the form for the next one (date and reference). The assembly's step — the amending statute —
 * is recorded by its admit_members resolution, so the page says so and links to it. The composition of
 * the assembly (steering group and representatives) is at /versammlung/zusammensetzung and, for the
 * public, /sitzungen/zusammensetzung (names and functions only).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canSeeMember } from '../../shared/context.js';
import { formatDate } from '../../shared/dates.js';
import { UnauthenticatedError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import {
  Badge,
  Button,
  Csrf,
  DataTable,
  ErrorSummary,
  type FieldErrors,
  SelectField,
  TextField,
} from '../../web/components.js';
import { type FormValues, formProblem, formText, parseForm, submitOnce } from '../../web/form.js';
import type { Lang, T } from '../../web/i18n/index.js';
import type { RawHtml } from '../../web/jsx/jsx-runtime.js';
import { csrfToken, sendPage } from '../../web/page.js';
import { sendPublicPage } from '../../web/public-layout.js';
import {
  getAdmission,
  listAdmissions,
  recordNextAdmissionStep,
  STEPS_RECORDED_BY_HAND,
} from './admission.service.js';
import { requireManager } from './assembly.components.js';
import { publicRepresentativesOn, representativesOn, steeringGroupOn } from './assembly.service.js';
import { type AdmissionDto, AdmissionStepForm, type SteeringGroupEntryDto } from './governance.schema.js';

type FormState = { errors?: FieldErrors; message?: string | undefined; values?: FormValues; status?: number };

/** "wartet auf Genehmigung der Aufsichtsbehörde". */
export function waitingWords(t: T, a: Pick<AdmissionDto, 'waitingFor'>): string {
  return a.waitingFor ? t('admission.waits_for', { step: t.code(`admission.step.${a.waitingFor}`) }) : '';
}

/** The steps of an admission: done ones with their date and reference, the assembly's with its resolution. */
export function AdmissionSteps(props: {
  t: T;
  lang: Lang;
  admission: AdmissionDto;
  links: boolean;
}): RawHtml {
  const { t, lang, admission } = props;
  return (
    <ol class="kern-list admission-steps">
      {admission.steps.map((s) => (
        <li>
          <strong>{t.code(`admission.step.${s.step}`)}</strong>
          {': '}
          {s.doneOn ? (
            <>
              {formatDate(s.doneOn, lang)}
              {s.resolutionId && s.resolutionNumber ? (
                <>
                  {' – '}
                  {props.links ? (
                    <a class="kern-link" href={`/versammlung/beschluesse/${s.resolutionId}/abstimmung`}>
                      {t('admission.resolution', { number: s.resolutionNumber })}
                    </a>
                  ) : (
                    t('admission.resolution', { number: s.resolutionNumber })
                  )}
                </>
              ) : s.reference ? (
                <> – {s.reference}</>
              ) : null}
            </>
          ) : admission.waitingFor === s.step ? (
            <Badge variant="warning" label={t('admission.open_next')} />
          ) : (
            t('admission.open')
          )}
        </li>
      ))}
    </ol>
  );
}

function RepresentativeRole(props: { t: T; role: 'representative' | 'deputy' }) {
  return <>{props.t.code(`composition.role.${props.role}`)}</>;
}

function SteeringGroupList(props: { t: T; lang: Lang; rows: SteeringGroupEntryDto[]; links: boolean }) {
  const { t, lang } = props;
  return (
    <ul class="kern-list kern-list--bullet">
      {props.rows.map((s) => (
        <li>
          {props.links ? (
            <a class="kern-link" href={`/mitglieder/${s.memberId}`}>
              {s.memberName}
            </a>
          ) : (
            s.memberName
          )}{' '}
          <span class="kern-body kern-body--small">
            ({t('composition.since', { date: formatDate(s.validFrom, lang) })})
          </span>
        </li>
      ))}
    </ul>
  );
}

export async function admissionPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  app.get('/versammlung/aufnahmen', async (req, reply) => {
    requireManager(req);
    const t = req.t;
    const lang = req.lang;
    const { pending, admitted } = await tx(req, (t2) => listAdmissions(t2));
    const title = t('admission.title');
    return sendPage(req, reply, {
      title,
      nav: '/versammlung',
      breadcrumbs: [{ href: '/versammlung', label: t('nav.assembly') }],
      body: (
        <div class="kern-stack-lg">
          <h1 class="kern-heading-x-large">{title}</h1>
          <p class="kern-body">{t('admission.intro')}</p>
          <section class="kern-stack" aria-labelledby="pending-h">
            <h2 class="kern-heading-large" id="pending-h">
              {t('admission.pending')}
            </h2>
            {pending.length === 0 ? (
              <p class="kern-body">{t('admission.no_pending')}</p>
            ) : (
              <DataTable
                id="pending"
                caption={t('admission.pending')}
                variant="striped"
                columns={[
                  { label: t('admission.member') },
                  { label: t('admission.steps_done') },
                  { label: t('admission.waiting') },
                ]}
              >
                {pending.map((a) => (
                  <tr class="kern-table__row">
                    <th scope="row" class="kern-table__header">
                      <a class="kern-link" href={`/versammlung/aufnahmen/${a.memberId}`}>
                        {a.memberName}
                      </a>
                    </th>
                    <td class="kern-table__cell">
                      {a.steps.some((s) => s.doneOn)
                        ? a.steps
                            .filter((s) => s.doneOn)
                            .map(
                              (s) => `${t.code(`admission.step.${s.step}`)} (${formatDate(s.doneOn, lang)})`,
                            )
                            .join('; ')
                        : t('admission.none_done')}
                    </td>
                    <td class="kern-table__cell">{waitingWords(t, a)}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          <section class="kern-stack" aria-labelledby="admitted-h">
            <h2 class="kern-heading-large" id="admitted-h">
              {t('admission.admitted')}
            </h2>
            {admitted.length === 0 ? (
              <p class="kern-body">{t('admission.no_admitted')}</p>
            ) : (
              <DataTable
                id="admitted"
                caption={t('admission.admitted')}
                variant="striped"
                columns={[
                  { label: t('admission.member') },
                  { label: t('admission.step.publication') },
                  { label: t('admission.member_from') },
                ]}
              >
                {admitted.map((a) => {
                  const pub = a.steps.find((s) => s.step === 'publication');
                  return (
                    <tr class="kern-table__row">
                      <th scope="row" class="kern-table__header">
                        <a class="kern-link" href={`/versammlung/aufnahmen/${a.memberId}`}>
                          {a.memberName}
                        </a>
                      </th>
                      <td class="kern-table__cell">
                        {formatDate(pub?.doneOn ?? null, lang)}
                        {pub?.reference ? ` – ${pub.reference}` : ''}
                      </td>
                      <td class="kern-table__cell">{formatDate(a.memberFrom, lang)}</td>
                    </tr>
                  );
                })}
              </DataTable>
            )}
          </section>
        </div>
      ),
    });
  });

  const admissionPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    memberId: string,
    form: FormState = {},
  ) => {
    const t = req.t;
    const lang = req.lang;
    const a = await tx(req, (t2) => getAdmission(t2, memberId));
    const csrf = csrfToken(req, reply);
    const e = form.errors ?? {};
    const v = (k: string, fallback = '') => (form.values ? formText(form.values, k) : undefined) ?? fallback;
    const title = t('admission.of', { name: a.memberName });
    const nextByHand = a.waitingFor !== null && STEPS_RECORDED_BY_HAND.includes(a.waitingFor);
    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: '/versammlung',
      breadcrumbs: [
        { href: '/versammlung', label: t('nav.assembly') },
        { href: '/versammlung/aufnahmen', label: t('admission.title') },
      ],
      body: (
        <div class="kern-stack-lg">
          <h1 class="kern-heading-x-large">{title}</h1>
          <ErrorSummary errors={e} t={t} message={form.message} />
          <p class="kern-body">
            {a.state === 'pending' ? (
              <Badge
                variant="warning"
                label={t('admission.running', { step: t.code(`admission.step.${a.waitingFor}`) })}
              />
            ) : a.state === 'admitted' ? (
              <Badge
                variant="success"
                label={t('admission.member_from_date', { date: formatDate(a.memberFrom, lang) })}
              />
            ) : a.state === 'withdrawn' ? (
              t('admission.state.withdrawn')
            ) : null}
          </p>
          <p class="kern-body">
            <a class="kern-link" href={`/mitglieder/${a.memberId}`}>
              {t('admission.member_page', { name: a.memberName })}
            </a>
          </p>
          <section class="kern-stack" aria-labelledby="steps-h">
            <h2 class="kern-heading-medium" id="steps-h">
              {t('admission.steps')}
            </h2>
            {a.state === 'not_recorded' && a.steps.every((s) => s.doneOn === null) ? (
              <p class="kern-body">{t('admission.state.not_recorded')}</p>
            ) : (
              <AdmissionSteps t={t} lang={lang} admission={a} links />
            )}
            <p class="kern-body kern-body--small">{t('admission.statute_note')}</p>
          </section>
          {a.waitingFor === 'amending_statute' ? (
            <section class="kern-stack" aria-labelledby="next-h">
              <h2 class="kern-heading-medium" id="next-h">
                {t('admission.next')}
              </h2>
              <p class="kern-body">
                {t('admission.by_resolution')}{' '}
                <a class="kern-link" href="/versammlung">
                  {t('admission.to_meetings')}
                </a>
              </p>
            </section>
          ) : null}
          {nextByHand ? (
            <section class="kern-stack" aria-labelledby="next-h">
              <h2 class="kern-heading-medium" id="next-h">
                {t('admission.next')}
              </h2>
              <form
                method="post"
                action={`/versammlung/aufnahmen/${a.memberId}`}
                class="kern-stack"
                novalidate
              >
                <Csrf token={csrf} />
                <SelectField
                  name="step"
                  label={t('admission.step_label')}
                  options={STEPS_RECORDED_BY_HAND.map((s) => ({
                    value: s,
                    label: t.code(`admission.step.${s}`),
                  }))}
                  value={v('step', a.waitingFor ?? '')}
                  error={e.step}
                  required
                  requiredLabel={t('common.required')}
                />
                <TextField
                  name="doneOn"
                  type="date"
                  label={t('admission.done_on')}
                  hint={t('admission.done_on_hint')}
                  value={v('doneOn')}
                  error={e.doneOn}
                  required
                  requiredLabel={t('common.required')}
                />
                <TextField
                  name="reference"
                  label={t('admission.reference')}
                  hint={t('admission.reference_hint')}
                  value={v('reference')}
                  error={e.reference}
                  optionalLabel={t('common.optional')}
                  maxlength={500}
                />
                <div class="kern-btn-wrapper">
                  <Button label={t('admission.record')} />
                </div>
              </form>
            </section>
          ) : null}
        </div>
      ),
    });
  };

  app.get<{ Params: { memberId: string } }>('/versammlung/aufnahmen/:memberId', async (req, reply) => {
    if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
    const id = req.params.memberId;
    // Another member's id is "not found" before it is "forbidden" (the cross-member matrix).
    if (!isUuid(id) || !canSeeMember(req.ctx, id)) return reply.callNotFound();
    requireManager(req);
    return admissionPage(req, reply, id);
  });

  app.post<{ Params: { memberId: string } }>('/versammlung/aufnahmen/:memberId', async (req, reply) => {
    if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
    const id = req.params.memberId;
    if (!isUuid(id) || !canSeeMember(req.ctx, id)) return reply.callNotFound();
    requireManager(req);
    const form = parseForm(req, AdmissionStepForm, {
      labels: {
        step: req.t('admission.step_label'),
        doneOn: req.t('admission.done_on'),
        reference: req.t('admission.reference'),
      },
    });
    const render = (errors: FieldErrors, message?: string, status = 422) =>
      admissionPage(req, reply, id, { errors, message, status, values: form.values });
    if (!form.ok) return render(form.errors);
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        await recordNextAdmissionStep(t2, id, form.data);
        return {
          to: `/versammlung/aufnahmen/${id}`,
          flash: { title: 'admission.step_recorded' },
        };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return render(problem.errors, problem.message, problem.status);
      throw err;
    }
  });

  // ---- composition ----

  app.get('/versammlung/zusammensetzung', async (req, reply) => {
    requireManager(req);
    const t = req.t;
    const lang = req.lang;
    const day = req.ctx.clock.today();
    // Outside the request's transaction: the names are read as the system (assembly.service.ts).
    const steering = await steeringGroupOn(app.allmende.deps.database, day);
    const reps = await tx(req, (t2) => representativesOn(t2, day));
    const title = t('composition.title');
    return sendPage(req, reply, {
      title,
      nav: '/versammlung',
      breadcrumbs: [{ href: '/versammlung', label: t('nav.assembly') }],
      body: (
        <div class="kern-stack-lg">
          <h1 class="kern-heading-x-large">{title}</h1>
          <p class="kern-body">
            {t('composition.on', { date: formatDate(day, lang) })}{' '}
            <a class="kern-link" href="/sitzungen/zusammensetzung">
              {t('composition.public_link')}
            </a>
          </p>
          <section class="kern-stack" aria-labelledby="steering-h">
            <h2 class="kern-heading-large" id="steering-h">
              {t('composition.steering_group')}
            </h2>
            <p class="kern-body">{t('composition.steering_intro')}</p>
            {steering.length === 0 ? (
              <p class="kern-body">{t('composition.none')}</p>
            ) : (
              <SteeringGroupList t={t} lang={lang} rows={steering} links />
            )}
          </section>
          <section class="kern-stack" aria-labelledby="reps-h">
            <h2 class="kern-heading-large" id="reps-h">
              {t('composition.representatives')}
            </h2>
            <p class="kern-body">{t('composition.reps_intro')}</p>
            {reps.some((r) => r.isExample) ? (
              <p class="kern-body">
                <Badge variant="info" label={t('composition.example')} /> {t('composition.example_note')}
              </p>
            ) : null}
            {reps.length === 0 ? (
              <p class="kern-body">{t('composition.none')}</p>
            ) : (
              <DataTable
                id="reps"
                caption={t('composition.representatives')}
                variant="small-striped"
                columns={[
                  { label: t('admission.member') },
                  { label: t('composition.name') },
                  { label: t('composition.function') },
                  { label: t('composition.role') },
                  { label: t('composition.since_col') },
                ]}
              >
                {reps.map((r) => (
                  <tr class="kern-table__row">
                    <td class="kern-table__cell">{r.memberName}</td>
                    <th scope="row" class="kern-table__header">
                      {r.name}
                      {r.isExample ? (
                        <>
                          {' '}
                          <Badge variant="info" label={t('composition.example')} />
                        </>
                      ) : null}
                    </th>
                    <td class="kern-table__cell">{r.function ?? '–'}</td>
                    <td class="kern-table__cell">
                      <RepresentativeRole t={t} role={r.role} />
                    </td>
                    <td class="kern-table__cell">{formatDate(r.validFrom, lang)}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
        </div>
      ),
    });
  });

  app.get('/sitzungen/zusammensetzung', async (req, reply) => {
    const t = req.t;
    const lang = req.lang;
    const day = req.ctx.clock.today();
    // Outside the request's transaction: the names are read as the system (assembly.service.ts).
    const steering = await steeringGroupOn(app.allmende.deps.database, day);
    const reps = await tx(req, (t2) => publicRepresentativesOn(t2, day));
    const title = t('composition.title');
    const body = (
      <div class="kern-stack-lg">
        <p class="kern-body">
          <a class="kern-link" href="/sitzungen">
            {t('assembly.back_to_calendar')}
          </a>
        </p>
        <h1 class="kern-heading-x-large">{title}</h1>
        <p class="kern-body">{t('composition.on', { date: formatDate(day, lang) })}</p>
        <section class="kern-stack" aria-labelledby="steering-h">
          <h2 class="kern-heading-large" id="steering-h">
            {t('composition.steering_group')}
          </h2>
          <p class="kern-body">{t('composition.steering_intro')}</p>
          {steering.length === 0 ? (
            <p class="kern-body">{t('composition.none')}</p>
          ) : (
            <SteeringGroupList t={t} lang={lang} rows={steering} links={false} />
          )}
        </section>
        <section class="kern-stack" aria-labelledby="reps-h">
          <h2 class="kern-heading-large" id="reps-h">
            {t('composition.representatives')}
          </h2>
          <p class="kern-body">{t('composition.reps_intro_public')}</p>
          {reps.some((r) => r.isExample) ? (
            <p class="kern-body">
              <Badge variant="info" label={t('composition.example')} /> {t('composition.example_note')}
            </p>
          ) : null}
          {reps.length === 0 ? (
            <p class="kern-body">{t('composition.none')}</p>
          ) : (
            <DataTable
              id="reps"
              caption={t('composition.representatives')}
              variant="small-striped"
              columns={[
                { label: t('composition.name') },
                { label: t('composition.function') },
                { label: t('composition.role') },
              ]}
            >
              {reps.map((r) => (
                <tr class="kern-table__row">
                  <th scope="row" class="kern-table__header">
                    {r.name}
                    {r.isExample ? (
                      <>
                        {' '}
                        <Badge variant="info" label={t('composition.example')} />
                      </>
                    ) : null}
                  </th>
                  <td class="kern-table__cell">{r.function ?? '–'}</td>
                  <td class="kern-table__cell">
                    <RepresentativeRole t={t} role={r.role} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      </div>
    );
    return req.principal
      ? sendPage(req, reply, { title, nav: '/versammlung', body })
      : sendPublicPage(req, reply, { title, body });
  });
}
