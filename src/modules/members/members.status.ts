/**
 * A member's status on a day, computed from its recorded lifecycle and its dates (effective dating).
 *
 * The `status` column records the last decision taken — `applied`; `active`: admitted with effect from
 * `admitted_on`; `withdrawn`: withdrawal recorded, `withdrawn_on` being the LAST day of membership
 * ("scheidet aus zum 30.06.2031") — and never changes by itself when a date passes. What the member *is* on a
 * day follows from the dates, read at the time of asking with the request's clock:
 *
 *   active      from admitted_on through withdrawn_on (or open-ended), both included
 *   withdrawn   from the day after withdrawn_on
 *   applied     otherwise (application pending, or admitted with effect from a future date)
 *
 * The same rule exists once more in SQL, for filtering the member list (members.repository.ts,
 * `statusOnSql`); test/integration/member-status-dates.test.ts holds the two together.
 */
import type { MemberStatus } from '../../db/schema.js';
import { addDays, type CivilDate, nextChange, type Period, versionOn } from '../../shared/effective.js';
import type { T } from '../../web/i18n/index.js';

/** What the rule reads: the recorded status and the membership dates. */
export interface MembershipRecord {
  readonly status: MemberStatus;
  readonly admittedOn: CivilDate | null;
  readonly withdrawnOn: CivilDate | null;
}

export interface StatusChange {
  readonly status: MemberStatus;
  /** First day of the new status. */
  readonly from: CivilDate;
}

export interface MemberStatusOn {
  /** The status on the day asked about. */
  readonly status: MemberStatus;
  /** The next change already recorded (admission or withdrawal on a later date), or null. */
  readonly next: StatusChange | null;
}

interface StatusVersion extends Period {
  readonly status: MemberStatus;
}

/** The recorded dates as a series of non-overlapping status versions; days in none are 'applied'. */
function timeline(m: MembershipRecord): StatusVersion[] {
  const versions: StatusVersion[] = [];
  const withdrawn = m.status === 'withdrawn' && m.withdrawnOn !== null;
  if (m.status !== 'applied' && m.admittedOn !== null) {
    versions.push({
      status: 'active',
      validFrom: m.admittedOn,
      validUntil: withdrawn ? m.withdrawnOn : null,
    });
  }
  if (withdrawn)
    versions.push({ status: 'withdrawn', validFrom: addDays(m.withdrawnOn!, 1), validUntil: null });
  return versions;
}

/** The member's status on a day and the next recorded change. */
export function memberStatusOn(m: MembershipRecord, day: CivilDate): MemberStatusOn {
  const versions = timeline(m);
  const status = versionOn(versions, day)?.status ?? 'applied';
  const from = nextChange(versions, day);
  return {
    status,
    next: from === null ? null : { status: versionOn(versions, from)?.status ?? 'applied', from },
  };
}

/** Is the member withdrawn on that day? (Its staff then only read, its API tokens are refused.) */
export function isWithdrawnOn(m: MembershipRecord, day: CivilDate): boolean {
  return memberStatusOn(m, day).status === 'withdrawn';
}

export type BadgeVariant = 'info' | 'success' | 'warning' | 'danger';

/**
 * The label of a status as shown: "Mitglied ab 01.01.2030" for an admission with a future date,
 * "scheidet aus zum 30.06.2031" for a member whose recorded withdrawal lies ahead, else the status name.
 */
export function statusDisplay(
  s: { status: MemberStatus; nextStatus: StatusChange | null },
  t: T,
  formatDate: (day: CivilDate) => string,
): { variant: BadgeVariant; label: string } {
  const next = s.nextStatus;
  if (s.status === 'applied' && next?.status === 'active') {
    return { variant: 'info', label: t('status.active_from', { date: formatDate(next.from) }) };
  }
  if (s.status === 'active' && next?.status === 'withdrawn') {
    return {
      variant: 'warning',
      label: t('status.withdrawing', { date: formatDate(addDays(next.from, -1)) }),
    };
  }
  return {
    variant: s.status === 'active' ? 'success' : s.status === 'applied' ? 'info' : 'warning',
    label: t(`status.${s.status}`),
  };
}
