/**
 * The governance module: the assembly (Verbandsversammlung), its meetings, resolutions and votes, and
 * the admission procedure. The API under /api/v1 (governance.routes.ts), the public meeting calendar at
 * /sitzungen, the association's pages at /versammlung (governance.pages.tsx, assembly.pages.tsx) and the
 * read-only OParl 1.1 API at /oparl/v1 (oparl.routes.ts).
 */
import { defineModule } from '../module.js';
import { documentsPages } from './documents.pages.js';
import documentsMessages from './governance.documents.messages.json' with { type: 'json' };
import governanceMessages from './governance.messages.json' with { type: 'json' };
import { governancePages } from './governance.pages.js';
import { governanceRoutes } from './governance.routes.js';
import rulesMessages from './governance.rules.messages.json' with { type: 'json' };
import { oparlRoutes } from './oparl.routes.js';
import { votingRulesPages } from './voting-rules.pages.js';

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
    'governance.voting_rules_set',
  ],
  messages: { ...governanceMessages, ...documentsMessages, ...rulesMessages },
  api: governanceRoutes,
  pages: async (app) => {
    await app.register(governancePages);
    await app.register(documentsPages);
    await app.register(votingRulesPages);
    await app.register(oparlRoutes);
  },
  navigation: [
    {
      area: 'association',
      order: 50,
      label: 'nav.assembly',
      href: () => '/versammlung',
      permission: 'governance.manage',
    },
  ],
  tenancy: {
    routes: {
      'GET /api/v1/members/:memberId/admission': {},
      'POST /api/v1/members/:memberId/admission/steps': {
        json: { step: 'council_decision', doneOn: '2030-01-01', reference: 'Beschluss 1/2030' },
      },
      'GET /versammlung/aufnahmen/:memberId': {},
      'POST /versammlung/aufnahmen/:memberId': {
        form: { step: 'council_decision', doneOn: '2030-01-01', reference: 'Beschluss 1/2030' },
      },
    },
  },
});
