/**
 * SQL for the assembly's read views (documents listed without their content; RLS hides non-public
 * ones) and for its composition and invitations that the service layer does not write yet: the
 * steering group (Projektsteuerungsgruppe), the members' representatives, and a meeting's invitation
 * (used by the demo, governance.demo.ts).
 */
import type { Insertable } from 'kysely';
import type { AssemblyRepresentativesTable, SteeringGroupMembersTable } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';

export async function insertSteeringGroupMembers(
  tx: Tx,
  rows: Insertable<SteeringGroupMembersTable>[],
): Promise<void> {
  if (rows.length > 0)
    await tx.db
      .insertInto('steering_group_members')
      .values(rows)
      .onConflict((oc) => oc.columns(['member_id', 'valid_from']).doNothing())
      .execute();
}

export async function insertRepresentatives(
  tx: Tx,
  rows: Insertable<AssemblyRepresentativesTable>[],
): Promise<void> {
  if (rows.length > 0) await tx.db.insertInto('assembly_representatives').values(rows).execute();
}

/** Marks a planned meeting as invited on a day (the invitation went out). */
export async function markInvited(tx: Tx, meetingId: string, invitedOn: string): Promise<void> {
  await tx.db
    .updateTable('meetings')
    .set((eb) => ({
      status: 'invited',
      invited_on: invitedOn,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', meetingId)
    .where('status', '=', 'planned')
    .execute();
}

export async function selectDocumentsOfMeeting(tx: Tx, meetingId: string) {
  return tx.db
    .selectFrom('meeting_documents')
    .select(['id', 'agenda_item_id', 'kind', 'name', 'file_name', 'size_bytes', 'public'])
    .where('meeting_id', '=', meetingId)
    .orderBy('created_at')
    .execute();
}

/** The highest position on a meeting's agenda (0 for an empty one). */
export async function maxAgendaPosition(tx: Tx, meetingId: string): Promise<number> {
  const r = await tx.db
    .selectFrom('agenda_items')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('meeting_id', '=', meetingId)
    .executeTakeFirst();
  return Number(r?.max ?? 0);
}

/** A resolution without a row lock (for reads, also in read-only transactions). */
export async function findResolution(tx: Tx, id: string) {
  return tx.db.selectFrom('resolutions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The steering group on a day (member ids and dates). */
export async function selectSteeringGroupOn(tx: Tx, day: string) {
  return tx.db
    .selectFrom('steering_group_members')
    .select(['member_id', 'valid_from', 'valid_until'])
    .where('valid_from', '<=', day)
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>=', day)]))
    .execute();
}

/** The representatives in office on a day (names and functions; no contact data is kept). */
export async function selectRepresentativesOn(tx: Tx, day: string) {
  return tx.db
    .selectFrom('assembly_representatives')
    .select(['id', 'member_id', 'name', 'function', 'role', 'valid_from', 'valid_until', 'is_example'])
    .where('valid_from', '<=', day)
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>=', day)]))
    .orderBy('member_id')
    .orderBy('role', 'desc')
    .orderBy('name')
    .execute();
}

/** Every recorded admission step (the association sees all; RLS limits others to their own member). */
export async function selectAllAdmissionSteps(tx: Tx) {
  return tx.db.selectFrom('admission_steps').selectAll().orderBy('member_id').execute();
}
