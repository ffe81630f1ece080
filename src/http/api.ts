/** Shared pieces of API route definitions. */
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { UnauthenticatedError } from '../shared/errors.js';

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), code: Type.String(), message: Type.String() })),
    ),
    retryAfter: Type.Optional(Type.Integer()),
  },
  { description: 'RFC 9457 problem details' },
);

/** Standard error responses of an authenticated route, for the OpenAPI document. */
export const errorResponses = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  415: ProblemSchema,
  422: ProblemSchema,
} as const;

export function requireAuth(req: FastifyRequest): void {
  if (!req.principal) throw new UnauthenticatedError();
}
