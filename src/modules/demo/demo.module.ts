/** The demo module: loads the DIKOM demo (public facts plus marked example values). No routes. */
import { defineModule } from '../module.js';

export const demoModule = defineModule({
  name: 'demo',
  permissions: {},
  auditEvents: {
    'demo.seeded': { de: 'Demodaten geladen', en: 'Demo data loaded' },
  },
  messages: {},
});
