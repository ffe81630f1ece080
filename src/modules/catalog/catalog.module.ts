/**
 * The catalogue module: the service and fee catalogue (Leistungs- und Entgeltverzeichnis) in numbered
 * versions, the price logic (pricing.ts) and what is in force on a day (price-book.ts).
 * Pages, API and agreements follow in [4/7].
 */
import { defineModule } from '../module.js';
import catalogMessages from './catalog.messages.json' with { type: 'json' };

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
});
