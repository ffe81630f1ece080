/**
 * Votes in the assembly (Verbandsversammlung), pure: how many votes each member holds, whether the
 * meeting is quorate, and whether a resolution carried.
 *
 * The association's statute (Verbandssatzung) sets these rules, but its text on votes, quorum and
 * majorities is not published in a form we could read (see docs: statute notes): so every rule here
 * is configuration, shown on the assembly's pages. The defaults are common in Brandenburg statutes
 * and are marked as defaults wherever they are shown:
 * - one vote per member;
 * - quorate when members holding more than half of all votes are present;
 * - simple majority: more yes than no votes (abstentions do not count);
 * - qualified majority (statute amendments, admissions, releases): at least two thirds of all votes.
 * The 2019 draft weighted votes by the previous year's turnover with the association (MAZ, 2019-08);
 * population bands with a cap are the other common model. Both are supported.
 */
import { cmp, fraction } from '../../shared/decimal.js';

export type VoteWeightRule =
  | { kind: 'per_member' }
  | {
      kind: 'population_bands';
      /** Ascending; a member gets the votes of the first band its population fits (upTo null = rest). */
      bands: { upTo: number | null; votes: number }[];
      cap: number | null;
    }
  | {
      kind: 'turnover';
      /** One vote per started amount of previous-year turnover, at least `min`, at most `cap`. */
      centsPerVote: number;
      min: number;
      cap: number | null;
    };

export interface Share {
  /** e.g. 1/2 or 2/3 */
  numerator: number;
  denominator: number;
  /** 'more_than': strictly more than the share; 'at_least': the share or more. */
  comparison: 'more_than' | 'at_least';
  /** Of which total: all votes of all members, the votes present, or the votes cast (yes + no). */
  of: 'all' | 'present' | 'cast';
}

export type MajorityKind = 'simple' | 'qualified';

export interface VotingRules {
  weight: VoteWeightRule;
  quorum: Share;
  /** Simple majority: more yes than no unless a share is given. */
  simple: Share | null;
  qualified: Share;
}

export const DEFAULT_RULES: VotingRules = {
  weight: { kind: 'per_member' },
  quorum: { numerator: 1, denominator: 2, comparison: 'more_than', of: 'all' },
  simple: null,
  qualified: { numerator: 2, denominator: 3, comparison: 'at_least', of: 'all' },
};

export interface MemberVoteBasis {
  memberId: string;
  population: number | null;
  /** Turnover with the association in the previous year, in cents. */
  previousYearTurnoverCents: number | null;
}

/** The votes a member holds under a weight rule. */
export function votesOf(rule: VoteWeightRule, m: MemberVoteBasis): number {
  switch (rule.kind) {
    case 'per_member':
      return 1;
    case 'population_bands': {
      const pop = m.population ?? 0;
      const band = rule.bands.find((b) => b.upTo === null || pop <= b.upTo);
      const votes = band?.votes ?? 1;
      return rule.cap === null ? votes : Math.min(votes, rule.cap);
    }
    case 'turnover': {
      const t = m.previousYearTurnoverCents ?? 0;
      const votes = Math.max(rule.min, Math.ceil(t / rule.centsPerVote));
      return rule.cap === null ? votes : Math.min(votes, rule.cap);
    }
  }
}

export type Ballot = 'yes' | 'no' | 'abstain';

export interface TallyInput {
  rules: VotingRules;
  majority: MajorityKind;
  /** Every member entitled to vote on the day, with its basis. */
  members: readonly MemberVoteBasis[];
  /** Members represented at the meeting when the vote was taken. */
  present: ReadonlySet<string>;
  /** How each present member voted (a member's votes are cast as one block). */
  ballots: ReadonlyMap<string, Ballot>;
}

export interface Tally {
  totalVotes: number;
  presentVotes: number;
  yes: number;
  no: number;
  abstain: number;
  quorate: boolean;
  carried: boolean;
  /** Why not, when it did not carry. */
  reason: 'carried' | 'not_quorate' | 'no_majority';
  /** Votes per member, for the record. */
  perMember: { memberId: string; votes: number; ballot: Ballot | 'absent' }[];
}

export class VotingError extends Error {
  constructor(
    readonly code: 'vote.not_a_member' | 'vote.not_present',
    readonly memberId: string,
  ) {
    super(`${code}: ${memberId}`);
  }
}

function reaches(value: number, total: number, share: Share): boolean {
  // value / total compared with numerator / denominator, exactly.
  if (total === 0) return false;
  const left = fraction(value, total);
  const right = fraction(share.numerator, share.denominator);
  const c = cmp(left, right);
  return share.comparison === 'more_than' ? c > 0 : c >= 0;
}

/** Counts a vote. Refuses ballots of non-members or of members not present (never counts them). */
export function tally(input: TallyInput): Tally {
  const weights = new Map(input.members.map((m) => [m.memberId, votesOf(input.rules.weight, m)]));
  for (const id of input.ballots.keys()) {
    if (!weights.has(id)) throw new VotingError('vote.not_a_member', id);
    if (!input.present.has(id)) throw new VotingError('vote.not_present', id);
  }
  for (const id of input.present) if (!weights.has(id)) throw new VotingError('vote.not_a_member', id);
  let total = 0;
  let present = 0;
  let yes = 0;
  let no = 0;
  let abstain = 0;
  const perMember: Tally['perMember'] = [];
  for (const [memberId, votes] of weights) {
    total += votes;
    const here = input.present.has(memberId);
    if (here) present += votes;
    const ballot = input.ballots.get(memberId);
    if (ballot === 'yes') yes += votes;
    else if (ballot === 'no') no += votes;
    else if (ballot === 'abstain' || here) abstain += votes;
    perMember.push({ memberId, votes, ballot: ballot ?? (here ? 'abstain' : 'absent') });
  }
  const quorate = reaches(present, total, input.rules.quorum);
  const of = (s: Share) => (s.of === 'all' ? total : s.of === 'present' ? present : yes + no);
  const share = input.majority === 'qualified' ? input.rules.qualified : input.rules.simple;
  const majority = share ? reaches(yes, of(share), share) : yes > no;
  const carried = quorate && majority;
  return {
    totalVotes: total,
    presentVotes: present,
    yes,
    no,
    abstain,
    quorate,
    carried,
    reason: !quorate ? 'not_quorate' : carried ? 'carried' : 'no_majority',
    perMember,
  };
}

/** The share as people read it: "mehr als 1/2 aller Stimmen". */
export function shareParts(s: Share): { comparison: Share['comparison']; fraction: string; of: Share['of'] } {
  return { comparison: s.comparison, fraction: `${s.numerator}/${s.denominator}`, of: s.of };
}
