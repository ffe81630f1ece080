/**
 * The people module: the staff accounts of each member body and their roles; it reports the accounts
 * per member as Allmende's own usage (meter `konten`).
 */
import { firstIdOfMember } from '../../db/tenant-rows.js';
import { defineModule } from '../module.js';
import { accountLinkCleanupJob, accountsUsageJob, sendAccountLinkJob } from './accounts.jobs.js';
import accountsMessages from './accounts.messages.json' with { type: 'json' };
import { accountPages } from './accounts.pages.js';
import accountsUsageMessages from './accounts.usage.messages.json' with { type: 'json' };
import { PEOPLE_METERS } from './accounts.usage.service.js';
import peopleMessages from './people.messages.json' with { type: 'json' };
import { peoplePages } from './people.pages.js';
import { peopleRoutes } from './people.routes.js';

export const peopleModule = defineModule({
  name: 'people',
  permissions: {
    'people.read': { roles: ['association_admin', 'member_admin', 'member_clerk', 'auditor'] },
    'people.manage': { roles: ['association_admin', 'member_admin'], writes: true },
  },
  auditEvents: [
    'user.created',
    'user.updated',
    'user.viewed',
    'user.listed',
    'user.invited',
    'user.password_set',
    'user.password_reset_requested',
  ],
  messages: { ...peopleMessages, ...accountsMessages, ...accountsUsageMessages },
  navigation: [
    {
      area: 'association',
      order: 20,
      label: 'nav.association_people',
      href: (p) => `/mitglieder/${p.memberId}/personen`,
      permission: 'people.read',
    },
    { area: 'member', order: 20, label: 'nav.people', href: (p) => `/mitglieder/${p.memberId}/personen` },
  ],
  api: peopleRoutes,
  pages: async (app) => {
    await peoplePages(app);
    await accountPages(app);
  },
  jobs: [sendAccountLinkJob, accountLinkCleanupJob, accountsUsageJob],
  // Allmende's own usage: the accounts per member, counted daily by accounts-usage.
  meters: PEOPLE_METERS,
  tenancy: {
    routes: {
      'GET /api/v1/members/:memberId/people': {},
      'POST /api/v1/members/:memberId/people': {
        json: { email: 'neu@example.org', displayName: 'Neu', roles: ['member_clerk'] },
      },
      'GET /api/v1/members/:memberId/people/:personId': {},
      'PATCH /api/v1/members/:memberId/people/:personId': { json: { version: 1, displayName: 'Geändert' } },
      'GET /mitglieder/:memberId/personen': {},
      'GET /mitglieder/:memberId/personen/neu': {},
      'POST /mitglieder/:memberId/personen': {
        form: { email: 'neu@example.org', displayName: 'Neu', roles: 'member_clerk' },
      },
      'GET /mitglieder/:memberId/personen/:personId': {},
      'POST /mitglieder/:memberId/personen/:personId': {
        form: { version: '1', displayName: 'Geändert', roles: 'member_clerk', status: 'active' },
      },
    },
    params: { personId: (tx, memberId) => firstIdOfMember(tx, 'users', memberId) },
  },
});
