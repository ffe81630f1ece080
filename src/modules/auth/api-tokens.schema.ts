/** Contracts of the API-token endpoints, shared by the API routes and the token page. */
import { Type } from 'typebox';

export const TokenScopeSchema = Type.Union([Type.Literal('members.read'), Type.Literal('usage.write')]);
export const ApiToken = Type.Object({
  id: Type.String({ format: 'uuid' }),
  memberId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(TokenScopeSchema),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const ApiTokenCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(TokenScopeSchema, { minItems: 1, maxItems: 2 }),
    expiresOn: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);
export const ApiTokenParams = Type.Object(
  { memberId: Type.String({ format: 'uuid' }), tokenId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
