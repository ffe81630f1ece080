-- Usage metering ([5/7]): raw usage events partitioned by month, the dedup keys that make a re-sent
-- event count nothing (also after its raw row is purged), hourly rollups per member, meter and hour,
-- and the distinct attribute values per member, meter and month for unique counts. The ingest statement
-- (metering.repository.ts) keeps keys, raw events, rollups and distinct values current in one statement.
-- Quantities are exact numeric, never float.

-- ---------------------------------------------------------------------------------------------
-- Dedup keys: one row per (member, source, event id) ever accepted, NOT partitioned. A unique index on a
-- partitioned table must contain the partition key (the time), so the raw table alone could not catch
-- the same event id sent again with another time; this table can, and it outlives raw-event purging.
-- payload_hash = SHA-256 (hex) over the canonical JSON of meter, quantity (normalised decimal), time
-- (UTC, microseconds) and attributes: the same id with another payload is a conflict, never an overwrite.
create table usage_event_keys (
  -- No foreign key to members (as on usage_events): the ingest resolves every member before it writes,
  -- and a per-row key check cost a tenth of the ingest statement (EXPLAIN ANALYZE, 10,000 events).
  member_id uuid not null,
  source text not null constraint usage_event_keys_source_format check (source ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$'),
  event_id text not null constraint usage_event_keys_event_id_length check (char_length(event_id) between 1 and 200),
  payload_hash text not null constraint usage_event_keys_payload_hash_format check (payload_hash ~ '^[0-9a-f]{64}$'),
  time timestamptz not null,
  received_at timestamptz not null default now(),
  constraint usage_event_keys_pkey primary key (member_id, source, event_id)
);
select app_protect_tenant_table('usage_event_keys');
grant select, insert on usage_event_keys to allmende_app;

-- ---------------------------------------------------------------------------------------------
-- Raw usage events, partitioned by month of the time of use (UTC month bounds). Partitions live in
-- their own schema "usage_partitions": the application reaches them only through the parent (it has
-- no privilege on that schema), and they are made by usage_events_ensure_partitions below.
create schema usage_partitions;
revoke all on schema usage_partitions from public;

create table usage_events (
  member_id uuid not null,
  time timestamptz not null,
  source text not null,
  event_id text not null,
  meter_key text not null constraint usage_events_meter_key_format check (meter_key ~ '^[a-z][a-z0-9-]{1,63}$'),
  quantity numeric not null constraint usage_events_quantity_not_negative check (quantity >= 0),
  -- Optional string attributes (e.g. the VM name); null when the event has none.
  attributes jsonb constraint usage_events_attributes_object check (attributes is null or jsonb_typeof(attributes) = 'object'),
  received_at timestamptz not null default now(),
  constraint usage_events_pkey primary key (member_id, time, source, event_id)
) partition by range (time);
select app_protect_tenant_table('usage_events');
grant select, insert on usage_events to allmende_app;

-- Creates the monthly partitions covering [from_time, to_time] that do not exist yet and returns how many
-- it created. SECURITY DEFINER: the application role may not create tables, but the ingest calls it for
-- months the scheduled job has not prepared (a late or early event). Each partition gets forced RLS too
-- (its policies bind only direct access, which the application has no privilege for anyway).
create function usage_events_ensure_partitions(from_time timestamptz, to_time timestamptz) returns integer
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  m timestamptz := date_trunc('month', from_time, 'UTC');
  last_month timestamptz := date_trunc('month', to_time, 'UTC');
  part text;
  created integer := 0;
begin
  if from_time is null or to_time is null or to_time < from_time then
    return 0;
  end if;
  if last_month - m > interval '10 years' then
    raise exception 'usage_events_ensure_partitions: range too long' using errcode = '22023';
  end if;
  while m <= last_month loop
    part := format('usage_events_y%sm%s', to_char(m at time zone 'UTC', 'YYYY'), to_char(m at time zone 'UTC', 'MM'));
    if to_regclass(format('usage_partitions.%I', part)) is null then
      -- Two ingests meeting a missing month: one creates it, the other finds it.
      perform pg_advisory_xact_lock(hashtext('usage_events_ensure_partitions'));
      if to_regclass(format('usage_partitions.%I', part)) is null then
        execute format(
          'create table usage_partitions.%I partition of usage_events for values from (%L) to (%L)',
          part, m, m + interval '1 month');
        perform app_protect_tenant_table(format('usage_partitions.%I', part)::regclass);
        created := created + 1;
      end if;
    end if;
    m := m + interval '1 month';
  end loop;
  return created;
end $$;
revoke execute on function usage_events_ensure_partitions(timestamptz, timestamptz) from public;
grant execute on function usage_events_ensure_partitions(timestamptz, timestamptz) to allmende_app;

-- Partitions ahead for the demo and test period (the job metering.partitions-ahead adds the next months).
select usage_events_ensure_partitions('2026-01-01T00:00:00Z', '2027-03-01T00:00:00Z');

-- ---------------------------------------------------------------------------------------------
-- Hourly rollups per member, meter and hour (UTC hour start): what every aggregation kind needs —
-- sum, count and max of the quantities, and the latest value with its time (ties broken by source and
-- event id, so the order of arrival never matters), which latest and the time-weighted average use.
create table usage_hourly (
  member_id uuid not null constraint usage_hourly_member_fkey references members (id),
  meter_key text not null,
  hour timestamptz not null constraint usage_hourly_hour_whole check (hour = date_trunc('hour', hour, 'UTC')),
  quantity_sum numeric not null,
  event_count bigint not null constraint usage_hourly_event_count_positive check (event_count > 0),
  quantity_max numeric not null,
  latest_time timestamptz not null,
  latest_source text collate "C" not null,
  latest_event_id text collate "C" not null,
  latest_quantity numeric not null,
  constraint usage_hourly_pkey primary key (member_id, meter_key, hour)
);
select app_protect_tenant_table('usage_hourly');
grant select, insert, update on usage_hourly to allmende_app;

-- Distinct attribute values per member, meter and billing month (Europe/Berlin), exact, for unique
-- counts: value_key is the canonical JSON of the event's attributes.
create table usage_distinct_values (
  member_id uuid not null constraint usage_distinct_values_member_fkey references members (id),
  meter_key text not null,
  month date not null constraint usage_distinct_values_month_first check (extract(day from month) = 1),
  value_key text not null,
  first_time timestamptz not null,
  constraint usage_distinct_values_pkey primary key (member_id, meter_key, month, value_key)
);
select app_protect_tenant_table('usage_distinct_values');
grant select, insert, update on usage_distinct_values to allmende_app;
