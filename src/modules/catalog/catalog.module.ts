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
  },
  auditEvents: ['catalog.version_drafted', 'catalog.item_changed', 'catalog.version_adopted'],
  messages: catalogMessages,
});
