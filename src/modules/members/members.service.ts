/**
 * Members of the association: the association itself and the member bodies (Stadt, Gemeinde, Amt,
 * Landkreis, Verband, other). Members are never deleted; they move applied → active → withdrawn.
 */
import type { MemberKind, MemberRow, MemberUpdate } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';
import { canSeeMember } from '../../shared/context.js';
import { isIsoDate } from '../../shared/dates.js';
import {
  ConflictError,
  type FieldIssue,
  InvalidStateError,
  NotFoundError,
  ValidationError,
} from '../../shared/errors.js';
import {
  agsOfArs,
  agsProblem,
  arsProblem,
  compactKey,
  gemeindeverbandProblem,
  isValidLeitwegId,
  isValidPostalCode,
  type KeyProblem,
} from '../../shared/identifiers.js';
import { isUuid } from '../../shared/ids.js';
import { hasUnsafeText, textLength } from '../../shared/text.js';
import { recordAudit } from '../audit/audit.service.js';
import { hasPermission, requireMemberPermission, requirePermission } from '../auth/permissions.js';
import {
  findAssociation,
  findMemberByAgs,
  findMemberById,
  findMemberByIdForUpdate,
  insertMember,
  listAmtMunicipalities,
  markAsAssociation,
  searchMembers,
  selectMemberIds,
  updateMemberRow,
} from './members.repository.js';
import {
  MEMBER_KINDS,
  type MemberCreateInput,
  type MemberDto,
  type MemberListDto,
  type MemberListQueryInput,
  type MemberPatchInput,
  type MemberStatusInput,
  type MemberSummaryDto,
} from './members.schema.js';
import { memberStatusOn } from './members.status.js';

/** The status on a day (see members.status.ts). Exported for the other modules' access checks. */
export { isWithdrawnOn, memberStatusOn } from './members.status.js';

function statusOf(r: MemberRow, day: string) {
  return memberStatusOn({ status: r.status, admittedOn: r.admitted_on, withdrawnOn: r.withdrawn_on }, day);
}

/** What the member list and the full member share: who it is, its status on `day`, its Amt. */
function summaryFields(r: MemberRow, day: string) {
  const s = statusOf(r, day);
  return {
    id: r.id,
    isAssociation: r.is_association,
    name: r.name,
    kind: r.kind,
    ags: r.ags,
    status: s.status,
    nextStatus: s.next,
    population: r.population,
    amtId: r.amt_id,
  };
}

