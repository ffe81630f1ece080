/** SQL for members. Row-level security limits every query to the transaction's member scope. */
import { type RawBuilder, sql } from 'kysely';
import type { MemberKind, MemberRow, MemberStatus, MemberUpdate, NewMemberRow } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';

export async function findMemberById(tx: Tx, id: string): Promise<MemberRow | undefined> {
  return tx.db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findMemberByIdForUpdate(tx: Tx, id: string): Promise<MemberRow | undefined> {
  return tx.db.selectFrom('members').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The ids of every member in the scope. */
export async function selectMemberIds(tx: Tx): Promise<string[]> {
  const rows = await tx.db.selectFrom('members').select('id').execute();
  return rows.map((r) => r.id);
}

export async function findAssociation(tx: Tx): Promise<MemberRow | undefined> {
  return tx.db.selectFrom('members').selectAll().where('is_association', '=', true).executeTakeFirst();
}

export async function findMemberByAgs(tx: Tx, ags: string): Promise<MemberRow | undefined> {
  return tx.db.selectFrom('members').selectAll().where('ags', '=', ags).executeTakeFirst();
}

export interface MemberSearch {
  q?: string | undefined;
  kind?: MemberKind | undefined;
  status?: MemberStatus | undefined;
  amtId?: string | undefined;
  limit: number;
  offset: number;
  /** The day `status` refers to (the status follows from the dates, see members.status.ts). */
  day: string;
}

/**
 * The status of member `m` on a day, in SQL: the rule of members.status.ts (active from admitted_on
 * through withdrawn_on, both included; withdrawn after; applied otherwise).
 */
export function statusOnSql(day: string) {
  return sql<MemberStatus>`case
    when m.status in ('active', 'withdrawn') and m.admitted_on <= ${day}::date
         and (m.status = 'active' or m.withdrawn_on >= ${day}::date) then 'active'
    when m.status = 'withdrawn' and m.withdrawn_on < ${day}::date then 'withdrawn'
    else 'applied' end`;
}

/**
 * A name folded for search, in SQL: German umlauts and ß spelled out (ä → ae, ö → oe, ü → ue, ß → ss),
 * then lower case — the same on both sides, so "Grossderschau" finds "Großderschau" and "Mueh" finds
 * "Mühlenfließ". Upper-case umlauts are replaced before lower(), which in the C locale folds only ASCII;
 * plain SQL, no extension, the same on PGlite and PostgreSQL.
 */
function foldSql(value: RawBuilder<unknown> | ReturnType<typeof sql.ref>) {
  return sql<string>`lower(replace(replace(replace(replace(replace(replace(replace(replace(${value},
    'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'Ä', 'Ae'), 'Ö', 'Oe'), 'Ü', 'Ue'), 'ß', 'ss'), 'ẞ', 'SS'))`;
}

export async function searchMembers(
  tx: Tx,
  s: MemberSearch,
): Promise<{ rows: (MemberRow & { amt_name: string | null })[]; total: number }> {
  let q = tx.db.selectFrom('members as m').leftJoin('members as a', 'a.id', 'm.amt_id');
  if (s.q) {
    const contains = (t: string) => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const like = contains(s.q);
    const digits = s.q.replace(/\s+/g, '');
    q = q.where((eb) =>
      eb.or([
        eb(foldSql(sql.ref('m.name')), 'like', foldSql(sql`${like}`)),
        eb('m.ags', 'like', /^\d+$/.test(digits) ? contains(digits) : like),
      ]),
    );
  }
  if (s.kind) q = q.where('m.kind', '=', s.kind);
  if (s.status) q = q.where(statusOnSql(s.day), '=', s.status);
  if (s.amtId) q = q.where('m.amt_id', '=', s.amtId);
  // One statement for the page and the total (a window count over the filtered rows); only a page
  // past the end, which has no row to carry the total, needs a count of its own.
  const found = await q
    .selectAll('m')
    .select('a.name as amt_name')
    .select(sql<number>`count(*) over ()`.as('total_count'))
    // The association first, then alphabetical in German collation order (ä sorts with a).
    .orderBy('m.is_association', 'desc')
    .orderBy(sql`lower(m.name)`)
    .limit(s.limit)
    .offset(s.offset)
    .execute();
  const total =
    found.length > 0
      ? Number(found[0]!.total_count)
      : s.offset === 0
        ? 0
        : Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = found.map(({ total_count: _, ...row }) => row);
  return { rows, total };
}

export async function listAmtMunicipalities(tx: Tx, amtId: string): Promise<MemberRow[]> {
  return tx.db.selectFrom('members').selectAll().where('amt_id', '=', amtId).orderBy('name').execute();
}

export async function insertMember(tx: Tx, row: NewMemberRow): Promise<MemberRow> {
  return tx.db.insertInto('members').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateMemberRow(tx: Tx, id: string, patch: MemberUpdate): Promise<MemberRow> {
  return tx.db
    .updateTable('members')
    .set({ ...patch, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Marks the association itself (tenant zero) when an installation is set up. */
export async function markAsAssociation(tx: Tx, id: string, since: string): Promise<void> {
  await tx.db
    .updateTable('members')
    .set({ is_association: true, status: 'active', admitted_on: since })
    .where('id', '=', id)
    .execute();
}
