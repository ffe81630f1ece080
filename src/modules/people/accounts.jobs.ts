/**
 * The jobs of accounts: sending a one-time link by mail (queued through the outbox by
 * accounts.service.ts), removing expired links, and counting the accounts per member as own usage.
 */
import { defineJob } from '../../jobs/jobs.js';
import { sendMail } from '../../mail/mail.js';
import { ALL_MEMBERS_WRITE } from '../../shared/context.js';
import { composeLinkMail, purgeOldLinks, SEND_LINK_JOB, type SendLinkPayload } from './accounts.service.js';
import { reportAccounts } from './accounts.usage.service.js';

export const sendAccountLinkJob = defineJob<SendLinkPayload>({
  name: SEND_LINK_JOB,
  // A mail server that is down for a while: retried for about a day (60 s doubling, 10 retries).
  retry: { limit: 10, delaySeconds: 60, backoff: true },
  scope: ALL_MEMBERS_WRITE,
  async handler(payload, job) {
    // The link is created (and its hash stored) first; each retry makes a new link and the earlier,
    // unsent one stops working.
    const mail = await job.tx((tx) => composeLinkMail(tx, job.config.publicUrl, payload));
    if (!mail) {
      job.log.info(
        { userId: payload.userId, purpose: payload.purpose },
        'account link not sent: nothing due',
      );
      return;
    }
    await sendMail(job.config.mail, job.log, mail, {
      messageId: `<${job.jobId}.${job.attempt}@${new URL(job.config.publicUrl).hostname}>`,
    });
  },
});

export const accountLinkCleanupJob = defineJob({
  name: 'people.account-link-cleanup',
  schedule: '50 3 * * *',
  retry: { limit: 2, delaySeconds: 300, backoff: true },
  scope: ALL_MEMBERS_WRITE,
  async handler(_payload, job) {
    const removed = await job.tx((tx) => purgeOldLinks(tx));
    if (removed > 0) job.log.info({ removed }, 'expired account links removed');
  },
});

export const ACCOUNTS_USAGE_JOB = 'people.accounts-usage';

/**
 * Counts the accounts per member once a day and reports them as Allmende's own usage (meter `konten`,
 * accounts.usage.service.ts). A missed day stays missing (the month's max reads the days counted); a
 * re-run on the same day counts nothing twice.
 */
export const accountsUsageJob = defineJob({
  name: ACCOUNTS_USAGE_JOB,
  schedule: '15 6 * * *',
  retry: { limit: 3, delaySeconds: 600, backoff: true },
  scope: ALL_MEMBERS_WRITE,
  async handler(_payload, job) {
    const r = await job.tx((tx) => reportAccounts(tx));
    job.log.info({ accepted: r.accepted, duplicates: r.duplicates }, 'accounts per member reported');
  },
});
