-- CSV files of usage uploaded on /verbrauch/import ([5/7] point 1), kept between the steps upload →
-- column mapping → preview and errors → confirm. A working copy, not a record of usage: the events go
-- through the ordinary ingest on confirm. The content is dropped on confirm (the row stays as the
-- import's record: who, when, which file by SHA-256, the counts); an upload not confirmed expires after
-- a day (expires_at) and is then deleted by the hourly job metering.import-purge.
-- member_id is the member of the person who uploaded (the association): a tenant table like any other,
-- so no member's staff ever reads a file that holds every member's usage.
create table usage_imports (
  member_id uuid not null constraint usage_imports_member_fkey references members (id),
  id uuid not null default gen_random_uuid(),
  created_by uuid not null constraint usage_imports_created_by_fkey references users (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  file_name text not null constraint usage_imports_file_name_length check (char_length(file_name) between 1 and 200),
  size_bytes integer not null constraint usage_imports_size check (size_bytes between 1 and 10485760),
  sha256 text not null constraint usage_imports_sha256_format check (sha256 ~ '^[0-9a-f]{64}$'),
  content bytea,
  -- Column → field (metering.csv.ts UsageCsvMapping), guessed at upload, changed by the person.
  mapping jsonb not null,
  state text not null default 'uploaded' constraint usage_imports_state check (state in ('uploaded', 'imported')),
  imported_at timestamptz,
  rows_total integer constraint usage_imports_rows_total check (rows_total >= 0),
  accepted integer constraint usage_imports_accepted check (accepted >= 0),
  duplicates integer constraint usage_imports_duplicates check (duplicates >= 0),
  constraint usage_imports_pkey primary key (member_id, id),
  constraint usage_imports_content_until_imported check (
    (state = 'uploaded' and content is not null and imported_at is null)
    or (state = 'imported' and content is null and imported_at is not null
        and rows_total is not null and accepted is not null and duplicates is not null))
);
create index usage_imports_expires on usage_imports (expires_at) where state = 'uploaded';
select app_protect_tenant_table('usage_imports');
grant select, insert, update, delete on usage_imports to allmende_app;