/** The member as the API shows it, with its status on `day` (today by the request's clock). */
export function toMemberDto(r: MemberRow, day: string): MemberDto {
  return {
    ...summaryFields(r, day),
    ars: r.ars,
    leitwegId: r.leitweg_id,
    street: r.street,
    postalCode: r.postal_code,
    city: r.city,
    populationYear: r.population_year,
    contactName: r.contact_name,
    contactEmail: r.contact_email,
    contactPhone: r.contact_phone,
    website: r.website,
    statusOn: day,
    recordedStatus: r.status,
    appliedOn: r.applied_on,
    admittedOn: r.admitted_on,
    withdrawnOn: r.withdrawn_on,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function toMemberSummary(r: MemberRow, amtName: string | null, day: string): MemberSummaryDto {
  return { ...summaryFields(r, day), amtName };
}

/** Fields only the association may change; a member's own admin may change the profile fields. */
export const MASTER_FIELDS = [
  'name',
  'kind',
  'ags',
  'ars',
  'leitwegId',
  'population',
  'populationYear',
  'amtId',
] as const;
export const PROFILE_FIELDS = [
  'street',
  'postalCode',
  'city',
  'contactName',
  'contactEmail',
  'contactPhone',
  'website',
] as const;
type EditableField = (typeof MASTER_FIELDS)[number] | (typeof PROFILE_FIELDS)[number];

const COLUMN: Record<EditableField, keyof MemberUpdate> = {
  name: 'name',
  kind: 'kind',
  ags: 'ags',
  ars: 'ars',
  leitwegId: 'leitweg_id',
  population: 'population',
  populationYear: 'population_year',
  amtId: 'amt_id',
  street: 'street',
  postalCode: 'postal_code',
  city: 'city',
  contactName: 'contact_name',
  contactEmail: 'contact_email',
  contactPhone: 'contact_phone',
  website: 'website',
};

type Normalized = Partial<Record<EditableField, string | number | null>>;

function normalize(input: Partial<Record<EditableField, unknown>>): Normalized {
  const out: Normalized = {};
  for (const key of [...MASTER_FIELDS, ...PROFILE_FIELDS]) {
    if (!(key in input)) continue;
    const v = input[key];
    if (v === undefined) continue;
    if (typeof v === 'string') {
      const t = v.trim().replace(/\s+/g, ' ');
      out[key] =
        t === ''
          ? null
          : key === 'leitwegId'
            ? t.toUpperCase()
            : key === 'ags' || key === 'ars'
              ? compactKey(t)
              : t;
    } else out[key] = v as number | null;
  }
  return out;
}

const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * The official keys by kind of body. A municipality (Stadt, Gemeinde) has an AGS (8 digits) and may
 * have its ARS (12 digits); an Amt has no AGS but its Gemeindeverband key (9 digits, in `ars`); other
 * bodies may have either. Each key is checked on its own (digits, Land, district); that the ARS contains
 * the AGS is checked only when both are right by themselves, so a wrong key is reported once, at its
 * own field.
 */
function keyIssues(ags: unknown, ars: unknown, kind: MemberKind): FieldIssue[] {
  const issues: FieldIssue[] = [];
  let agsOk = false;
  let arsOk = false;
  if (kind === 'amt') {
    if (ags !== null) issues.push({ field: 'ags', code: 'ags.not_for_amt' });
    if (ars === null) issues.push({ field: 'ars', code: 'amt_key.required' });
    else {
      const p = typeof ars === 'string' ? gemeindeverbandProblem(ars) : 'format';
      if (p === 'format') issues.push({ field: 'ars', code: 'amt_key.format' });
      else if (p === 'verband') issues.push({ field: 'ars', code: 'amt_key.municipality' });
      else if (p) issues.push(placeIssue('ars', p));
    }
    return issues;
  }
  if (ags === null) {
    if (kind === 'stadt' || kind === 'gemeinde') issues.push({ field: 'ags', code: 'ags.required' });
  } else {
    const p = typeof ags === 'string' ? agsProblem(ags) : 'format';
    if (p === 'format') issues.push({ field: 'ags', code: 'ags.format' });
    else if (p) issues.push(placeIssue('ags', p));
    agsOk = !p;
  }
  if (ars !== null) {
    const municipality = kind === 'stadt' || kind === 'gemeinde';
    const p =
      typeof ars !== 'string'
        ? 'format'
        : ars.length === 9 && !municipality
          ? gemeindeverbandProblem(ars)
          : arsProblem(ars);
    if (p === 'format' || p === 'verband') issues.push({ field: 'ars', code: 'ars.format' });
    else if (p) issues.push(placeIssue('ars', p));
    arsOk = !p && typeof ars === 'string' && ars.length === 12;
  }
  if (agsOk && arsOk && agsOfArs(ars as string) !== ags) issues.push({ field: 'ars', code: 'ars.mismatch' });
  return issues;
}

/** An unknown Land or district in the AGS or ARS. */
function placeIssue(field: 'ags' | 'ars', p: KeyProblem): FieldIssue {
  if (field === 'ags') return p === 'land' ? { field, code: 'ags.land' } : { field, code: 'ags.district' };
  return p === 'land' ? { field, code: 'ars.land' } : { field, code: 'ars.district' };
}

/** Domain validation of member fields (the API schema already checked types). */
function validate(v: Normalized, kind: MemberKind, existing: MemberRow | undefined): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const final = <K extends EditableField>(k: K) =>
    k in v ? v[k] : existing ? (existing[COLUMN[k] as keyof MemberRow] as string | number | null) : null;

  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string' && hasUnsafeText(val))
      issues.push({ field: k, code: 'text.invalid_characters' });
  }
  const name = final('name');
  // Counted in code points, as the contract (ajv) and the database (char_length) count.
  if (typeof name !== 'string' || textLength(name) < 2)
    issues.push({ field: 'name', code: 'member_name.required' });
  else if (textLength(name) > 200) issues.push({ field: 'name', code: 'text.too_long' });
  if (!MEMBER_KINDS.includes(kind)) issues.push({ field: 'kind', code: 'kind.invalid' });

  issues.push(...keyIssues(final('ags'), final('ars'), kind));
  const lw = final('leitwegId');
  if (lw !== null && (typeof lw !== 'string' || !isValidLeitwegId(lw)))
    issues.push({ field: 'leitwegId', code: 'leitweg.format' });
  const pc = final('postalCode');
  if (pc !== null && (typeof pc !== 'string' || !isValidPostalCode(pc)))
    issues.push({ field: 'postalCode', code: 'postal_code.format' });
  const pop = final('population');
  const popYear = final('populationYear');
  if (pop !== null && (typeof pop !== 'number' || !Number.isInteger(pop) || pop < 0 || pop > 100_000_000)) {
    issues.push({ field: 'population', code: 'population.invalid' });
  }
  if (
    popYear !== null &&
    (typeof popYear !== 'number' || !Number.isInteger(popYear) || popYear < 1900 || popYear > 2100)
  ) {
    issues.push({ field: 'populationYear', code: 'population_year.invalid' });
  }
  if ((pop === null) !== (popYear === null)) {
    issues.push({ field: pop === null ? 'population' : 'populationYear', code: 'population.year_required' });
  }
  const email = final('contactEmail');
  if (email !== null && (typeof email !== 'string' || !EMAIL_RE.test(email)))
    issues.push({ field: 'contactEmail', code: 'email.format' });
  const phone = final('contactPhone');
  if (phone !== null && (typeof phone !== 'string' || !/^[+0-9 ()/-]{3,50}$/.test(phone)))
    issues.push({ field: 'contactPhone', code: 'phone.format' });
  const web = final('website');
  if (web !== null) {
    let ok = false;
    try {
      ok = typeof web === 'string' && ['http:', 'https:'].includes(new URL(web).protocol);
    } catch {}
    if (!ok) issues.push({ field: 'website', code: 'url.format' });
  }
  const amtId = final('amtId');
  if (amtId !== null && kind !== 'stadt' && kind !== 'gemeinde')
    issues.push({ field: 'amtId', code: 'amt.only_municipalities' });
  return issues;
}

