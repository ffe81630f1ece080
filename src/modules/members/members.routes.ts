import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, requireAuth } from '../../http/api.js';
import {
  Member,
  MemberCreateBody,
  MemberIdParams,
  MemberList,
  MemberListQuery,
  MemberPatchBody,
  MemberStatusBody,
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

/** Handlers get their request and reply types from the schemas (TypeBox type provider). */
export const memberRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tx } = app.allmende;
  const tags = ['members'];

  app.get(
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

  app.post(
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

  app.get(
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

  app.patch(
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

  app.post(
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

  app.get(
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
};
