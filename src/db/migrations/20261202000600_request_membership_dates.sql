-- Access follows the membership dates (effective dating, see 20261202000500 and members.status.ts): the
-- request look-ups of 20261202000300 decided "withdrawn" from the recorded status alone, so a member
-- whose withdrawal is recorded for a future day lost its write access and its API tokens at once. They
-- now take the application's today (its clock, Europe/Berlin) and treat a member as withdrawn from the
-- day after withdrawn_on, its last day of membership. Everything else is unchanged.

drop function auth_request_session(text, integer, integer, text[]);
drop function auth_request_token(text, integer, text[]);

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
grant execute on function auth_request_session(text, integer, integer, text[], date),
  auth_request_token(text, integer, text[], date) to allmende_app;
