import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, requireAuth } from '../../http/api.js';
import { getAdmission, recordNextAdmissionStep } from './admission.service.js';
import {
  addAgendaItemTo,
  applyResolutionNow,
  draftResolutionAt,
  getMeeting,
  getResolution,
  listMeetings,
  listResolutions,
  recordPresenceAt,
  recordVoteOn,
} from './assembly.service.js';
import {
  Admission,
  AdmissionParams,
  AdmissionStepBody,
  AgendaItem,
  AgendaItemCreateBody,
  ApplyAnswer,
  Meeting,
  MeetingCreateBody,
  MeetingDetail,
  MeetingList,
  MeetingParams,
  PresenceBody,
  Resolution,
  ResolutionDetail,
  ResolutionDraftBody,
  ResolutionList,
  ResolutionListQuery,
  ResolutionParams,
  VoteAnswer,
  VoteBody,
} from './governance.schema.js';
import { createMeeting } from './governance.service.js';

/**
 * The assembly API. Reads are public (no credentials needed) and show the public part; the association
 * sees non-public agenda items, their resolutions and documents too (row-level security decides).
 * Writes need governance.manage.
 */
export const governanceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tx } = app.allmende;
  const tags = ['assembly'];

  app.get(
    '/meetings',
    {
      schema: {
        tags,
        summary: 'Meetings of the assembly, latest first (public)',
        response: { 200: MeetingList, ...errorResponses },
      },
    },
    async (req) => tx(req, async (t) => ({ meetings: await listMeetings(t) })),
  );

  app.post(
    '/meetings',
    {
      schema: {
        tags,
        summary: 'Create a meeting',
        body: MeetingCreateBody,
        response: { 201: Meeting, ...errorResponses },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      const meeting = await tx(req, async (t) => {
        const { id } = await createMeeting(t, req.body);
        return (await getMeeting(t, id)).meeting;
      });
      return reply.status(201).header('location', `/api/v1/meetings/${meeting.id}`).send(meeting);
    },
  );

  app.get(
    '/meetings/:meetingId',
    {
      schema: {
        tags,
        summary: 'One meeting with its agenda items, resolutions (with results) and documents',
        params: MeetingParams,
        response: { 200: MeetingDetail, ...errorResponses },
      },
    },
    async (req) => tx(req, (t) => getMeeting(t, req.params.meetingId)),
  );

  app.post(
    '/meetings/:meetingId/agenda-items',
    {
      schema: {
        tags,
        summary: 'Add an agenda item (TOP), public or non-public',
        params: MeetingParams,
        body: AgendaItemCreateBody,
        response: { 201: AgendaItem, ...errorResponses },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      const item = await tx(req, (t) => addAgendaItemTo(t, req.params.meetingId, req.body));
      return reply.status(201).send(item);
    },
  );

  app.post(
    '/meetings/:meetingId/presence',
    {
      schema: {
        tags,
        summary: 'Record which members are represented (members entitled to vote on the meeting day only)',
        params: MeetingParams,
        body: PresenceBody,
        response: { 200: Meeting, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => recordPresenceAt(t, req.params.meetingId, req.body));
    },
  );

  app.post(
    '/meetings/:meetingId/resolutions',
    {
      schema: {
        tags,
        summary: 'Draft a resolution on an agenda item of the meeting',
        params: MeetingParams,
        body: ResolutionDraftBody,
        response: { 201: Resolution, ...errorResponses },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      const r = await tx(req, (t) =>
        draftResolutionAt(t, req.params.meetingId, {
          ...req.body,
          payload: req.body.payload as Record<string, unknown> | undefined,
        }),
      );
      return reply.status(201).header('location', `/api/v1/resolutions/${r.id}`).send(r);
    },
  );

  app.get(
    '/resolutions',
    {
      schema: {
        tags,
        summary: 'Resolutions, filtered by kind, status or meeting (public part for anyone)',
        querystring: ResolutionListQuery,
        response: { 200: ResolutionList, ...errorResponses },
      },
    },
    async (req) => tx(req, async (t) => ({ resolutions: await listResolutions(t, req.query) })),
  );

  app.get(
    '/resolutions/:resolutionId',
    {
      schema: {
        tags,
        summary: 'One resolution with the votes recorded per member',
        params: ResolutionParams,
        response: { 200: ResolutionDetail, ...errorResponses },
      },
    },
    async (req) => tx(req, (t) => getResolution(t, req.params.resolutionId)),
  );

  app.post(
    '/resolutions/:resolutionId/votes',
    {
      schema: {
        tags,
        summary:
          'Record the vote: one ballot per present member, tallied by the voting rules in force. A ballot of a ' +
          'non-member or an absent member is refused and changes nothing; a carried resolution is applied',
        params: ResolutionParams,
        body: VoteBody,
        response: { 200: VoteAnswer, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => recordVoteOn(t, req.params.resolutionId, req.body));
    },
  );

  app.post(
    '/resolutions/:resolutionId/apply',
    {
      schema: {
        tags,
        summary: "Apply a carried resolution's effect (idempotent: applied is false when done before)",
        params: ResolutionParams,
        response: { 200: ApplyAnswer, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => applyResolutionNow(t, req.params.resolutionId));
    },
  );

  // ---- admission procedure (member-scoped) ----

  app.get(
    '/members/:memberId/admission',
    {
      schema: {
        tags: ['admission'],
        summary:
          "A member's admission: council decision, amending statute (the assembly's resolution), approval by " +
          'the supervisory authority, publication in the Amtsblatt; the step it waits for and the day it is a member from',
        params: AdmissionParams,
        response: { 200: Admission, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => getAdmission(t, req.params.memberId));
    },
  );

  app.post(
    '/members/:memberId/admission/steps',
    {
      schema: {
        tags: ['admission'],
        summary:
          'Record the next step of a pending admission (council decision, approval, publication; the amending ' +
          'statute is recorded by the admit_members resolution). Out of order or dated before the previous ' +
          'step: 422, nothing stored. Publication makes the body a member from the day after',
        params: AdmissionParams,
        body: AdmissionStepBody,
        response: { 200: Admission, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => recordNextAdmissionStep(t, req.params.memberId, req.body));
    },
  );
};
