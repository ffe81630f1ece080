import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDate } from '../../shared/dates.js';
import { addDays } from '../../shared/effective.js';
import { translator } from '../../web/i18n/index.js';
import membersMessages from './members.messages.json' with { type: 'json' };
import { type MembershipRecord, memberStatusOn, statusDisplay } from './members.status.js';

const day = fc.integer({ min: 0, max: 4000 }).map((n) => addDays('2025-01-01', n));
/** Records as the table allows them (its CHECKs: active needs admitted_on, withdrawn needs withdrawn_on ≥ admitted_on). */
const record: fc.Arbitrary<MembershipRecord> = fc.oneof(
  fc.constant({ status: 'applied' as const, admittedOn: null, withdrawnOn: null }),
  day.map((a) => ({ status: 'active' as const, admittedOn: a, withdrawnOn: null })),
  day.map((w) => ({ status: 'withdrawn' as const, admittedOn: null, withdrawnOn: w })),
  fc
    .tuple(day, fc.integer({ min: 0, max: 900 }))
    .map(([a, len]) => ({ status: 'withdrawn' as const, admittedOn: a, withdrawnOn: addDays(a, len) })),
);

describe('member status on a day', () => {
  it('reads the dates: member from the admission through the last day, withdrawn from the day after', () => {
    const m = { status: 'withdrawn' as const, admittedOn: '2030-01-01', withdrawnOn: '2031-06-30' };
    expect(memberStatusOn(m, '2029-12-31')).toEqual({
      status: 'applied',
      next: { status: 'active', from: '2030-01-01' },
    });
    expect(memberStatusOn(m, '2030-01-01')).toEqual({
      status: 'active',
      next: { status: 'withdrawn', from: '2031-07-01' },
    });
    expect(memberStatusOn(m, '2031-06-30').status).toBe('active');
    expect(memberStatusOn(m, '2031-07-01')).toEqual({ status: 'withdrawn', next: null });
  });

  it('has one status on every day, changes only on the announced day, and never goes back', () => {
    const order = { applied: 0, active: 1, withdrawn: 2 };
    fc.assert(
      fc.property(record, day, (m, d) => {
        const s = memberStatusOn(m, d);
        if (s.next === null) {
          expect(memberStatusOn(m, addDays(d, 5000)).status).toBe(s.status);
          return;
        }
        expect(s.next.from > d).toBe(true);
        expect(memberStatusOn(m, addDays(s.next.from, -1)).status).toBe(s.status);
        expect(memberStatusOn(m, s.next.from).status).toBe(s.next.status);
        expect(order[s.next.status]).toBeGreaterThan(order[s.status]);
      }),
    );
  });

  it('labels a coming change in German and English', () => {
    for (const [lang, soon, leaving] of [
      ['de', 'Mitglied ab 01.01.2030', 'scheidet aus zum 30.06.2031'],
      ['en', 'Member from 01 Jan 2030', 'Member until 30 Jun 2031 (withdrawing)'],
    ] as const) {
      const t = translator(lang, new Map(Object.entries(membersMessages)));
      const fmt = (d: string) => formatDate(d, lang);
      expect(
        statusDisplay({ status: 'applied', nextStatus: { status: 'active', from: '2030-01-01' } }, t, fmt),
      ).toEqual({
        variant: 'info',
        label: soon,
      });
      expect(
        statusDisplay({ status: 'active', nextStatus: { status: 'withdrawn', from: '2031-07-01' } }, t, fmt)
          .label,
      ).toBe(leaving);
      expect(statusDisplay({ status: 'active', nextStatus: null }, t, fmt).label).toBe(
        lang === 'de' ? 'Mitglied' : 'Member',
      );
    }
  });
});
