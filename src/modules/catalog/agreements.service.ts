/**
 * Service agreements (Leistungsvereinbarungen): a member books a catalogue service from a day, changes
 * the booked quantity from a later day, and cancels with the service's notice period. Member admins act
 * for their own member (an Amt's for its municipalities, by its member scope); the association for all.
 * Every booking, change and cancellation is audited in the member's chain.
 */
import type { Tx } from '../../db/tx.js';
import { isIsoDate } from '../../shared/dates.js';
import { isDecimal } from '../../shared/decimal.js';
import { addDays, isInForce } from '../../shared/effective.js';
import {
  ConflictError,
  type FieldIssue,
  InvalidStateError,
  NotFoundError,
  ValidationError,
} from '../../shared/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { requireMemberPermission } from '../auth/permissions.js';
import { getMember } from '../members/members.service.js';
import {
  type AgreementRow,
  endTerm,
  findAgreementForUpdate,
  firstAgreementId,
  insertAgreement,
  insertTerm,
  lockAgreementsOfService,
  selectAgreements,
  selectTerms,
  setAgreementEnd,
  type TermRow,
  touchAgreement,
} from './agreements.repository.js';
import { type AgreementLine, agreementLines, earliestEnd, type Term } from './agreements.terms.js';
import { DEMO_AGREEMENTS } from './catalog.demo.js';
import { loadPriceBook } from './catalog.service.js';

export interface AgreementDto {
  id: string;
  memberId: string;
  serviceCode: string;
  startsOn: string;
  endsOn: string | null;
  noticeGivenOn: string | null;
  note: string | null;
  terms: Term[];
  version: number;
}

/** numeric comes back as "25.000000": the exact value without trailing zeros. */
function exact(q: string | null): string | null {
  if (q === null) return null;
  return q.includes('.') ? q.replace(/0+$/, '').replace(/\.$/, '') : q;
}

function toDto(a: AgreementRow, terms: readonly TermRow[]): AgreementDto {
  return {
    id: a.id,
    memberId: a.member_id,
    serviceCode: a.service_code,
    startsOn: a.starts_on,
    endsOn: a.ends_on,
    noticeGivenOn: a.notice_given_on,
    note: a.note,
    terms: terms
      .filter((t) => t.agreement_id === a.id)
      .map((t) => ({ validFrom: t.valid_from, validUntil: t.valid_until, quantity: exact(t.quantity) })),
    version: a.version,
  };
}

/** The member's agreements with their terms, oldest first. */
export async function listAgreements(tx: Tx, memberId: string): Promise<AgreementDto[]> {
  requireMemberPermission(tx.ctx, memberId, 'agreements.read');
  const rows = await selectAgreements(tx, memberId);
  const terms = await selectTerms(tx, memberId);
  return rows.map((a) => toDto(a, terms));
}

function overlapsAny(rows: readonly AgreementRow[], from: string, until: string | null, exceptId?: string) {
  return rows.some(
    (r) =>
      r.id !== exceptId &&
      (until === null || r.starts_on <= until) &&
      (r.ends_on === null || from <= r.ends_on),
  );
}

