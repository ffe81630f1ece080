import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../db/ping.js';
import { bearerMatches } from './metrics.js';

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
  // Only with the configured bearer token; without one configured, there is no /metrics at all.
  app.get('/metrics', async (req, reply) => {
    const token = app.allmende.deps.config.metricsToken;
    if (!token) return reply.callNotFound();
    if (!bearerMatches(req.headers.authorization, token)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      return reply.status(401).type('text/plain; charset=utf-8').send('Unauthorized\n');
    }
    reply.type(app.allmende.metrics.registry.contentType);
    return app.allmende.metrics.registry.metrics();
  });
}
