/**
 * The scheduled anchor: every night the signed list of chain heads is written to a folder outside the
 * database (ALLMENDE_AUDIT_ANCHOR_DIR — best a write-once or append-only mount, or one that a backup
 * carries away). Without that setting the job does nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../../db/database.js';
import { defineJob } from '../../jobs/jobs.js';
import { ALL_MEMBERS_READ, type Ctx } from '../../shared/context.js';
import { anchorKey } from './audit.anchor.js';
import { exportAnchor } from './audit.service.js';

export const ANCHOR_EXPORT_JOB = 'audit.anchor-export';

/** Writes the signed anchor as `pruefanker-<UTC instant>.json`; never overwrites a file. */
export async function writeAnchorFile(
  database: Database,
  ctx: Ctx,
  key: string,
  dir: string,
): Promise<string> {
  const anchor = await exportAnchor(database, ctx, key);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `pruefanker-${anchor.createdAt.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(anchor, null, 2)}\n`, { flag: 'wx', mode: 0o444 });
  return file;
}

export const anchorExportJob = defineJob({
  name: ANCHOR_EXPORT_JOB,
  schedule: '23 3 * * *',
  retry: { limit: 3, delaySeconds: 300, backoff: true },
  // Every chain, read-only.
  scope: ALL_MEMBERS_READ,
  async handler(_payload, job) {
    const dir = job.config.auditAnchorDir;
    if (!dir) return;
    const file = await writeAnchorFile(job.database, job.ctx, anchorKey(job.config), dir);
    job.log.info({ file }, 'audit anchor written');
  },
});
