import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses, requireAuth } from '../../http/api.js';
import { MemberIdParams } from '../members/members.schema.js';
import { createApiToken, listApiTokens, revokeApiToken } from './api-tokens.service.js';

const Scope = Type.Union([Type.Literal('members.read'), Type.Literal('usage.write')]);
const ApiToken = Type.Object({
  id: Type.String({ format: 'uuid' }),
  memberId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Scope),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: 2 }),
    expiresOn: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);
const TokenParams = Type.Object(
  { memberId: Type.String({ format: 'uuid' }), tokenId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export async function apiTokenRoutes(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;
  const tags = ['api-tokens'];
  app.get<{ Params: { memberId: string } }>(
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
  app.post<{
    Params: { memberId: string };
    Body: { name: string; scopes: ('members.read' | 'usage.write')[]; expiresOn?: string };
  }>(
    '/members/:memberId/api-tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token; the secret is in this response only',
        params: MemberIdParams,
        body: CreateBody,
        response: { 201: Type.Object({ token: Type.String(), apiToken: ApiToken }), ...errorResponses },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      const result = await tx(req, (t) => createApiToken(t, req.params.memberId, req.body));
      return reply.status(201).send(result);
    },
  );
  app.delete<{ Params: { memberId: string; tokenId: string } }>(
    '/members/:memberId/api-tokens/:tokenId',
    {
      schema: {
        tags,
        summary: 'Revoke an API token',
        params: TokenParams,
        response: { 200: ApiToken, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => revokeApiToken(t, req.params.memberId, req.params.tokenId));
    },
  );
}