/** Books a service for a member from `startsOn` (until `endsOn` or further notice). */
export async function bookService(
  tx: Tx,
  memberId: string,
  input: {
    serviceCode: string;
    startsOn: string;
    endsOn?: string | null;
    quantity?: string | null;
    note?: string | null;
  },
): Promise<AgreementDto> {
  requireMemberPermission(tx.ctx, memberId, 'agreements.manage');
  const issues: FieldIssue[] = [];
  if (!isIsoDate(input.startsOn)) issues.push({ field: 'startsOn', code: 'date.invalid' });
  if (input.endsOn != null && (!isIsoDate(input.endsOn) || input.endsOn < input.startsOn)) {
    issues.push({ field: 'endsOn', code: 'agreement.ends_before_start' });
  }
  const book = await loadPriceBook(tx);
  const priced = issues.length === 0 ? book.priceAt(input.serviceCode, input.startsOn) : undefined;
  if (issues.length === 0 && !priced)
    issues.push({ field: 'serviceCode', code: 'agreement.service_unknown' });
  const perUnit = priced?.item.price.model === 'flat';
  const quantity = input.quantity ?? null;
  if (perUnit && (quantity === null || !isDecimal(quantity) || Number(quantity) === 0)) {
    issues.push({ field: 'quantity', code: 'agreement.quantity_required' });
  } else if (!perUnit && quantity !== null) {
    issues.push({ field: 'quantity', code: 'agreement.quantity_not_used' });
  }
  if (issues.length) throw new ValidationError(issues);
  const existing = await lockAgreementsOfService(tx, memberId, input.serviceCode);
  if (overlapsAny(existing, input.startsOn, input.endsOn ?? null)) {
    throw new ConflictError('agreement.overlap', 'startsOn');
  }
  const row = await insertAgreement(tx, {
    member_id: memberId,
    service_code: input.serviceCode,
    starts_on: input.startsOn,
    ends_on: input.endsOn ?? null,
    note: input.note ?? null,
  });
  await insertTerm(tx, {
    member_id: memberId,
    agreement_id: row.id,
    valid_from: input.startsOn,
    valid_until: input.endsOn ?? null,
    quantity,
  });
  recordAudit(tx, {
    action: 'agreement.booked',
    memberId,
    objectType: 'service_agreement',
    objectId: row.id,
    data: { ...input },
    details: { service: input.serviceCode, starts_on: input.startsOn, ...(quantity ? { quantity } : {}) },
  });
  return toDto(row, await selectTerms(tx, memberId, [row.id]));
}

async function forChange(tx: Tx, memberId: string, id: string, version: number) {
  requireMemberPermission(tx.ctx, memberId, 'agreements.manage');
  const row = await findAgreementForUpdate(tx, memberId, id);
  if (!row) throw new NotFoundError('service_agreement');
  if (row.version !== version) throw new ConflictError('version.stale');
  const terms = await selectTerms(tx, memberId, [id]);
  return { row, terms };
}

/** A new booked quantity from `from` on (a new term; the current one ends the day before). */
export async function changeAgreementQuantity(
  tx: Tx,
  memberId: string,
  id: string,
  input: { from: string; quantity: string; version: number },
): Promise<AgreementDto> {
  const { row, terms } = await forChange(tx, memberId, id, input.version);
  const last = terms.at(-1);
  const issues: FieldIssue[] = [];
  if (!isIsoDate(input.from)) issues.push({ field: 'from', code: 'date.invalid' });
  else if (
    !last ||
    input.from <= last.valid_from ||
    !isInForce({ validFrom: row.starts_on, validUntil: row.ends_on }, input.from)
  ) {
    issues.push({ field: 'from', code: 'agreement.change_outside' });
  }
  if (!isDecimal(input.quantity) || Number(input.quantity) === 0) {
    issues.push({ field: 'quantity', code: 'agreement.quantity_required' });
  }
  if (last?.quantity === null) issues.push({ field: 'quantity', code: 'agreement.quantity_not_used' });
  if (issues.length || !last) throw new ValidationError(issues);
  await endTerm(tx, memberId, id, last.valid_from, addDays(input.from, -1));
  await insertTerm(tx, {
    member_id: memberId,
    agreement_id: id,
    valid_from: input.from,
    valid_until: row.ends_on,
    quantity: input.quantity,
  });
  const updated = await touchAgreement(tx, memberId, id);
  recordAudit(tx, {
    action: 'agreement.changed',
    memberId,
    objectType: 'service_agreement',
    objectId: id,
    data: input,
    details: { service: row.service_code, from: input.from, quantity: input.quantity },
  });
  return toDto(updated, await selectTerms(tx, memberId, [id]));
}

/**
 * Cancels an agreement today (the request's clock). It ends on `endsOn` if given, which must respect
 * the service's notice period in the version in force today; otherwise on the earliest day allowed.
 */
