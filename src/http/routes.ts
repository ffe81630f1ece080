/** Registers the platform's own routes and every module's API and pages (from the registry). */
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../modules/registry.js';
import { apiReferencePages } from '../web/api-reference.js';
import { staticPages } from '../web/static-pages.js';
import { healthRoutes } from './health.routes.js';

export async function registerRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  await app.register(healthRoutes);
  await app.register(staticPages);
  await app.register(apiReferencePages);
  await registry.registerRoutes(app);
}
