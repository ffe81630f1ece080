-- Cheaper hot paths (see ARCHITECTURE.md, "Performance: the request's round trips").
--
-- 1. Row-level security evaluates the member scope once per statement, not once per row: the policies
--    call the scope functions inside scalar sub-selects, which PostgreSQL runs once as an InitPlan
--    (a bare current_setting(...)::uuid[] in a policy is parsed again for every row it filters).
-- 2. A request's session or API token resolves in the request's own transaction, and the same statement
--    sets the member scope: auth_request_session / auth_request_token. They take the application's
--    today (its clock, Europe/Berlin) and treat a member as withdrawn from the day after withdrawn_on,
--    its last day of membership (effective dating, src/modules/members/members.status.ts).

-- ---------------------------------------------------------------------------------------------
-- 1. Policies in the "(select …)" form. The helper drops and recreates, so it can be re-applied.
create or replace function app_protect_tenant_table(t regclass, col text default 'member_id') returns void
  language plpgsql as $$
declare
  can_see text := format('((select app_all_members()) or %I = any ((select app_member_ids())::uuid[]))', col);
  writable text := format('(%s and not (select app_read_only()))', can_see);
begin
  execute format('alter table %s enable row level security', t);
  execute format('alter table %s force row level security', t);
  execute format('drop policy if exists tenant_select on %s', t);
  execute format('drop policy if exists tenant_insert on %s', t);
  execute format('drop policy if exists tenant_update on %s', t);
  execute format('drop policy if exists tenant_delete on %s', t);
  execute format('create policy tenant_select on %s for select using %s', t, can_see);
  execute format('create policy tenant_insert on %s for insert with check %s', t, writable);
  execute format('create policy tenant_update on %s for update using %s with check %s', t, writable, writable);
  execute format('create policy tenant_delete on %s for delete using %s', t, writable);
end $$;
revoke execute on function app_protect_tenant_table(regclass, text) from public;

-- Re-apply to every table protected so far (members by its id, the others by member_id): the column is
-- read from the existing select policy, app_can_see(<column>).
do $$
declare
  r record;
begin
  for r in
    select p.polrelid::regclass as t,
           substring(pg_get_expr(p.polqual, p.polrelid) from 'app_can_see\(([a-z_][a-z0-9_]*)\)') as col
      from pg_policy p
     where p.polname = 'tenant_select'
  loop
    if r.col is not null then
      perform app_protect_tenant_table(r.t, r.col);
    end if;
  end loop;
end $$;

-- The audit trail's own policies (writes allowed in read-only scopes: an auditor's reads are audited).
drop policy audit_select on audit_events;
drop policy audit_insert on audit_events;
create policy audit_select on audit_events for select
  using ((select app_all_members()) or member_id = any ((select app_member_ids())::uuid[]));
create policy audit_insert on audit_events for insert
  with check ((select app_all_members()) or member_id = any ((select app_member_ids())::uuid[]));
drop policy heads_select on audit_chain_heads;
drop policy heads_insert on audit_chain_heads;
drop policy heads_update on audit_chain_heads;
create policy heads_select on audit_chain_heads for select
  using ((select app_all_members()) or member_id = any ((select app_member_ids())::uuid[]));
create policy heads_insert on audit_chain_heads for insert
  with check ((select app_all_members()) or member_id = any ((select app_member_ids())::uuid[]));
create policy heads_update on audit_chain_heads for update
  using ((select app_all_members()) or member_id = any ((select app_member_ids())::uuid[]))
  with check ((select app_all_members()) or member_id = any ((select app_member_ids())::uuid[]));

-- ---------------------------------------------------------------------------------------------
-- 2. The first statement of an authenticated request. Called by the connecting (owning) role right
-- after BEGIN, in the same statement that switches to allmende_app:
--   select set_config('role', 'allmende_app', true), p.*
--     from (select 1) one left join lateral auth_request_session($1, …) p on true
-- It looks the session up, ends it when it is idle, past its absolute end, or its person is disabled,
-- records "last seen" at most every p_touch_seconds, and sets the member scope of the principal
-- transaction-locally (no scope at all when there is none). It returns the scope it set, and the
-- application checks it against the scope it derives itself (permissions.ts), setting it again on any
-- difference. p_writing_roles: the roles that grant a write permission (from permissions.ts).
create function auth_request_session(
  p_session_id text, p_idle_seconds integer, p_touch_seconds integer, p_writing_roles text[], p_today date
)
  returns table (
    session_id text, user_id uuid, member_id uuid, roles text[], is_association boolean,
    member_status text, acting_member_ids uuid[], valid boolean,
    scope_all_members boolean, scope_member_ids uuid[], scope_read_only boolean, member_withdrawn boolean
  )
  language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  r record;
  ro boolean;
  gone boolean;
  ids uuid[];
