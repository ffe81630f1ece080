/**
 * The read-only OParl 1.1 API of the assembly at /oparl/v1 (entry point /oparl/v1/system), so council
 * information clients can read its public part. Public: no login, no cookies needed (§2.3 stateless).
 *
 * Every request reads as a visitor — a transaction without any member scope, whoever is logged in — so
 * row-level security hides non-public agenda items, documents and resolutions before the service sees
 * them. A non-public or unknown id answers the same 404. Ids are absolute URLs built from the configured
 * public URL (ALLMENDE_PUBLIC_URL), the one canonical host (§2.3), not from the request's Host header.
 * Every answer carries `Access-Control-Allow-Origin: *` (§2.6); errors are OParl error objects (§2.9).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { runInTx, type Tx } from '../../db/tx.js';
import { type Ctx, NO_MEMBERS } from '../../shared/context.js';
import { isUuid } from '../../shared/ids.js';
import { findOParlDocumentContent } from './oparl.repository.js';
import {
  BODY_KEY,
  listPage,
  loadOParlGraph,
  OPARL_LISTS,
  OPARL_OBJECT_PATHS,
  type OParlGraph,
  type OParlObject,
  OParlQueryError,
  parseListQuery,
} from './oparl.service.js';

export const OPARL_PREFIX = '/oparl/v1';
const JSON_TYPE = 'application/json; charset=utf-8';

function sendError(reply: FastifyReply, status: number, message: string, debug: string) {
  return reply
    .code(status)
    .header('access-control-allow-origin', '*')
    .type(JSON_TYPE)
    .send({ type: 'https://schema.oparl.org/1.1/Error', message, debug });
}

const notFound = (reply: FastifyReply) =>
  sendError(
    reply,
    404,
    'Dieses Objekt gibt es nicht (oder es ist nicht öffentlich).',
    'No public object at this URL.',
  );

/** `filename` for ASCII clients plus `filename*` (RFC 6266/8187) for the real name. */
function disposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._-]/g, '_');
  // RFC 8187 attr-char leaves out ' ( ) * which encodeURIComponent keeps.
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export const oparlRoutes: FastifyPluginAsync = async (app) => {
  const { deps } = app.allmende;
  const base = `${deps.config.publicUrl}${OPARL_PREFIX}`;

  /** A visitor's transaction: no principal, no member scope, read-only — whoever sent the request. */
  const asVisitor = <T>(req: FastifyRequest, fn: (tx: Tx) => Promise<T>) => {
    const ctx: Ctx = Object.freeze({
      requestId: req.id,
      principal: null,
      system: null,
      scope: NO_MEMBERS,
      clock: req.ctx.clock,
    });
    return runInTx(deps.database, ctx, fn);
  };
  const graph = (req: FastifyRequest): Promise<OParlGraph> =>
    asVisitor(req, (tx) => loadOParlGraph(tx, base));
  const sendObject = (reply: FastifyReply, o: OParlObject | undefined) =>
    o ? reply.type(JSON_TYPE).send(o) : notFound(reply);

  await app.register(
    async (api) => {
      api.addHook('onSend', (_req, reply, _payload, done) => {
        reply.header('access-control-allow-origin', '*');
        // Other sites' clients read these answers (and files) by design.
        reply.header('cross-origin-resource-policy', 'cross-origin');
        done();
      });
      api.setNotFoundHandler((_req, reply) => notFound(reply));
      api.setErrorHandler((err, req, reply) => {
        if (err instanceof OParlQueryError)
          return sendError(
            reply,
            400,
            `Der Parameter ${err.parameter} ist ungültig.`,
            `Invalid ${err.parameter}: filters take an RFC 3339 date-time, limit and page a positive integer, omit_internal true or false.`,
          );
        req.log.error({ err }, 'oparl request failed');
        return sendError(reply, 500, 'Ein interner Fehler ist aufgetreten.', 'Internal error.');
      });

      const list = async (
        req: FastifyRequest,
        reply: FastifyReply,
        pick: (g: OParlGraph) => readonly OParlObject[],
        url: string,
      ) => {
        const q = parseListQuery(req.query as Record<string, unknown>);
        const page = listPage(pick(await graph(req)), q, url);
        return page ? reply.type(JSON_TYPE).send(page) : notFound(reply);
      };

      api.get('/system', async (req, reply) => sendObject(reply, (await graph(req)).system));
      api.get('/body', async (req, reply) => list(req, reply, (g) => g.lists.body, `${base}/body`));
      api.get(`/body/${BODY_KEY}`, async (req, reply) => sendObject(reply, (await graph(req)).body));
      for (const name of OPARL_LISTS) {
        const url = `${base}/body/${BODY_KEY}/${name}`;
        api.get(`/body/${BODY_KEY}/${name}`, async (req, reply) =>
          list(req, reply, (g) => g.lists[name], url),
        );
      }
      for (const path of Object.values(OPARL_OBJECT_PATHS)) {
        api.get<{ Params: { objectId: string } }>(`/${path}/:objectId`, async (req, reply) =>
          sendObject(reply, (await graph(req)).byId.get(`${base}/${path}/${req.params.objectId}`)),
        );
      }

      // File access (§2.7): accessUrl shows the file (no attachment disposition), downloadUrl saves it.
      for (const [suffix, kind] of [
        ['access', 'inline'],
        ['download', 'attachment'],
      ] as const) {
        api.get<{ Params: { objectId: string } }>(`/file/:objectId/${suffix}`, async (req, reply) => {
          const id = req.params.objectId;
          if (!isUuid(id)) return notFound(reply);
          const doc = await asVisitor(req, (tx) => findOParlDocumentContent(tx, id));
          if (!doc) return notFound(reply);
          const etag = `"${doc.sha256}"`;
          reply
            .header('etag', etag)
            .header('last-modified', doc.created_at.toUTCString())
            .header('content-disposition', disposition(kind, doc.file_name));
          if (req.headers['if-none-match'] === etag) return reply.code(304).send();
          return reply.type(doc.content_type).send(Buffer.from(doc.content));
        });
      }
    },
    { prefix: OPARL_PREFIX },
  );
};
