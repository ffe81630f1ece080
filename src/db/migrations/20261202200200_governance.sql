-- The assembly (Verbandsversammlung): its voting rules over time, the steering group
-- (Projektsteuerungsgruppe), meetings with public and non-public agenda items (TOP) and documents,
-- resolutions of typed kinds with the votes recorded per member, and the steps of an admission.
--
-- Meetings, public agenda items, public documents and resolutions on public items are public (the
-- OParl API and the public calendar read them without login); non-public ones only the association.

-- ---------------------------------------------------------------------------------------------
-- Voting rules, effective-dated (a statute amendment may change them). `rules` is the JSON of
-- src/modules/governance/voting.ts VotingRules; `source` says where the rule comes from.
create table voting_rules (
  valid_from date constraint voting_rules_pkey primary key,
  rules jsonb not null constraint voting_rules_weight check (rules -> 'weight' ->> 'kind' in ('per_member', 'population_bands', 'turnover')),
  source text not null constraint voting_rules_source_length check (char_length(source) between 1 and 500),
  created_at timestamptz not null default now()
);
select app_protect_public_table('voting_rules');
grant select, insert, update on voting_rules to allmende_app;
-- The default until the association records the rules of its statute.
select set_config('allmende.all_members', 'on', true);
insert into voting_rules (valid_from, rules, source) values (
  '2020-04-09',
  '{"weight":{"kind":"per_member"},"quorum":{"numerator":1,"denominator":2,"comparison":"more_than","of":"all"},"simple":null,"qualified":{"numerator":2,"denominator":3,"comparison":"at_least","of":"all"}}',
  'Voreinstellung: Der Satzungstext zu Stimmen, Beschlussfähigkeit und Mehrheiten liegt nicht vor; bitte an die Verbandssatzung anpassen.'
);

-- ---------------------------------------------------------------------------------------------
-- Steering group (Projektsteuerungsgruppe): members that prepare the assembly's meetings.
create table steering_group_members (
  member_id uuid not null constraint steering_group_members_member_fkey references members (id),
  valid_from date not null,
  valid_until date,
  constraint steering_group_members_pkey primary key (member_id, valid_from),
  constraint steering_group_members_dates check (valid_until is null or valid_until >= valid_from)
);
select app_protect_public_table('steering_group_members');
grant select, insert, update on steering_group_members to allmende_app;

-- ---------------------------------------------------------------------------------------------
create table meetings (
  id uuid constraint meetings_pkey primary key default gen_random_uuid(),
  title text not null constraint meetings_title_length check (char_length(title) between 2 and 200),
  starts_at timestamptz not null,
  ends_at timestamptz,
  place text constraint meetings_place_length check (char_length(place) <= 300),
  status text not null default 'planned' constraint meetings_status check (status in ('planned', 'invited', 'held', 'cancelled')),
  invited_on date,
  -- Members represented when the meeting opened (their votes make it quorate or not).
  present_member_ids uuid[] not null default '{}',
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint meetings_dates check (ends_at is null or ends_at >= starts_at)
);
select app_protect_public_table('meetings');
grant select, insert, update on meetings to allmende_app;

create table agenda_items (
  id uuid constraint agenda_items_pkey primary key default gen_random_uuid(),
  meeting_id uuid not null constraint agenda_items_meeting_fkey references meetings (id),
  position integer not null,
  number text not null constraint agenda_items_number_length check (char_length(number) between 1 and 20),
  title text not null constraint agenda_items_title_length check (char_length(title) between 2 and 300),
  description text constraint agenda_items_description_length check (char_length(description) <= 4000),
  public boolean not null default true,
  prepared_by_steering_group boolean not null default false,
  constraint agenda_items_position_unique unique (meeting_id, position)
);
select app_protect_partly_public_table('agenda_items', 'public');
grant select, insert, update on agenda_items to allmende_app;

