-- Closed billing months, late events, voids and corrections ([5/7]).
--
-- A billing month (calendar month, Europe/Berlin) is closed by association finance, one after the
-- other. Closing freezes the month's totals per member, meter and aggregation kind (usage_period_totals)
-- — what that month's bill carries, never changed afterwards. Usage that changes a closed month later,
-- a late event (its time of use lies in a closed month) or a void, marks the member's meter and month
-- in usage_stale; the next close recomputes those months from the rollups and records the difference
-- to what was billed as corrections (usage_corrections) carried by the bill of the month it closes,
-- each referring to the original month. Closed totals, corrections and voids are append-only for the
-- application (it holds only SELECT and INSERT on them).
--
-- Ingests and voids take a shared advisory lock for their transaction, a close the exclusive one: a
-- close waits for the ingests in flight and sees all of them, and an ingest that starts during a close
-- sees the month closed and marks its events as late. received_at becomes clock_timestamp() (the time
-- the row was written, not the transaction's start), so an event written after a close reads as late.

alter table usage_events alter column received_at set default clock_timestamp();
alter table usage_event_keys alter column received_at set default clock_timestamp();

-- ---------------------------------------------------------------------------------------------
create table usage_billing_months (
  month date constraint usage_billing_months_pkey primary key
    constraint usage_billing_months_month_first check (extract(day from month) = 1),
  closed_at timestamptz not null default clock_timestamp(),
  -- The person who closed it; null for system work (a later invoice run).
  closed_by uuid constraint usage_billing_months_closed_by_fkey references users (id)
);
select app_protect_association_table('usage_billing_months');
grant select, insert on usage_billing_months to allmende_app;

-- Months close in order: the first may be any month, every later one the month after the last.
create function usage_billing_months_in_order() returns trigger
  language plpgsql as $$
declare
  last_month date;
begin
  select max(month) into last_month from usage_billing_months;
  if last_month is not null and new.month <> (last_month + interval '1 month')::date then
    raise exception 'billing month % cannot be closed: the next month to close is %', new.month,
      (last_month + interval '1 month')::date using errcode = '23514';
  end if;
  return new;
end $$;
create trigger usage_billing_months_in_order before insert on usage_billing_months
  for each row execute function usage_billing_months_in_order();

-- ---------------------------------------------------------------------------------------------
-- What a closed month's bill carries per member, meter and aggregation kind (as aggregateUsage gives
-- it at the close). Never updated: later changes become corrections.
create table usage_period_totals (
  member_id uuid not null constraint usage_period_totals_member_fkey references members (id),
  month date not null constraint usage_period_totals_month_fkey references usage_billing_months (month),
  meter_key text not null,
  aggregation text not null constraint usage_period_totals_aggregation_fkey references catalog_aggregations (code),
  quantity numeric not null constraint usage_period_totals_quantity_not_negative check (quantity >= 0),
  events bigint not null constraint usage_period_totals_events_not_negative check (events >= 0),
  constraint usage_period_totals_pkey primary key (member_id, month, meter_key, aggregation)
);
select app_protect_tenant_table('usage_period_totals');
grant select, insert on usage_period_totals to allmende_app;

-- A correction carried by the bill of billed_month for the earlier closed month `month`: the quantity
-- billed before (the closed total or the last correction, 0 if none) and the quantity now.
create table usage_corrections (
  member_id uuid not null constraint usage_corrections_member_fkey references members (id),
  billed_month date not null constraint usage_corrections_billed_month_fkey references usage_billing_months (month),
  month date not null constraint usage_corrections_month_fkey references usage_billing_months (month),
  meter_key text not null,
  aggregation text not null constraint usage_corrections_aggregation_fkey references catalog_aggregations (code),
  quantity_before numeric not null,
  quantity_after numeric not null,
  events_before bigint not null,
  events_after bigint not null,
  created_at timestamptz not null default clock_timestamp(),
  constraint usage_corrections_earlier check (month < billed_month),
  constraint usage_corrections_pkey primary key (member_id, billed_month, month, meter_key, aggregation)
);
select app_protect_tenant_table('usage_corrections');
grant select, insert on usage_corrections to allmende_app;

-- Members' meters and closed months changed since the last close (by a late event or a void).
create table usage_stale (
  member_id uuid not null,
  meter_key text not null,
  month date not null constraint usage_stale_month_first check (extract(day from month) = 1),
  since timestamptz not null default clock_timestamp(),
  constraint usage_stale_pkey primary key (member_id, meter_key, month)
);
select app_protect_tenant_table('usage_stale');
grant select, insert, delete on usage_stale to allmende_app;

-- ---------------------------------------------------------------------------------------------
-- Voids: a wrong event is never deleted or edited; a void names it, says why and who, and is itself a
-- record in the trail. The rollups of the event's hour (and its month's distinct values) are recounted
-- without voided events.
create table usage_voids (
  member_id uuid not null constraint usage_voids_member_fkey references members (id),
  source text not null,
  event_id text not null,
  -- The voided event as it was (its raw row stays as it is).
  time timestamptz not null,
  meter_key text not null,
  quantity numeric not null,
  reason text not null constraint usage_voids_reason_length check (char_length(btrim(reason)) between 3 and 500),
  voided_by uuid not null constraint usage_voids_voided_by_fkey references users (id),
  voided_at timestamptz not null default clock_timestamp(),
  constraint usage_voids_pkey primary key (member_id, source, event_id)
);
select app_protect_tenant_table('usage_voids');
grant select, insert on usage_voids to allmende_app;

-- A void recounts the rollup of one hour and the distinct values of one month: rows may go.
grant delete on usage_hourly, usage_distinct_values to allmende_app;
