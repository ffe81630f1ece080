/**
 * Jobs of the metering module: the monthly partitions of the raw usage events, made ahead of time so
 * that the ingest never has to (it still can, for a late or early event); the purge of raw events past
 * the retention; the Prometheus pull; the purge of old refused deliveries and day summaries.
 */
import { defineJob } from '../../jobs/jobs.js';
import { ALL_MEMBERS_WRITE } from '../../shared/context.js';
import { purgeExpiredUploads } from './metering.import.service.js';
import { pullSource } from './metering.pull.js';
import { preparePartitions, purgeRawEvents } from './metering.service.js';
import { purgeUsageStatus } from './metering.status.service.js';

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

/**
 * Drops the raw-event partitions past the retention (ALLMENDE_USAGE_RETENTION_MONTHS), once a month
 * (keys and rollups stay).
 */
export const rawPurgeJob = defineJob({
  name: RAW_PURGE_JOB,
  schedule: '37 3 2 * *',
  retry: { limit: 3, delaySeconds: 300, backoff: true },
  async handler(_payload, job) {
    const dropped = await job.tx((tx) => purgeRawEvents(tx, job.config.usageRetentionMonths));
    if (dropped > 0) job.log.info({ dropped }, 'raw usage event partitions purged');
  },
});

export const PROMETHEUS_PULL_JOB = 'metering.prometheus-pull';

/**
 * Pulls the closed hours of every configured Prometheus source (ALLMENDE_PULL_SOURCES), a few minutes
 * past each hour so that the last scrapes of the hour have arrived. It catches up by itself from the
 * watermarks (a missed slot loses nothing); a source that fails is logged and the run fails after the
 * other sources were pulled, so that the job's status shows it.
 */
export const prometheusPullJob = defineJob({
  name: PROMETHEUS_PULL_JOB,
  schedule: '5 * * * *',
  scope: ALL_MEMBERS_WRITE,
  retry: { limit: 2, delaySeconds: 300, backoff: true },
  timeoutSeconds: 30 * 60,
  async handler(_payload, job) {
    const failed: string[] = [];
    for (const source of job.config.pullSources) {
      const results = await pullSource(job.database, job.ctx, source, {
        now: job.ctx.clock.now(),
        log: job.log,
      });
      for (const r of results) if (r.error) failed.push(`${r.source}/${r.meter}: ${r.error}`);
    }
    if (failed.length > 0) throw new Error(`usage pull failed for ${failed.join('; ')}`);
  },
});

export const STATUS_PURGE_JOB = 'metering.status-purge';

/** Removes refused deliveries older than 90 days and day summaries older than 400 days, daily. */
export const statusPurgeJob = defineJob({
  name: STATUS_PURGE_JOB,
  schedule: '47 3 * * *',
  scope: ALL_MEMBERS_WRITE,
  retry: { limit: 3, delaySeconds: 300, backoff: true },
  async handler(_payload, job) {
    const removed = await job.tx((tx) => purgeUsageStatus(tx));
    if (removed.rejections + removed.days > 0) job.log.info(removed, 'old usage status records removed');
  },
});

export const IMPORT_PURGE_JOB = 'metering.import-purge';

/** Deletes CSV uploads never confirmed whose day ran out (the pages refuse them already). */
export const importPurgeJob = defineJob({
  name: IMPORT_PURGE_JOB,
  schedule: '41 * * * *',
  scope: ALL_MEMBERS_WRITE,
  retry: { limit: 2, delaySeconds: 300, backoff: true },
  async handler(_payload, job) {
    const deleted = await job.tx((tx) => purgeExpiredUploads(tx));
    if (deleted > 0) job.log.info({ deleted }, 'expired usage CSV uploads deleted');
  },
});
