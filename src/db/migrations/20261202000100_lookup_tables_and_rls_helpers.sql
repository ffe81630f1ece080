-- Lookup tables instead of anonymous CHECKs for roles, token scopes and actor kinds, and two more
-- row-level-security helpers next to app_protect_tenant_table: one for association-owned data that
-- members read, one for public data that anyone (also an anonymous citizen) reads.

-- ---------------------------------------------------------------------------------------------
-- Lookup tables. A later module extends a list with one INSERT in its own migration, e.g.
--   insert into roles (code, description) values ('catalogue_editor', 'Edits the service catalogue');
-- (plus the TypeScript union in db/schema.ts). Codes are never deleted: retire them in the code.
-- They hold no tenant data, so no RLS: the app role may only read them, the owner writes them.
create table roles (
  code text constraint roles_pkey primary key constraint roles_code_format check (code ~ '^[a-z][a-z0-9_]*$'),
  description text not null
);
insert into roles (code, description) values
  ('association_admin', 'Administers the association: members, people, API tokens'),
  ('association_finance', 'Finance of the association'),
  ('member_admin', 'Administers a member body: its profile, people, API tokens'),
  ('member_clerk', 'Clerk of a member body'),
  ('auditor', 'Reads the audit trail');

create table token_scopes (
  code text constraint token_scopes_pkey primary key
    constraint token_scopes_code_format check (code ~ '^[a-z][a-z_]*\.[a-z][a-z_]*$'),
  description text not null
);
insert into token_scopes (code, description) values
  ('members.read', 'Read the members in the token''s scope'),
  ('usage.write', 'Report usage (metering)');

create table actor_kinds (
  code text constraint actor_kinds_pkey primary key constraint actor_kinds_code_format check (code ~ '^[a-z][a-z_]*$'),
  description text not null
);
insert into actor_kinds (code, description) values
  ('user', 'A person of the association or a member body (staff), by user id'),
  ('token', 'A machine with an API token, by token id'),
  ('system', 'Work no person or token does: CLI, seeding, log-in steps, by its name'),
  ('anonymous', 'Nobody identified'),
  ('citizen', 'A citizen in the portal: anonymous with a case secret, or logged in by OIDC (pseudonym)'),
  ('job', 'A background job, by its name');

-- A foreign key cannot reference the elements of an array column: this trigger does it instead.
--   create trigger <table>_<column>_known before insert or update of <column> on <table>
--     for each row execute function app_codes_known('<column>', '<lookup table>');
-- The lookup table needs a text column "code". Raises foreign_key_violation (23503), like a foreign key.
create function app_codes_known() returns trigger
  language plpgsql as $$
declare
  codes text[] := array(select jsonb_array_elements_text(to_jsonb(new) -> tg_argv[0]));
  missing text;
begin
  execute format(
    'select string_agg(c, '', '') from unnest($1) c where not exists (select 1 from %s l where l.code = c)',
    tg_argv[1]::regclass)
    into missing using codes;
  if missing is not null then
    raise exception '%.%: unknown code(s) % (not in %)', tg_table_name, tg_argv[0], missing, tg_argv[1]
      using errcode = '23503', table = tg_table_name, column = tg_argv[0], constraint = tg_name;
  end if;
  return new;
end $$;

-- users.roles: was users_roles_check (non-empty and a fixed list).
alter table users drop constraint users_roles_check;
alter table users add constraint users_roles_not_empty check (cardinality(roles) > 0);
create trigger users_roles_known before insert or update of roles on users
  for each row execute function app_codes_known('roles', 'roles');

-- api_tokens.scopes: was api_tokens_scopes_check (non-empty and a fixed list).
alter table api_tokens drop constraint api_tokens_scopes_check;
alter table api_tokens add constraint api_tokens_scopes_not_empty check (cardinality(scopes) > 0);
create trigger api_tokens_scopes_known before insert or update of scopes on api_tokens
  for each row execute function app_codes_known('scopes', 'token_scopes');

-- audit_events.actor_type: was audit_events_actor_type_check; now a plain foreign key (adds 'citizen', 'job').
alter table audit_events drop constraint audit_events_actor_type_check;
alter table audit_events add constraint audit_events_actor_type_fkey
  foreign key (actor_type) references actor_kinds (code);

grant select on roles, token_scopes, actor_kinds to allmende_app;

-- ---------------------------------------------------------------------------------------------
-- Row-level security for data that is not a member's own. Like app_protect_tenant_table, both ENABLE
-- and FORCE row-level security (the owner is bound too: a migration that seeds such a table first runs
-- select set_config('allmende.all_members', 'on', true) in its transaction). The scope functions are
-- wrapped in (select …): an uncorrelated sub-select is an InitPlan, evaluated once per statement instead
-- of once per row — the same as (select current_setting('allmende.…', true)).
-- Only the association's writable all-members scope (its staff, not its auditors) writes these tables.

-- Association-owned data that every member reads (e.g. the service catalogue): readable by any member
-- scope (association staff and auditors, member staff, tokens); not by a transaction without members
-- (anonymous, the log-in steps).
create function app_protect_association_table(t regclass) returns void
  language plpgsql as $$
declare
  reader constant text := '(select app_all_members()) or cardinality((select app_member_ids())) > 0';
  writer constant text := '(select app_all_members()) and not (select app_read_only())';
begin
  execute format('alter table %s enable row level security', t);
  execute format('alter table %s force row level security', t);
  execute format('create policy association_select on %s for select using (%s)', t, reader);
  execute format('create policy association_insert on %s for insert with check (%s)', t, writer);
  execute format('create policy association_update on %s for update using (%s) with check (%s)', t, writer, writer);
  execute format('create policy association_delete on %s for delete using (%s)', t, writer);
end $$;

-- Public data (e.g. the online services a citizen can start, a municipality's portal branding):
-- anyone reads it, also a transaction without any member scope (an anonymous citizen).
create function app_protect_public_table(t regclass) returns void
  language plpgsql as $$
declare
  writer constant text := '(select app_all_members()) and not (select app_read_only())';
begin
  execute format('alter table %s enable row level security', t);
  execute format('alter table %s force row level security', t);
  execute format('create policy public_select on %s for select using (true)', t);
  execute format('create policy public_insert on %s for insert with check (%s)', t, writer);
  execute format('create policy public_update on %s for update using (%s) with check (%s)', t, writer, writer);
  execute format('create policy public_delete on %s for delete using (%s)', t, writer);
end $$;

revoke execute on function app_protect_association_table(regclass), app_protect_public_table(regclass) from public;
