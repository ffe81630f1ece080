/**
 * /versammlung/stimmrecht — the association sets the assembly's voting rules (votes per member,
 * quorum, majorities) from a day: the rules in force today, their history with sources, and a form.
 * What the statute says wins; this is configuration where it is silent (voting-rules.service.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { formatDate } from '../../shared/dates.js';
import type { FieldIssue } from '../../shared/errors.js';
import {
  Button,
  Csrf,
  DataTable,
  type FieldErrors,
  FormHeading,
  RadioGroup,
  SelectField,
  TextAreaField,
  TextField,
} from '../../web/components.js';
import { type FormValues, formProblem, formText, parseForm, submitOnce } from '../../web/form.js';
import type { Lang, T } from '../../web/i18n/index.js';
import { csrfToken, sendPage } from '../../web/page.js';
import { requireManager, weightWords } from './assembly.components.js';
import type { Share, VoteWeightRule, VotingRules } from './voting.js';
import { checkVotingRules, listVotingRules, setVotingRules, versionOnDay } from './voting-rules.service.js';

const PATH = '/versammlung/stimmrecht';

const RulesForm = Type.Object({
  validFrom: Type.String({ format: 'date' }),
  source: Type.String({ minLength: 1, maxLength: 500 }),
  weightKind: Type.Union([
    Type.Literal('per_member'),
    Type.Literal('population_bands'),
    Type.Literal('turnover'),
  ]),
  bands: Type.Optional(Type.String({ maxLength: 2000 })),
  cap: Type.Optional(Type.String({ maxLength: 20 })),
  eurosPerVote: Type.Optional(Type.String({ maxLength: 30 })),
  minVotes: Type.Optional(Type.String({ maxLength: 20 })),
  quorum: Type.String(),
  simple: Type.String(),
  qualified: Type.String(),
});
type RulesFormData = Partial<Static<typeof RulesForm>>;

// ---- shares as select options: "more_than:1/2:all" ----

const PARTS = ['more_than:1/2', 'at_least:1/2', 'at_least:2/3', 'at_least:3/4'] as const;
const OFS: readonly Share['of'][] = ['all', 'present', 'cast'];
const YES_OVER_NO = 'yes_over_no';

export function shareValue(s: Share): string {
  return `${s.comparison}:${s.numerator}/${s.denominator}:${s.of}`;
}

export function parseShare(v: string | undefined): Share | undefined {
  const m = /^(more_than|at_least):([1-9]\d{0,5})\/([1-9]\d{0,5}):(all|present|cast)$/.exec(v ?? '');
  if (!m) return undefined;
  return {
    comparison: m[1] as Share['comparison'],
    numerator: Number(m[2]),
    denominator: Number(m[3]),
    of: m[4] as Share['of'],
  };
}

function shareLabel(t: T, s: Share): string {
  const part = `${s.comparison}:${s.numerator}/${s.denominator}`;
  const partText = (PARTS as readonly string[]).includes(part)
    ? t.code(`voting_rules_page.part_${part.replace(':', '_').replace('/', '_')}`)
    : `${t.code(`assembly.share_${s.comparison}`)} ${s.numerator}/${s.denominator}`;
  return t('voting_rules_page.share_option', { part: partText, of: t.code(`voting_rules_page.of_${s.of}`) });
}

function shareOptions(t: T, ofs: readonly Share['of'][], current: string | undefined) {
  const options = ofs.flatMap((of) =>
    PARTS.map((p) => {
      const s = parseShare(`${p}:${of}`)!;
      return { value: shareValue(s), label: shareLabel(t, s) };
    }),
  );
  // Rules recorded otherwise (e.g. 3/5) stay selectable as they are.
  const extra = parseShare(current);
  if (extra && !options.some((o) => o.value === current))
    options.push({ value: current!, label: shareLabel(t, extra) });
  return options;
}

// ---- exact parsing of the typed numbers ----

/** "10.000,50" → 1000050 cents, exactly (no floats); undefined when not an amount. */
export function eurosToCents(text: string): number | undefined {
  const m = /^(\d{1,3}(?:\.\d{3})+|\d{1,13})(?:,(\d{1,2}))?$/.exec(text.trim().replace(/\s/g, ''));
  if (!m) return undefined;
  const euros = m[1]!.replaceAll('.', '');
  if (euros.length > 13) return undefined;
  return Number(euros) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

function centsToEuros(cents: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(cents / 100);
}

/** A whole number (German thousands dots allowed); undefined when not one. */
function wholeNumber(text: string): number | undefined {
  const s = text.trim().replace(/\s/g, '');
  if (!/^(\d{1,3}(\.\d{3})+|\d{1,12})$/.test(s)) return undefined;
  return Number(s.replaceAll('.', ''));
}

/** Bands typed one per line: "10000 1" (up to 10,000 inhabitants: 1 vote), last line "4" (the rest). */
export function parseBands(text: string): { upTo: number | null; votes: number }[] | undefined {
  const bands: { upTo: number | null; votes: number }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const parts = line.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) continue;
    if (parts.length > 2) return undefined;
    const votes = wholeNumber(parts.at(-1)!);
    const upTo = parts.length === 2 ? wholeNumber(parts[0]!) : null;
    if (votes === undefined || upTo === undefined) return undefined;
    bands.push({ upTo, votes });
  }
  return bands;
}

