/**
 * The auth module: log-in (password, OIDC), sessions, one's own account, and the API tokens machines
 * use. Permissions of roles are declared by the modules they guard.
 */
import { firstIdOfMember } from '../../db/tenant-rows.js';
import { defineModule } from '../module.js';
import { apiTokenPages } from './api-tokens.pages.js';
import { apiTokenRoutes } from './api-tokens.routes.js';
import authMessages from './auth.messages.json' with { type: 'json' };
import { authPages } from './auth.pages.js';
import { authRoutes } from './auth.routes.js';
import { sessionPurgeJob } from './sessions.jobs.js';

export const authModule = defineModule({
  name: 'auth',
  permissions: {
    'tokens.manage': { roles: ['association_admin', 'member_admin'], writes: true },
  },
  auditEvents: [
    'user.password_changed',
    'user.sso_linked',
    'auth.logged_in',
    'auth.login_failed',
    'auth.logged_out',
    'auth.sessions_ended',
    'token.created',
    'token.revoked',
  ],
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
    params: { tokenId: (tx, memberId) => firstIdOfMember(tx, 'api_tokens', memberId) },
  },
});
