/**
 * The catalogue module: the service and fee catalogue (Leistungs- und Entgeltverzeichnis) in numbered
 * versions, the price logic (pricing.ts) and what is in force on a day (price-book.ts).
 * Pages: the public catalogue (catalog.pages), the association's versions, drafts and comparison
 * (catalog.staff.pages), a member's agreements and their monthly cost (agreements.pages).
 */
import { defineModule } from '../module.js';
import { agreementPages } from './agreements.pages.js';
import { anyAgreementOf } from './agreements.service.js';
import catalogMessages from './catalog.messages.json' with { type: 'json' };
import { catalogPages } from './catalog.pages.js';
import { catalogRoutes } from './catalog.routes.js';
import { catalogStaffPages } from './catalog.staff.pages.js';

export const catalogModule = defineModule({
  name: 'catalog',
  permissions: {
    'catalog.edit': { roles: ['association_admin', 'association_finance'], writes: true },
    'catalog.adopt': { roles: ['association_admin'], writes: true },
    'agreements.read': {
      roles: ['association_admin', 'association_finance', 'member_admin', 'member_clerk', 'auditor'],
    },
    'agreements.manage': { roles: ['association_admin', 'member_admin'], writes: true },
  },
  auditEvents: [
    'catalog.version_drafted',
    'catalog.item_changed',
    'catalog.version_adopted',
    'agreement.booked',
    'agreement.changed',
    'agreement.cancelled',
  ],
  messages: catalogMessages,
  api: catalogRoutes,
  pages: async (app) => {
    await catalogPages(app);
    await catalogStaffPages(app);
    await agreementPages(app);
  },
  navigation: [
    { area: 'association', order: 40, label: 'nav.catalog', href: () => '/leistungen' },
    { area: 'member', order: 40, label: 'nav.catalog', href: () => '/leistungen' },
    {
      area: 'member',
      order: 35,
      label: 'nav.agreements',
      href: (p) => `/mitglieder/${p.memberId}/vereinbarungen`,
      permission: 'agreements.read',
    },
  ],
  tenancy: {
    routes: {
      'GET /api/v1/members/:memberId/agreements': {},
      'POST /api/v1/members/:memberId/agreements': {
        json: { serviceCode: 'netz-standort', startsOn: '2030-01-01', quantity: '1' },
      },
      'POST /api/v1/members/:memberId/agreements/:agreementId/quantity': {
        json: { from: '2030-02-01', quantity: '3', version: 1 },
      },
      'POST /api/v1/members/:memberId/agreements/:agreementId/cancel': { json: { version: 1 } },
      'GET /api/v1/members/:memberId/agreements/costs': {},
      'GET /mitglieder/:memberId/vereinbarungen': {},
      'POST /mitglieder/:memberId/vereinbarungen': {
        form: { serviceCode: 'netz-standort', startsOn: '2030-01-01', quantity: '1' },
      },
      'GET /mitglieder/:memberId/vereinbarungen/:agreementId': {},
      'POST /mitglieder/:memberId/vereinbarungen/:agreementId/menge': {
        form: { from: '2030-02-01', quantity: '3', version: '1' },
      },
      'POST /mitglieder/:memberId/vereinbarungen/:agreementId/kuendigen': { form: { version: '1' } },
    },
    params: { agreementId: (tx, memberId) => anyAgreementOf(tx, memberId) },
  },
});
