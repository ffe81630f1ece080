/**
 * Jobs of the auth module: the hourly purge of expired sessions (at start-up, too, see server.ts).
 */
import { defineJob } from '../../jobs/jobs.js';
import { ALL_MEMBERS_WRITE } from '../../shared/context.js';
import { purgeExpiredSessions } from './sessions.service.js';

export const SESSION_PURGE_JOB = 'auth.session-purge';

export const sessionPurgeJob = defineJob({
  name: SESSION_PURGE_JOB,
  schedule: '17 * * * *',
  retry: { limit: 3, delaySeconds: 60, backoff: true },
  // Sessions of every member: the purge needs the all-members write scope.
  scope: ALL_MEMBERS_WRITE,
  async handler(_payload, job) {
    const purged = await purgeExpiredSessions(job.database, job.config, job.ctx);
    if (purged > 0) job.log.info({ purged }, 'expired sessions purged');
  },
});
