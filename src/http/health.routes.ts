import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../db/ping.js';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.allmende.deps;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await pingDatabase(database);
      return { status: 'ok', database: database.kind };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: database.kind });
    }
  });
  app.get('/api/openapi.json', async () => app.swagger());
  app.get('/metrics', async (_req, reply) => {
    reply.type(app.allmende.metrics.registry.contentType);
    return app.allmende.metrics.registry.metrics();
  });
}
