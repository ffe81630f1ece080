/** Prometheus metrics (prom-client): process defaults plus request counts and durations by route. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly requests: Histogram<'method' | 'route' | 'status'>;
  readonly logins: Counter<'result'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'allmende_' });
    this.requests = new Histogram({
      name: 'allmende_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.logins = new Counter({
      name: 'allmende_logins_total',
      help: 'Login attempts by result',
      labelNames: ['result'],
      registers: [this.registry],
    });
  }

  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (req, reply) => {
      // The route pattern, never the concrete URL: ids and search terms stay out of label values.
      const route = req.routeOptions.url ?? 'unmatched';
      this.requests.observe(
        { method: req.method, route, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  }
}

/**
 * Does an Authorization header carry exactly this bearer token? Compared in constant time: both sides
 * are hashed first, so neither the length nor a common prefix shows in the timing.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}