async function checkAmt(
  tx: Tx,
  amtId: string | number | null | undefined,
  selfId?: string,
): Promise<FieldIssue[]> {
  if (amtId === null || amtId === undefined) return [];
  if (typeof amtId !== 'string' || amtId === selfId) return [{ field: 'amtId', code: 'amt.invalid' }];
  const amt = await findMemberById(tx, amtId);
  return amt && amt.kind === 'amt' ? [] : [{ field: 'amtId', code: 'amt.invalid' }];
}

function uniqueViolation(err: unknown): ConflictError | undefined {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code !== '23505') return undefined;
  if ((e.constraint ?? e.message ?? '').includes('ags')) return new ConflictError('ags.taken', 'ags');
  return new ConflictError('unique');
}

export async function listMembers(tx: Tx, query: MemberListQueryInput): Promise<MemberListDto> {
  requirePermission(tx.ctx, 'members.read');
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 50;
  const today = tx.ctx.clock.today();
  const { rows, total } = await searchMembers(tx, {
    q: query.q?.trim() || undefined,
    kind: query.kind,
    status: query.status,
    amtId: query.amtId,
    limit: pageSize,
    offset: (page - 1) * pageSize,
    day: today,
  });
  const items = rows.map((r) => toMemberSummary(r, r.amt_name, today));
  return { items, total, page, pageSize };
}

