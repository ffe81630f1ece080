/**
 * Pieces the public calendar and the association's assembly pages share: when a meeting is, its status,
 * a resolution's result and the table of a meeting's resolutions.
 */
import type { FastifyRequest } from 'fastify';
import { formatDate } from '../../shared/dates.js';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors.js';
import { formatEuro } from '../../shared/money.js';
import { Badge, DataTable } from '../../web/components.js';
import type { Lang, T } from '../../web/i18n/index.js';
import type { RawHtml } from '../../web/jsx/jsx-runtime.js';
import { hasPermission } from '../auth/permissions.js';
import { berlinDay, berlinTime } from './assembly.service.js';
import type { MeetingDto, ResolutionDto } from './governance.schema.js';
import type { VoteWeightRule } from './voting.js';

/**
 * The day a carried resolution takes effect: its own date, the catalogue version's first day in force,
 * or the day of the meeting that voted it.
 */
export function effectiveDay(r: ResolutionDto, meetingDay: string): string | null {
  if (!r.carried) return null;
  if (r.effectiveOn) return r.effectiveOn;
  const inForceFrom = (r.payload as { inForceFrom?: unknown }).inForceFrom;
  if (r.kind === 'adopt_catalog_version' && typeof inForceFrom === 'string') return inForceFrom;
  return meetingDay;
}

/** "11.03.2021, 16:00 Uhr" / "11 Mar 2021, 16:00", in Berlin time. */
export function meetingWhen(iso: string, t: T, lang: Lang): string {
  const at = new Date(iso);
  return t('assembly.at', { date: formatDate(berlinDay(at), lang), time: berlinTime(at) });
}

export function MeetingStatusBadge(props: { t: T; status: MeetingDto['status'] }): RawHtml {
  const variant = props.status === 'held' ? 'success' : props.status === 'cancelled' ? 'danger' : 'info';
  return <Badge variant={variant} label={props.t.code(`meeting_status.${props.status}`)} />;
}

/** The result of a resolution in words: carried, failed (quorum / majority), or not yet voted. */
export function resultLabel(t: T, r: ResolutionDto): string {
  if (r.status === 'draft' || !r.tally) return t('assembly.result_draft');
  if (r.carried) return t('assembly.result_carried');
  return r.tally.reason === 'not_quorate'
    ? t('assembly.result_not_quorate')
    : t('assembly.result_no_majority');
}

export function ResultBadge(props: { t: T; r: ResolutionDto }): RawHtml {
  const { r } = props;
  const variant = r.status === 'draft' ? 'info' : r.carried ? 'success' : 'danger';
  return <Badge variant={variant} label={resultLabel(props.t, r)} />;
}

/** The resolutions of a meeting as a table: number, title, kind, result, votes, effective date. */
export function ResolutionTable(props: {
  t: T;
  lang: Lang;
  id: string;
  resolutions: readonly ResolutionDto[];
  /** The meeting's day in Berlin (a resolution without a date of its own takes effect then). */
  meetingDay: string;
  /** Link each number to this page (the association's vote page). */
  hrefFor?: (r: ResolutionDto) => string;
}): RawHtml {
  const { t, lang } = props;
  const nf = new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB');
  return (
    <DataTable
      id={props.id}
      caption={t('assembly.resolutions')}
      columns={[
        { label: t('assembly.resolution_number') },
        { label: t('assembly.resolution_title') },
        { label: t('assembly.resolution_kind') },
        { label: t('assembly.result') },
        { label: t('assembly.yes'), numeric: true },
        { label: t('assembly.no'), numeric: true },
        { label: t('assembly.abstain'), numeric: true },
        { label: t('assembly.effective_on') },
      ]}
    >
      {props.resolutions.map((r) => (
        <tr class="kern-table__row">
          <th scope="row" class="kern-table__header">
            {props.hrefFor ? (
              <a class="kern-link" href={props.hrefFor(r)}>
                {r.number}
              </a>
            ) : (
              r.number
            )}
          </th>
          <td class="kern-table__cell">{r.title}</td>
          <td class="kern-table__cell">{t.code(`resolution_kind.${r.kind}`)}</td>
          <td class="kern-table__cell">
            <ResultBadge t={t} r={r} />
          </td>
          <td class="kern-table__cell kern-table__cell--numeric">{r.tally ? nf.format(r.tally.yes) : '–'}</td>
          <td class="kern-table__cell kern-table__cell--numeric">{r.tally ? nf.format(r.tally.no) : '–'}</td>
          <td class="kern-table__cell kern-table__cell--numeric">
            {r.tally ? nf.format(r.tally.abstain) : '–'}
          </td>
          <td class="kern-table__cell">
            {r.carried ? formatDate(effectiveDay(r, props.meetingDay), lang) : '–'}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** How many votes a member holds, in words: "Jedes Mitglied hat eine Stimme." or the bands with their cap. */
export function weightWords(t: T, lang: Lang, w: VoteWeightRule): string {
  const nf = new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB');
  const cap = (c: number | null) => (c ? ` ${t('assembly.cap', { cap: c })}` : '');
  switch (w.kind) {
    case 'per_member':
      return t('assembly.weight_per_member');
    case 'population_bands': {
      const bands = w.bands
        .map((b) =>
          b.upTo === null
            ? t('assembly.band_rest', { votes: b.votes })
            : t('assembly.band_upto', { upTo: nf.format(b.upTo), votes: b.votes }),
        )
        .join('; ');
      return t('assembly.weight_population', { bands }) + cap(w.cap);
    }
    case 'turnover':
      return (
        t('assembly.weight_turnover', { amount: formatEuro(w.centsPerVote, lang), min: w.min }) + cap(w.cap)
      );
  }
}

/**
 * The assembly's management pages are for people with governance.manage (the association's staff):
 * anyone else is refused (401 without a session, 403 with one). Synchronous: as a Fastify onRequest
 * hook, wrap it in an async function (a synchronous hook would have to call `done`).
 */
export function requireManager(req: FastifyRequest): void {
  if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
  if (!hasPermission(req.ctx, 'governance.manage')) throw new ForbiddenError('governance.manage');
}
