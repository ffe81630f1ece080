/** Registers every module's routes. A new module adds its API routes and pages here. */
import type { FastifyInstance } from 'fastify';
import { auditPages } from '../modules/audit/audit.pages.js';
import { auditRoutes } from '../modules/audit/audit.routes.js';
import { apiTokenPages } from '../modules/auth/api-tokens.pages.js';
import { apiTokenRoutes } from '../modules/auth/api-tokens.routes.js';
import { authPages } from '../modules/auth/auth.pages.js';
import { authRoutes } from '../modules/auth/auth.routes.js';
import { memberPages } from '../modules/members/members.pages.js';
import { memberRoutes } from '../modules/members/members.routes.js';
import { peoplePages } from '../modules/people/people.pages.js';
import { peopleRoutes } from '../modules/people/people.routes.js';
import { staticPages } from '../web/static-pages.js';
import { healthRoutes } from './health.routes.js';

export async function registerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(healthRoutes);
  // API v1: JSON, problem+json errors, documented in OpenAPI.
  await app.register(authRoutes, { prefix: '/api/v1' });
  await app.register(memberRoutes, { prefix: '/api/v1' });
  await app.register(peopleRoutes, { prefix: '/api/v1' });
  await app.register(apiTokenRoutes, { prefix: '/api/v1' });
  await app.register(auditRoutes, { prefix: '/api/v1' });
  // Pages: server-rendered HTML, forms work without JavaScript.
  await app.register(staticPages);
  await app.register(authPages);
  await app.register(memberPages);
  await app.register(peoplePages);
  await app.register(apiTokenPages);
  await app.register(auditPages);
}
