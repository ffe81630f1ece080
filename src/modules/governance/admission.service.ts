/**
 * The admission procedure as people and the API see it (statute.md: the joining council decides, the
 * assembly adopts an amending statute, the supervisory authority approves it, the Amtsblatt publishes
 * it, and the body is a member from the day after publication): each member's admission with the step
 * it waits for, the list of pending and admitted members, and recording the next step. The steps
 * themselves and their order are governance.service.ts's (admissionState, recordAdmissionStep); the
 * assembly's step (the amending statute) is recorded by its admit_members resolution, never by hand.
 */
import type { AdmissionStep, MemberStatus } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';
import { ConflictError, InvalidStateError, ValidationError } from '../../shared/errors.js';
import { requireMemberPermission, requirePermission } from '../auth/permissions.js';
import { getMemberSummary, listMembers } from '../members/members.service.js';
import { findResolution, selectAllAdmissionSteps } from './assembly.repository.js';
import type { AdmissionDto, AdmissionStepInput } from './governance.schema.js';
import { type AdmissionState, admissionState, recordAdmissionStep } from './governance.service.js';

function classify(state: AdmissionState, status: MemberStatus): AdmissionDto['state'] {
  if (state.memberFrom) return 'admitted';
  const started = state.steps.some((s) => s.doneOn !== null);
  if (status === 'applied') return 'pending';
  if (status === 'withdrawn' && started) return 'withdrawn';
  // An active member without a publication on record joined before the procedure was recorded here.
  return 'not_recorded';
}

async function toDto(
  tx: Tx,
  member: { id: string; name: string; status: MemberStatus },
  state: AdmissionState,
): Promise<AdmissionDto> {
  const kind = classify(state, member.status);
  const steps: AdmissionDto['steps'] = [];
  for (const s of state.steps) {
    const resolution = s.resolutionId ? await findResolution(tx, s.resolutionId) : undefined;
    steps.push({ ...s, resolutionNumber: resolution?.number ?? null });
  }
  return {
    memberId: member.id,
    memberName: member.name,
    state: kind,
    waitingFor: kind === 'pending' ? state.waitingFor : null,
    memberFrom: state.memberFrom,
    steps,
  };
}

/** A member's admission: the steps done with their dates and references, and what it waits for. */
export async function getAdmission(tx: Tx, memberId: string): Promise<AdmissionDto> {
  requireMemberPermission(tx.ctx, memberId, 'members.read');
  const member = await getMemberSummary(tx, memberId);
  return toDto(tx, member, await admissionState(tx, memberId));
}

/**
 * Every admission on record for the association's overview: pending (applied, or steps outstanding),
 * by name; admitted, the latest first. Members that joined before the procedure was recorded are not
 * listed.
 */
export async function listAdmissions(tx: Tx): Promise<{ pending: AdmissionDto[]; admitted: AdmissionDto[] }> {
  requirePermission(tx.ctx, 'governance.manage');
  const applied = (await listMembers(tx, { status: 'applied', pageSize: 10_000 })).items;
  const names = new Map(applied.map((m) => [m.id, m]));
  const ids = new Set([
    ...applied.map((m) => m.id),
    ...(await selectAllAdmissionSteps(tx)).map((r) => r.member_id),
  ]);
  const all: AdmissionDto[] = [];
  for (const id of ids) {
    const member = names.get(id) ?? (await getMemberSummary(tx, id));
    all.push(await toDto(tx, member, await admissionState(tx, id)));
  }
  const byName = (a: AdmissionDto, b: AdmissionDto) => a.memberName.localeCompare(b.memberName, 'de');
  return {
    pending: all.filter((a) => a.state === 'pending').sort(byName),
    admitted: all
      .filter((a) => a.state === 'admitted')
      .sort((a, b) => (b.memberFrom ?? '').localeCompare(a.memberFrom ?? '') || byName(a, b)),
  };
}

/** The steps a person records; the amending statute is the assembly's resolution. */
export const STEPS_RECORDED_BY_HAND: readonly AdmissionStep[] = [
  'council_decision',
  'approval',
  'publication',
];

/**
 * Records the next step of a pending admission. Tenant check first (another member's id is "not
 * found"), then governance.manage. Refused, storing nothing: a member whose admission is not pending
 * (409), the amending statute (the resolution records it), a step out of order or dated before the
 * previous one (422 at the field), a step already recorded with another date (409). Recording the same
 * step with the same date again changes nothing.
 */
export async function recordNextAdmissionStep(
  tx: Tx,
  memberId: string,
  input: AdmissionStepInput,
): Promise<AdmissionDto> {
  requireMemberPermission(tx.ctx, memberId, 'governance.manage');
  const member = await getMemberSummary(tx, memberId);
  const before = await toDto(tx, member, await admissionState(tx, memberId));
  const done = before.steps.find((s) => s.step === input.step);
  if (done?.doneOn != null && done.doneOn === input.doneOn) return before;
  if (before.state !== 'pending') throw new InvalidStateError('admission.not_pending');
  if (input.step === 'amending_statute') {
    throw new ValidationError([{ field: 'step', code: 'admission.statute_by_resolution' }]);
  }
  if (done?.doneOn != null) throw new ConflictError('admission.step_already_recorded', 'step');
  try {
    await recordAdmissionStep(tx, memberId, {
      step: input.step,
      doneOn: input.doneOn,
      reference: input.reference?.trim() || null,
    });
  } catch (err) {
    if (err instanceof InvalidStateError && err.code === 'admission.step_out_of_order') {
      throw new ValidationError([{ field: 'step', code: 'admission.step_out_of_order' }]);
    }
    throw err;
  }
  return getAdmissionAfterChange(tx, memberId);
}

async function getAdmissionAfterChange(tx: Tx, memberId: string): Promise<AdmissionDto> {
  const member = await getMemberSummary(tx, memberId);
  return toDto(tx, member, await admissionState(tx, memberId));
}
