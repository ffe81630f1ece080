/**
 * The voting rules of the assembly (votes per member, quorum, majorities) as dated versions: the
 * statute sets them; where it is silent (or its text is not available) they are configuration. A
 * version is valid from a day until the next one. Setting rules never changes a recorded result: a
 * version that would decide a meeting at which a resolution was already voted is refused.
 */
import type { Tx } from '../../db/tx.js';
import { isIsoDate } from '../../shared/dates.js';
import { ConflictError, type FieldIssue, ValidationError } from '../../shared/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { requirePermission } from '../auth/permissions.js';
import { associationMemberId } from '../members/members.service.js';
import { DEFAULT_RULES, type Share, type VoteWeightRule, type VotingRules } from './voting.js';
import {
  nextVotingRulesAfter,
  selectVotingRules,
  upsertVotingRules,
  votedMeetingBetween,
} from './voting-rules.repository.js';

export interface VotingRulesVersion {
  /** null only for the built-in default when no version is recorded. */
  validFrom: string | null;
  rules: VotingRules;
  source: string | null;
  isDefault: boolean;
}

/** Every recorded version, newest first; the built-in default alone when none is recorded. */
export async function listVotingRules(tx: Tx): Promise<VotingRulesVersion[]> {
  const rows = await selectVotingRules(tx);
  if (rows.length === 0) return [{ validFrom: null, rules: DEFAULT_RULES, source: null, isDefault: true }];
  return rows.map((r) => ({
    validFrom: r.valid_from,
    rules: r.rules as VotingRules,
    source: r.source,
    isDefault: false,
  }));
}

/** The version in force on a day (the default when none is recorded on or before it). */
export function versionOnDay(versions: readonly VotingRulesVersion[], day: string): VotingRulesVersion {
  return (
    versions.find((v) => v.validFrom !== null && v.validFrom <= day) ??
    versions.find((v) => v.validFrom === null) ?? {
      validFrom: null,
      rules: DEFAULT_RULES,
      source: null,
      isDefault: true,
    }
  );
}

const isInt = (n: unknown, min: number): n is number => Number.isSafeInteger(n) && (n as number) >= min;

function checkShare(field: string, s: Share | null | undefined, ofs: readonly Share['of'][]): FieldIssue[] {
  const bad = [{ field, code: 'voting_rules.share_invalid' }];
  if (!s || typeof s !== 'object') return bad;
  if (!isInt(s.numerator, 1) || !isInt(s.denominator, 1) || s.numerator > s.denominator) return bad;
  if (s.comparison !== 'more_than' && s.comparison !== 'at_least') return bad;
  if (!ofs.includes(s.of)) return bad;
  return [];
}

function checkWeight(w: VoteWeightRule | undefined): FieldIssue[] {
  if (!w || typeof w !== 'object') return [{ field: 'weight.kind', code: 'voting_rules.weight_kind' }];
  const issues: FieldIssue[] = [];
  const checkCap = (cap: unknown) => {
    if (cap !== null && !isInt(cap, 1))
      issues.push({ field: 'weight.cap', code: 'voting_rules.cap_invalid' });
  };
  switch (w.kind) {
    case 'per_member':
      break;
    case 'population_bands': {
      const bands = Array.isArray(w.bands) ? w.bands : [];
      const band = (code: string) => issues.push({ field: 'weight.bands', code });
      if (bands.length === 0) band('voting_rules.bands_open_last');
      else if (bands.some((b) => !isInt(b?.votes, 1))) band('voting_rules.bands_votes');
      else if (bands.filter((b) => b.upTo === null).length !== 1 || bands.at(-1)!.upTo !== null)
        band('voting_rules.bands_open_last');
      else {
        const limits = bands.slice(0, -1).map((b) => b.upTo);
        if (!limits.every((u, i) => isInt(u, 1) && (i === 0 || u! > limits[i - 1]!)))
          band('voting_rules.bands_order');
      }
      checkCap(w.cap);
      break;
    }
    case 'turnover':
      if (!isInt(w.centsPerVote, 1))
        issues.push({ field: 'weight.centsPerVote', code: 'voting_rules.cents_per_vote_invalid' });
      if (!isInt(w.min, 0)) issues.push({ field: 'weight.min', code: 'voting_rules.min_invalid' });
      checkCap(w.cap);
      break;
    default:
      issues.push({ field: 'weight.kind', code: 'voting_rules.weight_kind' });
  }
  return issues;
}

/** Every problem of a set of rules at once, as field issues (pure). */
export function checkVotingRules(input: {
  validFrom: string;
  rules: VotingRules;
  source: string;
}): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (typeof input.validFrom !== 'string' || !isIsoDate(input.validFrom))
    issues.push({ field: 'validFrom', code: 'voting_rules.valid_from_invalid' });
  const source = typeof input.source === 'string' ? input.source.trim() : '';
  if (source.length < 1 || source.length > 500)
    issues.push({ field: 'source', code: 'voting_rules.source_length' });
  const r = input.rules;
  issues.push(...checkWeight(r?.weight));
  // The quorum counts the members present against all votes (voting.ts); other bases make no sense.
  issues.push(...checkShare('quorum', r?.quorum, ['all']));
  if (r?.simple !== null) issues.push(...checkShare('simple', r?.simple, ['all', 'present', 'cast']));
  issues.push(...checkShare('qualified', r?.qualified, ['all', 'present', 'cast']));
  return issues;
}

/** Only the known fields, so nothing else lands in the stored JSON. */
function normalized(r: VotingRules): VotingRules {
  const share = (s: Share): Share => ({
    numerator: s.numerator,
    denominator: s.denominator,
    comparison: s.comparison,
    of: s.of,
  });
  const w = r.weight;
  const weight: VoteWeightRule =
    w.kind === 'per_member'
      ? { kind: 'per_member' }
      : w.kind === 'population_bands'
        ? {
            kind: 'population_bands',
            bands: w.bands.map((b) => ({ upTo: b.upTo, votes: b.votes })),
            cap: w.cap,
          }
        : { kind: 'turnover', centsPerVote: w.centsPerVote, min: w.min, cap: w.cap };
  return {
    weight,
    quorum: share(r.quorum),
    simple: r.simple === null ? null : share(r.simple),
    qualified: share(r.qualified),
  };
}

/**
 * Records the rules valid from a day (replacing a version of the same day). Refused with field issues
 * when invalid, and with a conflict when the version would decide a meeting at which a resolution was
 * already voted (from its day until the next version): a recorded result never changes afterwards.
 */
export async function setVotingRules(
  tx: Tx,
  input: { validFrom: string; rules: VotingRules; source: string },
): Promise<{ validFrom: string; replaced: boolean }> {
  requirePermission(tx.ctx, 'governance.manage');
  const issues = checkVotingRules(input);
  if (issues.length > 0) throw new ValidationError(issues);
  const next = await nextVotingRulesAfter(tx, input.validFrom);
  if (await votedMeetingBetween(tx, input.validFrom, next))
    throw new ConflictError('voting_rules.retroactive', 'validFrom');
  const rules = normalized(input.rules);
  const source = input.source.trim();
  const { inserted } = await upsertVotingRules(tx, { validFrom: input.validFrom, rules, source });
  recordAudit(tx, {
    action: 'governance.voting_rules_set',
    memberId: await associationMemberId(tx),
    objectType: 'voting_rules',
    objectId: input.validFrom,
    data: { validFrom: input.validFrom, rules, source },
    details: { valid_from: input.validFrom, weight: rules.weight.kind, replaced: !inserted },
  });
  return { validFrom: input.validFrom, replaced: !inserted };
}
