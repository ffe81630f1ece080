/** SQL for the assembly. Non-public agenda items and documents are visible only to the association (RLS). */

import type { Insertable, Selectable } from 'kysely';
import { sql } from 'kysely';
import type {
  AdmissionStep,
  AgendaItemsTable,
  MeetingsTable,
  ResolutionsTable,
  ResolutionVotesTable,
} from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';

export type MeetingRow = Selectable<MeetingsTable>;
export type AgendaItemRow = Selectable<AgendaItemsTable>;
export type ResolutionRow = Selectable<ResolutionsTable>;

export async function insertMeeting(tx: Tx, row: Insertable<MeetingsTable>): Promise<MeetingRow> {
  return tx.db.insertInto('meetings').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findMeeting(tx: Tx, id: string): Promise<MeetingRow | undefined> {
  return tx.db.selectFrom('meetings').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function selectMeetings(tx: Tx): Promise<MeetingRow[]> {
  return tx.db.selectFrom('meetings').selectAll().orderBy('starts_at', 'desc').execute();
}

export async function setPresent(tx: Tx, meetingId: string, memberIds: readonly string[]): Promise<void> {
  await tx.db
    .updateTable('meetings')
    .set((eb) => ({
      present_member_ids: sql<string[]>`${sql.val([...memberIds])}::uuid[]`,
      status: 'held',
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', meetingId)
    .execute();
}

export async function insertAgendaItem(tx: Tx, row: Insertable<AgendaItemsTable>): Promise<AgendaItemRow> {
  return tx.db.insertInto('agenda_items').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function selectAgendaItems(tx: Tx, meetingId: string): Promise<AgendaItemRow[]> {
  return tx.db
    .selectFrom('agenda_items')
    .selectAll()
    .where('meeting_id', '=', meetingId)
    .orderBy('position')
    .execute();
}

export async function findAgendaItem(tx: Tx, id: string): Promise<AgendaItemRow | undefined> {
  return tx.db.selectFrom('agenda_items').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertResolution(tx: Tx, row: Insertable<ResolutionsTable>): Promise<ResolutionRow> {
  return tx.db.insertInto('resolutions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findResolutionForUpdate(tx: Tx, id: string): Promise<ResolutionRow | undefined> {
  return tx.db.selectFrom('resolutions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function selectResolutions(tx: Tx, meetingId?: string): Promise<ResolutionRow[]> {
  let q = tx.db.selectFrom('resolutions').selectAll();
  if (meetingId) q = q.where('meeting_id', '=', meetingId);
  return q.orderBy('created_at').execute();
}

export async function markVoted(
  tx: Tx,
  id: string,
  result: { carried: boolean; tally: unknown },
): Promise<ResolutionRow> {
  return tx.db
    .updateTable('resolutions')
    .set((eb) => ({
      status: 'voted',
      carried: result.carried,
      tally: JSON.stringify(result.tally),
      voted_at: new Date(),
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function markApplied(tx: Tx, id: string): Promise<void> {
  await tx.db
    .updateTable('resolutions')
    .set({ applied_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .where('applied_at', 'is', null)
    .execute();
}

export async function insertVotes(tx: Tx, rows: Insertable<ResolutionVotesTable>[]): Promise<void> {
  if (rows.length > 0) await tx.db.insertInto('resolution_votes').values(rows).execute();
}

export async function selectVotes(tx: Tx, resolutionId: string) {
  return tx.db
    .selectFrom('resolution_votes')
    .selectAll()
    .where('resolution_id', '=', resolutionId)
    .orderBy('member_id')
    .execute();
}

/** The voting rules in force on a day (the latest valid_from on or before it). */
export async function findVotingRulesOn(tx: Tx, day: string) {
  return tx.db
    .selectFrom('voting_rules')
    .selectAll()
    .where('valid_from', '<=', day)
    .orderBy('valid_from', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function selectAdmissionSteps(tx: Tx, memberId: string) {
  return tx.db.selectFrom('admission_steps').selectAll().where('member_id', '=', memberId).execute();
}

export async function insertAdmissionStep(
  tx: Tx,
  row: {
    memberId: string;
    step: AdmissionStep;
    doneOn: string;
    reference: string | null;
    resolutionId: string | null;
  },
): Promise<boolean> {
  const r = await tx.db
    .insertInto('admission_steps')
    .values({
      member_id: row.memberId,
      step: row.step,
      done_on: row.doneOn,
      reference: row.reference,
      resolution_id: row.resolutionId,
    })
    .onConflict((oc) => oc.columns(['member_id', 'step']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}