begin
  -- The look-up happens before a member is known (the owner is bound by forced RLS, too).
  perform set_config('allmende.all_members', 'on', true);
  perform set_config('allmende.read_only', 'off', true);
  select s.id, s.last_seen_at, s.expires_at, u.id as uid, u.member_id as mid, u.roles as uroles,
         u.status as ustatus, m.is_association as assoc, m.status as mstatus, m.withdrawn_on,
         -- An Amt acts for its municipalities (only while it is an Amt).
         array(select c.id from members c where c.amt_id = m.id and m.kind = 'amt' order by c.name) as acting
    into r
    from sessions s
    join users u on u.id = s.user_id
    join members m on m.id = u.member_id
   where s.id = p_session_id;
  if not found then
    perform set_config('allmende.all_members', 'off', true);
    perform set_config('allmende.member_ids', '{}', true);
    perform set_config('allmende.read_only', 'on', true);
    return;
  end if;
  if r.ustatus <> 'active' or r.expires_at < now()
     or r.last_seen_at + make_interval(secs => p_idle_seconds) < now() then
    delete from sessions where id = p_session_id;
    perform set_config('allmende.all_members', 'off', true);
    perform set_config('allmende.member_ids', '{}', true);
    perform set_config('allmende.read_only', 'on', true);
    return query select r.id, r.uid, r.mid, r.uroles, r.assoc, r.mstatus, r.acting, false,
      false, '{}'::uuid[], true, false;
    return;
  end if;
  if r.last_seen_at < now() - make_interval(secs => p_touch_seconds) then
    update sessions set last_seen_at = now() where id = p_session_id;
  end if;
  -- Withdrawn from the day after withdrawn_on, the last day of membership (members.status.ts).
  gone := r.mstatus = 'withdrawn' and r.withdrawn_on is not null and r.withdrawn_on < p_today;
  ro := gone or not (r.uroles && p_writing_roles);
  ids := array[r.mid] || r.acting;
  perform set_config('allmende.all_members', case when r.assoc then 'on' else 'off' end, true);
  perform set_config('allmende.member_ids', ids::text, true);
  perform set_config('allmende.read_only', case when ro then 'on' else 'off' end, true);
  return query select r.id, r.uid, r.mid, r.uroles, r.assoc, r.mstatus, r.acting, true, r.assoc, ids, ro, gone;
end $$;

-- The same for a bearer API token: unknown, revoked, expired or of a withdrawn member → no principal
-- (valid = false). "Last used" is recorded at most every p_touch_seconds.
create function auth_request_token(
  p_token_hash text, p_touch_seconds integer, p_writing_scopes text[], p_today date
)
  returns table (
    token_id uuid, member_id uuid, scopes text[], is_association boolean, acting_member_ids uuid[],
    valid boolean, scope_all_members boolean, scope_member_ids uuid[], scope_read_only boolean
  )
  language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  r record;
  ro boolean;
  ids uuid[];
begin
  perform set_config('allmende.all_members', 'on', true);
  perform set_config('allmende.read_only', 'off', true);
  select t.id, t.member_id as mid, t.scopes as tscopes, t.expires_at, t.revoked_at, t.last_used_at,
         m.is_association as assoc, m.status as mstatus, m.withdrawn_on,
         array(select c.id from members c where c.amt_id = m.id and m.kind = 'amt' order by c.name) as acting
    into r
    from api_tokens t join members m on m.id = t.member_id
   where t.token_hash = p_token_hash;
  -- Machines of a withdrawn member report nothing any more.
  if not found or r.revoked_at is not null
     or (r.mstatus = 'withdrawn' and r.withdrawn_on is not null and r.withdrawn_on < p_today)
     or (r.expires_at is not null and r.expires_at < now()) then
    perform set_config('allmende.all_members', 'off', true);
    perform set_config('allmende.member_ids', '{}', true);
    perform set_config('allmende.read_only', 'on', true);
    return;
  end if;
  if r.last_used_at is null or r.last_used_at < now() - make_interval(secs => p_touch_seconds) then
    update api_tokens set last_used_at = now() where id = r.id;
  end if;
  ro := not (r.tscopes && p_writing_scopes);
  ids := array[r.mid] || r.acting;
  perform set_config('allmende.all_members', case when r.assoc then 'on' else 'off' end, true);
  perform set_config('allmende.member_ids', ids::text, true);
  perform set_config('allmende.read_only', case when ro then 'on' else 'off' end, true);
  return query select r.id, r.mid, r.tscopes, r.assoc, r.acting, true, r.assoc, ids, ro;
end $$;

revoke execute on function auth_request_session(text, integer, integer, text[], date),
  auth_request_token(text, integer, text[], date) from public;
-- The owner calls them before it switches to the app role; the app role may call them like the other
-- auth look-ups.
grant execute on function auth_request_session(text, integer, integer, text[], date),
  auth_request_token(text, integer, text[], date) to allmende_app;

-- The log-in look-ups of 0001 that these replace: no code calls them any more, and a SECURITY DEFINER
-- function nobody needs is attack surface.
drop function auth_session_principal(text);
drop function auth_token_principal(text);