/**
 * One member with its contact data. Reading a named contact person is a read of personal data and
 * is audited.
 */
export async function getMember(tx: Tx, id: string): Promise<MemberDto> {
  requireMemberPermission(tx.ctx, id, 'members.read');
  const row = await findMemberById(tx, id);
  if (!row) throw new NotFoundError('member');
  if (row.contact_name || row.contact_email || row.contact_phone) {
    recordAudit(tx, { action: 'member.viewed', memberId: row.id, objectType: 'member', objectId: row.id });
  }
  return toMemberDto(row, tx.ctx.clock.today());
}

/** A member's name and kind, without personal data (for headings and navigation). */
export async function getMemberSummary(
  tx: Tx,
  id: string,
): Promise<Pick<MemberDto, 'id' | 'name' | 'kind' | 'isAssociation' | 'status' | 'amtId'>> {
  if (!canSeeMember(tx.ctx, id)) throw new NotFoundError('member');
  const row = await findMemberById(tx, id);
  if (!row) throw new NotFoundError('member');
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    isAssociation: row.is_association,
    status: statusOf(row, tx.ctx.clock.today()).status,
    amtId: row.amt_id,
  };
}

export async function getAmtMunicipalities(tx: Tx, amtId: string): Promise<MemberSummaryDto[]> {
  requireMemberPermission(tx.ctx, amtId, 'members.read');
  const rows = await listAmtMunicipalities(tx, amtId);
  return rows.map((r) => toMemberSummary(r, null, tx.ctx.clock.today()));
}

export async function createMember(tx: Tx, input: MemberCreateInput): Promise<MemberDto> {
  requirePermission(tx.ctx, 'members.manage');
  const v = normalize(input as Partial<Record<EditableField, unknown>>);
  const issues = validate(v, input.kind, undefined);
  const appliedOn = input.appliedOn ?? tx.ctx.clock.today();
  if (!isIsoDate(appliedOn)) issues.push({ field: 'appliedOn', code: 'date.invalid' });
  issues.push(...(await checkAmt(tx, v.amtId)));
  if (issues.length) throw new ValidationError(issues);
  let row: MemberRow;
  try {
    row = await insertMember(tx, {
      name: v.name as string,
      kind: input.kind,
      ags: (v.ags as string | null) ?? null,
      ars: (v.ars as string | null) ?? null,
      leitweg_id: (v.leitwegId as string | null) ?? null,
      street: (v.street as string | null) ?? null,
      postal_code: (v.postalCode as string | null) ?? null,
      city: (v.city as string | null) ?? null,
      population: (v.population as number | null) ?? null,
      population_year: (v.populationYear as number | null) ?? null,
      contact_name: (v.contactName as string | null) ?? null,
      contact_email: (v.contactEmail as string | null) ?? null,
      contact_phone: (v.contactPhone as string | null) ?? null,
      website: (v.website as string | null) ?? null,
      amt_id: (v.amtId as string | null) ?? null,
      status: 'applied',
      applied_on: appliedOn,
    });
  } catch (err) {
    throw uniqueViolation(err) ?? err;
  }
  const dto = toMemberDto(row, tx.ctx.clock.today());
  recordAudit(tx, {
    action: 'member.created',
    memberId: row.id,
    objectType: 'member',
    objectId: row.id,
    data: dto,
    details: { kind: row.kind, status: row.status },
  });
  return dto;
}

