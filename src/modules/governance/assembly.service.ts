/**
 * The assembly as the API and the pages read and change it: meetings with their agenda, resolutions
 * and documents as contracts (governance.schema.ts), the voting rules in force on a meeting day with
 * the votes each member holds, and the writes of governance.service.ts behind an optimistic `version`
 * where the tables have one. What a visitor sees is decided by row-level security (non-public agenda
 * items, their resolutions and documents are the association's only).
 */
import type { Database } from '../../db/database.js';
import { runInTx, type Tx } from '../../db/tx.js';
import { ALL_MEMBERS_READ, systemCtx } from '../../shared/context.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { requirePermission } from '../auth/permissions.js';
import { getMemberSummary, votingMembersOn } from '../members/members.service.js';
import {
  findResolution,
  maxAgendaPosition,
  selectDocumentsOfMeeting,
  selectRepresentativesOn,
  selectSteeringGroupOn,
} from './assembly.repository.js';
import {
  type AgendaItemRow,
  findAgendaItem,
  findMeeting,
  findVotingRulesOn,
  type MeetingRow,
  type ResolutionRow,
  selectAgendaItems,
  selectMeetings,
  selectResolutions,
  selectVotes,
} from './governance.repository.js';
import type {
  AgendaItemDto,
  MeetingDetailDto,
  MeetingDto,
  RepresentativeDto,
  ResolutionDetailDto,
  ResolutionDto,
  SteeringGroupEntryDto,
  TallyDto,
} from './governance.schema.js';
import {
  addAgendaItem,
  applyResolution,
  draftResolution,
  recordPresence,
  recordVote,
} from './governance.service.js';
import { type Ballot, DEFAULT_RULES, type VotingRules, votesOf } from './voting.js';

/** The Berlin civil date of an instant. */
export function berlinDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(at);
}

const berlinClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Berlin',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The Berlin wall-clock time of an instant as 'HH:MM'. */
export function berlinTime(at: Date): string {
  const parts = Object.fromEntries(berlinClock.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.hour}:${parts.minute}`;
}

/**
 * A Berlin date and wall-clock time as an RFC 3339 instant with its offset (+01:00 in winter, +02:00
 * in summer). A time skipped by the spring change resolves to the later offset's reading.
 */
export function berlinInstant(date: string, time: string): string {
  for (const offset of ['+01:00', '+02:00']) {
    const iso = `${date}T${time}:00${offset}`;
    const at = new Date(iso);
    if (berlinDay(at) === date && berlinTime(at) === time) return iso;
  }
  return `${date}T${time}:00+02:00`;
}

export function toMeetingDto(r: MeetingRow): MeetingDto {
  return {
    id: r.id,
    title: r.title,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at ? r.ends_at.toISOString() : null,
    place: r.place,
    status: r.status,
    invitedOn: r.invited_on,
    presentMemberIds: [...r.present_member_ids],
    version: r.version,
  };
}

function toAgendaDto(r: AgendaItemRow): AgendaItemDto {
  return {
    id: r.id,
    meetingId: r.meeting_id,
    position: r.position,
    number: r.number,
    title: r.title,
    public: r.public,
    preparedBySteeringGroup: r.prepared_by_steering_group,
  };
}

export function toResolutionDto(r: ResolutionRow): ResolutionDto {
  const tally = r.tally as Partial<TallyDto> | null;
  return {
    id: r.id,
    meetingId: r.meeting_id,
    agendaItemId: r.agenda_item_id,
    number: r.number,
    kind: r.kind,
    title: r.title,
    text: r.text,
    majority: r.majority,
    payload: (r.payload ?? {}) as Record<string, unknown>,
    status: r.status,
    carried: r.carried,
    tally: tally
      ? {
          totalVotes: tally.totalVotes ?? 0,
          presentVotes: tally.presentVotes ?? 0,
          yes: tally.yes ?? 0,
          no: tally.no ?? 0,
          abstain: tally.abstain ?? 0,
          quorate: tally.quorate ?? false,
          carried: tally.carried ?? false,
          reason: tally.reason ?? 'no_majority',
        }
      : null,
    votedAt: r.voted_at ? r.voted_at.toISOString() : null,
    effectiveOn: r.effective_on,
    appliedAt: r.applied_at ? r.applied_at.toISOString() : null,
    version: r.version,
  };
}

/** Every meeting the caller may see, latest first (meetings are public). */
export async function listMeetings(tx: Tx): Promise<MeetingDto[]> {
  return (await selectMeetings(tx)).map(toMeetingDto);
}

/** A meeting with the agenda items, resolutions and documents the caller may see. */
export async function getMeeting(tx: Tx, meetingId: string): Promise<MeetingDetailDto> {
  const row = await findMeeting(tx, meetingId);
  if (!row) throw new NotFoundError('meeting');
  const [items, resolutions, documents] = await Promise.all([
    selectAgendaItems(tx, meetingId),
    selectResolutions(tx, meetingId),
    selectDocumentsOfMeeting(tx, meetingId),
  ]);
  return {
    meeting: toMeetingDto(row),
    agendaItems: items.map(toAgendaDto),
    resolutions: resolutions.map(toResolutionDto),
    documents: documents.map((d) => ({
      id: d.id,
      agendaItemId: d.agenda_item_id,
      kind: d.kind,
      name: d.name,
      fileName: d.file_name,
      sizeBytes: d.size_bytes,
      public: d.public,
      href: `/sitzungen/dokumente/${d.id}`,
    })),
  };
}

export async function listResolutions(
  tx: Tx,
  q: {
    kind?: ResolutionDto['kind'] | undefined;
    status?: ResolutionDto['status'] | undefined;
    meetingId?: string | undefined;
  },
): Promise<ResolutionDto[]> {
  return (await selectResolutions(tx, q.meetingId))
    .filter(
      (r) => (q.kind === undefined || r.kind === q.kind) && (q.status === undefined || r.status === q.status),
    )
    .map(toResolutionDto);
}

/** A resolution with the votes recorded per member (names as on the meeting day). */
export async function getResolution(tx: Tx, resolutionId: string): Promise<ResolutionDetailDto> {
  const r = await findResolution(tx, resolutionId);
  if (!r) throw new NotFoundError('resolution');
  const votes = await selectVotes(tx, resolutionId);
  let names = new Map<string, string>();
  if (votes.length > 0) {
    const meeting = await findMeeting(tx, r.meeting_id);
    if (meeting) {
      names = new Map((await votingMembersOn(tx, berlinDay(meeting.starts_at))).map((m) => [m.id, m.name]));
    }
  }
  return {
    resolution: toResolutionDto(r),
    votes: votes
      .map((v) => ({
        memberId: v.member_id,
        memberName: names.get(v.member_id) ?? null,
        votes: v.votes,
        ballot: v.ballot,
      }))
      .sort((a, b) => (a.memberName ?? a.memberId).localeCompare(b.memberName ?? b.memberId, 'de')),
  };
}

/** JSON with sorted keys: jsonb does not keep the key order it was given. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export interface VotingSetup {
  day: string;
  rules: VotingRules;
  /** Where the rules come from (the statute, or the default where it is silent). */
  source: string;
  validFrom: string | null;
  /** The rules are the built-in default: the statute's own text is not available. */
  isDefault: boolean;
  /** Every member entitled to vote on the day, with the votes it holds and whether it is present. */
  members: { id: string; name: string; votes: number; present: boolean }[];
}

/** The voting rules in force on a meeting's day and the members entitled to vote, with their votes. */
export async function votingSetup(tx: Tx, meetingId: string): Promise<VotingSetup> {
  const meeting = await findMeeting(tx, meetingId);
  if (!meeting) throw new NotFoundError('meeting');
  const day = berlinDay(meeting.starts_at);
  const row = await findVotingRulesOn(tx, day);
  const rules = (row?.rules as VotingRules | undefined) ?? DEFAULT_RULES;
  const present = new Set(meeting.present_member_ids);
  const members = (await votingMembersOn(tx, day))
    .map((m) => ({
      id: m.id,
      name: m.name,
      votes: votesOf(rules.weight, {
        memberId: m.id,
        population: m.population,
        previousYearTurnoverCents: null,
      }),
      present: present.has(m.id),
    }))
    .sort((a, b) => a.name.localeCompare(b.name, 'de'));
  return {
    day,
    rules,
    source: row?.source ?? '',
    validFrom: row?.valid_from ?? null,
    isDefault: !row || canonical(row.rules) === canonical(DEFAULT_RULES),
    members,
  };
}

// ---- writes ----

/** Adds a TOP; without a position it goes after the last. */
export async function addAgendaItemTo(
  tx: Tx,
  meetingId: string,
  input: {
    number: string;
    title: string;
    public: boolean;
    position?: number;
    preparedBySteeringGroup?: boolean;
  },
): Promise<AgendaItemDto> {
  requirePermission(tx.ctx, 'governance.manage');
  if (!(await findMeeting(tx, meetingId))) throw new NotFoundError('meeting');
  const position = input.position ?? (await maxAgendaPosition(tx, meetingId)) + 1;
  let id: string;
  try {
    ({ id } = await addAgendaItem(tx, meetingId, { ...input, position }));
  } catch (err) {
    if ((err as { code?: string }).code === '23505')
      throw new ConflictError('agenda_item.position_taken', 'position');
    throw err;
  }
  return toAgendaDto((await findAgendaItem(tx, id))!);
}

/** Records presence, refused when the meeting changed since the caller read it. */
export async function recordPresenceAt(
  tx: Tx,
  meetingId: string,
  input: { memberIds: readonly string[]; version: number },
): Promise<MeetingDto> {
  requirePermission(tx.ctx, 'governance.manage');
  const meeting = await findMeeting(tx, meetingId);
  if (!meeting) throw new NotFoundError('meeting');
  if (meeting.version !== input.version) throw new ConflictError('version.stale');
  await recordPresence(tx, meetingId, input.memberIds);
  return toMeetingDto((await findMeeting(tx, meetingId))!);
}

/** Drafts a resolution on a TOP of this meeting. */
export async function draftResolutionAt(
  tx: Tx,
  meetingId: string,
  input: Parameters<typeof draftResolution>[1],
): Promise<ResolutionDto> {
  requirePermission(tx.ctx, 'governance.manage');
  const item = await findAgendaItem(tx, input.agendaItemId);
  if (!item || item.meeting_id !== meetingId) throw new NotFoundError('agenda_item');
  const { id } = await draftResolution(tx, input);
  return toResolutionDto((await findResolution(tx, id))!);
}

/**
 * Records the vote (governance.service recordVote: refused, changing nothing, for a ballot of a
 * non-member or an absent member), refused when the resolution changed since the caller read it.
 */
export async function recordVoteOn(
  tx: Tx,
  resolutionId: string,
  input: { ballots: readonly { memberId: string; ballot: Ballot }[]; version: number },
): Promise<{ resolution: ResolutionDto; applied: boolean }> {
  requirePermission(tx.ctx, 'governance.manage');
  const r = await findResolution(tx, resolutionId);
  if (!r) throw new NotFoundError('resolution');
  if (r.status === 'draft' && r.version !== input.version) throw new ConflictError('version.stale');
  const result = await recordVote(tx, resolutionId, input.ballots);
  return { resolution: toResolutionDto((await findResolution(tx, resolutionId))!), applied: result.applied };
}

/** Applies a carried resolution; a second call changes nothing (applied: false). */
export async function applyResolutionNow(
  tx: Tx,
  resolutionId: string,
): Promise<{ resolution: ResolutionDto; applied: boolean }> {
  const applied = await applyResolution(tx, resolutionId);
  return { resolution: toResolutionDto((await findResolution(tx, resolutionId))!), applied };
}

// ---- composition: steering group and representatives ----

/**
 * The steering group (Projektsteuerungsgruppe) on a day, the association first, then by name. Who
 * belongs to it is public (seed 004 names it from a council committee's minutes), and so are the
 * names of the association's members (the statute's member list), although a visitor may not read
 * the members' records: like the public minutes (documents.service.ts, assemblyNamesOn) this reads
 * the names only, as the system.
 */
export async function steeringGroupOn(database: Database, day: string): Promise<SteeringGroupEntryDto[]> {
  return runInTx(database, systemCtx('composition', ALL_MEMBERS_READ), async (tx) => {
    const out: (SteeringGroupEntryDto & { isAssociation: boolean })[] = [];
    for (const r of await selectSteeringGroupOn(tx, day)) {
      const m = await getMemberSummary(tx, r.member_id);
      out.push({
        memberId: r.member_id,
        memberName: m.name,
        validFrom: r.valid_from,
        validUntil: r.valid_until,
        isAssociation: m.isAssociation,
      });
    }
    return out
      .sort(
        (a, b) =>
          Number(b.isAssociation) - Number(a.isAssociation) || a.memberName.localeCompare(b.memberName, 'de'),
      )
      .map(({ isAssociation: _, ...e }) => e);
  });
}

/**
 * The members' representatives in office on a day with the member each represents, by member name
 * (the representative before the deputy). For the association (governance.manage).
 */
export async function representativesOn(tx: Tx, day: string): Promise<RepresentativeDto[]> {
  requirePermission(tx.ctx, 'governance.manage');
  const rows = await selectRepresentativesOn(tx, day);
  const names = new Map<string, string>();
  for (const id of new Set(rows.map((r) => r.member_id)))
    names.set(id, (await getMemberSummary(tx, id)).name);
  return rows
    .map((r) => ({
      memberId: r.member_id,
      memberName: names.get(r.member_id) ?? '',
      name: r.name,
      function: r.function,
      role: r.role,
      validFrom: r.valid_from,
      validUntil: r.valid_until,
      isExample: r.is_example,
    }))
    .sort(
      (a, b) =>
        a.memberName.localeCompare(b.memberName, 'de') ||
        (a.role === b.role ? a.name.localeCompare(b.name, 'de') : a.role === 'representative' ? -1 : 1),
    );
}

/** The representatives in office on a day as the public sees them: names, functions and role only. */
export async function publicRepresentativesOn(
  tx: Tx,
  day: string,
): Promise<Pick<RepresentativeDto, 'name' | 'function' | 'role' | 'isExample'>[]> {
  return (await selectRepresentativesOn(tx, day))
    .map((r) => ({ name: r.name, function: r.function, role: r.role, isExample: r.is_example }))
    .sort((a, b) => a.name.localeCompare(b.name, 'de'));
}
