import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses, requireAuth } from '../../http/api.js';
import {
  Member,
  MemberCreateBody,
  type MemberCreateInput,
  MemberIdParams,
  MemberList,
  MemberListQuery,
  type MemberListQueryInput,
  MemberPatchBody,
  type MemberPatchInput,
  MemberStatusBody,
  type MemberStatusInput,
  MemberSummary,
} from './members.schema.js';
import {
  changeMemberStatus,
  createMember,
  getAmtMunicipalities,
  getMember,
  listMembers,
  updateMember,
} from './members.service.js';

export async function memberRoutes(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;
  const tags = ['members'];

  app.get<{ Querystring: MemberListQueryInput }>(
    '/members',
    {
      schema: {
        tags,
        summary: 'List members in scope',
        querystring: MemberListQuery,
        response: { 200: MemberList, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => listMembers(t, req.query));
    },
  );

  app.post<{ Body: MemberCreateInput }>(
    '/members',
    {
      schema: {
        tags,
        summary: 'Register a member (status "applied")',
        body: MemberCreateBody,
        response: { 201: Member, ...errorResponses },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      const member = await tx(req, (t) => createMember(t, req.body));
      return reply.status(201).header('location', `/api/v1/members/${member.id}`).send(member);
    },
  );

  app.get<{ Params: { memberId: string } }>(
    '/members/:memberId',
    {
      schema: {
        tags,
        summary: 'One member',
        params: MemberIdParams,
        response: { 200: Member, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => getMember(t, req.params.memberId));
    },
  );

  app.patch<{ Params: { memberId: string }; Body: MemberPatchInput }>(
    '/members/:memberId',
    {
      schema: {
        tags,
        summary: 'Change master data (association) or profile (member admin)',
        params: MemberIdParams,
        body: MemberPatchBody,
        response: { 200: Member, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => updateMember(t, req.params.memberId, req.body));
    },
  );

  app.post<{ Params: { memberId: string }; Body: MemberStatusInput }>(
    '/members/:memberId/status',
    {
      schema: {
        tags,
        summary: 'Admit (active) or record withdrawal (withdrawn)',
        params: MemberIdParams,
        body: MemberStatusBody,
        response: { 200: Member, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => changeMemberStatus(t, req.params.memberId, req.body));
    },
  );

  app.get<{ Params: { memberId: string } }>(
    '/members/:memberId/municipalities',
    {
      schema: {
        tags,
        summary: "An Amt's member municipalities",
        params: MemberIdParams,
        response: { 200: Type.Array(MemberSummary), ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => getAmtMunicipalities(t, req.params.memberId));
    },
  );
}