export async function updateMember(tx: Tx, id: string, input: MemberPatchInput): Promise<MemberDto> {
  requireMemberPermission(tx.ctx, id, 'members.read');
  if (!hasPermission(tx.ctx, 'members.manage')) requirePermission(tx.ctx, 'members.edit_profile');
  const existing = await findMemberByIdForUpdate(tx, id);
  if (!existing) throw new NotFoundError('member');
  // A form may send the kind as "none chosen".
  if ((input.kind as unknown) === null) throw new ValidationError([{ field: 'kind', code: 'kind.invalid' }]);
  const v = normalize(input as Partial<Record<EditableField, unknown>>);
  const changed = (Object.keys(v) as EditableField[]).filter(
    (k) => v[k] !== (existing[COLUMN[k] as keyof MemberRow] ?? null),
  );
  const needsMaster =
    changed.some((k) => (MASTER_FIELDS as readonly string[]).includes(k)) ||
    (input.kind !== undefined && input.kind !== existing.kind);
  requirePermission(tx.ctx, needsMaster ? 'members.manage' : 'members.edit_profile');
  if (input.version !== existing.version) throw new ConflictError('version.stale');
  const kind = input.kind ?? existing.kind;
  const issues = validate(v, kind, existing);
  if ('amtId' in v && v.amtId !== existing.amt_id) issues.push(...(await checkAmt(tx, v.amtId, id)));
  if (existing.kind === 'amt' && kind !== 'amt' && (await listAmtMunicipalities(tx, id)).length > 0) {
    issues.push({ field: 'kind', code: 'amt.has_municipalities' });
  }
  if (existing.is_association && input.kind !== undefined && input.kind !== existing.kind) {
    issues.push({ field: 'kind', code: 'kind.association_fixed' });
  }
  if (issues.length) throw new ValidationError(issues);
  if (changed.length === 0 && (input.kind === undefined || input.kind === existing.kind))
    return toMemberDto(existing, tx.ctx.clock.today());
  const patch: MemberUpdate = {};
  for (const k of changed) (patch as Record<string, unknown>)[COLUMN[k]] = v[k];
  if (input.kind !== undefined) patch.kind = input.kind;
  let row: MemberRow;
  try {
    row = await updateMemberRow(tx, id, patch);
  } catch (err) {
    throw uniqueViolation(err) ?? err;
  }
  const dto = toMemberDto(row, tx.ctx.clock.today());
  recordAudit(tx, {
    action: 'member.updated',
    memberId: id,
    objectType: 'member',
    objectId: id,
    data: dto,
    details: {
      fields: [...changed, ...(input.kind !== undefined && input.kind !== existing.kind ? ['kind'] : [])],
    },
  });
  return dto;
}

/** The membership lifecycle: applied → active (admitted by resolution) → withdrawn; applied → withdrawn. */
const TRANSITIONS: Record<string, readonly string[]> = {
  applied: ['active', 'withdrawn'],
  active: ['withdrawn'],
  withdrawn: [],
};

export async function changeMemberStatus(tx: Tx, id: string, input: MemberStatusInput): Promise<MemberDto> {
  requireMemberPermission(tx.ctx, id, 'members.manage');
  const existing = await findMemberByIdForUpdate(tx, id);
  if (!existing) throw new NotFoundError('member');
  if (input.version !== existing.version) throw new ConflictError('version.stale');
  if (existing.is_association) throw new InvalidStateError('status.association_fixed');
  if (!TRANSITIONS[existing.status]?.includes(input.status)) throw new InvalidStateError('status.transition');
  if (!isIsoDate(input.on)) throw new ValidationError([{ field: 'on', code: 'date.invalid' }]);
  const patch: MemberUpdate = { status: input.status };
  if (input.status === 'active') {
    if (existing.applied_on && input.on < existing.applied_on)
      throw new ValidationError([{ field: 'on', code: 'date.before_application' }]);
    patch.admitted_on = input.on;
  } else {
    if (existing.admitted_on && input.on < existing.admitted_on)
      throw new ValidationError([{ field: 'on', code: 'date.before_admission' }]);
    patch.withdrawn_on = input.on;
  }
  const row = await updateMemberRow(tx, id, patch);
  recordAudit(tx, {
    action: 'member.status_changed',
    memberId: id,
    objectType: 'member',
    objectId: id,
    data: { status: row.status, on: input.on },
    details: { from: existing.status, to: row.status, on: input.on },
  });
  return toMemberDto(row, tx.ctx.clock.today());
}

