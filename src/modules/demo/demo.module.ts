/** The demo module: loads the DIKOM demo (public facts plus marked example values). No routes. */
import { defineModule } from '../module.js';
import demoMessages from './demo.messages.json' with { type: 'json' };

export const demoModule = defineModule({
  name: 'demo',
  permissions: {},
  auditEvents: ['demo.seeded'],
  messages: demoMessages,
});
