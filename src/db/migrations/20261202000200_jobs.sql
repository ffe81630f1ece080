-- Background work: the outbox (written inside business transactions, dispatched after commit) and
-- the embedded database's job queue. On PostgreSQL the queue is pg-boss's own schema ("pgboss"),
-- which pg-boss creates and migrates itself when a job runner starts.

-- ---------------------------------------------------------------------------------------------
-- Outbox: a tenant table. A row exists if and only if the business transaction that wrote it
-- committed; the dispatcher delivers it afterwards, retrying with backoff until the receiver
-- acknowledges. idempotency_key travels with every attempt so a receiver can drop a repeat.
create table outbox_messages (
  id uuid primary key default gen_random_uuid(),
  member_id uuid not null references members(id),
  kind text not null constraint outbox_messages_kind_format check (kind ~ '^[a-z][a-z0-9_]*$'),
  topic text not null,
  payload jsonb not null,
  -- Where to deliver (e.g. a webhook URL); null = the configured default of the kind.
  target text,
  idempotency_key text not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- Claimed by a dispatcher until then (a crashed dispatcher's claim runs out).
  locked_until timestamptz,
  delivered_at timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  constraint outbox_messages_member_key unique (member_id, idempotency_key)
);
create index outbox_messages_due on outbox_messages (next_attempt_at) where delivered_at is null;
select app_protect_tenant_table('outbox_messages');
-- delete: outbox.cleanup removes delivered messages after 30 days.
grant select, insert, update, delete on outbox_messages to allmende_app;

-- ---------------------------------------------------------------------------------------------
-- The embedded runner's queue (PGlite only; no tenant data, not reachable by the app role).
create table job_queue (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  payload jsonb not null default '{}',
  state text not null default 'queued'
    constraint job_queue_state check (state in ('queued', 'active', 'completed', 'failed')),
  attempts integer not null default 0,
  retry_limit integer not null default 0,
  retry_delay_seconds integer not null default 0,
  retry_backoff boolean not null default false,
  run_after timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  completed_at timestamptz
);
create index job_queue_due on job_queue (run_after) where state = 'queued';

-- Last schedule slot sent per scheduled job (the embedded runner's "once per slot").
create table job_schedules (
  name text primary key,
  last_slot timestamptz not null
);
revoke all on job_queue, job_schedules from allmende_app;
