/**
 * Jobs of the metering module: the monthly partitions of the raw usage events, made ahead of time so
 * that the ingest never has to (it still can, for a late or early event).
 */
import { defineJob } from '../../jobs/jobs.js';
import { preparePartitions, purgeRawEvents } from './metering.service.js';

export const PARTITIONS_AHEAD_JOB = 'metering.partitions-ahead';

export const partitionsAheadJob = defineJob({
  name: PARTITIONS_AHEAD_JOB,
  schedule: '7 3 * * *',
  retry: { limit: 3, delaySeconds: 300, backoff: true },
  // DDL through the SECURITY DEFINER function only: no member scope needed.
  async handler(_payload, job) {
    const created = await job.tx((tx) => preparePartitions(tx));
    if (created > 0) job.log.info({ created }, 'usage event partitions created');
  },
});

export const RAW_PURGE_JOB = 'metering.raw-purge';

/** Drops the raw-event partitions past the retention, once a month (keys and rollups stay). */
export const rawPurgeJob = defineJob({
  name: RAW_PURGE_JOB,
  schedule: '37 3 2 * *',
  retry: { limit: 3, delaySeconds: 300, backoff: true },
  async handler(_payload, job) {
    const dropped = await job.tx((tx) => purgeRawEvents(tx));
    if (dropped > 0) job.log.info({ dropped }, 'raw usage event partitions purged');
  },
});
