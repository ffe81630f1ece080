import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, requireAuth } from '../../http/api.js';
import { requirePermission } from '../auth/permissions.js';
import { listAuditEvents, recordAudit, recordTrailViewed, verifyAuditTrail } from './audit.service.js';

export const AuditEvent = Type.Object({
  id: Type.String(),
  memberId: Type.String(),
  seq: Type.Integer(),
  occurredAt: Type.String({ format: 'date-time' }),
  actorType: Type.String(),
  actorId: Type.String(),
  action: Type.String(),
  objectType: Type.String(),
  objectId: Type.Union([Type.String(), Type.Null()]),
  dataDigest: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  requestId: Type.Union([Type.String(), Type.Null()]),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const AuditQuery = Type.Object(
  {
    memberId: Type.Optional(Type.String({ format: 'uuid' })),
    action: Type.Optional(Type.String({ pattern: '^[a-z_]+\\.[a-z_]+$' })),
    from: Type.Optional(Type.String({ format: 'date' })),
    to: Type.Optional(Type.String({ format: 'date' })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

/** Handlers get their request and reply types from the schemas (TypeBox type provider). */
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tx, deps } = app.allmende;
  const tags = ['audit'];
  app.get(
    '/audit/events',
    {
      schema: {
        tags,
        summary: 'Audit events in scope, newest first (auditors)',
        querystring: AuditQuery,
        response: {
          200: Type.Object({
            items: Type.Array(AuditEvent),
            total: Type.Integer(),
            page: Type.Integer(),
            pageSize: Type.Integer(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      requireAuth(req);
      const page = req.query.page ?? 1;
      const pageSize = req.query.pageSize ?? 100;
      const res = await tx(req, async (t) => {
        const r = await listAuditEvents(t, { ...req.query, limit: pageSize, offset: (page - 1) * pageSize });
        const { memberId, action, from, to } = req.query;
        await recordTrailViewed(t, { memberId, action, from, to }, r.total);
        return r;
      });
      return {
        items: res.events.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
        total: res.total,
        page,
        pageSize,
      };
    },
  );
  app.get(
    '/audit/verify',
    {
      schema: {
        tags,
        summary: 'Verify the hash chains in scope',
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            eventsChecked: Type.Integer(),
            chains: Type.Array(
              Type.Object({
                memberId: Type.String(),
                events: Type.Integer(),
                headHash: Type.String(),
                problem: Type.Union([
                  Type.Object({
                    kind: Type.String(),
                    eventId: Type.Union([Type.String(), Type.Null()]),
                    seq: Type.Union([Type.Integer(), Type.Null()]),
                    reason: Type.Optional(Type.String()),
                  }),
                  Type.Null(),
                ]),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      requireAuth(req);
      requirePermission(req.ctx, 'audit.read');
      const result = await verifyAuditTrail(deps.database, req.ctx);
      await tx(req, async (t) =>
        recordAudit(t, {
          action: 'audit.verified',
          memberId: req.principal!.memberId,
          objectType: 'audit_trail',
          details: { ok: result.ok, events: result.eventsChecked, chains: result.chains.length },
        }),
      );
      return {
        ok: result.ok,
        eventsChecked: result.eventsChecked,
        chains: result.chains.map((c) => ({
          memberId: c.memberId,
          events: c.events,
          headHash: c.headHash,
          problem: c.problem
            ? {
                kind: c.problem.kind,
                eventId: 'event' in c.problem ? c.problem.event.id : null,
                seq: 'event' in c.problem ? c.problem.event.seq : null,
                ...('reason' in c.problem ? { reason: c.problem.reason } : {}),
              }
            : null,
        })),
      };
    },
  );
};
