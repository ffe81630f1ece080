import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, requireAuth } from '../../http/api.js';
import { LinesInvalidError } from '../../shared/errors.js';
import { meteringBillingRoutes } from './metering.billing.routes.js';
import { UsageAnswer, UsageBody, UsageProblem } from './metering.schema.js';
import { ingestUsage } from './metering.service.js';
import { apiRejection, recordRejection } from './metering.status.service.js';

/** 10,000 events of a few hundred bytes each, with room to spare. */
const USAGE_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The metering API: machines report usage with an API token of scope usage.write, for their own member
 * (or an Amt's municipalities) or, with a token of the association, for any member.
 */
export const meteringRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tx } = app.allmende;
  // NDJSON arrives as text and is split into lines by the service (line numbers for the errors). The
  // parser is registered in this plugin only.
  app.addContentTypeParser(
    'application/x-ndjson',
    { parseAs: 'string', bodyLimit: USAGE_BODY_LIMIT },
    (_req, body, done) => done(null, body),
  );

  app.post(
    '/usage',
    {
      bodyLimit: USAGE_BODY_LIMIT,
      schema: {
        tags: ['metering'],
        consumes: ['application/json', 'application/x-ndjson'],
        summary: 'Report usage events (JSON array or NDJSON), all or nothing',
        description:
          'Stores new events exactly once: an event already stored (same member, source and eventId, same ' +
          'payload) counts as a duplicate; the same key with another payload is a conflict. Any invalid line ' +
          'and nothing of the request is stored: 422 with one error per line (the refusal is recorded for the ' +
          'association\'s status page, with the first 20 reasons). The source "allmende" is reserved for ' +
          "Allmende's own usage.",
        body: UsageBody,
        response: { 200: UsageAnswer, ...errorResponses, 422: UsageProblem },
      },
      // The body is checked line by line by the service, so that every invalid line is reported with
      // its number; the schema above documents it.
      validatorCompiler: () => () => true,
    },
    async (req) => {
      requireAuth(req);
      try {
        return await tx(req, (t) => ingestUsage(t, req.body));
      } catch (err) {
        // A refused request is recorded for the status page in a transaction of its own, after the
        // refused one rolled back; a failing record never changes the answer.
        if (err instanceof LinesInvalidError) {
          await tx(req, (t) => recordRejection(t, apiRejection(req.body, err))).catch((e: unknown) =>
            req.log.error({ err: e }, 'usage: recording a refused request failed'),
          );
        }
        throw err;
      }
    },
  );

  await app.register(meteringBillingRoutes);
};
