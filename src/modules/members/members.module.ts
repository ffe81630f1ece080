/** The members module: the association's member bodies, their master data, admission and withdrawal. */
import { defineModule } from '../module.js';
import membersMessages from './members.messages.json' with { type: 'json' };
import { memberPages } from './members.pages.js';
import { memberRoutes } from './members.routes.js';

export const membersModule = defineModule({
  name: 'members',
  permissions: {
    'members.read': {
      roles: ['association_admin', 'association_finance', 'member_admin', 'member_clerk', 'auditor'],
      scopes: ['members.read'],
    },
    'members.manage': { roles: ['association_admin'], writes: true },
    'members.edit_profile': { roles: ['association_admin', 'member_admin'], writes: true },
  },
  auditEvents: ['member.created', 'member.updated', 'member.status_changed', 'member.viewed'],
  messages: membersMessages,
  navigation: [
    { area: 'association', order: 10, label: 'nav.members', href: () => '/mitglieder' },
    { area: 'member', order: 10, label: 'nav.own_member', href: (p) => `/mitglieder/${p.memberId}` },
    {
      area: 'audit',
      order: 10,
      label: 'nav.members',
      href: () => '/mitglieder',
      unlessArea: 'association',
    },
  ],
  api: memberRoutes,
  pages: memberPages,
  tenancy: {
    routes: {
      'GET /api/v1/members/:memberId': {},
      'PATCH /api/v1/members/:memberId': { json: { version: 1, city: 'Überall' } },
      'POST /api/v1/members/:memberId/status': {
        json: { status: 'withdrawn', on: '2026-11-01', version: 1 },
      },
      'GET /api/v1/members/:memberId/municipalities': {},
      'GET /mitglieder/:id': {},
      'POST /mitglieder/:id': { form: { version: '1', city: 'Überall' } },
      'GET /mitglieder/:id/bearbeiten': {},
      'POST /mitglieder/:id/status': { form: { version: '1', status: 'withdrawn', on: '2026-11-01' } },
    },
  },
});
