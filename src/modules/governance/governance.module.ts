/**
 * The governance module: the assembly (Verbandsversammlung), its meetings, resolutions and votes, and
 * the admission procedure. Pages, the OParl API (oparl.schema.ts) and the minutes follow in [4/7].
 */
import { defineModule } from '../module.js';
import { documentsPages } from './documents.pages.js';
import documentsMessages from './governance.documents.messages.json' with { type: 'json' };
import governanceMessages from './governance.messages.json' with { type: 'json' };

export const governanceModule = defineModule({
  name: 'governance',
  permissions: {
    'governance.manage': { roles: ['association_admin'], writes: true },
  },
  auditEvents: [
    'governance.meeting_created',
    'governance.resolution_voted',
    'governance.resolution_applied',
    'governance.admission_step_recorded',
    'governance.document_uploaded',
  ],
  messages: { ...governanceMessages, ...documentsMessages },
  pages: documentsPages,
});