-- Documents (PDF only, content checked by the service): invitation, reports, drafts, minutes.
create table meeting_documents (
  id uuid constraint meeting_documents_pkey primary key default gen_random_uuid(),
  meeting_id uuid not null constraint meeting_documents_meeting_fkey references meetings (id),
  agenda_item_id uuid constraint meeting_documents_agenda_item_fkey references agenda_items (id),
  kind text not null constraint meeting_documents_kind check (kind in ('invitation', 'report', 'draft_resolution', 'minutes', 'other')),
  name text not null constraint meeting_documents_name_length check (char_length(name) between 1 and 200),
  file_name text not null constraint meeting_documents_file_name_length check (char_length(file_name) between 1 and 200),
  content_type text not null constraint meeting_documents_pdf check (content_type = 'application/pdf'),
  size_bytes integer not null constraint meeting_documents_size check (size_bytes between 1 and 20971520),
  sha256 text not null constraint meeting_documents_sha256 check (sha256 ~ '^[0-9a-f]{64}$'),
  content bytea not null,
  public boolean not null default true,
  created_at timestamptz not null default now()
);
select app_protect_partly_public_table('meeting_documents', 'public');
grant select, insert, update on meeting_documents to allmende_app;

-- ---------------------------------------------------------------------------------------------
-- Resolutions. `payload` holds what the kind needs (the catalogue version; the members admitted or
-- released; the contract awarded). A resolution that fails quorum or majority has no effect.
create table resolutions (
  id uuid constraint resolutions_pkey primary key default gen_random_uuid(),
  meeting_id uuid not null constraint resolutions_meeting_fkey references meetings (id),
  agenda_item_id uuid not null constraint resolutions_agenda_item_fkey references agenda_items (id),
  number text not null constraint resolutions_number_format check (number ~ '^[0-9]{1,4}/[0-9]{4}$'),
  kind text not null constraint resolutions_kind check (kind in
    ('adopt_catalog_version', 'admit_members', 'release_member', 'award_contract', 'amend_statute', 'other')),
  title text not null constraint resolutions_title_length check (char_length(title) between 2 and 300),
  text text not null default '' constraint resolutions_text_length check (char_length(text) <= 20000),
  majority text not null constraint resolutions_majority check (majority in ('simple', 'qualified')),
  payload jsonb not null default '{}',
  status text not null default 'draft' constraint resolutions_status check (status in ('draft', 'voted')),
  carried boolean,
  tally jsonb,
  voted_at timestamptz,
  -- The day its effect takes place (catalogue in force, withdrawal, …); null = when voted.
  effective_on date,
  applied_at timestamptz,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint resolutions_number_unique unique (number),
  constraint resolutions_voted check (status = 'draft' and carried is null and tally is null
                                      or status = 'voted' and carried is not null and tally is not null),
  constraint resolutions_applied check (applied_at is null or carried)
);
select app_protect_partly_public_table('resolutions', 'exists (select 1 from agenda_items a where a.id = agenda_item_id)');
grant select, insert, update on resolutions to allmende_app;

-- How each member voted (its votes as one block), recorded with the tally.
create table resolution_votes (
  resolution_id uuid not null constraint resolution_votes_resolution_fkey references resolutions (id),
  member_id uuid not null constraint resolution_votes_member_fkey references members (id),
  votes integer not null constraint resolution_votes_votes check (votes >= 0),
  ballot text not null constraint resolution_votes_ballot check (ballot in ('yes', 'no', 'abstain', 'absent')),
  constraint resolution_votes_pkey primary key (resolution_id, member_id)
);
select app_protect_partly_public_table('resolution_votes', 'exists (select 1 from resolutions r where r.id = resolution_id)');
grant select, insert on resolution_votes to allmende_app;

-- ---------------------------------------------------------------------------------------------
-- Admission (statute.md §1): the joining council decides, the assembly adopts an amending statute, the
-- supervisory authority (MIK) approves it, it is published in the Amtsblatt; membership starts the day
-- after publication. One row per step done; the member is "pending" with the first step not done.
create table admission_steps (
  member_id uuid not null constraint admission_steps_member_fkey references members (id),
  step text not null constraint admission_steps_step check (step in ('council_decision', 'amending_statute', 'approval', 'publication')),
  done_on date not null,
  reference text constraint admission_steps_reference_length check (char_length(reference) <= 500),
  resolution_id uuid constraint admission_steps_resolution_fkey references resolutions (id),
  created_at timestamptz not null default now(),
  constraint admission_steps_pkey primary key (member_id, step)
);
select app_protect_tenant_table('admission_steps');
grant select, insert on admission_steps to allmende_app;
