-- The ingestion status of usage metering ([5/7] point 7), kept by the ingest instead of scanned from the
-- dedup keys, and a record of refused deliveries.
--
-- usage_source_totals: per member and source, what arrived ever (events accepted, duplicates, first and
-- last receipt, the latest time of use). usage_source_days: the same per Berlin day of receipt, for
-- "today" and "the last 30 days". Both are updated by one statement per accepted request after the
-- events are stored (metering.status.repository.ts, upsertSourceSummary), one row per member and source
-- of the request: the cost does not grow with the events of the request. Rows are locked in key order
-- (totals first, then days), so concurrent ingests never deadlock on them.

create table usage_source_totals (
  member_id uuid not null constraint usage_source_totals_member_fkey references members (id),
  source text not null constraint usage_source_totals_source_format check (source ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$'),
  first_received_at timestamptz not null,
  last_received_at timestamptz not null,
  -- The latest time of use of an accepted event (null while the source sent duplicates only).
  latest_time timestamptz,
  accepted bigint not null constraint usage_source_totals_accepted_not_negative check (accepted >= 0),
  duplicates bigint not null constraint usage_source_totals_duplicates_not_negative check (duplicates >= 0),
  constraint usage_source_totals_pkey primary key (member_id, source)
);
select app_protect_tenant_table('usage_source_totals');
grant select, insert, update on usage_source_totals to allmende_app;

create table usage_source_days (
  member_id uuid not null constraint usage_source_days_member_fkey references members (id),
  source text not null constraint usage_source_days_source_format check (source ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$'),
  -- The day of receipt in Europe/Berlin (not the day of use).
  day date not null,
  accepted bigint not null constraint usage_source_days_accepted_not_negative check (accepted >= 0),
  duplicates bigint not null constraint usage_source_days_duplicates_not_negative check (duplicates >= 0),
  last_received_at timestamptz not null,
  latest_time timestamptz,
  constraint usage_source_days_pkey primary key (member_id, source, day)
);
-- The status page reads the last 30 days of every member; the purge removes old days.
create index usage_source_days_day_idx on usage_source_days (day);
select app_protect_tenant_table('usage_source_days');
grant select, insert, update, delete on usage_source_days to allmende_app;

-- What arrived before this migration: from the dedup keys (duplicates were not counted then).
select set_config('allmende.all_members', 'on', true);
insert into usage_source_totals (member_id, source, first_received_at, last_received_at, latest_time, accepted, duplicates)
select member_id, source, min(received_at), max(received_at), max(time), count(*), 0
  from usage_event_keys
 group by member_id, source;
insert into usage_source_days (member_id, source, day, accepted, duplicates, last_received_at, latest_time)
select member_id, source, (received_at at time zone 'Europe/Berlin')::date, count(*), 0, max(received_at), max(time)
  from usage_event_keys
 group by member_id, source, (received_at at time zone 'Europe/Berlin')::date;

-- ---------------------------------------------------------------------------------------------
-- Refused deliveries: a request of POST /api/v1/usage answered 422, a failed Prometheus pull, a refused
-- CSV import — recorded in a transaction of its own after the refused one rolled back, so that the
-- association sees why usage is missing. The row belongs to the SENDER's member (the token's or the
-- person's member; the association for jobs): a member's token may send for its Amt's municipalities,
-- and what it sent is the sender's business. Kept 90 days (job metering.status-purge).
create table usage_rejections (
  member_id uuid not null constraint usage_rejections_member_fkey references members (id),
  id uuid not null default gen_random_uuid(),
  rejected_at timestamptz not null,
  channel text not null constraint usage_rejections_channel_known check (channel in ('api', 'pull', 'csv')),
  actor_type text not null constraint usage_rejections_actor_type_fkey references actor_kinds (code),
  actor_id text not null constraint usage_rejections_actor_id_length check (char_length(actor_id) between 1 and 200),
  -- The sources the request named, as far as they were readable (at most 10).
  sources text[] not null default '{}' constraint usage_rejections_sources_few check (cardinality(sources) <= 10),
  lines integer not null constraint usage_rejections_lines_not_negative check (lines >= 0),
  error_count integer not null constraint usage_rejections_error_count_not_negative check (error_count >= 0),
  -- The first line issues, [{ "line", "field"?, "code" }], code = message key (at most 20).
  errors jsonb not null default '[]' constraint usage_rejections_errors_list check (jsonb_typeof(errors) = 'array' and jsonb_array_length(errors) <= 20),
  -- A failure that is no line issue (e.g. Prometheus unreachable), in the log's words.
  message text constraint usage_rejections_message_length check (char_length(message) <= 2000),
  constraint usage_rejections_pkey primary key (member_id, id)
);
create index usage_rejections_rejected_at_idx on usage_rejections (rejected_at);
select app_protect_tenant_table('usage_rejections');
grant select, insert, delete on usage_rejections to allmende_app;
