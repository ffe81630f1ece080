-- Member status follows its dates (effective dating). The `status` column records the last decision
-- (applied / admitted / withdrawal recorded); whether a member is withdrawn *today* follows from
-- withdrawn_on (the last day of membership) and the application's clock. The two log-in look-ups
-- therefore also return the membership dates, so that the principal's access (read-only staff, refused
-- API tokens of a withdrawn member) is decided with the same rule as the status shown
-- (src/modules/members/members.status.ts). Columns are only added at the end; the rest is unchanged.

drop function auth_session_principal(text);
create function auth_session_principal(p_session_id text)
  returns table (
    session_id text, user_id uuid, member_id uuid, roles text[], user_status text,
    is_association boolean, member_status text, acting_member_ids uuid[],
    created_at timestamptz, last_seen_at timestamptz, expires_at timestamptz,
    member_admitted_on date, member_withdrawn_on date
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
           s.created_at, s.last_seen_at, s.expires_at, m.admitted_on, m.withdrawn_on
    from sessions s
    join users u on u.id = s.user_id
    join members m on m.id = u.member_id
    where s.id = p_session_id;
  perform set_config('allmende.all_members', coalesce(prev, ''), true);
end $$;

drop function auth_token_principal(text);
create function auth_token_principal(p_token_hash text)
  returns table (
    token_id uuid, member_id uuid, scopes text[], is_association boolean,
    acting_member_ids uuid[], member_status text, expires_at timestamptz, revoked_at timestamptz,
    member_admitted_on date, member_withdrawn_on date
  )
  language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  prev text := current_setting('allmende.all_members', true);
begin
  perform set_config('allmende.all_members', 'on', true);
  return query
    select t.id, t.member_id, t.scopes, m.is_association,
           array(select c.id from members c where c.amt_id = m.id and m.kind = 'amt' order by c.name),
           m.status, t.expires_at, t.revoked_at, m.admitted_on, m.withdrawn_on
    from api_tokens t join members m on m.id = t.member_id
    where t.token_hash = p_token_hash;
  perform set_config('allmende.all_members', coalesce(prev, ''), true);
end $$;

revoke execute on function auth_session_principal(text), auth_token_principal(text) from public;
grant execute on function auth_session_principal(text), auth_token_principal(text) to allmende_app;
