/**
 * SQL for the assembly's composition and invitations that the service layer does not write yet: the
 * steering group (Projektsteuerungsgruppe), the members' representatives, and a meeting's invitation.
 * Used by the demo (governance.demo.ts); pages that edit them can take these over.
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
