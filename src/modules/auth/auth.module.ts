/**
 * The auth module: log-in (password, OIDC), sessions, one's own account, and the API tokens machines
 * use. Permissions of roles are declared by the modules they guard.
 */
import { defineModule } from '../module.js';
import { apiTokenPages } from './api-tokens.pages.js';
import { anyTokenOf } from './api-tokens.repository.js';
import { apiTokenRoutes } from './api-tokens.routes.js';
import authMessages from './auth.messages.json' with { type: 'json' };
import { authPages } from './auth.pages.js';
import { authRoutes } from './auth.routes.js';
import { sessionPurgeJob } from './sessions.jobs.js';

export const authModule = defineModule({
  name: 'auth',
  permissions: {
    'tokens.manage': {
      label: { de: 'API-Tokens erstellen und widerrufen', en: 'Create and revoke API tokens' },
      roles: ['association_admin', 'member_admin'],
      writes: true,
    },
    // Granted to machines only; the metering module will take it over.
    'usage.write': {
      label: { de: 'Verbrauchsdaten melden', en: 'Report usage' },
      roles: [],
      scopes: ['usage.write'],
      writes: true,
    },
  },
  auditEvents: {
    'user.password_changed': { de: 'Passwort geändert', en: 'Password changed' },
    'user.sso_linked': { de: 'Mit Single Sign-on verknüpft', en: 'Linked to single sign-on' },
    'auth.logged_in': { de: 'Angemeldet', en: 'Logged in' },
    'auth.login_failed': { de: 'Anmeldung fehlgeschlagen', en: 'Login failed' },
    'auth.logged_out': { de: 'Abgemeldet', en: 'Logged out' },
    'auth.sessions_ended': { de: 'Alle Sitzungen beendet', en: 'All sessions ended' },
    'token.created': { de: 'API-Token erstellt', en: 'API token created' },
    'token.revoked': { de: 'API-Token widerrufen', en: 'API token revoked' },
  },
  messages: authMessages,
  navigation: [
    {
      area: 'association',
      order: 30,
      label: 'nav.tokens',
      href: (p) => `/mitglieder/${p.memberId}/api-tokens`,
      permission: 'tokens.manage',
    },
    {
      area: 'member',
      order: 30,
      label: 'nav.tokens',
      href: (p) => `/mitglieder/${p.memberId}/api-tokens`,
      permission: 'tokens.manage',
    },
  ],
  api: async (app) => {
    await app.register(authRoutes);
    await app.register(apiTokenRoutes);
  },
  jobs: [sessionPurgeJob],
  pages: async (app) => {
    await authPages(app);
    await apiTokenPages(app);
  },
  tenancy: {
    routes: {
      'GET /api/v1/members/:memberId/api-tokens': {},
      'POST /api/v1/members/:memberId/api-tokens': { json: { name: 'x', scopes: ['usage.write'] } },
      'DELETE /api/v1/members/:memberId/api-tokens/:tokenId': {},
      'GET /mitglieder/:memberId/api-tokens': {},
      'POST /mitglieder/:memberId/api-tokens': { form: { name: 'x', scopes: 'usage.write' } },
      'POST /mitglieder/:memberId/api-tokens/:tokenId/widerrufen': { form: {} },
    },
    params: { tokenId: anyTokenOf },
  },
});
