/**
 * Service agreements on a real database (PGlite and PostgreSQL): booking, a change of quantity,
 * cancellation with the notice period, what a month costs, the member wall, and audit — refusals change
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTx, type Tx } from '../../src/db/tx.js';
import {
  agreementCostsForMonth,
  bookService,
  cancelAgreement,
  changeAgreementQuantity,
  listAgreements,
} from '../../src/modules/catalog/agreements.service.js';
import { fixedClock } from '../../src/shared/clock.js';
import { memberScope, systemCtx } from '../../src/shared/context.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/shared/errors.js';
import { memberIdByName, readAll, type TestApp, testApp } from '../helpers.js';

let t: TestApp;
/** A member without demo agreements. */
let belzig: string;
let niemegk: string;
beforeAll(async () => {
  t = await testApp();
  belzig = await memberIdByName(t.database, 'Schwielowsee');
  niemegk = await memberIdByName(t.database, 'Amt Niemegk');
});
afterAll(async () => t?.close());

const as = <T>(memberId: string, fn: (tx: Tx) => Promise<T>, today = '2026-03-10') =>
  runInTx(t.database, systemCtx('test', memberScope(memberId), 'test', fixedClock(today)), fn);

describe('service agreements', () => {
  it('books, changes and cancels with the notice period; each step audited', async () => {
    const booked = await as(belzig, (tx) =>
      bookService(tx, belzig, { serviceCode: 'kollaboration', startsOn: '2026-03-17', quantity: '25' }),
    );
    expect(booked.terms).toEqual([{ validFrom: '2026-03-17', validUntil: null, quantity: '25' }]);

    // A second agreement for the same service and time is refused and stores nothing.
    await expect(
      as(belzig, (tx) =>
        bookService(tx, belzig, { serviceCode: 'kollaboration', startsOn: '2026-05-01', quantity: '3' }),
      ),
    ).rejects.toBeInstanceOf(ConflictError);

    const changed = await as(belzig, (tx) =>
      changeAgreementQuantity(tx, belzig, booked.id, {
        from: '2026-04-10',
        quantity: '30',
        version: booked.version,
      }),
    );
    expect(changed.terms).toEqual([
      { validFrom: '2026-03-17', validUntil: '2026-04-09', quantity: '25' },
      { validFrom: '2026-04-10', validUntil: null, quantity: '30' },
    ]);

    // Notice given on 2026-06-01: 90 days' notice → not before 2026-08-30.
    await expect(
      as(
        belzig,
        (tx) => cancelAgreement(tx, belzig, booked.id, { endsOn: '2026-06-30', version: changed.version }),
        '2026-06-01',
      ),
    ).rejects.toMatchObject({ issues: [{ field: 'endsOn', code: 'agreement.notice_period' }] });
    const cancelled = await as(
      belzig,
      (tx) => cancelAgreement(tx, belzig, booked.id, { version: changed.version }),
      '2026-06-01',
    );
    expect(cancelled).toMatchObject({ endsOn: '2026-08-30', noticeGivenOn: '2026-06-01' });
    expect(cancelled.terms.at(-1)).toEqual({
      validFrom: '2026-04-10',
      validUntil: '2026-08-30',
      quantity: '30',
    });

    const events = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('audit_events')
        .select(['action', 'object_id'])
        .where('member_id', '=', belzig)
        .where('action', 'like', 'agreement.%')
        .orderBy('seq')
        .execute(),
    );
    expect(events.map((e) => e.action)).toEqual([
      'agreement.booked',
      'agreement.changed',
      'agreement.cancelled',
    ]);
  });

  it('costs pro rata by day in a month', async () => {
    const april = await as(belzig, (tx) => agreementCostsForMonth(tx, belzig, '2026-04'));
    const lines = april.agreements.find((a) => a.agreement.serviceCode === 'kollaboration')?.lines;
    // 25 × 3.50 € × 9/30 + 30 × 3.50 € × 21/30
    expect(lines?.map((l) => l.charge.amountCents)).toEqual([2625, 7350]);
    const september = await as(belzig, (tx) => agreementCostsForMonth(tx, belzig, '2026-09'));
    expect(september.agreements.find((a) => a.agreement.serviceCode === 'kollaboration')).toBeUndefined();
  });

  it('prices per inhabitant from the member population', async () => {
    await as(belzig, (tx) =>
      bookService(tx, belzig, { serviceCode: 'vois-meldewesen', startsOn: '2026-01-01' }),
    );
    const may = await as(belzig, (tx) => agreementCostsForMonth(tx, belzig, '2026-05'));
    const line = may.agreements.find((a) => a.agreement.serviceCode === 'vois-meldewesen')?.lines[0];
    expect(line?.charge.steps[0]).toMatchObject({ kind: 'inhabitants', year: 2022 });
    expect(line?.charge.amountCents).toBeGreaterThan(0);
  });

  it("refuses bad bookings with a reason and another member's agreements as not found", async () => {
    await expect(
      as(belzig, (tx) => bookService(tx, belzig, { serviceCode: 'kollaboration', startsOn: '2027-01-01' })),
    ).rejects.toMatchObject({ issues: [{ field: 'quantity', code: 'agreement.quantity_required' }] });
    await expect(
      as(belzig, (tx) => bookService(tx, belzig, { serviceCode: 'gibt-es-nicht', startsOn: '2027-01-01' })),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      as(belzig, (tx) =>
        bookService(tx, belzig, { serviceCode: 'vm-betrieb', startsOn: '2027-01-01', quantity: '3' }),
      ),
    ).rejects.toMatchObject({ issues: [{ field: 'quantity', code: 'agreement.quantity_not_used' }] });
    await expect(as(niemegk, (tx) => listAgreements(tx, belzig))).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      as(niemegk, (tx) =>
        bookService(tx, belzig, { serviceCode: 'netz-standort', startsOn: '2027-01-01', quantity: '1' }),
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
    const mine = await as(belzig, (tx) => listAgreements(tx, belzig));
    expect(mine.map((a) => a.serviceCode).sort()).toEqual(['kollaboration', 'vois-meldewesen']);
  });
});
