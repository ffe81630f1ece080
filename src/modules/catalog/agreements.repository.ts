/** SQL for service agreements. Row-level security limits every query to the member scope. */
import type { Insertable, Selectable } from 'kysely';
import type { ServiceAgreementsTable, ServiceAgreementTermsTable } from '../../db/schema.js';
import type { Tx } from '../../db/tx.js';

export type AgreementRow = Selectable<ServiceAgreementsTable>;
export type TermRow = Selectable<ServiceAgreementTermsTable>;

export async function selectAgreements(tx: Tx, memberId: string): Promise<AgreementRow[]> {
  return tx.db
    .selectFrom('service_agreements')
    .selectAll()
    .where('member_id', '=', memberId)
    .orderBy('starts_on')
    .orderBy('service_code')
    .execute();
}

export async function selectTerms(
  tx: Tx,
  memberId: string,
  agreementIds?: readonly string[],
): Promise<TermRow[]> {
  let q = tx.db.selectFrom('service_agreement_terms').selectAll().where('member_id', '=', memberId);
  if (agreementIds) {
    if (agreementIds.length === 0) return [];
    q = q.where('agreement_id', 'in', agreementIds);
  }
  return q.orderBy('agreement_id').orderBy('valid_from').execute();
}

/** The agreement, locked with its member's other agreements on the same service (overlap check). */
export async function lockAgreementsOfService(
  tx: Tx,
  memberId: string,
  serviceCode: string,
): Promise<AgreementRow[]> {
  return tx.db
    .selectFrom('service_agreements')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('service_code', '=', serviceCode)
    .forUpdate()
    .execute();
}

export async function findAgreementForUpdate(
  tx: Tx,
  memberId: string,
  id: string,
): Promise<AgreementRow | undefined> {
  return tx.db
    .selectFrom('service_agreements')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertAgreement(
  tx: Tx,
  row: Insertable<ServiceAgreementsTable>,
): Promise<AgreementRow> {
  return tx.db.insertInto('service_agreements').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function insertTerm(tx: Tx, row: Insertable<ServiceAgreementTermsTable>): Promise<void> {
  await tx.db.insertInto('service_agreement_terms').values(row).execute();
}

export async function endTerm(
  tx: Tx,
  memberId: string,
  agreementId: string,
  validFrom: string,
  validUntil: string | null,
): Promise<void> {
  await tx.db
    .updateTable('service_agreement_terms')
    .set({ valid_until: validUntil })
    .where('member_id', '=', memberId)
    .where('agreement_id', '=', agreementId)
    .where('valid_from', '=', validFrom)
    .execute();
}

export async function setAgreementEnd(
  tx: Tx,
  memberId: string,
  id: string,
  end: { endsOn: string; noticeGivenOn: string },
): Promise<AgreementRow> {
  return tx.db
    .updateTable('service_agreements')
    .set((eb) => ({
      ends_on: end.endsOn,
      notice_given_on: end.noticeGivenOn,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function touchAgreement(tx: Tx, memberId: string, id: string): Promise<AgreementRow> {
  return tx.db
    .updateTable('service_agreements')
    .set((eb) => ({ version: eb('version', '+', 1), updated_at: new Date() }))
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Any one agreement of a member (the tenancy matrix aims at it). */
export async function firstAgreementId(tx: Tx, memberId: string): Promise<string | undefined> {
  const r = await tx.db
    .selectFrom('service_agreements')
    .select('id')
    .where('member_id', '=', memberId)
    .orderBy('created_at')
    .executeTakeFirst();
  return r?.id;
}
