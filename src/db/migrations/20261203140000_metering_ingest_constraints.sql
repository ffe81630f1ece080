-- Constraints on the ingest's hot path, made cheap (measured with `npm run bench:ingest` and per-statement
-- timings on PostgreSQL 15; see ARCHITECTURE.md, "Metering").
--
-- 1. Format checks without bounded repetition. PostgreSQL's regex engine runs '{0,99}' or '{64}' as a
--    large automaton: on 10,000 rows, `source ~ '^…[…]{0,99}$'` cost about 50 ms and
--    `payload_hash ~ '^[0-9a-f]{64}$'` about 55 ms, against 3–4 ms for '…*$' plus a length check — the key
--    table's two checks were two thirds of its insert. The rules are the same: every character the
--    patterns allow is ASCII, so octet_length counts characters.
alter table usage_event_keys
  drop constraint usage_event_keys_source_format,
  add constraint usage_event_keys_source_format
    check (octet_length(source) <= 100 and source ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]*$'),
  drop constraint usage_event_keys_payload_hash_format,
  add constraint usage_event_keys_payload_hash_format
    check (octet_length(payload_hash) = 64 and payload_hash ~ '^[0-9a-f]+$');

-- On the partitioned table the constraint goes to every partition (and to those made later).
alter table usage_events
  drop constraint usage_events_meter_key_format,
  add constraint usage_events_meter_key_format
    check (octet_length(meter_key) <= 64 and meter_key ~ '^[a-z][a-z0-9-]+$');

-- 2. No foreign key from the rollups to members, as on the raw events and the keys: the ingest resolves
--    every member in the caller's scope before it writes, and members are never deleted. The per-row
--    check cost about 7 % of the ingest's database time (one trigger call per new rollup row, some 4,700
--    per request of 10,000 events spread over 79 members and 10 meters).
alter table usage_hourly drop constraint usage_hourly_member_fkey;
alter table usage_distinct_values drop constraint usage_distinct_values_member_fkey;
