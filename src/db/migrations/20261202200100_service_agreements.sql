-- Service agreements (Leistungsvereinbarungen): a member books a catalogue service from a day, until
-- further notice or a last day, with a quantity for services priced per booked unit ("25 Postfächer").
-- A change of quantity is a new term from its first day; the terms of an agreement never overlap and
-- have no gaps. Cancelling records the day notice was given and sets the last day, no earlier than the
-- service's notice period allows. Rows are never deleted.

create table service_agreements (
  member_id uuid not null constraint service_agreements_member_fkey references members (id),
  id uuid not null default gen_random_uuid(),
  -- A service of the catalogue (catalog_items.service_code); the price comes from the version in force
  -- on each day.
  service_code text not null constraint service_agreements_service_code_format
    check (service_code ~ '^[a-z][a-z0-9-]{1,63}$'),
  starts_on date not null,
  -- Last day (inclusive); null = until further notice.
  ends_on date,
  notice_given_on date,
  note text constraint service_agreements_note_length check (char_length(note) <= 1000),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint service_agreements_pkey primary key (member_id, id),
  constraint service_agreements_dates check (ends_on is null or ends_on >= starts_on),
  constraint service_agreements_notice check ((notice_given_on is null) or (ends_on is not null))
);
create index service_agreements_service_idx on service_agreements (member_id, service_code, starts_on);
select app_protect_tenant_table('service_agreements');
grant select, insert, update on service_agreements to allmende_app;

create table service_agreement_terms (
  member_id uuid not null,
  agreement_id uuid not null,
  valid_from date not null,
  valid_until date,
  -- Booked units for per-unit flat prices; null where the price does not depend on a booked quantity.
  quantity numeric(18, 6) constraint service_agreement_terms_quantity check (quantity is null or quantity >= 0),
  created_at timestamptz not null default now(),
  constraint service_agreement_terms_pkey primary key (member_id, agreement_id, valid_from),
  constraint service_agreement_terms_agreement_fkey foreign key (member_id, agreement_id)
    references service_agreements (member_id, id),
  constraint service_agreement_terms_dates check (valid_until is null or valid_until >= valid_from)
);
select app_protect_tenant_table('service_agreement_terms');
grant select, insert, update on service_agreement_terms to allmende_app;
