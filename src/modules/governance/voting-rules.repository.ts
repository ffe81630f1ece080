/** SQL for the voting rules (table voting_rules: one row per day the rules change). */
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { VotingRulesTable } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';

export type VotingRulesRow = Selectable<VotingRulesTable>;

/** Every version of the rules, newest first. */
export async function selectVotingRules(tx: Tx): Promise<VotingRulesRow[]> {
  return tx.db.selectFrom('voting_rules').selectAll().orderBy('valid_from', 'desc').execute();
}

/** Inserts the rules valid from a day, or replaces those already recorded for that day. */
export async function upsertVotingRules(
  tx: Tx,
  row: { validFrom: string; rules: unknown; source: string },
): Promise<{ inserted: boolean }> {
  const r = await tx.db
    .insertInto('voting_rules')
    .values({ valid_from: row.validFrom, rules: JSON.stringify(row.rules), source: row.source })
    .onConflict((oc) =>
      oc.column('valid_from').doUpdateSet({ rules: JSON.stringify(row.rules), source: row.source }),
    )
    // xmax = 0 only for a freshly inserted row.
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirstOrThrow();
  return { inserted: r.inserted };
}

/**
 * Whether a resolution was voted at a meeting whose Berlin day is on or after `from` and before
 * `until` (null: no end) — the meetings whose rules a version valid from `from` decides.
 */
export async function votedMeetingBetween(tx: Tx, from: string, until: string | null): Promise<boolean> {
  const day = sql<string>`(m.starts_at at time zone 'Europe/Berlin')::date`;
  let q = tx.db
    .selectFrom('resolutions as r')
    .innerJoin('meetings as m', 'm.id', 'r.meeting_id')
    .select('r.id')
    .where('r.status', '=', 'voted')
    .where(day, '>=', sql<string>`${from}::date`);
  if (until !== null) q = q.where(day, '<', sql<string>`${until}::date`);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

/** The first day after `day` on which other rules take effect, if any. */
export async function nextVotingRulesAfter(tx: Tx, day: string): Promise<string | null> {
  const r = await tx.db
    .selectFrom('voting_rules')
    .select('valid_from')
    .where('valid_from', '>', day)
    .orderBy('valid_from')
    .limit(1)
    .executeTakeFirst();
  return r?.valid_from ?? null;
}
