-- Allmende foundation: members, people, sessions, API tokens, audit trail, tenancy.
-- Runs as the owning role. The application itself runs as "allmende_app": neither superuser nor
-- BYPASSRLS, so row-level security applies to every query it makes.

-- ---------------------------------------------------------------------------------------------
-- The application role (cluster-wide; created once, granted to the owner so it can SET ROLE).
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'allmende_app') then
    begin
      create role allmende_app nologin nosuperuser nobypassrls noinherit;
    exception when duplicate_object or unique_violation then
      null; -- created concurrently by another database of the same cluster
    end;
  end if;
  if not exists (
    select 1 from pg_auth_members m
    join pg_roles r on r.oid = m.roleid
    join pg_roles u on u.oid = m.member
    where r.rolname = 'allmende_app' and u.rolname = current_user
  ) and not (select rolsuper from pg_roles where rolname = current_user) then
    execute format('grant allmende_app to %I', current_user);
  end if;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Tenancy: the member scope of the current transaction, set by the application with
-- set_config(..., true) (transaction-local) at the start of every transaction.
--   allmende.all_members = 'on'      association staff and auditors of the association
--   allmende.member_ids  = '{uuid,…}' the members the actor acts for (own member + an Amt's municipalities)
--   allmende.read_only   = 'on'      auditors: no writes except audit events
create function app_member_ids() returns uuid[]
  language sql stable parallel safe
  as $$ select coalesce(nullif(current_setting('allmende.member_ids', true), ''), '{}')::uuid[] $$;

create function app_all_members() returns boolean
  language sql stable parallel safe
  as $$ select coalesce(current_setting('allmende.all_members', true), '') = 'on' $$;

create function app_read_only() returns boolean
  language sql stable parallel safe
  as $$ select coalesce(current_setting('allmende.read_only', true), '') = 'on' $$;

create function app_can_see(m uuid) returns boolean
  language sql stable parallel safe
  as $$ select app_all_members() or m = any(app_member_ids()) $$;

-- Enables and FORCES row-level security on a tenant table and creates the four standard policies.
-- Every table that holds a member's data calls this in its migration (see ARCHITECTURE.md).
create function app_protect_tenant_table(t regclass, col text default 'member_id') returns void
  language plpgsql as $$
begin
  execute format('alter table %s enable row level security', t);
  execute format('alter table %s force row level security', t);
  execute format('create policy tenant_select on %s for select using (app_can_see(%I))', t, col);
  execute format('create policy tenant_insert on %s for insert with check (app_can_see(%I) and not app_read_only())', t, col);
  execute format('create policy tenant_update on %s for update using (app_can_see(%I) and not app_read_only()) with check (app_can_see(%I) and not app_read_only())', t, col, col);
  execute format('create policy tenant_delete on %s for delete using (app_can_see(%I) and not app_read_only())', t, col);
end $$;

-- ---------------------------------------------------------------------------------------------
-- Instance settings (no tenant data): secrets and flags of this installation.
create table instance_settings (
  key text primary key,
  value text not null,
  updated_at timestamptz not null default now()
);

-- ---------------------------------------------------------------------------------------------
-- Members: the association itself (is_association) and its member bodies. Never hard-deleted.
-- The row's own id is its member id; RLS uses it.
create table members (
  id uuid primary key default gen_random_uuid(),
  is_association boolean not null default false,
  name text not null check (length(name) between 2 and 200),
  kind text not null check (kind in ('stadt', 'gemeinde', 'amt', 'landkreis', 'verband', 'other')),
  ags text check (ags ~ '^[0-9]{8}$'),
  ars text check (ars ~ '^[0-9]{9}$|^[0-9]{12}$'),
  leitweg_id text check (leitweg_id ~ '^[0-9]{2,12}(-[0-9A-Z]{1,30})?-[0-9]{2}$'),
  street text,
  postal_code text check (postal_code ~ '^[0-9]{5}$'),
  city text,
  population integer check (population >= 0),
  population_year integer check (population_year between 1900 and 2100),
  contact_name text,
  contact_email text,
  contact_phone text,
  website text,
  status text not null check (status in ('applied', 'active', 'withdrawn')),
  applied_on date,
  admitted_on date,
  withdrawn_on date,
  amt_id uuid references members (id),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (population_year is null or population is not null),
  check (status <> 'active' or admitted_on is not null),
  check (status <> 'withdrawn' or withdrawn_on is not null),
  check (withdrawn_on is null or admitted_on is null or withdrawn_on >= admitted_on),
  check (amt_id is null or amt_id <> id)
);
create unique index members_one_association on members (is_association) where is_association;
create unique index members_ags_unique on members (ags) where ags is not null;
create index members_amt_idx on members (amt_id) where amt_id is not null;
create index members_name_idx on members (lower(name));
select app_protect_tenant_table('members', 'id');

-- Master data and membership (name, keys, status, Amt, …) belong to the association: a member's own
-- scope may change only its profile (address, contact). The second wall behind the service check.
create function members_master_data_guard() returns trigger
  language plpgsql as $$
begin
  if not app_all_members() and (
       new.name is distinct from old.name or new.kind is distinct from old.kind
    or new.ags is distinct from old.ags or new.ars is distinct from old.ars
    or new.leitweg_id is distinct from old.leitweg_id
    or new.population is distinct from old.population or new.population_year is distinct from old.population_year
    or new.status is distinct from old.status or new.applied_on is distinct from old.applied_on
    or new.admitted_on is distinct from old.admitted_on or new.withdrawn_on is distinct from old.withdrawn_on
    or new.amt_id is distinct from old.amt_id or new.is_association is distinct from old.is_association) then
    raise exception 'master data of a member can only be changed by the association' using errcode = '42501';
  end if;
  return new;
end $$;
create trigger members_master_data_guard before update on members
  for each row execute function members_master_data_guard();

-- ---------------------------------------------------------------------------------------------
-- People (user accounts). A person belongs to one member; roles are checked on the server.
create table users (
  id uuid primary key default gen_random_uuid(),
  member_id uuid not null references members (id),
  email text not null check (email ~ '^[^@\s]+@[^@\s]+$' and length(email) <= 254),
  display_name text not null check (length(display_name) between 1 and 200),
  password_hash text,
  roles text[] not null check (
    cardinality(roles) > 0 and
    roles <@ array['association_admin', 'association_finance', 'member_admin', 'member_clerk', 'auditor']::text[]
  ),
  status text not null default 'active' check (status in ('active', 'disabled')),
  oidc_issuer text,
  oidc_subject text,
  last_login_at timestamptz,
  password_changed_at timestamptz,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((oidc_issuer is null) = (oidc_subject is null))
);
-- Login is by e-mail across all members, so e-mail is unique installation-wide (see ARCHITECTURE.md on Citus).
create unique index users_email_unique on users (lower(email));
create unique index users_oidc_unique on users (oidc_issuer, oidc_subject) where oidc_subject is not null;
create index users_member_idx on users (member_id);
select app_protect_tenant_table('users');

-- ---------------------------------------------------------------------------------------------
-- Server-side sessions. The cookie carries a random token; only its SHA-256 is stored.
create table sessions (
  id text primary key check (id ~ '^[0-9a-f]{64}$'),
  member_id uuid not null references members (id),
  user_id uuid not null references users (id),
  auth_method text not null check (auth_method in ('password', 'oidc')),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user_idx on sessions (member_id, user_id);
select app_protect_tenant_table('sessions');

-- ---------------------------------------------------------------------------------------------
-- API tokens for machines, scoped to one member (or the association). Only the SHA-256 is stored.
create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  member_id uuid not null references members (id),
  name text not null check (length(name) between 1 and 100),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  token_prefix text not null,
  scopes text[] not null check (cardinality(scopes) > 0 and scopes <@ array['members.read', 'usage.write']::text[]),
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references users (id)
);
create index api_tokens_member_idx on api_tokens (member_id);
select app_protect_tenant_table('api_tokens');

-- ---------------------------------------------------------------------------------------------
-- Login throttle: keyed by an HMAC of (account, client) and of the client alone — never the clear
-- e-mail or IP. No tenant data.
create table login_throttle (
  key text primary key,
  failures integer not null,
  window_started_at timestamptz not null,
  blocked_until timestamptz
);

-- ---------------------------------------------------------------------------------------------
-- Audit trail: append-only, one SHA-256 hash chain per member over canonical JSON (computed by the
-- application, checked by `allmende audit verify`). The app role may INSERT and SELECT only.
create table audit_events (
  id uuid primary key default gen_random_uuid(),
  member_id uuid not null references members (id),
  seq bigint not null check (seq >= 1),
  occurred_at timestamptz not null,
  actor_type text not null check (actor_type in ('user', 'token', 'system', 'anonymous')),
  actor_id text not null,
  action text not null check (action ~ '^[a-z_]+\.[a-z_]+$'),
  object_type text not null,
  object_id text,
  data_digest text check (data_digest ~ '^[0-9a-f]{64}$'),
  details jsonb not null default '{}'::jsonb,
  request_id text,
  prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text not null check (hash ~ '^[0-9a-f]{64}$'),
  unique (member_id, seq)
);
create index audit_events_time_idx on audit_events (member_id, occurred_at);
alter table audit_events enable row level security;
alter table audit_events force row level security;
create policy audit_select on audit_events for select using (app_can_see(member_id));
-- Writing an audit event is allowed in read-only scopes too: an auditor's reads are audited.
create policy audit_insert on audit_events for insert with check (app_can_see(member_id));

-- The head of each chain: last seq and hash. Maintained only by the trigger below; lets verify detect
-- events cut off the end of a chain, and serialises appends per member.
create table audit_chain_heads (
  member_id uuid primary key references members (id),
  last_seq bigint not null,
  last_hash text not null,
  updated_at timestamptz not null default now()
);
alter table audit_chain_heads enable row level security;
alter table audit_chain_heads force row level security;
-- Heads are written only by the chain functions below (running as owner), and in read-only scopes too:
-- an auditor's reads are audited. The app role itself has no write privilege here.
create policy heads_select on audit_chain_heads for select using (app_can_see(member_id));
create policy heads_insert on audit_chain_heads for insert with check (app_can_see(member_id));
create policy heads_update on audit_chain_heads for update
  using (app_can_see(member_id)) with check (app_can_see(member_id));

-- Locks the chain head of a member for the rest of the transaction and returns it. Runs as owner
-- (the app role has no write privilege on heads); RLS still limits it to the caller's scope.
create function audit_chain_lock(m uuid) returns table (last_seq bigint, last_hash text)
  language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if not app_can_see(m) then
    raise exception 'audit chain % is outside the current member scope', m using errcode = '42501';
  end if;
  insert into audit_chain_heads as h (member_id, last_seq, last_hash)
    values (m, 0, repeat('0', 64)) on conflict (member_id) do nothing;
  return query select h.last_seq, h.last_hash from audit_chain_heads h where h.member_id = m for update;
end $$;

-- Every inserted event must extend its chain exactly by one.
create function audit_events_extend_chain() returns trigger
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  head record;
begin
  select h.last_seq, h.last_hash into head from audit_chain_heads h where h.member_id = new.member_id for update;
  if not found then
    raise exception 'audit chain of % not locked: call audit_chain_lock first', new.member_id using errcode = '55000';
  end if;
  if new.seq <> head.last_seq + 1 or new.prev_hash <> head.last_hash then
    raise exception 'audit event does not extend the chain of % (seq %, head %)', new.member_id, new.seq, head.last_seq
      using errcode = '55000';
  end if;
  update audit_chain_heads set last_seq = new.seq, last_hash = new.hash, updated_at = now()
    where member_id = new.member_id;
  return new;
end $$;
create trigger audit_events_extend_chain before insert on audit_events
  for each row execute function audit_events_extend_chain();

-- Append-only, even for the owner (only a superuser switching off triggers can alter history, and
-- verify detects that).
create function audit_events_append_only() returns trigger
  language plpgsql as $$
begin
  raise exception 'audit events are append-only' using errcode = '42501';
end $$;
create trigger audit_events_no_update before update or delete on audit_events
  for each row execute function audit_events_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function audit_events_append_only();

-- ---------------------------------------------------------------------------------------------
-- Authentication look-ups happen before the member is known, so they cannot run inside a member
-- scope. These narrow SECURITY DEFINER functions return only what login needs and nothing else.
-- They widen the scope to all members for their one query and restore the caller's scope after it
-- (a function-level SET of a custom setting would need a superuser owner).
create function auth_find_user_by_email(p_email text)
  returns table (id uuid, member_id uuid, password_hash text, status text)
  language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  prev text := current_setting('allmende.all_members', true);
begin
  perform set_config('allmende.all_members', 'on', true);
  return query select u.id, u.member_id, u.password_hash, u.status from users u where lower(u.email) = lower(p_email);
  perform set_config('allmende.all_members', coalesce(prev, ''), true);
end $$;

create function auth_find_user_by_oidc(p_issuer text, p_subject text, p_email text)
  returns table (id uuid, member_id uuid, status text, oidc_subject text)
  language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  prev text := current_setting('allmende.all_members', true);
begin
  perform set_config('allmende.all_members', 'on', true);
  return query select u.id, u.member_id, u.status, u.oidc_subject from users u
    where (u.oidc_issuer = p_issuer and u.oidc_subject = p_subject)
       or (p_email is not null and lower(u.email) = lower(p_email) and u.oidc_subject is null)
    order by (u.oidc_subject is not null) desc
    limit 1;
  perform set_config('allmende.all_members', coalesce(prev, ''), true);
end $$;

-- Resolves a session token hash to the principal: user, roles, member, and the members it acts for.
create function auth_session_principal(p_session_id text)
  returns table (
    session_id text, user_id uuid, member_id uuid, roles text[], user_status text,
    is_association boolean, member_status text, acting_member_ids uuid[],
    created_at timestamptz, last_seen_at timestamptz, expires_at timestamptz
  )
  language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  prev text := current_setting('allmende.all_members', true);
begin
  perform set_config('allmende.all_members', 'on', true);
  return query
    select s.id, u.id, u.member_id, u.roles, u.status, m.is_association, m.status,
           -- An Amt acts for its municipalities (only while it is an Amt).
           array(select c.id from members c where c.amt_id = m.id and m.kind = 'amt' order by c.name),
           s.created_at, s.last_seen_at, s.expires_at
    from sessions s
    join users u on u.id = s.user_id
    join members m on m.id = u.member_id
    where s.id = p_session_id;
  perform set_config('allmende.all_members', coalesce(prev, ''), true);
end $$;

create function auth_token_principal(p_token_hash text)
  returns table (
    token_id uuid, member_id uuid, scopes text[], is_association boolean,
    acting_member_ids uuid[], member_status text, expires_at timestamptz, revoked_at timestamptz
  )
  language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  prev text := current_setting('allmende.all_members', true);
begin
  perform set_config('allmende.all_members', 'on', true);
  return query
    select t.id, t.member_id, t.scopes, m.is_association,
           array(select c.id from members c where c.amt_id = m.id and m.kind = 'amt' order by c.name),
           m.status, t.expires_at, t.revoked_at
    from api_tokens t join members m on m.id = t.member_id
    where t.token_hash = p_token_hash;
  perform set_config('allmende.all_members', coalesce(prev, ''), true);
end $$;

-- ---------------------------------------------------------------------------------------------
-- Privileges of the application role: exactly what the code needs, nothing more.
revoke all on all tables in schema public from allmende_app;
grant usage on schema public to allmende_app;
grant select on instance_settings to allmende_app;
grant select, insert, update on members, users, api_tokens to allmende_app;
grant select, insert, update, delete on sessions, login_throttle to allmende_app;
grant select, insert on audit_events to allmende_app;
grant select on audit_chain_heads to allmende_app;
revoke all on allmende_migrations from allmende_app;
revoke execute on function app_protect_tenant_table(regclass, text) from public;
revoke execute on function audit_chain_lock(uuid), auth_find_user_by_email(text),
  auth_find_user_by_oidc(text, text, text), auth_session_principal(text), auth_token_principal(text) from public;
grant execute on function audit_chain_lock(uuid) to allmende_app;
grant execute on function auth_find_user_by_email(text), auth_find_user_by_oidc(text, text, text),
  auth_session_principal(text), auth_token_principal(text) to allmende_app;
