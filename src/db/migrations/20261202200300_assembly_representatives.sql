-- The members' representatives in the assembly (Verbandsversammlung): by GKGBbg the head of each
-- member's administration (Bürgermeister/in, Amtsdirektor/in) or a deputy named by the member. Names
-- and functions of an assembly's representatives are public (council information systems publish
-- them; the OParl API serves them as Person), contact details are not kept here.
create table assembly_representatives (
  id uuid constraint assembly_representatives_pkey primary key default gen_random_uuid(),
  member_id uuid not null constraint assembly_representatives_member_fkey references members (id),
  name text not null constraint assembly_representatives_name_length check (char_length(name) between 2 and 200),
  function text constraint assembly_representatives_function_length check (char_length(function) <= 200),
  role text not null constraint assembly_representatives_role check (role in ('representative', 'deputy')),
  valid_from date not null,
  valid_until date,
  is_example boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint assembly_representatives_dates check (valid_until is null or valid_until >= valid_from)
);
create index assembly_representatives_member on assembly_representatives (member_id, valid_from);
select app_protect_public_table('assembly_representatives');
grant select, insert, update on assembly_representatives to allmende_app;
