/**
 * The governance module: the assembly (Verbandsversammlung), its meetings, resolutions and votes, and
 * the admission procedure. The API under /api/v1 (governance.routes.ts), the public meeting calendar at
 * /sitzungen and the association's pages at /versammlung (governance.pages.tsx, assembly.pages.tsx).
 */
import { defineModule } from '../module.js';
import governanceMessages from './governance.messages.json' with { type: 'json' };
import { governancePages } from './governance.pages.js';
import { governanceRoutes } from './governance.routes.js';

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
  ],
  messages: governanceMessages,
  api: governanceRoutes,
  pages: governancePages,
  navigation: [
    {
      area: 'association',
      order: 50,
      label: 'nav.assembly',
      href: () => '/versammlung',
      permission: 'governance.manage',
    },
  ],
});
