import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Ballot,
  DEFAULT_RULES,
  type MemberVoteBasis,
  tally,
  VotingError,
  type VotingRules,
  votesOf,
} from './voting.js';

const members = (n: number): MemberVoteBasis[] =>
  Array.from({ length: n }, (_, i) => ({
    memberId: `m${i}`,
    population: 1000 * (i + 1),
    previousYearTurnoverCents: 0,
  }));
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m${from + i}`);
const vote = (opts: {
  n: number;
  present: string[];
  yes: string[];
  no?: string[];
  majority?: 'simple' | 'qualified';
  rules?: VotingRules;
}) => {
  const ballots = new Map<string, Ballot>();
  for (const id of opts.present) ballots.set(id, 'abstain');
  for (const id of opts.yes) ballots.set(id, 'yes');
  for (const id of opts.no ?? []) ballots.set(id, 'no');
  return tally({
    rules: opts.rules ?? DEFAULT_RULES,
    majority: opts.majority ?? 'simple',
    members: members(opts.n),
    present: new Set(opts.present),
    ballots,
  });
};

describe('quorum and majorities (defaults: one vote per member)', () => {
  it('is quorate with more than half of all votes present', () => {
    expect(vote({ n: 44, present: ids(0, 23), yes: ids(0, 23) }).quorate).toBe(true);
    const t = vote({ n: 44, present: ids(0, 22), yes: ids(0, 22) });
    expect(t).toMatchObject({ quorate: false, carried: false, reason: 'not_quorate' });
  });
  it('carries by simple majority: more yes than no, abstentions not counted', () => {
    expect(vote({ n: 44, present: ids(0, 30), yes: ids(0, 10), no: ids(10, 19) })).toMatchObject({
      yes: 10,
      no: 9,
      abstain: 11,
      carried: true,
    });
    expect(vote({ n: 44, present: ids(0, 30), yes: ids(0, 10), no: ids(10, 20) })).toMatchObject({
      carried: false,
      reason: 'no_majority',
    });
  });
  it('needs two thirds of all votes for a qualified majority', () => {
    // 2/3 of 44 = 29.33: 30 carry, 29 do not
    expect(vote({ n: 44, present: ids(0, 44), yes: ids(0, 30), majority: 'qualified' }).carried).toBe(true);
    expect(vote({ n: 44, present: ids(0, 44), yes: ids(0, 29), majority: 'qualified' }).carried).toBe(false);
    // exactly two thirds
    expect(vote({ n: 42, present: ids(0, 42), yes: ids(0, 28), majority: 'qualified' }).carried).toBe(true);
  });
  it('refuses the ballot of a non-member or of a member not present', () => {
    expect(() =>
      tally({
        rules: DEFAULT_RULES,
        majority: 'simple',
        members: members(3),
        present: new Set(['m0', 'm1']),
        ballots: new Map<string, Ballot>([['fremd', 'yes']]),
      }),
    ).toThrow(VotingError);
    expect(() =>
      tally({
        rules: DEFAULT_RULES,
        majority: 'simple',
        members: members(3),
        present: new Set(['m0']),
        ballots: new Map<string, Ballot>([['m2', 'yes']]),
      }),
    ).toThrow(/not_present/);
  });
  it('never carries without quorum, and more yes votes never turn a carried vote into a failed one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.nat(), fc.nat(), fc.nat(), (n, p, y, extra) => {
        const present = p % (n + 1);
        const yes = y % (present + 1);
        const a = vote({ n, present: ids(0, present), yes: ids(0, yes), no: ids(yes, present) });
        if (!a.quorate) expect(a.carried).toBe(false);
        const more = Math.min(present, yes + (extra % 3));
        const b = vote({ n, present: ids(0, present), yes: ids(0, more), no: ids(more, present) });
        if (a.carried) expect(b.carried).toBe(true);
      }),
    );
  });
});

describe('vote weights', () => {
  it('by population bands with a cap', () => {
    const rule = {
      kind: 'population_bands' as const,
      bands: [
        { upTo: 5000, votes: 1 },
        { upTo: 20000, votes: 2 },
        { upTo: 100000, votes: 3 },
        { upTo: null, votes: 5 },
      ],
      cap: 4,
    };
    const w = (population: number | null) =>
      votesOf(rule, { memberId: 'x', population, previousYearTurnoverCents: null });
    expect([w(null), w(5000), w(5001), w(20000), w(100000), w(180000)]).toEqual([1, 1, 2, 2, 3, 4]);
  });
  it("by the previous year's turnover, at least one, capped", () => {
    const rule = { kind: 'turnover' as const, centsPerVote: 10_000_00, min: 1, cap: 10 };
    const w = (c: number) => votesOf(rule, { memberId: 'x', population: null, previousYearTurnoverCents: c });
    expect([w(0), w(10_000_00), w(10_000_01), w(999_999_99_00)]).toEqual([1, 1, 2, 10]);
  });
  it('counts weighted votes in the tally', () => {
    const rules: VotingRules = {
      ...DEFAULT_RULES,
      weight: {
        kind: 'population_bands',
        bands: [
          { upTo: 1500, votes: 1 },
          { upTo: null, votes: 3 },
        ],
        cap: null,
      },
    };
    // m0 (1000 inh.) 1 vote, m1 and m2 3 votes each: total 7
    const t = vote({ n: 3, present: ['m0', 'm1'], yes: ['m0'], no: ['m1'], rules });
    expect(t).toMatchObject({ totalVotes: 7, presentVotes: 4, yes: 1, no: 3, quorate: true, carried: false });
  });
});
