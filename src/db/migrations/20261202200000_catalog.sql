-- The service and fee catalogue (Leistungs- und Entgeltverzeichnis): categories, numbered versions
-- that the assembly adopts and puts in force from a date, and per version its items (services with
-- unit, meter, aggregation, price and VAT treatment).
--
-- What is in force on a day is computed from the dates at read time: among the adopted versions, the
-- one with the latest in_force_from on or before the day; it is superseded by the next one's start.
-- So in-force periods cannot overlap, provided no two adopted versions start on the same day (unique
-- index below). An adopted version and its items never change (triggers below; the service checks
-- first and says why, the triggers are the second wall).

-- ---------------------------------------------------------------------------------------------
-- Association-owned data of which a part is public: rows for which `visible` holds are read by anyone
-- (also an anonymous citizen), the rest only by the association; only the association's writable scope
-- writes. `visible` is an SQL condition on the row, e.g. 'public' or 'status = ''adopted'''.
create function app_protect_partly_public_table(t regclass, visible text) returns void
  language plpgsql as $$
declare
  writer constant text := '(select app_all_members()) and not (select app_read_only())';
begin
  execute format('alter table %s enable row level security', t);
  execute format('alter table %s force row level security', t);
  execute format('create policy partly_public_select on %s for select using ((%s) or (select app_all_members()))', t, visible);
  execute format('create policy partly_public_insert on %s for insert with check (%s)', t, writer);
  execute format('create policy partly_public_update on %s for update using (%s) with check (%s)', t, writer, writer);
  execute format('create policy partly_public_delete on %s for delete using (%s)', t, writer);
end $$;
revoke execute on function app_protect_partly_public_table(regclass, text) from public;

-- ---------------------------------------------------------------------------------------------
-- Lookup tables (extend with an INSERT in a later migration; codes are never deleted).
create table catalog_units (
  code text constraint catalog_units_pkey primary key
    constraint catalog_units_code_format check (code ~ '^[a-z][a-z0-9-]*$'),
  position integer not null,
  name_de text not null,
  name_en text not null
);
insert into catalog_units (code, position, name_de, name_en) values
  ('stueck', 10, 'Stück', 'piece'),
  ('stunde', 20, 'Stunde', 'hour'),
  ('tag', 30, 'Tag', 'day'),
  ('vm-stunde', 40, 'VM-Stunde', 'VM hour'),
  ('gb-monat', 50, 'GB-Monat', 'GB month'),
  ('postfach-monat', 60, 'Postfach-Monat', 'mailbox month'),
  ('lizenz-monat', 70, 'Lizenz-Monat', 'licence month'),
  ('seite', 80, 'Seite', 'page'),
  ('kuvert', 90, 'Kuvert', 'envelope'),
  ('antrag', 100, 'Antrag', 'application'),
  ('fall', 110, 'Fall', 'case'),
  ('einwohner-jahr', 120, 'Einwohner-Jahr', 'inhabitant year'),
  ('pauschal-monat', 130, 'pauschal/Monat', 'flat per month');

-- How usage of a meter over a period becomes the quantity that is priced ([5/7] answers each from its
-- rollups): sum of quantities, number of events, largest value, distinct values of an attribute,
-- last value reported, and the time-weighted average (capacities such as GB-months).
create table catalog_aggregations (
  code text constraint catalog_aggregations_pkey primary key,
  name_de text not null,
  name_en text not null
);
insert into catalog_aggregations (code, name_de, name_en) values
  ('sum', 'Summe', 'sum'),
  ('count', 'Anzahl', 'count'),
  ('max', 'Höchstwert', 'maximum'),
  ('unique_count', 'Anzahl verschiedener', 'unique count'),
  ('latest', 'letzter Wert', 'latest value'),
  ('time_weighted_avg', 'zeitgewichteter Mittelwert', 'time-weighted average');

grant select on catalog_units, catalog_aggregations to allmende_app;

-- ---------------------------------------------------------------------------------------------
create table catalog_categories (
  code text constraint catalog_categories_pkey primary key
    constraint catalog_categories_code_format check (code ~ '^[a-z][a-z0-9-]*$'),
  position integer not null,
  name_de text not null constraint catalog_categories_name_de_length check (char_length(name_de) between 1 and 200),
  name_en text not null constraint catalog_categories_name_en_length check (char_length(name_en) between 1 and 200)
);
select app_protect_public_table('catalog_categories');
grant select, insert, update on catalog_categories to allmende_app;

create table catalog_versions (
  id uuid constraint catalog_versions_pkey primary key default gen_random_uuid(),
  number text not null constraint catalog_versions_number_format check (number ~ '^[0-9]{1,3}\.[0-9]{1,3}$'),
  title text not null constraint catalog_versions_title_length check (char_length(title) between 1 and 200),
  status text not null constraint catalog_versions_status check (status in ('draft', 'adopted')),
  -- The version it was drafted from (for the diff), if any.
  based_on uuid constraint catalog_versions_based_on_fkey references catalog_versions (id),
  -- Planned on a draft, fixed by adoption.
  in_force_from date,
  adopted_on date,
  -- The resolution that adopted it: a governance resolution id once [4/7]'s assembly records it, or a
  -- text reference for versions adopted before Allmende ("Beschluss 3/2021 vom 11.03.2021").
  resolution_id uuid,
  resolution_ref text constraint catalog_versions_resolution_ref_length check (char_length(resolution_ref) <= 200),
  notes text constraint catalog_versions_notes_length check (char_length(notes) <= 4000),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint catalog_versions_number_unique unique (number),
  constraint catalog_versions_adopted_dates check (
    status = 'draft' and adopted_on is null
    or status = 'adopted' and adopted_on is not null and in_force_from is not null and in_force_from >= adopted_on
  )
);
-- Two adopted versions never start on the same day: the in-force periods cannot overlap.
create unique index catalog_versions_in_force_from_unique on catalog_versions (in_force_from)
  where status = 'adopted';

