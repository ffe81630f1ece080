-- Agenda items get created/modified instants: the OParl API (§3.1) must output `created` and `modified`
-- on every object, also on embedded AgendaItems, and its update mechanism (`modified_since`) needs them.
-- Existing rows take the instant of this migration.
alter table agenda_items
  add column created_at timestamptz not null default now(),
  add column updated_at timestamptz not null default now();