/**
 * Finds a member by a reference people type on the command line: `association`, an AGS (8 digits) or
 * an id. Undefined when there is none in scope.
 */
export async function findMemberByReference(
  tx: Tx,
  ref: string,
): Promise<Pick<MemberDto, 'id' | 'name'> | undefined> {
  const row =
    ref === 'association'
      ? await findAssociation(tx)
      : /^\d{8}$/.test(ref)
        ? await findMemberByAgs(tx, ref)
        : isUuid(ref)
          ? await findMemberById(tx, ref)
          : undefined;
  return row ? { id: row.id, name: row.name } : undefined;
}

/**
 * The ids of every member visible in the transaction's scope (RLS), for platform checks such as the
 * audit verification (every member has an audit chain). Ids only, no permission of its own: the
 * caller checked its own.
 */
export async function listMemberIds(tx: Tx): Promise<string[]> {
  return selectMemberIds(tx);
}

/** The association's own member id (tenant zero), for events that belong to its chain. */
export async function associationMemberId(tx: Tx): Promise<string> {
  const id = (await findAssociation(tx))?.id;
  if (!id) throw new InvalidStateError('association.missing');
  return id;
}

/**
 * The members entitled to vote in the assembly on a day: active that day; not the association itself;
 * not a municipality of an Amt (the Amt is the member and votes for it).
 */
export async function votingMembersOn(
  tx: Tx,
  day: string,
): Promise<{ id: string; name: string; population: number | null }[]> {
  const { rows } = await searchMembers(tx, { status: 'active', day, limit: 100_000, offset: 0 });
  return rows
    .filter((r) => !r.is_association && r.amt_id === null)
    .map((r) => ({ id: r.id, name: r.name, population: r.population }));
}

/**
 * The member bodies active on a day — not the association, municipalities of an Amt included — by id:
 * those whose own usage Allmende counts (e.g. accounts per member). Ids only, no permission of its
 * own: the caller checked its own.
 */
export async function activeMemberIdsOn(tx: Tx, day: string): Promise<string[]> {
  const { rows } = await searchMembers(tx, { status: 'active', day, limit: 100_000, offset: 0 });
  return rows.filter((r) => !r.is_association).map((r) => r.id);
}

/** Is the association (tenant zero) set up yet? */
export async function associationExists(tx: Tx): Promise<boolean> {
  return (await findAssociation(tx)) !== undefined;
}

/**
 * Makes a registered body the association itself (tenant zero), active since the given day. Only when
 * setting up an installation, before any association exists.
 */
export async function establishAssociation(tx: Tx, memberId: string, since: string): Promise<void> {
  requirePermission(tx.ctx, 'members.manage');
  if (await findAssociation(tx)) throw new InvalidStateError('member.association_exists');
  await markAsAssociation(tx, memberId, since);
  recordAudit(tx, {
    action: 'member.status_changed',
    memberId,
    objectType: 'member',
    objectId: memberId,
    details: { from: 'applied', to: 'active', on: since, association: true },
  });
}

/**
 * The domain checks of member fields without the database (no tenant, no permission: nothing is read
 * or written), for forms that report every problem at once together with the schema's.
 */
export function checkMemberFields(input: Record<string, unknown>, kind: unknown): FieldIssue[] {
  const known = MEMBER_KINDS.find((k) => k === kind);
  return validate(normalize(input), known ?? ('' as MemberKind), undefined);
}
