import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, requireAuth } from '../../http/api.js';
import { MemberIdParams } from '../members/members.schema.js';
import { ApiToken, ApiTokenCreateBody, ApiTokenParams } from './api-tokens.schema.js';
import { createApiToken, listApiTokens, revokeApiToken } from './api-tokens.service.js';

/** Handlers get their request and reply types from the schemas (TypeBox type provider). */
export const apiTokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tx } = app.allmende;
  const tags = ['api-tokens'];
  app.get(
    '/members/:memberId/api-tokens',
    {
      schema: {
        tags,
        summary: "A member's API tokens (never the secret)",
        params: MemberIdParams,
        response: { 200: Type.Array(ApiToken), ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => listApiTokens(t, req.params.memberId));
    },
  );
  app.post(
    '/members/:memberId/api-tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token; the secret is in this response only',
        params: MemberIdParams,
        body: ApiTokenCreateBody,
        response: { 201: Type.Object({ token: Type.String(), apiToken: ApiToken }), ...errorResponses },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      const result = await tx(req, (t) => createApiToken(t, req.params.memberId, req.body));
      return reply.status(201).send(result);
    },
  );
  app.delete(
    '/members/:memberId/api-tokens/:tokenId',
    {
      schema: {
        tags,
        summary: 'Revoke an API token',
        params: ApiTokenParams,
        response: { 200: ApiToken, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => revokeApiToken(t, req.params.memberId, req.params.tokenId));
    },
  );
};
