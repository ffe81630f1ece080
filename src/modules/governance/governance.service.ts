/**
 * The assembly (Verbandsversammlung): meetings and their agenda, resolutions of typed kinds, the vote
 * as the statute sets it (voting.ts with the rules in force on the meeting day), and the effects of a
 * carried resolution — applied once (idempotent) and audited. Effects are dated records (a catalogue
 * version in force from a day, an admission from the day after publication, a withdrawal to a last
 * day), so "applied on the effective date" needs no job: what is in force follows from the dates.
 */
import type { AdmissionStep, ResolutionKind } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';
import { isIsoDate } from '../../shared/dates.js';
import { addDays } from '../../shared/effective.js';
import {
  ConflictError,
  type FieldIssue,
  InvalidStateError,
  NotFoundError,
  ValidationError,
} from '../../shared/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { requirePermission } from '../auth/permissions.js';
import { adoptCatalogVersion } from '../catalog/catalog.service.js';
import {
  associationMemberId,
  changeMemberStatus,
  getMember,
  votingMembersOn,
} from '../members/members.service.js';
import {
  findAgendaItem,
  findMeeting,
  findResolutionForUpdate,
  findVotingRulesOn,
  insertAdmissionStep,
  insertAgendaItem,
  insertMeeting,
  insertResolution,
  insertVotes,
  markApplied,
  markVoted,
  type ResolutionRow,
  selectAdmissionSteps,
  selectVotes,
  setPresent,
} from './governance.repository.js';
import { type Ballot, DEFAULT_RULES, type Tally, tally, VotingError, type VotingRules } from './voting.js';

/** Kinds that change the statute or the membership need a qualified majority (configurable later). */
export const QUALIFIED_KINDS: ReadonlySet<ResolutionKind> = new Set([
  'admit_members',
  'release_member',
  'amend_statute',
]);

export const ADMISSION_STEPS: readonly AdmissionStep[] = [
  'council_decision',
  'amending_statute',
  'approval',
  'publication',
];

/** The Berlin civil date of an instant. */
function berlinDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(at);
}

export async function createMeeting(
  tx: Tx,
  input: { title: string; startsAt: string; place?: string | null },
): Promise<{ id: string }> {
  requirePermission(tx.ctx, 'governance.manage');
  if (Number.isNaN(Date.parse(input.startsAt)))
    throw new ValidationError([{ field: 'startsAt', code: 'date.invalid' }]);
  const row = await insertMeeting(tx, {
    title: input.title,
    starts_at: input.startsAt,
    place: input.place ?? null,
  });
  recordAudit(tx, {
    action: 'governance.meeting_created',
    memberId: await associationMemberId(tx),
    objectType: 'meeting',
    objectId: row.id,
    data: input,
    details: { starts_at: row.starts_at.toISOString() },
  });
  return { id: row.id };
}

export async function addAgendaItem(
  tx: Tx,
  meetingId: string,
  input: {
    position: number;
    number: string;
    title: string;
    public: boolean;
    preparedBySteeringGroup?: boolean;
  },
): Promise<{ id: string }> {
  requirePermission(tx.ctx, 'governance.manage');
  if (!(await findMeeting(tx, meetingId))) throw new NotFoundError('meeting');
  const row = await insertAgendaItem(tx, {
    meeting_id: meetingId,
    position: input.position,
    number: input.number,
    title: input.title,
    public: input.public,
    prepared_by_steering_group: input.preparedBySteeringGroup ?? false,
  });
  return { id: row.id };
}

/** Records which members are represented at the meeting (the meeting is then "held"). */
export async function recordPresence(tx: Tx, meetingId: string, memberIds: readonly string[]): Promise<void> {
  requirePermission(tx.ctx, 'governance.manage');
  const meeting = await findMeeting(tx, meetingId);
  if (!meeting) throw new NotFoundError('meeting');
  const entitled = new Set((await votingMembersOn(tx, berlinDay(meeting.starts_at))).map((m) => m.id));
  const strangers = memberIds.filter((id) => !entitled.has(id));
  if (strangers.length > 0) {
    throw new ValidationError(strangers.map(() => ({ field: 'present', code: 'vote.not_a_member' })));
  }
  await setPresent(tx, meetingId, memberIds);
}

type Payload =
  | { kind: 'adopt_catalog_version'; versionId: string; inForceFrom: string }
  | { kind: 'admit_members'; memberIds: string[] }
  | { kind: 'release_member'; memberId: string; lastDay: string }
  | { kind: 'award_contract'; contractor: string; subject: string; from?: string; until?: string }
  | { kind: 'amend_statute' }
  | { kind: 'other' };

