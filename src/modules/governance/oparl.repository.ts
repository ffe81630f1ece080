/**
 * SQL of the OParl API: the public part of the assembly. Every query runs in a visitor's transaction
 * (no member scope), so row-level security already hides non-public agenda items, documents and
 * resolutions; each query says `public` once more so that a broader context could not leak them either.
 */
import type { Tx } from '../../db/tx.js';

export interface OParlMeetingRow {
  id: string;
  title: string;
  starts_at: Date;
  ends_at: Date | null;
  place: string | null;
  status: 'planned' | 'invited' | 'held' | 'cancelled';
  created_at: Date;
  updated_at: Date;
}

export interface OParlAgendaItemRow {
  id: string;
  meeting_id: string;
  position: number;
  number: string;
  title: string;
  prepared_by_steering_group: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface OParlDocumentRow {
  id: string;
  meeting_id: string;
  agenda_item_id: string | null;
  kind: 'invitation' | 'report' | 'draft_resolution' | 'minutes' | 'other';
  name: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  created_at: Date;
}

export interface OParlResolutionRow {
  id: string;
  meeting_id: string;
  agenda_item_id: string;
  number: string;
  kind:
    | 'adopt_catalog_version'
    | 'admit_members'
    | 'release_member'
    | 'award_contract'
    | 'amend_statute'
    | 'other';
  title: string;
  text: string;
  status: 'draft' | 'voted';
  carried: boolean | null;
  created_at: Date;
  updated_at: Date;
}

export interface OParlRepresentativeRow {
  id: string;
  name: string;
  function: string | null;
  role: 'representative' | 'deputy';
  valid_from: string;
  valid_until: string | null;
  is_example: boolean;
  created_at: Date;
  updated_at: Date;
}

export async function selectOParlMeetings(tx: Tx): Promise<OParlMeetingRow[]> {
  return tx.db
    .selectFrom('meetings')
    .select(['id', 'title', 'starts_at', 'ends_at', 'place', 'status', 'created_at', 'updated_at'])
    .execute();
}

/** Public agenda items (of any meeting). */
export async function selectOParlAgendaItems(tx: Tx): Promise<OParlAgendaItemRow[]> {
  return tx.db
    .selectFrom('agenda_items')
    .select([
      'id',
      'meeting_id',
      'position',
      'number',
      'title',
      'prepared_by_steering_group',
      'created_at',
      'updated_at',
    ])
    .where('public', '=', true)
    .orderBy('meeting_id')
    .orderBy('position')
    .execute();
}

/**
 * Public documents, without their bytes: those of the meeting itself and those of a public agenda item
 * (a document marked public on a non-public item stays hidden with its item).
 */
export async function selectOParlDocuments(tx: Tx): Promise<OParlDocumentRow[]> {
  return tx.db
    .selectFrom('meeting_documents as d')
    .select([
      'd.id',
      'd.meeting_id',
      'd.agenda_item_id',
      'd.kind',
      'd.name',
      'd.file_name',
      'd.content_type',
      'd.size_bytes',
      'd.sha256',
      'd.created_at',
    ])
    .where('d.public', '=', true)
    .where((eb) =>
      eb.or([
        eb('d.agenda_item_id', 'is', null),
        eb.exists(
          eb
            .selectFrom('agenda_items as a')
            .select('a.id')
            .whereRef('a.id', '=', 'd.agenda_item_id')
            .where('a.public', '=', true),
        ),
      ]),
    )
    .execute();
}

/** The bytes of one public document (same visibility as selectOParlDocuments), or undefined. */
export async function findOParlDocumentContent(
  tx: Tx,
  id: string,
): Promise<
  | { content: Uint8Array; content_type: string; file_name: string; sha256: string; created_at: Date }
  | undefined
> {
  return tx.db
    .selectFrom('meeting_documents as d')
    .select(['d.content', 'd.content_type', 'd.file_name', 'd.sha256', 'd.created_at'])
    .where('d.id', '=', id)
    .where('d.public', '=', true)
    .where((eb) =>
      eb.or([
        eb('d.agenda_item_id', 'is', null),
        eb.exists(
          eb
            .selectFrom('agenda_items as a')
            .select('a.id')
            .whereRef('a.id', '=', 'd.agenda_item_id')
            .where('a.public', '=', true),
        ),
      ]),
    )
    .executeTakeFirst();
}

/** Resolutions (drafted or voted) on public agenda items. */
export async function selectOParlResolutions(tx: Tx): Promise<OParlResolutionRow[]> {
  return tx.db
    .selectFrom('resolutions as r')
    .innerJoin('agenda_items as a', 'a.id', 'r.agenda_item_id')
    .select([
      'r.id',
      'r.meeting_id',
      'r.agenda_item_id',
      'r.number',
      'r.kind',
      'r.title',
      'r.text',
      'r.status',
      'r.carried',
      'r.created_at',
      'r.updated_at',
    ])
    .where('a.public', '=', true)
    .orderBy('r.number')
    .execute();
}

/** The members' representatives in the assembly: names and functions only (no contact data is kept). */
export async function selectOParlRepresentatives(tx: Tx): Promise<OParlRepresentativeRow[]> {
  return tx.db
    .selectFrom('assembly_representatives')
    .select([
      'id',
      'name',
      'function',
      'role',
      'valid_from',
      'valid_until',
      'is_example',
      'created_at',
      'updated_at',
    ])
    .execute();
}
