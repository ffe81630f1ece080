-- Pulling usage from the data centre's Prometheus ([5/7] point 2): per pull source and meter, the end of
-- the last hour pulled (the watermark; the next run starts there), and what the last run reported. The
-- events themselves go through the ordinary ingest with deterministic event ids, so a watermark that lags
-- behind (a crash between ingest and update, a source whose start was moved back) counts nothing twice.
create table usage_pull_watermarks (
  source text not null constraint usage_pull_watermarks_source_format check (source ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$'),
  meter_key text not null constraint usage_pull_watermarks_meter_key_format check (meter_key ~ '^[a-z][a-z0-9-]{1,63}$'),
  pulled_until timestamptz not null constraint usage_pull_watermarks_pulled_until_whole check (pulled_until = date_trunc('hour', pulled_until, 'UTC')),
  -- Samples of the pulled hours whose label named no member (counted over all runs; the last ones below).
  unknown_samples bigint not null default 0 constraint usage_pull_watermarks_unknown_not_negative check (unknown_samples >= 0),
  last_unknown_labels text[] not null default '{}',
  updated_at timestamptz not null default now(),
  constraint usage_pull_watermarks_pkey primary key (source, meter_key)
);
select app_protect_association_table('usage_pull_watermarks');
grant select, insert, update on usage_pull_watermarks to allmende_app;