function bandsText(bands: readonly { upTo: number | null; votes: number }[]): string {
  return bands.map((b) => (b.upTo === null ? String(b.votes) : `${b.upTo} ${b.votes}`)).join('\n');
}

/** The service's field names as the form's. */
const FORM_FIELD: Record<string, string> = {
  'weight.kind': 'weightKind',
  'weight.bands': 'bands',
  'weight.cap': 'cap',
  'weight.centsPerVote': 'eurosPerVote',
  'weight.min': 'minVotes',
};
const formIssue = (i: FieldIssue): FieldIssue => ({ field: FORM_FIELD[i.field] ?? i.field, code: i.code });

/** The form's values as rules, with the issues of what could not be read. */
function rulesOf(d: RulesFormData): { rules: VotingRules; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const bad = (field: string, code: string) => issues.push({ field, code });
  const share = (field: 'quorum' | 'simple' | 'qualified'): Share => {
    const s = parseShare(d[field]);
    if (!s) bad(field, 'voting_rules.share_invalid');
    return s ?? { numerator: 0, denominator: 0, comparison: 'at_least', of: 'all' };
  };
  const cap = (): number | null => {
    if (!d.cap?.trim()) return null;
    const n = wholeNumber(d.cap);
    if (n === undefined) bad('cap', 'voting_rules.cap_invalid');
    return n ?? 0;
  };
  let weight: VoteWeightRule;
  switch (d.weightKind) {
    case 'population_bands': {
      const bands = parseBands(d.bands ?? '');
      if (!bands) bad('bands', 'voting_rules.bands_line');
      weight = { kind: 'population_bands', bands: bands ?? [{ upTo: null, votes: 1 }], cap: cap() };
      break;
    }
    case 'turnover': {
      const cents = eurosToCents(d.eurosPerVote ?? '');
      if (cents === undefined) bad('eurosPerVote', 'voting_rules.cents_per_vote_invalid');
      const min = wholeNumber(d.minVotes?.trim() ? d.minVotes : '0');
      if (min === undefined) bad('minVotes', 'voting_rules.min_invalid');
      weight = { kind: 'turnover', centsPerVote: cents ?? 1, min: min ?? 0, cap: cap() };
      break;
    }
    default:
      weight = { kind: 'per_member' };
  }
  const rules: VotingRules = {
    weight,
    quorum: share('quorum'),
    simple: d.simple === YES_OVER_NO ? null : share('simple'),
    qualified: share('qualified'),
  };
  return { rules, issues };
}

/** Form issues: what could not be read, then the service's own checks on what could. */
function formIssues(d: RulesFormData): FieldIssue[] {
  const { rules, issues } = rulesOf(d);
  const taken = new Set(issues.map((i) => i.field));
  const domain = checkVotingRules({ validFrom: d.validFrom ?? '', rules, source: d.source ?? '' })
    .map(formIssue)
    // The schema reports date and source; a field unreadable as typed keeps that message.
    .filter((i) => i.field !== 'validFrom' && i.field !== 'source' && !taken.has(i.field));
  return [...issues, ...domain];
}

