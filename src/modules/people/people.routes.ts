import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, requireAuth } from '../../http/api.js';
import { mailDelivery } from '../../mail/mail.js';
import { MemberIdParams } from '../members/members.schema.js';
import { INVITATION_HOURS } from './accounts.service.js';
import { Person, PersonCreateBody, PersonCreated, PersonParams, PersonPatchBody } from './people.schema.js';
import { createPerson, getPerson, listPeople, updatePerson } from './people.service.js';

/** Handlers get their request and reply types from the schemas (TypeBox type provider). */
export const peopleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tx } = app.allmende;
  const tags = ['people'];

  app.get(
    '/members/:memberId/people',
    {
      schema: {
        tags,
        summary: 'People of a member (audited read)',
        params: MemberIdParams,
        response: { 200: Type.Array(Person), ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => listPeople(t, req.params.memberId));
    },
  );

  app.post(
    '/members/:memberId/people',
    {
      schema: {
        tags,
        summary: 'Add a person; they get an invitation mail with a one-time link to set their password',
        params: MemberIdParams,
        body: PersonCreateBody,
        response: {
          201: PersonCreated,
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      const { person } = await tx(req, (t) => createPerson(t, req.params.memberId, req.body));
      return reply.status(201).send({
        person,
        invitation: { validHours: INVITATION_HOURS, delivery: mailDelivery(app.allmende.deps.config) },
      });
    },
  );

  app.get(
    '/members/:memberId/people/:personId',
    {
      schema: {
        tags,
        summary: 'One person (audited read)',
        params: PersonParams,
        response: { 200: Person, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => getPerson(t, req.params.memberId, req.params.personId));
    },
  );

  app.patch(
    '/members/:memberId/people/:personId',
    {
      schema: {
        tags,
        summary: 'Change name, roles or status (disabled ends all sessions)',
        params: PersonParams,
        body: PersonPatchBody,
        response: { 200: Person, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => updatePerson(t, req.params.memberId, req.params.personId, req.body));
    },
  );
};
