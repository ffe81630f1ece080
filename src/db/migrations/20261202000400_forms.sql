-- Forms: the short-lived flash shown after a redirect, and the one-time keys that make a repeated
-- submit of the same form idempotent. Both belong to one browser session (gone with it) and to the
-- member of the person who submitted (row-level security like every tenant table).

-- A message (and at most one one-time secret, e.g. a new API token) for the next page of a session.
-- Read once (deleted when read), valid for minutes. The payload is sealed with the instance secret
-- (AES-256-GCM), so a one-time secret is never stored in clear.
create table flash_messages (
  id uuid primary key default gen_random_uuid(),
  member_id uuid not null references members (id),
  session_id text not null references sessions (id) on delete cascade,
  payload text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index flash_messages_session_idx on flash_messages (member_id, session_id);
select app_protect_tenant_table('flash_messages');

-- The first submit of a rendered form claims its key before the change and stores the result (the
-- redirect target) in the same transaction; a repeat with the same key (also one racing the first: it
-- waits on the primary key) gets the same redirect and changes nothing.
create table form_submissions (
  member_id uuid not null references members (id),
  session_id text not null references sessions (id) on delete cascade,
  form_key text not null check (form_key ~ '^[A-Za-z0-9_-]{22,64}$'),
  result text not null default '',
  created_at timestamptz not null default now(),
  primary key (member_id, session_id, form_key)
);
select app_protect_tenant_table('form_submissions');

grant select, insert, delete on flash_messages to allmende_app;
grant select, insert, update on form_submissions to allmende_app;
