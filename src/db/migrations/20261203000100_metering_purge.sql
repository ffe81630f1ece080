-- Purging raw usage events after the retention: whole monthly partitions whose range ends on or before
-- the cutoff are dropped. The dedup keys (usage_event_keys) and the rollups stay, so a re-sent event of a
-- purged month is still a duplicate, and a month's aggregates do not change.
create function usage_events_purge_before(cutoff timestamptz) returns integer
  language plpgsql security definer set search_path = public, pg_temp as $$
declare
  r record;
  dropped integer := 0;
begin
  for r in
    select c.oid::regclass as part,
           substring(pg_get_expr(c.relpartbound, c.oid) from 'TO \(''([^'']+)''\)')::timestamptz as upper_bound
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'usage_events'::regclass
  loop
    if r.upper_bound <= cutoff then
      execute format('drop table %s', r.part);
      dropped := dropped + 1;
    end if;
  end loop;
  return dropped;
end $$;
revoke execute on function usage_events_purge_before(timestamptz) from public;
grant execute on function usage_events_purge_before(timestamptz) to allmende_app;