-- Adopted versions are public (the catalogue at /leistungen); drafts only for the association.
select app_protect_partly_public_table('catalog_versions', 'status = ''adopted''');
grant select, insert, update, delete on catalog_versions to allmende_app;

create table catalog_items (
  version_id uuid not null constraint catalog_items_version_fkey references catalog_versions (id) on delete cascade,
  -- Stable across versions: agreements and usage refer to a service by its code.
  service_code text not null constraint catalog_items_service_code_format check (service_code ~ '^[a-z][a-z0-9-]{1,63}$'),
  -- Display number within the version ("2.1.3").
  number text not null constraint catalog_items_number_format check (number ~ '^[0-9]{1,3}(\.[0-9]{1,3}){0,3}$'),
  category_code text not null constraint catalog_items_category_fkey references catalog_categories (code),
  name_de text not null constraint catalog_items_name_de_length check (char_length(name_de) between 2 and 200),
  name_en text not null constraint catalog_items_name_en_length check (char_length(name_en) between 2 and 200),
  description_de text not null default '' constraint catalog_items_description_de_length check (char_length(description_de) <= 4000),
  description_en text not null default '' constraint catalog_items_description_en_length check (char_length(description_en) <= 4000),
  unit_code text not null constraint catalog_items_unit_fkey references catalog_units (code),
  -- The usage meter that feeds it ([5/7]) and how a period's usage is aggregated; null = not metered
  -- (flat fees, per-inhabitant fees, services booked in an agreement).
  meter_key text constraint catalog_items_meter_key_format check (meter_key ~ '^[a-z][a-z0-9-]{1,63}$'),
  aggregation text constraint catalog_items_aggregation_fkey references catalog_aggregations (code),
  -- The price model (src/modules/catalog/pricing.ts, checked there before it is stored).
  price jsonb not null constraint catalog_items_price_model check (
    price ->> 'model' in ('unit', 'graduated', 'volume', 'package', 'flat', 'per_inhabitant')),
  vat text not null constraint catalog_items_vat check (vat in ('not_taxable', 'standard', 'reduced')),
  vat_note text constraint catalog_items_vat_note_length check (char_length(vat_note) <= 500),
  -- Notice period for cancelling an agreement on this service, in days.
  notice_days integer not null default 0 constraint catalog_items_notice_days check (notice_days between 0 and 3650),
  -- Demo and example prices are marked as such wherever they are shown.
  is_example boolean not null default false,
  constraint catalog_items_pkey primary key (version_id, service_code),
  constraint catalog_items_number_unique unique (version_id, number),
  constraint catalog_items_meter_needs_aggregation check ((meter_key is null) = (aggregation is null)),
  constraint catalog_items_not_taxable_note check (vat <> 'not_taxable' or vat_note is not null)
);
create index catalog_items_service_code_idx on catalog_items (service_code);
create index catalog_items_meter_key_idx on catalog_items (meter_key) where meter_key is not null;

-- Visible where its version is (the sub-select runs under catalog_versions' own policy).
select app_protect_partly_public_table('catalog_items',
  'exists (select 1 from catalog_versions v where v.id = version_id)');
grant select, insert, update, delete on catalog_items to allmende_app;

-- ---------------------------------------------------------------------------------------------
-- An adopted version is frozen: neither it nor its items change, and it is never deleted.
-- SQLSTATE 55000 (object_not_in_prerequisite_state); the service maps it to "version is adopted".
create function catalog_versions_frozen() returns trigger
  language plpgsql as $$
begin
  if old.status = 'adopted' then
    raise exception 'catalog version % is adopted and cannot be changed', old.number
      using errcode = '55000', table = tg_table_name, constraint = 'catalog_versions_frozen';
  end if;
  return case tg_op when 'DELETE' then old else new end;
end $$;
create trigger catalog_versions_frozen before update or delete on catalog_versions
  for each row execute function catalog_versions_frozen();

create function catalog_items_frozen() returns trigger
  language plpgsql as $$
declare
  v_status text;
begin
  select status into v_status from catalog_versions
   where id in (case tg_op when 'INSERT' then new.version_id else old.version_id end,
                case tg_op when 'UPDATE' then new.version_id else null end)
     and status = 'adopted'
   limit 1;
  if v_status = 'adopted' then
    raise exception 'the items of an adopted catalog version cannot be changed'
      using errcode = '55000', table = tg_table_name, constraint = 'catalog_items_frozen';
  end if;
  return case tg_op when 'DELETE' then old else new end;
end $$;
create trigger catalog_items_frozen before insert or update or delete on catalog_items
  for each row execute function catalog_items_frozen();
