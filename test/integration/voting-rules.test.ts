/**
 * The assembly's voting rules on a real database (PGlite and PostgreSQL): rules set from a day decide
 * the votes of a later meeting (population bands change the votes); invalid rules are refused with
 * field codes and nothing is stored; rules that would change a recorded vote are refused; a member's
 * admin may neither see nor set them (service and page).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/tx.js';
import {
  addAgendaItem,
  createMeeting,
  draftResolution,
  recordPresence,
  recordVote,
} from '../../src/modules/governance/governance.service.js';
import { type VotingRules, votesOf } from '../../src/modules/governance/voting.js';
import { listVotingRules, setVotingRules } from '../../src/modules/governance/voting-rules.service.js';
import { votingMembersOn } from '../../src/modules/members/members.service.js';
import { ConflictError, ValidationError } from '../../src/shared/errors.js';
import { DEMO, loggedIn, readAll, type TestApp, testApp, writeAll } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => t?.close());

const asAssociation = <T>(fn: (tx: Tx) => Promise<T>) => writeAll(t.database, fn);

const BANDS: VotingRules = {
  weight: {
    kind: 'population_bands',
    bands: [
      { upTo: 5000, votes: 1 },
      { upTo: 10000, votes: 2 },
      { upTo: null, votes: 4 },
    ],
    cap: 3,
  },
  quorum: { numerator: 1, denominator: 2, comparison: 'more_than', of: 'all' },
  simple: null,
  qualified: { numerator: 2, denominator: 3, comparison: 'at_least', of: 'all' },
};

async function storedRules() {
  return readAll(t.database, (tx) =>
    tx.db.selectFrom('voting_rules').selectAll().orderBy('valid_from').execute(),
  );
}

async function auditCount() {
  const r = await readAll(t.database, (tx) =>
    tx.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', 'governance.voting_rules_set')
      .executeTakeFirstOrThrow(),
  );
  return Number(r.n);
}

async function issuesOf(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return (err as ValidationError).issues;
}

describe('voting rules', () => {
  it('lists the recorded rules newest first', async () => {
    const list = await readAll(t.database, (tx) => listVotingRules(tx));
    expect(list.length).toBeGreaterThanOrEqual(1);
    expect(list.at(-1)).toMatchObject({ validFrom: '2020-04-09', isDefault: false });
  });

  it('population bands set from a day decide the votes of a later meeting', async () => {
    const before = await auditCount();
    const set = await asAssociation((tx) =>
      setVotingRules(tx, { validFrom: '2029-01-01', rules: BANDS, source: '§ 7 Verbandssatzung (Test)' }),
    );
    expect(set).toEqual({ validFrom: '2029-01-01', replaced: false });
    expect(await auditCount()).toBe(before + 1);
    const list = await readAll(t.database, (tx) => listVotingRules(tx));
    expect(list[0]).toMatchObject({
      validFrom: '2029-01-01',
      rules: BANDS,
      source: '§ 7 Verbandssatzung (Test)',
    });

    const result = await asAssociation(async (tx) => {
      const { id } = await createMeeting(tx, { title: 'VV 1/2029', startsAt: '2029-03-08T16:00:00+01:00' });
      const voters = await votingMembersOn(tx, '2029-03-08');
      await recordPresence(
        tx,
        id,
        voters.map((m) => m.id),
      );
      const top = await addAgendaItem(tx, id, {
        position: 1,
        number: 'TOP 1',
        title: 'Bericht',
        public: true,
      });
      const r = await draftResolution(tx, {
        agendaItemId: top.id,
        number: '1/2029',
        kind: 'other',
        title: 'Bericht',
      });
      const vote = await recordVote(
        tx,
        r.id,
        voters.map((m) => ({ memberId: m.id, ballot: 'yes' as const })),
      );
      return { vote, voters };
    });
    const expected = result.voters.map((m) =>
      votesOf(BANDS.weight, { memberId: m.id, population: m.population, previousYearTurnoverCents: null }),
    );
    const total = expected.reduce((a, b) => a + b, 0);
    // The bands really weigh: some member holds more than one vote, and the cap holds at 3.
    expect(Math.max(...expected)).toBeGreaterThan(1);
    expect(Math.max(...expected)).toBeLessThanOrEqual(3);
    expect(total).toBeGreaterThan(result.voters.length);
    expect(result.vote.tally.totalVotes).toBe(total);
    expect(result.vote.tally.yes).toBe(total);
    for (const p of result.vote.tally.perMember) {
      const m = result.voters.find((v) => v.id === p.memberId)!;
      expect(p.votes).toBe(
        votesOf(BANDS.weight, { memberId: m.id, population: m.population, previousYearTurnoverCents: null }),
      );
    }
  });

  it('refuses invalid rules with field codes and stores nothing', async () => {
    const before = await storedRules();
    const audits = await auditCount();
    const bad = (rules: unknown, extra: Partial<{ validFrom: string; source: string }> = {}) =>
      issuesOf(
        asAssociation((tx) =>
          setVotingRules(tx, {
            validFrom: '2031-01-01',
            source: 'Test',
            ...extra,
            rules: rules as VotingRules,
          }),
        ),
      );
    expect(
      await bad(
        {
          ...BANDS,
          weight: {
            kind: 'population_bands',
            bands: [
              { upTo: 10000, votes: 1 },
              { upTo: 5000, votes: 2 },
              { upTo: null, votes: 3 },
            ],
            cap: 0,
          },
          quorum: { numerator: 3, denominator: 2, comparison: 'more_than', of: 'all' },
        },
        { validFrom: '2031-02-30', source: ' ' },
      ),
    ).toEqual([
      { field: 'validFrom', code: 'voting_rules.valid_from_invalid' },
      { field: 'source', code: 'voting_rules.source_length' },
      { field: 'weight.bands', code: 'voting_rules.bands_order' },
      { field: 'weight.cap', code: 'voting_rules.cap_invalid' },
      { field: 'quorum', code: 'voting_rules.share_invalid' },
    ]);
    expect(
      await bad({
        ...BANDS,
        weight: { kind: 'population_bands', bands: [{ upTo: 5000, votes: 1 }], cap: null },
      }),
    ).toEqual([{ field: 'weight.bands', code: 'voting_rules.bands_open_last' }]);
    expect(
      await bad({
        ...BANDS,
        weight: {
          kind: 'population_bands',
          bands: [
            { upTo: null, votes: 1 },
            { upTo: null, votes: 2 },
          ],
          cap: null,
        },
      }),
    ).toEqual([{ field: 'weight.bands', code: 'voting_rules.bands_open_last' }]);
    expect(
      await bad({
        ...BANDS,
        weight: { kind: 'population_bands', bands: [{ upTo: null, votes: 0 }], cap: null },
      }),
    ).toEqual([{ field: 'weight.bands', code: 'voting_rules.bands_votes' }]);
    expect(
      await bad({
        ...BANDS,
        weight: { kind: 'turnover', centsPerVote: 0, min: -1, cap: null },
        simple: { numerator: 0, denominator: 2, comparison: 'more_than', of: 'cast' },
        qualified: { numerator: 2, denominator: 3, comparison: 'most', of: 'all' },
      }),
    ).toEqual([
      { field: 'weight.centsPerVote', code: 'voting_rules.cents_per_vote_invalid' },
      { field: 'weight.min', code: 'voting_rules.min_invalid' },
      { field: 'simple', code: 'voting_rules.share_invalid' },
      { field: 'qualified', code: 'voting_rules.share_invalid' },
    ]);
    expect(await bad({ ...BANDS, weight: { kind: 'lottery' } })).toEqual([
      { field: 'weight.kind', code: 'voting_rules.weight_kind' },
    ]);
    expect(await storedRules()).toEqual(before);
    expect(await auditCount()).toBe(audits);
  });

  it('refuses rules that would change a recorded vote, allows them after it', async () => {
    // The meeting of 8 March 2029 voted under the rules from 1 January 2029.
    for (const validFrom of ['2029-01-01', '2029-02-01', '2029-03-08']) {
      const err = await asAssociation((tx) =>
        setVotingRules(tx, {
          validFrom,
          rules: { ...BANDS, simple: null, weight: { kind: 'per_member' } },
          source: 'x',
        }),
      ).catch((e: unknown) => e);
      expect(err, validFrom).toBeInstanceOf(ConflictError);
      expect(err).toMatchObject({ code: 'voting_rules.retroactive', field: 'validFrom' });
    }
    const list = await readAll(t.database, (tx) => listVotingRules(tx));
    expect(list[0]).toMatchObject({ validFrom: '2029-01-01', rules: BANDS });
    // From the day after the vote the rules may change, and be corrected on the same day.
    const perMember: VotingRules = { ...BANDS, weight: { kind: 'per_member' } };
    expect(
      await asAssociation((tx) => setVotingRules(tx, { validFrom: '2029-03-09', rules: BANDS, source: 'a' })),
    ).toEqual({ validFrom: '2029-03-09', replaced: false });
    expect(
      await asAssociation((tx) =>
        setVotingRules(tx, { validFrom: '2029-03-09', rules: perMember, source: 'b' }),
      ),
    ).toEqual({ validFrom: '2029-03-09', replaced: true });
    expect((await readAll(t.database, (tx) => listVotingRules(tx)))[0]).toMatchObject({
      validFrom: '2029-03-09',
      rules: perMember,
      source: 'b',
    });
  });

  it("a member's admin may neither see nor set the rules", async () => {
    const before = await storedRules();
    const c = await loggedIn(t.app, DEMO.panketalAdmin);
    expect((await c.get('/versammlung/stimmrecht')).statusCode).toBe(403);
    const res = await c.postForm('/versammlung/stimmrecht', {
      validFrom: '2032-01-01',
      source: 'Panketal',
      weightKind: 'per_member',
      quorum: 'more_than:1/2:all',
      simple: 'yes_over_no',
      qualified: 'at_least:2/3:all',
    });
    expect(res.statusCode).toBe(403);
    expect(await storedRules()).toEqual(before);
  });
});

describe('the page /versammlung/stimmrecht', () => {
  it('shows the rules, refuses invalid input at the fields and sets rules from a day', async () => {
    const c = await loggedIn(t.app, DEMO.associationAdmin);
    const page = await c.get('/versammlung/stimmrecht');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Stimmrecht, Beschlussfähigkeit und Mehrheiten');
    expect(page.body).toContain('wo die Satzung schweigt');
    expect(page.body).toContain('§ 7 Verbandssatzung (Test)');
    const before = await storedRules();
    const bad = await c.postForm('/versammlung/stimmrecht', {
      validFrom: '',
      source: '',
      weightKind: 'population_bands',
      bands: '10000 1\n5000 2\nviele',
      cap: '0',
      eurosPerVote: '',
      minVotes: '',
      quorum: 'more_than:1/2:all',
      simple: 'yes_over_no',
      qualified: 'at_least:9/3:all',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('id="error-summary"');
    for (const f of ['validFrom', 'source', 'bands', 'cap', 'qualified'])
      expect(bad.body, f).toContain(`id="f-${f}-error"`);
    expect(bad.body).toContain('Jede Zeile der Einwohnerstaffel');
    expect(bad.body).toContain('Die Höchstzahl der Stimmen');
    expect(await storedRules()).toEqual(before);

    // Euros with a German decimal comma become exact cents.
    await c.get('/versammlung/stimmrecht');
    const ok = await c.postForm('/versammlung/stimmrecht', {
      validFrom: '2030-01-01',
      source: '§ 7 Abs. 2 Verbandssatzung',
      weightKind: 'turnover',
      bands: '',
      cap: '5',
      eurosPerVote: '12.345,67',
      minVotes: '1',
      quorum: 'at_least:1/2:all',
      simple: 'more_than:1/2:cast',
      qualified: 'at_least:3/4:present',
    });
    expect(ok.statusCode).toBe(303);
    const list = await readAll(t.database, (tx) => listVotingRules(tx));
    expect(list[0]).toEqual({
      validFrom: '2030-01-01',
      source: '§ 7 Abs. 2 Verbandssatzung',
      isDefault: false,
      rules: {
        weight: { kind: 'turnover', centsPerVote: 1234567, min: 1, cap: 5 },
        quorum: { numerator: 1, denominator: 2, comparison: 'at_least', of: 'all' },
        simple: { numerator: 1, denominator: 2, comparison: 'more_than', of: 'cast' },
        qualified: { numerator: 3, denominator: 4, comparison: 'at_least', of: 'present' },
      },
    });
    const after = await c.get('/versammlung/stimmrecht');
    expect(after.body).toContain('Die Regeln wurden festgelegt.');
    expect(after.body).toContain('§ 7 Abs. 2 Verbandssatzung');

    // A retroactive change is shown at the date field.
    const late = await c.postForm('/versammlung/stimmrecht', {
      validFrom: '2029-02-01',
      source: 'zu spät',
      weightKind: 'per_member',
      quorum: 'more_than:1/2:all',
      simple: 'yes_over_no',
      qualified: 'at_least:2/3:all',
    });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('id="f-validFrom-error"');
    expect(late.body).toContain('bereits abgestimmt');
  });
});
