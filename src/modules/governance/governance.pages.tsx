/**
 * The public meeting calendar at /sitzungen: upcoming and past meetings of the assembly by year, each
 * meeting with its public agenda, its resolutions and their results, and its public documents. No login,
 * no JavaScript; staff see it in their layout, visitors in the public one. What is non-public never
 * reaches a visitor: row-level security hides it before the page is built. The association's own pages
 * (running a meeting, recording votes) are in assembly.pages.tsx and registered from here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUuid } from '../../shared/ids.js';
import { Badge, DataTable, DescriptionList } from '../../web/components.js';
import type { Lang, T } from '../../web/i18n/index.js';
import type { RawHtml } from '../../web/jsx/jsx-runtime.js';
import { sendPage } from '../../web/page.js';
import { sendPublicPage } from '../../web/public-layout.js';
import { hasPermission } from '../auth/permissions.js';
import { admissionPages } from './admission.pages.js';
import { MeetingStatusBadge, meetingWhen, ResolutionTable } from './assembly.components.js';
import { assemblyPages } from './assembly.pages.js';
import { berlinDay, getMeeting, listMeetings } from './assembly.service.js';
import type { MeetingDto } from './governance.schema.js';

function send(
  req: FastifyRequest,
  reply: FastifyReply,
  opts: { title: string; body: RawHtml; status?: number; nav?: string },
) {
  return req.principal ? sendPage(req, reply, opts) : sendPublicPage(req, reply, opts);
}

function MeetingTable(props: { t: T; lang: Lang; id: string; caption: string; meetings: MeetingDto[] }) {
  const { t, lang } = props;
  return (
    <DataTable
      id={props.id}
      caption={props.caption}
      columns={[
        { label: t('assembly.when') },
        { label: t('assembly.meeting') },
        { label: t('assembly.place') },
        { label: t('assembly.status') },
      ]}
    >
      {props.meetings.map((m) => (
        <tr class="kern-table__row">
          <td class="kern-table__cell">{meetingWhen(m.startsAt, t, lang)}</td>
          <th scope="row" class="kern-table__header">
            <a class="kern-link" href={`/sitzungen/${m.id}`}>
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
  );
}

export async function governancePages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  app.get('/sitzungen', async (req, reply) => {
    const t = req.t;
    const lang = req.lang;
    const { meetings, now } = await tx(req, async (t2) => ({
      meetings: await listMeetings(t2),
      now: t2.ctx.clock.now(),
    }));
    const upcoming = meetings.filter((m) => new Date(m.startsAt) >= now).reverse();
    const past = meetings.filter((m) => new Date(m.startsAt) < now);
    const years = [...new Set(past.map((m) => berlinDay(new Date(m.startsAt)).slice(0, 4)))];
    const title = t('assembly.calendar_title');
    return send(req, reply, {
      title,
      nav: '/versammlung',
      body: (
        <div class="kern-stack-lg">
          <h1 class="kern-heading-x-large">{title}</h1>
          <p class="kern-body">{t('assembly.calendar_intro')}</p>
          <p class="kern-body">
            <a class="kern-link" href="/sitzungen/zusammensetzung">
              {t('composition.title')}
            </a>
          </p>
          <section class="kern-stack" aria-labelledby="upcoming-h">
            <h2 class="kern-heading-large" id="upcoming-h">
              {t('assembly.upcoming')}
            </h2>
            {upcoming.length === 0 ? (
              <p class="kern-body">{t('assembly.no_upcoming')}</p>
            ) : (
              <MeetingTable
                t={t}
                lang={lang}
                id="upcoming"
                caption={t('assembly.upcoming')}
                meetings={upcoming}
              />
            )}
          </section>
          <section class="kern-stack" aria-labelledby="past-h">
            <h2 class="kern-heading-large" id="past-h">
              {t('assembly.past')}
            </h2>
            {past.length === 0 ? <p class="kern-body">{t('assembly.no_past')}</p> : null}
            {years.map((year) => (
              <section class="kern-stack" aria-labelledby={`y-${year}`}>
                <h3 class="kern-heading-medium" id={`y-${year}`}>
                  {year}
                </h3>
                <MeetingTable
                  t={t}
                  lang={lang}
                  id={`past-${year}`}
                  caption={t('assembly.past_year', { year })}
                  meetings={past.filter((m) => berlinDay(new Date(m.startsAt)).startsWith(year))}
                />
              </section>
            ))}
          </section>
        </div>
      ),
    });
  });

  app.get<{ Params: { meetingId: string } }>('/sitzungen/:meetingId', async (req, reply) => {
    if (!isUuid(req.params.meetingId)) return reply.callNotFound();
    const t = req.t;
    const lang = req.lang;
    const detail = await tx(req, (t2) => getMeeting(t2, req.params.meetingId));
    const { meeting, agendaItems, resolutions, documents } = detail;
    const canManage = req.principal ? hasPermission(req.ctx, 'governance.manage') : false;
    const byItem = (id: string) => resolutions.filter((r) => r.agendaItemId === id);
    return send(req, reply, {
      title: meeting.title,
      nav: '/versammlung',
      body: (
        <div class="kern-stack-lg">
          <p class="kern-body">
            <a class="kern-link" href="/sitzungen">
              {t('assembly.back_to_calendar')}
            </a>
          </p>
          <hgroup class="kern-hgroup">
            <p class="kern-preline">{t('assembly.preline')}</p>
            <h1 class="kern-heading-x-large">{meeting.title}</h1>
          </hgroup>
          <DescriptionList
            items={[
              [t('assembly.when'), meetingWhen(meeting.startsAt, t, lang)],
              [t('assembly.place'), meeting.place],
              [t('assembly.status'), <MeetingStatusBadge t={t} status={meeting.status} />],
            ]}
          />
          {canManage ? (
            <p class="kern-body">
              <a class="kern-link" href={`/versammlung/sitzungen/${meeting.id}`}>
                {t('assembly.manage_link')}
              </a>
            </p>
          ) : null}
          <section class="kern-stack" aria-labelledby="agenda-h">
            <h2 class="kern-heading-large" id="agenda-h">
              {t('assembly.agenda')}
            </h2>
            {agendaItems.length === 0 ? (
              <p class="kern-body">{t('assembly.no_agenda')}</p>
            ) : (
              <ol class="kern-list agenda-list">
                {agendaItems.map((a) => (
                  <li>
                    <strong>{a.number}</strong> {a.title}
                    {a.public ? null : (
                      <>
                        {' '}
                        <Badge variant="warning" label={t('assembly.non_public')} />
                      </>
                    )}
                    {byItem(a.id).length > 0 ? (
                      <span class="kern-body kern-body--small">
                        {' – '}
                        {byItem(a.id)
                          .map((r) => t('assembly.resolution_ref', { number: r.number }))
                          .join(', ')}
                      </span>
                    ) : null}
                  </li>
                ))}
              </ol>
            )}
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
                />
                {resolutions.some((r) => r.status === 'voted' && !r.carried) ? (
                  <p class="kern-body kern-body--small">{t('assembly.failed_no_effect')}</p>
                ) : null}
              </>
            )}
          </section>
          <section class="kern-stack" aria-labelledby="docs-h">
            <h2 class="kern-heading-large" id="docs-h">
              {t('assembly.documents')}
            </h2>
            {documents.length === 0 && meeting.status !== 'held' ? (
              <p class="kern-body">{t('assembly.no_documents')}</p>
            ) : (
              <ul class="kern-list kern-list--bullet">
                {documents.map((d) => (
                  <li>
                    <a class="kern-link" href={d.href}>
                      {d.name}
                    </a>{' '}
                    ({t.code(`document_kind.${d.kind}`)}, PDF)
                    {d.public ? null : (
                      <>
                        {' '}
                        <Badge variant="warning" label={t('assembly.non_public')} />
                      </>
                    )}
                  </li>
                ))}
                {meeting.status === 'held' ? (
                  <li>
                    <a class="kern-link" href={`/sitzungen/${meeting.id}/niederschrift.pdf`}>
                      {t('assembly.minutes_pdf')}
                    </a>
                  </li>
                ) : null}
              </ul>
            )}
          </section>
        </div>
      ),
    });
  });

  await assemblyPages(app);
  await admissionPages(app);
}