export async function cancelAgreement(
  tx: Tx,
  memberId: string,
  id: string,
  input: { endsOn?: string | null; version: number },
): Promise<AgreementDto> {
  const { row, terms } = await forChange(tx, memberId, id, input.version);
  if (row.notice_given_on !== null) throw new InvalidStateError('agreement.already_cancelled');
  const today = tx.ctx.clock.today();
  const book = await loadPriceBook(tx);
  const noticeDays =
    (book.priceAt(row.service_code, today) ?? book.priceAt(row.service_code, row.starts_on))?.item
      .noticeDays ?? 0;
  let earliest = earliestEnd(today, noticeDays);
  if (earliest < row.starts_on) earliest = row.starts_on;
  const endsOn = input.endsOn ?? earliest;
  const issues: FieldIssue[] = [];
  if (!isIsoDate(endsOn)) issues.push({ field: 'endsOn', code: 'date.invalid' });
  else if (endsOn < earliest) issues.push({ field: 'endsOn', code: 'agreement.notice_period' });
  else if (row.ends_on !== null && endsOn > row.ends_on)
    issues.push({ field: 'endsOn', code: 'agreement.after_end' });
  const last = terms.at(-1);
  if (last && last.valid_from > endsOn) issues.push({ field: 'endsOn', code: 'agreement.before_change' });
  if (issues.length) throw new ValidationError(issues);
  if (last) await endTerm(tx, memberId, id, last.valid_from, endsOn);
  const updated = await setAgreementEnd(tx, memberId, id, { endsOn, noticeGivenOn: today });
  recordAudit(tx, {
    action: 'agreement.cancelled',
    memberId,
    objectType: 'service_agreement',
    objectId: id,
    data: { endsOn, noticeGivenOn: today },
    details: { service: row.service_code, ends_on: endsOn, notice_days: noticeDays },
  });
  return toDto(updated, await selectTerms(tx, memberId, [id]));
}

export interface AgreementMonthCost {
  agreement: AgreementDto;
  lines: AgreementLine[];
  amountCents: number;
}

/**
 * What the member's agreements cost in `month` ('YYYY-MM') under the versions in force on each day:
 * flat and per-inhabitant services; usage-priced services are rated from metering.
 */
export async function agreementCostsForMonth(
  tx: Tx,
  memberId: string,
  month: string,
): Promise<{ month: string; agreements: AgreementMonthCost[]; totalCents: number }> {
  const agreements = await listAgreements(tx, memberId);
  const member = await getMember(tx, memberId);
  const population =
    member.population === null ? undefined : { inhabitants: member.population, year: member.populationYear };
  const book = await loadPriceBook(tx);
  const out: AgreementMonthCost[] = [];
  for (const agreement of agreements) {
    const needsPopulation =
      book.priceAt(agreement.serviceCode, `${month}-01`)?.item.price.model === 'per_inhabitant';
    if (needsPopulation && !population) continue;
    const lines = agreementLines(agreement.serviceCode, agreement.terms, month, book, population);
    if (lines.length === 0) continue;
    out.push({ agreement, lines, amountCents: lines.reduce((s, l) => s + l.charge.amountCents, 0) });
  }
  return { month, agreements: out, totalCents: out.reduce((s, a) => s + a.amountCents, 0) };
}

/** The demo's example agreements, for members found by name. */
export async function seedDemoAgreements(
  tx: Tx,
  memberIdByName: ReadonlyMap<string, string>,
): Promise<number> {
  let n = 0;
  for (const a of DEMO_AGREEMENTS) {
    const memberId = memberIdByName.get(a.member);
    if (!memberId) throw new Error(`demo agreements: unknown member ${a.member}`);
    await bookService(tx, memberId, {
      serviceCode: a.serviceCode,
      startsOn: a.startsOn,
      quantity: a.quantity ?? null,
      note: 'Beispiel',
    });
    n++;
  }
  return n;
}

/** For the tenancy matrix: any one agreement of a member. */
export const anyAgreementOf = firstAgreementId;
