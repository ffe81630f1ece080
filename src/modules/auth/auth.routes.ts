import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, requireAuth } from '../../http/api.js';
import { csrfToken } from '../../web/page.js';
import { endAllSessions, endSession } from './sessions.service.js';

const Me = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('token')]),
  id: Type.String(),
  memberId: Type.String(),
  isAssociation: Type.Boolean(),
  roles: Type.Array(Type.String()),
  permissions: Type.Array(Type.String()),
  actingMemberIds: Type.Array(Type.String()),
  csrfToken: Type.Union([Type.String(), Type.Null()]),
});

/** Handlers get their request and reply types from the schemas (TypeBox type provider). */
export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ownAccountTx, sessionCookie, cookieOptions } = app.allmende;
  const tags = ['auth'];
  app.get(
    '/me',
    {
      schema: {
        tags,
        summary: 'Who am I; for sessions also the CSRF token to send as x-csrf-token',
        response: { 200: Me, ...errorResponses },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      const p = req.principal!;
      return {
        kind: p.kind,
        id: p.id,
        memberId: p.memberId,
        isAssociation: p.isAssociation,
        roles: [...p.roles],
        permissions: [...p.permissions].sort(),
        actingMemberIds: [...p.actingMemberIds],
        csrfToken: req.authVia === 'session' ? csrfToken(req, reply) : null,
      };
    },
  );
  app.post(
    '/auth/logout',
    {
      schema: {
        tags,
        summary: 'End this browser session',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      if (req.principal?.sessionId) await ownAccountTx(req, (t) => endSession(t, req.principal!.sessionId!));
      reply.clearCookie(sessionCookie, cookieOptions);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/auth/end-all-sessions',
    {
      schema: {
        tags,
        summary: 'End every session of the current person',
        response: { 200: Type.Object({ ended: Type.Integer() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      const ended = await ownAccountTx(req, (t) => endAllSessions(t));
      reply.clearCookie(sessionCookie, cookieOptions);
      return { ended };
    },
  );
};
