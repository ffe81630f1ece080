-- Accounts a municipality can run with (issue 7, point 9): one-time links to set a password (the
-- invitation of a new person, "Passwort vergessen", the change forced at the first login with an
-- initial password), the throttle of reset requests, and the "must change password" flag.

-- A printed initial password (`allmende user add`) must be replaced at the first login.
alter table users add column must_change_password boolean not null default false;

-- ---------------------------------------------------------------------------------------------
-- One-time links: the link carries a random 32-byte token; only its SHA-256 is stored. A link is
-- used at most once (used_at), and not after expires_at. Tenant table of the person's member.
create table account_links (
  id uuid primary key default gen_random_uuid(),
  member_id uuid not null references members(id),
  user_id uuid not null references users(id) on delete cascade,
  purpose text not null
    constraint account_links_purpose check (purpose in ('invitation', 'reset', 'first_login')),
  token_hash text not null constraint account_links_token_hash_format check (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  constraint account_links_token_hash_key unique (token_hash)
);
create index account_links_user on account_links (user_id, purpose);
select app_protect_tenant_table('account_links');
grant select, insert, update, delete on account_links to allmende_app;

-- The link of a token hash, for the anonymous page that opens it (it has no member scope yet): which
-- member and person it belongs to, nothing more. The page then works in that member's scope.
create function account_link_lookup(p_hash text)
  returns table (member_id uuid, user_id uuid, purpose text, expires_at timestamptz, used_at timestamptz)
  language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  prev text := current_setting('allmende.all_members', true);
begin
  perform set_config('allmende.all_members', 'on', true);
  return query select l.member_id, l.user_id, l.purpose, l.expires_at, l.used_at
    from account_links l where l.token_hash = p_hash;
  perform set_config('allmende.all_members', coalesce(prev, ''), true);
end $$;
revoke execute on function account_link_lookup(text) from public;
grant execute on function account_link_lookup(text) to allmende_app;

-- ---------------------------------------------------------------------------------------------
-- "Passwort vergessen" requests, counted per key (an HMAC of the address, or of the account) for the
-- throttle; rows older than a day are removed when new ones are counted. No personal data in clear.
create table password_reset_requests (
  key text not null,
  requested_at timestamptz not null default now()
);
create index password_reset_requests_key on password_reset_requests (key, requested_at);
grant select, insert, delete on password_reset_requests to allmende_app;
