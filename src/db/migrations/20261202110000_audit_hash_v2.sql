-- Audit hash formula, version 2: the hash also covers the event id and the full (microsecond)
-- precision of occurred_at (see ARCHITECTURE.md, "Audit trail"). Events written before keep
-- hash_version 1 and stay verifiable under the old formula; the application writes version 2.
alter table audit_events add column hash_version smallint not null default 1;
alter table audit_events add constraint audit_events_hash_version check (hash_version in (1, 2));
