/** The audit module: the hash-chained trail of every change and every read of personal data. */
import { defineModule } from '../module.js';
import auditMessages from './audit.messages.json' with { type: 'json' };
import { auditPages } from './audit.pages.js';
import { auditRoutes } from './audit.routes.js';

export const auditModule = defineModule({
  name: 'audit',
  permissions: {
    'audit.read': {
      label: { de: 'Prüfpfad lesen und verifizieren', en: 'Read and verify the audit trail' },
      roles: ['auditor'],
    },
    'audit.export': {
      label: { de: 'Prüfpfad exportieren', en: 'Export the audit trail' },
      roles: ['auditor'],
    },
  },
  auditEvents: {
    'audit.viewed': { de: 'Prüfpfad angesehen', en: 'Audit trail viewed' },
    'audit.exported': { de: 'Prüfpfad exportiert', en: 'Audit trail exported' },
    'audit.verified': { de: 'Prüfpfad verifiziert', en: 'Audit trail verified' },
  },
  messages: auditMessages,
  navigation: [{ area: 'audit', order: 20, label: 'nav.audit', href: () => '/pruefung' }],
  api: auditRoutes,
  pages: auditPages,
});
