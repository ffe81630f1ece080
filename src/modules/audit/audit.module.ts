/** The audit module: the hash-chained trail of every change and every read of personal data. */
import { defineModule } from '../module.js';
import { anchorExportJob } from './audit.jobs.js';
import auditMessages from './audit.messages.json' with { type: 'json' };
import { auditPages } from './audit.pages.js';
import { auditRoutes } from './audit.routes.js';

export const auditModule = defineModule({
  name: 'audit',
  permissions: {
    'audit.read': { roles: ['auditor'] },
    'audit.export': { roles: ['auditor'] },
  },
  auditEvents: [
    'audit.viewed',
    'audit.exported',
    'audit.verified',
    'audit.anchor_exported',
    'audit.anchor_compared',
  ],
  messages: auditMessages,
  navigation: [{ area: 'audit', order: 20, label: 'nav.audit', href: () => '/pruefung' }],
  api: auditRoutes,
  pages: auditPages,
  jobs: [anchorExportJob],
});
