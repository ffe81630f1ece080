import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, requireAuth } from '../../http/api.js';
import {
  billingMonths,
  carriedCorrections,
  closeBillingMonth,
  nextMonthToClose,
  pendingCorrections,
  voidUsageEvent,
} from './metering.billing.service.js';
import {
  BillingMonths,
  ClosedMonthAnswer,
  MemberCorrections,
  MonthParams,
  UsageMemberParams,
  VoidAnswer,
  VoidBody,
} from './metering.schema.js';

/**
 * Billing months, corrections and voids: association finance closes months in order and voids wrong
 * events; members read the corrections their next bill will carry and those bills carried.
 */
export const meteringBillingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tx } = app.allmende;

  app.get(
    '/usage/months',
    {
      schema: {
        tags: ['metering'],
        summary: 'The closed billing months and the month to close next',
        response: { 200: BillingMonths, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, async (t) => ({
        closed: (await billingMonths(t)).map((m) => ({ ...m, closedAt: m.closedAt.toISOString() })),
        next: await nextMonthToClose(t),
      }));
    },
  );

  app.post(
    '/usage/months/:month/close',
    {
      schema: {
        tags: ['metering'],
        summary: 'Close a billing month (association finance), in order',
        description:
          "Freezes every member's totals per meter and aggregation kind, and turns changes to earlier closed " +
          "months (late events, voids) into corrections carried by this month's bill. 409 when the month is " +
          'closed already, has not ended, or is not the month after the last closed one.',
        params: MonthParams,
        response: { 200: ClosedMonthAnswer, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => closeBillingMonth(t, req.params.month));
    },
  );

  app.post(
    '/usage/voids',
    {
      schema: {
        tags: ['metering'],
        summary: 'Void a wrong usage event (association finance), with a reason',
        description:
          'The event is never deleted or edited: the void records it, the reason and who; the rollups are ' +
          'recounted without it. A void in a closed month becomes a correction on the next bill.',
        body: VoidBody,
        response: { 201: VoidAnswer, ...errorResponses },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      const { member, ...rest } = req.body;
      const v = await tx(req, (t) => voidUsageEvent(t, { memberId: member, ...rest }));
      return reply.status(201).send({ ...v, time: v.time.toISOString(), voidedAt: v.voidedAt.toISOString() });
    },
  );

  app.get(
    '/members/:memberId/usage/corrections',
    {
      schema: {
        tags: ['metering'],
        summary: "A member's usage corrections: pending for the next bill, and carried by past bills",
        params: UsageMemberParams,
        response: { 200: MemberCorrections, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      const { memberId } = req.params;
      return tx(req, async (t) => ({
        pending: await pendingCorrections(t, memberId),
        carried: await carriedCorrections(t, memberId),
      }));
    },
  );
};