function formValuesOf(rules: VotingRules, lang: Lang): FormValues {
  const w = rules.weight;
  return {
    weightKind: w.kind,
    bands: w.kind === 'population_bands' ? bandsText(w.bands) : '',
    cap: w.kind !== 'per_member' && w.cap !== null ? String(w.cap) : '',
    eurosPerVote: w.kind === 'turnover' ? centsToEuros(w.centsPerVote, lang) : '',
    minVotes: w.kind === 'turnover' ? String(w.min) : '',
    quorum: shareValue(rules.quorum),
    simple: rules.simple ? shareValue(rules.simple) : YES_OVER_NO,
    qualified: shareValue(rules.qualified),
  };
}

// ---- words ----

function simpleWords(t: T, r: VotingRules): string {
  return r.simple ? shareLabel(t, r.simple) : t('voting_rules_page.yes_over_no');
}

type FormState = { errors?: FieldErrors; message?: string | undefined; values?: FormValues; status?: number };

export async function votingRulesPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  const page = async (req: FastifyRequest, reply: FastifyReply, form: FormState = {}) => {
    const t = req.t;
    const lang = req.lang;
    const versions = await tx(req, (t2) => listVotingRules(t2));
    const today = versionOnDay(versions, req.ctx.clock.today());
    const e = form.errors ?? {};
    const values = form.values ?? formValuesOf(today.rules, lang);
    const v = (k: string) => formText(values, k) ?? '';
    const title = t('voting_rules_page.title');
    const r = today.rules;
    return sendPage(req, reply, {
      title,
      status: form.status,
      nav: '/versammlung',
      body: (
        <div class="kern-stack-lg">
          <FormHeading title={title} errors={e} t={t} message={form.message} />
          <p class="kern-body">{t('voting_rules_page.intro')}</p>
          <p class="kern-body">
            <a class="kern-link" href="/versammlung">
              {t('voting_rules_page.back')}
            </a>
          </p>

          <section class="kern-stack" aria-labelledby="in-force-h">
            <h2 class="kern-heading-medium" id="in-force-h">
              {t('voting_rules_page.in_force')}
            </h2>
            <ul class="kern-list kern-list--bullet">
              <li>{weightWords(t, lang, r.weight)}</li>
              <li>{t('assembly.rule_quorum', { share: shareLabel(t, r.quorum) })}</li>
              <li>
                {t('voting_rules_page.col_simple')}: {simpleWords(t, r)}
              </li>
              <li>
                {t('voting_rules_page.col_qualified')}: {shareLabel(t, r.qualified)}
              </li>
            </ul>
            <p class="kern-body kern-body--small">
              {today.isDefault
                ? t('voting_rules_page.default_note')
                : t('assembly.rules_source', {
                    from: formatDate(today.validFrom, lang),
                    source: today.source ?? '–',
                  })}
            </p>
          </section>

          <section class="kern-stack" aria-labelledby="history-h">
            <h2 class="kern-heading-medium" id="history-h">
              {t('voting_rules_page.history')}
            </h2>
            <DataTable
              id="voting-rules"
              caption={t('voting_rules_page.history')}
              columns={[
                { label: t('voting_rules_page.col_from') },
                { label: t('voting_rules_page.col_weight') },
                { label: t('voting_rules_page.col_quorum') },
                { label: t('voting_rules_page.col_simple') },
                { label: t('voting_rules_page.col_qualified') },
                { label: t('voting_rules_page.col_source') },
              ]}
            >
              {versions.map((x) => (
                <tr class="kern-table__row">
                  <th scope="row" class="kern-table__header">
                    {x.validFrom ? formatDate(x.validFrom, lang) : '–'}
                  </th>
                  <td class="kern-table__cell">{weightWords(t, lang, x.rules.weight)}</td>
                  <td class="kern-table__cell">{shareLabel(t, x.rules.quorum)}</td>
                  <td class="kern-table__cell">{simpleWords(t, x.rules)}</td>
                  <td class="kern-table__cell">{shareLabel(t, x.rules.qualified)}</td>
                  <td class="kern-table__cell">{x.source ?? t('voting_rules_page.default_note')}</td>
                </tr>
              ))}
            </DataTable>
          </section>

          <section class="kern-stack" aria-labelledby="form-h">
            <h2 class="kern-heading-medium" id="form-h">
              {t('voting_rules_page.form')}
            </h2>
            <p class="kern-body">{t('voting_rules_page.form_hint')}</p>
            <form method="post" action={PATH} class="kern-stack" novalidate>
              <Csrf token={csrfToken(req, reply)} />
              <TextField
                name="validFrom"
                type="date"
                label={t('voting_rules_page.valid_from')}
                value={v('validFrom')}
                error={e.validFrom}
                required
                requiredLabel={t('common.required')}
              />
              <TextField
                name="source"
                label={t('voting_rules_page.source')}
                hint={t('voting_rules_page.source_hint')}
                value={v('source')}
                error={e.source}
                required
                requiredLabel={t('common.required')}
                maxlength={500}
              />
              <RadioGroup
                name="weightKind"
                legend={t('voting_rules_page.weight')}
                value={v('weightKind') || 'per_member'}
                error={e.weightKind}
                options={[
                  { value: 'per_member', label: t('voting_rules_page.weight_per_member') },
                  { value: 'population_bands', label: t('voting_rules_page.weight_population') },
                  { value: 'turnover', label: t('voting_rules_page.weight_turnover') },
                ]}
              />
              <TextAreaField
                name="bands"
                label={t('voting_rules_page.bands')}
                hint={t('voting_rules_page.bands_hint')}
                value={v('bands')}
                error={e.bands}
                rows={5}
                maxlength={2000}
              />
              <TextField
                name="cap"
                label={t('voting_rules_page.cap')}
                hint={t('voting_rules_page.cap_hint')}
                value={v('cap')}
                error={e.cap}
                inputmode="numeric"
                width={5}
              />
              <TextField
                name="eurosPerVote"
                label={t('voting_rules_page.euros_per_vote')}
                hint={t('voting_rules_page.euros_per_vote_hint')}
                value={v('eurosPerVote')}
                error={e.eurosPerVote}
                inputmode="decimal"
                width={12}
              />
              <TextField
                name="minVotes"
                label={t('voting_rules_page.min_votes')}
                hint={t('voting_rules_page.min_votes_hint')}
                value={v('minVotes')}
                error={e.minVotes}
                inputmode="numeric"
                width={5}
              />
              <SelectField
                name="quorum"
                label={t('voting_rules_page.quorum')}
                value={v('quorum')}
                error={e.quorum}
                options={shareOptions(t, ['all'], v('quorum'))}
              />
              <SelectField
                name="simple"
                label={t('voting_rules_page.simple')}
                value={v('simple')}
                error={e.simple}
                options={[
                  { value: YES_OVER_NO, label: t('voting_rules_page.yes_over_no') },
                  ...shareOptions(t, OFS, v('simple')),
                ]}
              />
              <SelectField
                name="qualified"
                label={t('voting_rules_page.qualified')}
                value={v('qualified')}
                error={e.qualified}
                options={shareOptions(t, OFS, v('qualified'))}
              />
              <div class="kern-btn-wrapper">
                <Button label={t('voting_rules_page.submit')} />
              </div>
            </form>
          </section>
        </div>
      ),
    });
  };

  app.get(PATH, async (req, reply) => {
    requireManager(req);
    return page(req, reply);
  });

  app.post(PATH, async (req, reply) => {
    requireManager(req);
    const form = parseForm(req, RulesForm, {
      labels: { validFrom: req.t('voting_rules_page.valid_from'), source: req.t('voting_rules_page.source') },
      check: (d) => formIssues(d as RulesFormData),
    });
    const render = (errors: FieldErrors, message?: string, status = 422) =>
      page(req, reply, { errors, message, status, values: form.values });
    if (!form.ok) return render(form.errors);
    const data = form.data;
    const { rules } = rulesOf(data);
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        await setVotingRules(t2, { validFrom: data.validFrom, rules, source: data.source });
        return { to: PATH, flash: { title: 'voting_rules_page.saved' } };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) {
        const errors: FieldErrors = {};
        for (const [f, m] of Object.entries(problem.errors)) errors[FORM_FIELD[f] ?? f] = m;
        return render(errors, problem.message, problem.status);
      }
      throw err;
    }
  });
}
