/**
 * The metering module ([5/7]): usage events from the data centre's systems, counted exactly once, kept
 * as raw events partitioned by month plus hourly rollups, and aggregated per member, meter and period
 * for rating; the ingestion status per source and the refused deliveries; the Prometheus pull; the CSV
 * import; billing months, late events, voids and corrections.
 */
import { defineModule } from '../module.js';
import importMessages from './metering.import.messages.json' with { type: 'json' };
import { meteringImportPages } from './metering.import.pages.js';
import {
  importPurgeJob,
  partitionsAheadJob,
  prometheusPullJob,
  rawPurgeJob,
  statusPurgeJob,
} from './metering.jobs.js';
import meteringMessages from './metering.messages.json' with { type: 'json' };
import { meteringPages } from './metering.pages.js';
import { meteringRoutes } from './metering.routes.js';
import meteringStatusMessages from './metering.status.messages.json' with { type: 'json' };

export const meteringModule = defineModule({
  name: 'metering',
  permissions: {
    // Granted to machines only (API tokens with the scope usage.write).
    'usage.write': { roles: [], scopes: ['usage.write'], writes: true },
    // People of the association importing usage from a CSV file (the upload page and the CLI).
    'usage.import': { roles: ['association_admin', 'association_finance'], writes: true },
    // Closing billing months and voiding wrong events: association finance.
    'usage.close': { roles: ['association_finance'], writes: true },
    'usage.void': { roles: ['association_finance'], writes: true },
    'usage.read': {
      roles: ['association_admin', 'association_finance', 'member_admin', 'member_clerk', 'auditor'],
    },
  },
  auditEvents: [
    'usage.reported',
    'usage.month_closed',
    'usage.corrected',
    'usage.voided',
    'usage.csv_imported',
  ],
  messages: { ...meteringMessages, ...meteringStatusMessages, ...importMessages },
  api: meteringRoutes,
  pages: async (app) => {
    await app.register(meteringPages);
    await app.register(meteringImportPages);
  },
  navigation: [
    {
      area: 'association',
      order: 45,
      label: 'nav.usage_admin',
      href: () => '/verbrauch',
      permission: 'usage.read',
    },
    {
      area: 'member',
      order: 37,
      label: 'nav.usage',
      href: (p) => `/mitglieder/${p.memberId}/verbrauch`,
      permission: 'usage.read',
    },
  ],
  tenancy: {
    routes: {
      'GET /mitglieder/:memberId/verbrauch': {},
      'GET /mitglieder/:memberId/verbrauch.csv': {},
      'GET /api/v1/members/:memberId/usage/corrections': {},
    },
  },
  jobs: [partitionsAheadJob, rawPurgeJob, prometheusPullJob, statusPurgeJob, importPurgeJob],
});