function checkPayload(kind: ResolutionKind, p: Record<string, unknown>): FieldIssue[] {
  const bad = (field: string) => [{ field: `payload.${field}`, code: 'resolution.payload_invalid' }];
  switch (kind) {
    case 'adopt_catalog_version':
      if (typeof p.versionId !== 'string') return bad('versionId');
      if (typeof p.inForceFrom !== 'string' || !isIsoDate(p.inForceFrom)) return bad('inForceFrom');
      return [];
    case 'admit_members':
      return Array.isArray(p.memberIds) &&
        p.memberIds.length > 0 &&
        p.memberIds.every((x) => typeof x === 'string')
        ? []
        : bad('memberIds');
    case 'release_member':
      if (typeof p.memberId !== 'string') return bad('memberId');
      return typeof p.lastDay === 'string' && isIsoDate(p.lastDay) ? [] : bad('lastDay');
    case 'award_contract':
      return typeof p.contractor === 'string' && typeof p.subject === 'string' ? [] : bad('contractor');
    default:
      return [];
  }
}

/** A draft resolution on an agenda item (prepared by the steering group or the association's office). */
export async function draftResolution(
  tx: Tx,
  input: {
    agendaItemId: string;
    number: string;
    kind: ResolutionKind;
    title: string;
    text?: string;
    payload?: Record<string, unknown>;
    effectiveOn?: string | null;
  },
): Promise<{ id: string }> {
  requirePermission(tx.ctx, 'governance.manage');
  const item = await findAgendaItem(tx, input.agendaItemId);
  if (!item) throw new NotFoundError('agenda_item');
  const payload = input.payload ?? {};
  const issues = checkPayload(input.kind, payload);
  if (!/^\d{1,4}\/\d{4}$/.test(input.number))
    issues.push({ field: 'number', code: 'resolution.number_format' });
  if (input.effectiveOn != null && !isIsoDate(input.effectiveOn))
    issues.push({ field: 'effectiveOn', code: 'date.invalid' });
  if (issues.length) throw new ValidationError(issues);
  let row: ResolutionRow;
  try {
    row = await insertResolution(tx, {
      meeting_id: item.meeting_id,
      agenda_item_id: item.id,
      number: input.number,
      kind: input.kind,
      title: input.title,
      text: input.text ?? '',
      majority: QUALIFIED_KINDS.has(input.kind) ? 'qualified' : 'simple',
      payload: JSON.stringify({ kind: input.kind, ...payload }),
      effective_on: input.effectiveOn ?? null,
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23505')
      throw new ConflictError('resolution.number_taken', 'number');
    throw err;
  }
  return { id: row.id };
}

async function rulesOn(tx: Tx, day: string): Promise<VotingRules> {
  const row = await findVotingRulesOn(tx, day);
  return (row?.rules as VotingRules | undefined) ?? DEFAULT_RULES;
}

export interface VoteResult {
  resolutionId: string;
  carried: boolean;
  tally: Tally;
  applied: boolean;
}

/**
 * Records the vote on a resolution: each present member's ballot (absent = not present; present without
 * a ballot = abstained). Refused, changing nothing, for a ballot of a non-member or of a member not
 * present, or a second vote. A resolution that fails quorum or majority is recorded and has no effect.
 */
export async function recordVote(
  tx: Tx,
  resolutionId: string,
  ballots: readonly { memberId: string; ballot: Ballot }[],
): Promise<VoteResult> {
  requirePermission(tx.ctx, 'governance.manage');
  const r = await findResolutionForUpdate(tx, resolutionId);
  if (!r) throw new NotFoundError('resolution');
  if (r.status === 'voted') throw new InvalidStateError('resolution.already_voted');
  const meeting = await findMeeting(tx, r.meeting_id);
  if (!meeting) throw new NotFoundError('meeting');
  const day = berlinDay(meeting.starts_at);
  const members = await votingMembersOn(tx, day);
  let result: Tally;
  try {
    result = tally({
      rules: await rulesOn(tx, day),
      majority: r.majority,
      members: members.map((m) => ({
        memberId: m.id,
        population: m.population,
        previousYearTurnoverCents: null,
      })),
      present: new Set(meeting.present_member_ids),
      ballots: new Map(ballots.map((b) => [b.memberId, b.ballot])),
    });
  } catch (err) {
    if (err instanceof VotingError) throw new ValidationError([{ field: 'ballots', code: err.code }]);
    throw err;
  }
  await markVoted(tx, r.id, { carried: result.carried, tally: { ...result, perMember: undefined } });
  await insertVotes(
    tx,
    result.perMember.map((p) => ({
      resolution_id: r.id,
      member_id: p.memberId,
      votes: p.votes,
      ballot: p.ballot,
    })),
  );
  recordAudit(tx, {
    action: 'governance.resolution_voted',
    memberId: await associationMemberId(tx),
    objectType: 'resolution',
    objectId: r.id,
    data: result,
    details: {
      number: r.number,
      carried: result.carried,
      reason: result.reason,
      yes: result.yes,
      no: result.no,
      abstain: result.abstain,
    },
  });
  const applied = result.carried ? await applyResolution(tx, r.id) : false;
  return { resolutionId: r.id, carried: result.carried, tally: result, applied };
}

/**
 * Applies a carried resolution's effect, once: a second call changes nothing and returns false.
 * Catalogue: the version is adopted on the meeting day, in force from the payload's date. Admission:
 * the assembly's step (amending statute adopted) is recorded; the member stays pending until approval
 * and publication (recordAdmissionStep). Release: the withdrawal is recorded to the last day.
 */
export async function applyResolution(tx: Tx, resolutionId: string): Promise<boolean> {
  requirePermission(tx.ctx, 'governance.manage');
  const r = await findResolutionForUpdate(tx, resolutionId);
  if (!r) throw new NotFoundError('resolution');
  if (r.status !== 'voted' || !r.carried) throw new InvalidStateError('resolution.not_carried');
  if (r.applied_at) return false;
  const meeting = await findMeeting(tx, r.meeting_id);
  const day = berlinDay(meeting!.starts_at);
  const p = r.payload as Payload;
  switch (p.kind) {
    case 'adopt_catalog_version':
      await adoptCatalogVersion(tx, p.versionId, {
        adoptedOn: day,
        inForceFrom: p.inForceFrom,
        resolutionId: r.id,
        resolutionRef: `Beschluss ${r.number} vom ${day.split('-').reverse().join('.')}`,
      });
      break;
    case 'admit_members':
      for (const memberId of p.memberIds) {
        await insertAdmissionStep(tx, {
          memberId,
          step: 'amending_statute',
          doneOn: day,
          reference: `Beschluss ${r.number}`,
          resolutionId: r.id,
        });
      }
      break;
    case 'release_member': {
      const m = await getMember(tx, p.memberId);
      await changeMemberStatus(tx, p.memberId, { status: 'withdrawn', on: p.lastDay, version: m.version });
      break;
    }
    default:
      // award_contract, amend_statute, other: the resolution text is the record.
      break;
  }
  await markApplied(tx, r.id);
  recordAudit(tx, {
    action: 'governance.resolution_applied',
    memberId: await associationMemberId(tx),
    objectType: 'resolution',
    objectId: r.id,
    details: { number: r.number, kind: r.kind },
  });
  return true;
}

export interface AdmissionState {
  memberId: string;
  steps: {
    step: AdmissionStep;
    doneOn: string | null;
    reference: string | null;
    /** The resolution that recorded the step (the assembly's amending statute), if any. */
    resolutionId: string | null;
  }[];
  /** The first step not yet done, or null once published. */
  waitingFor: AdmissionStep | null;
  /** The first day of membership: the day after publication. */
  memberFrom: string | null;
}

export async function admissionState(tx: Tx, memberId: string): Promise<AdmissionState> {
  const done = new Map((await selectAdmissionSteps(tx, memberId)).map((s) => [s.step, s]));
  const steps = ADMISSION_STEPS.map((step) => ({
    step,
    doneOn: done.get(step)?.done_on ?? null,
    reference: done.get(step)?.reference ?? null,
    resolutionId: done.get(step)?.resolution_id ?? null,
  }));
  const published = done.get('publication');
  return {
    memberId,
    steps,
    waitingFor: steps.find((s) => s.doneOn === null)?.step ?? null,
    memberFrom: published ? addDays(published.done_on, 1) : null,
  };
}

/**
 * Records a step of an admission, in order. Publication in the Amtsblatt makes the body a member from
 * the day after (statute.md: "takes effect the day after publication"). Idempotent per step.
 */
export async function recordAdmissionStep(
  tx: Tx,
  memberId: string,
  input: { step: AdmissionStep; doneOn: string; reference?: string | null },
): Promise<AdmissionState> {
  requirePermission(tx.ctx, 'governance.manage');
  if (!isIsoDate(input.doneOn)) throw new ValidationError([{ field: 'doneOn', code: 'date.invalid' }]);
  const before = await admissionState(tx, memberId);
  const index = ADMISSION_STEPS.indexOf(input.step);
  const previous = before.steps.slice(0, index);
  if (previous.some((s) => s.doneOn === null)) throw new InvalidStateError('admission.step_out_of_order');
  if (previous.some((s) => s.doneOn !== null && s.doneOn > input.doneOn)) {
    throw new ValidationError([{ field: 'doneOn', code: 'admission.step_before_previous' }]);
  }
  const inserted = await insertAdmissionStep(tx, {
    memberId,
    step: input.step,
    doneOn: input.doneOn,
    reference: input.reference ?? null,
    resolutionId: null,
  });
  if (inserted && input.step === 'publication') {
    const m = await getMember(tx, memberId);
    await changeMemberStatus(tx, memberId, {
      status: 'active',
      on: addDays(input.doneOn, 1),
      version: m.version,
    });
  }
  if (inserted) {
    recordAudit(tx, {
      action: 'governance.admission_step_recorded',
      memberId,
      objectType: 'member',
      objectId: memberId,
      details: { step: input.step, done_on: input.doneOn },
    });
  }
  return admissionState(tx, memberId);
}

export async function votesOfResolution(tx: Tx, resolutionId: string) {
  return selectVotes(tx, resolutionId);
}

/** The demo assembly (seed 004's meeting of 11 March 2021), for the demo seed. */
export { seedDemoAssembly } from './governance.demo.js';
