/**
 * buildApp(deps): the composition root used by the server, the CLI and the tests.
 * No DI framework: dependencies are passed in, plugins are registered here in a fixed order.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { type RequestTransaction, requestTransactions, runInTx, type Tx } from '../db/tx.js';
import { beginTokenRequest } from '../modules/auth/api-tokens.service.js';
import { OidcLogin } from '../modules/auth/oidc.service.js';
import { beginSessionRequest, type RequestAuth } from '../modules/auth/sessions.service.js';
import { type Clock, systemClock } from '../shared/clock.js';
import { type Ctx, NO_MEMBERS, ownAccountCtx, principalCtx } from '../shared/context.js';
import { isEmail } from '../shared/email.js';
import { DomainError } from '../shared/errors.js';
import { LANGS, type Lang, translator } from '../web/i18n/index.js';
import { Metrics } from './metrics.js';
import { domainStatus, problemFromDatabase, problemFromDomain, problemFromFastify } from './problem.js';
import './request-context.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, type DemoAccount } from '../modules/demo/demo.seed.js';
import { MODULES } from '../modules/index.js';
import type { AnyModule } from '../modules/module.js';
import { createRegistry, type Registry } from '../modules/registry.js';
import { renderErrorPage } from '../web/error-page.js';
import { takeFlashHook } from '../web/flash.js';
import { registerRoutes } from './routes.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const require = createRequire(import.meta.url);

export interface AppDeps {
  readonly config: Config;
  readonly database: Database;
  /** Instance secret (HMAC key for CSRF tokens, cookie signatures, throttle keys). */
  readonly secret: string;
  /** Show demo accounts on the login page. */
  readonly demo: boolean;
  /** Fastify logger options; false silences logs (tests). */
  readonly logger?: boolean;
  /** The modules to serve (default: every registered module; tests add their own). */
  readonly modules?: readonly AnyModule[];
  /** Where "today" comes from (member status and other effective dates); the system clock by default. */
  readonly clock?: Clock;
}

export interface AppServices {
  readonly deps: AppDeps;
  readonly oidc: OidcLogin | undefined;
  readonly metrics: Metrics;
  readonly sessionCookie: string;
  readonly csrfCookie: string;
  readonly oidcCookie: string;
  /** Says that a flash waits for the next page (it holds nothing else). */
  readonly flashCookie: string;
  readonly langCookie: string;
  /** Options of every cookie we set; deletions must repeat them (a __Host- cookie is only deleted with Secure). */
  readonly cookieOptions: { path: '/'; httpOnly: true; secure: boolean; sameSite: 'lax' };
  /** Every route registered (method and URL pattern), for the tests' coverage matrices. */
  readonly routes: { method: string; url: string }[];
  /** What the platform derives from the module definitions. */
  readonly registry: Registry;
  /** The demo accounts shown on the login page, in demo mode only. */
  readonly demoLogins: { readonly password: string; readonly accounts: readonly DemoAccount[] } | undefined;
  /** Runs fn in a transaction with the request's member scope. */
  tx<T>(req: FastifyRequest, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs fn for the person's own account (log out, end sessions, password): writable own member only. */
  ownAccountTx<T>(req: FastifyRequest, fn: (tx: Tx) => Promise<T>): Promise<T>;
}

declare module 'fastify' {
  interface FastifyInstance {
    allmende: AppServices;
  }
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{8,64}$/;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);
const NO_STORE_EXEMPT = /^\/api\/(openapi\.json|docs\/static\/)/;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const clock = deps.clock ?? systemClock;
  const secureCookies = config.cookieSecure;
  const prefix = secureCookies ? '__Host-allmende-' : 'allmende-';

  const app = Fastify({
    logger:
      deps.logger === false
        ? false
        : {
            level: config.logLevel,
            // No personal data in logs: no query strings (they hold search terms), no IPs, no cookies.
            serializers: {
              req: (req: { method: string; url: string; id: string }) => ({
                method: req.method,
                // A one-time link's token stays out of the log.
                path: (req.url.split('?')[0] ?? '').replace(
                  /^\/passwort-setzen\/[^/]+/,
                  '/passwort-setzen/…',
                ),
                id: req.id,
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            redact: ['req.headers.cookie', 'req.headers.authorization'],
          },
    // A request id from our own reverse proxy is kept for correlation; from anyone else it is not
    // (request ids go into the immutable audit trail).
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return config.trustProxy !== false && typeof h === 'string' && REQUEST_ID_RE.test(h) ? h : randomUUID();
    },
    bodyLimit: config.bodyLimitBytes,
    // A hop count becomes "trust the n nearest hops" (Fastify's types know no number here).
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (
            (hops: number) => (_addr: string, i: number) =>
              i < hops
          )(config.trustProxy)
        : config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  // Validation: bodies are checked strictly (no type coercion, unknown fields refused);
  // query strings and path params are coerced from text.
  const ajvOpts = { allErrors: true, removeAdditional: false, strict: false, useDefaults: false } as const;
  // format "email" is the application's one address rule (src/shared/email.ts), not ajv-formats' own.
  const bodyAjv = addFormats(new Ajv({ ...ajvOpts, coerceTypes: false })).addFormat('email', isEmail);
  const paramAjv = addFormats(new Ajv({ ...ajvOpts, coerceTypes: 'array' })).addFormat('email', isEmail);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : paramAjv).compile(schema as object),
  );
  // Only JSON (API) and urlencoded forms (pages) are accepted; text/plain is refused with 415.
  app.removeContentTypeParser('text/plain');

  const registry = createRegistry(deps.modules ?? MODULES);
  const translators = { de: translator('de', registry.messages), en: translator('en', registry.messages) };
  const metrics = new Metrics();
  const oidc = config.oidc
    ? new OidcLogin(config.oidc, `${config.publicUrl}/anmelden/oidc/callback`)
    : undefined;
  const services: AppServices = {
    deps,
    oidc,
    metrics,
    sessionCookie: `${prefix}session`,
    csrfCookie: `${prefix}csrf`,
    oidcCookie: `${prefix}oidc`,
    flashCookie: `${prefix}flash`,
    langCookie: 'allmende-lang',
    cookieOptions: { path: '/', httpOnly: true, secure: secureCookies, sameSite: 'lax' },
    routes: [],
    registry,
    demoLogins: deps.demo ? { password: DEMO_PASSWORD, accounts: DEMO_ACCOUNTS } : undefined,
    tx: (req, fn) => runInTx(deps.database, req.ctx, fn),
    ownAccountTx: (req, fn) => runInTx(deps.database, ownAccountCtx(req.ctx), fn),
  };
  app.decorate('allmende', services);
  app.decorateRequest('principal', null);
  app.decorateRequest('ctx', null as unknown as Ctx);
  app.decorateRequest('lang', 'de');
  app.decorateRequest('t', null as unknown as ReturnType<typeof translator>);
  app.decorateRequest('authVia', null);

  const https = config.publicUrl.startsWith('https:');
  // Security headers (helmet), computed once: they are the same for every response, and building
  // helmet's middleware per request (as @fastify/helmet does) parsed the CSP on every request.
  const securityHeaders = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'base-uri': ["'self'"],
        'object-src': ["'none'"],
        ...(https ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    hsts: https ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (_req, reply, done) => {
    for (const [name, value] of securityHeaders) reply.raw.setHeader(name, value);
    done();
  });
  await app.register(fastifyCookie, { secret: deps.secret });
  await app.register(fastifyFormbody, { bodyLimit: config.bodyLimitBytes });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: services.csrfCookie,
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: secureCookies, signed: true },
    // Tokens are bound to the session: a token from before login is useless after it.
    getUserInfo: (req) => req.principal?.sessionId ?? 'anonymous',
    csrfOpts: { hmacKey: deps.secret },
  });
  await app.register(fastifyRateLimit, { global: false });

  const here = path.dirname(fileURLToPath(import.meta.url));
  await app.register(fastifyStatic, {
    root: path.join(here, '../web/static'),
    prefix: '/static/app/',
    maxAge: '1h',
  });
  await app.register(fastifyStatic, {
    root: path.dirname(require.resolve('@kern-ux/native/dist/kern.min.css')),
    prefix: '/static/kern/',
    decorateReply: false,
    maxAge: '7d',
  });

  // The OpenAPI document (GET /api/openapi.json), also rendered as the API reference page at /api/docs
  // (src/web/api-reference.tsx) in the KERN layout: no third-party UI, its inline styles and scripts.
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Allmende API',
        version: '1',
        description:
          'API of Allmende, the platform of a municipal IT association (Zweckverband). ' +
          'Authenticate with an API token (`Authorization: Bearer alm_…`) or a browser session ' +
          '(then send the CSRF token from GET /api/v1/me as `x-csrf-token` on every change). ' +
          'Errors are problem+json (RFC 9457).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token (alm_…)' },
          session: { type: 'apiKey', in: 'cookie', name: services.sessionCookie },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    hideUntagged: true,
  });

  // The request's transaction (opened below when the request carries a session or an API token) is
  // found by every runInTx of the request through this async context, and ended at the latest when the
  // response is sent.
  const requestTx = new WeakMap<FastifyRequest, RequestTransaction>();
  app.addHook('onRequest', (_req, _reply, done) => requestTransactions.run({ current: null }, done));
  // Callback hooks: most requests have nothing to end, and pay no promise for it.
  const endRequestTx = (req: FastifyRequest, done: (err?: Error) => void) => {
    const open = requestTx.get(req);
    if (!open) return done();
    requestTx.delete(req);
    open.end(true).then(() => done(), done);
  };
  app.addHook('onSend', (req, _reply, _payload, done) => endRequestTx(req, done));
  // API answers carry personal data (names, addresses, the audit trail): no browser or proxy keeps a
  // copy. Only the public API description and the documentation's static files may be cached.
  app.addHook('onSend', (req, reply, _payload, done) => {
    if (req.url.startsWith('/api/') && !NO_STORE_EXEMPT.test(req.url))
      reply.header('cache-control', 'no-store');
    done();
  });
  app.addHook('onResponse', (req, _reply, done) => endRequestTx(req, done));
  app.addHook('onRequestAbort', (req, done) => endRequestTx(req, done));

  // Language, request id header, principal.
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const cookieLang = req.cookies[services.langCookie];
    req.lang = LANGS.includes(cookieLang as Lang) ? (cookieLang as Lang) : 'de';
    req.t = translators[req.lang];
    req.ctx = Object.freeze({ requestId: req.id, principal: null, system: null, scope: NO_MEMBERS, clock });
    // Probes need no principal (and /readyz queries outside runInTx: it must not wait for this one).
    if (req.url.startsWith('/static/') || PROBES.has(req.url) || req.url === '/favicon.ico') return;
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? undefined : req.cookies[services.sessionCookie];
    let resolved: RequestAuth;
    if (auth?.startsWith('Bearer '))
      resolved = await beginTokenRequest(deps.database, auth.slice(7).trim(), registry, clock);
    else if (token) resolved = await beginSessionRequest(deps.database, config, token, registry, clock);
    else return;
    if (resolved.tx) {
      const store = requestTransactions.getStore();
      if (store) {
        store.current = resolved.tx;
        requestTx.set(req, resolved.tx);
      } else await resolved.tx.end(); // never hold it where runInTx cannot find it
    }
    const { principal } = resolved;
    if (principal) {
      req.principal = principal;
      req.authVia = token === undefined ? 'token' : 'session';
      req.ctx = principalCtx(req.id, principal, clock);
    } else if (token !== undefined) {
      reply.clearCookie(services.sessionCookie, services.cookieOptions);
    }
    // An invalid token is simply unauthenticated; the route answers 401.
  });

  // CSRF on every state change made with a browser session (or without any authentication, e.g. login).
  // Requests authenticated by bearer token carry no ambient credentials and need no CSRF token.
  app.addHook('preHandler', (req, reply, done) => {
    if (!UNSAFE.has(req.method) || req.authVia === 'token') return done();
    app.csrfProtection(req, reply, done);
  });
  // The flash (message after POST → redirect) waiting for this page, if the browser says one waits.
  app.addHook('preHandler', takeFlashHook);

  // The API speaks JSON only (and NDJSON where a route registers a parser for it: usage events).
  app.addHook('preValidation', async (req) => {
    if (!req.url.startsWith('/api/') || !UNSAFE.has(req.method)) return;
    const type = req.headers['content-type'];
    if (type !== undefined && !/^application\/(json|problem\+json|x-ndjson)\b/i.test(type)) {
      const err = new Error('Unsupported Media Type') as FastifyError;
      err.statusCode = 415;
      err.code = 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
      throw err;
    }
  });

  metrics.instrument(app);

  app.setErrorHandler(async (error: FastifyError, req, reply) => {
    const isApi = req.url.startsWith('/api/');
    const t = req.t ?? translators.de;
    if (error instanceof DomainError) {
      const status = domainStatus(error);
      if (!isApi && status === 401) {
        return reply.redirect(`/anmelden?weiter=${encodeURIComponent(req.url)}`, 303);
      }
      const problem = problemFromDomain(error, t, req.url.split('?')[0]);
      if (problem.retryAfter) reply.header('retry-after', String(problem.retryAfter));
      if (isApi) return reply.status(status).type('application/problem+json').send(problem);
      return renderErrorPage(req, reply, status, problem.title, problem.detail ?? '');
    }
    const problem =
      problemFromFastify(error, t, req.url.split('?')[0]) ??
      problemFromDatabase(error, t, req.url.split('?')[0]);
    if (problem) {
      if (problem.status !== (error.statusCode ?? 0))
        req.log.warn({ code: error.code }, 'database refused input');
      if (isApi) return reply.status(problem.status).type('application/problem+json').send(problem);
      return renderErrorPage(req, reply, problem.status, problem.title, problem.detail ?? '');
    }
    req.log.error({ err: error }, 'unhandled error');
    const title = t('problem.internal');
    if (isApi) {
      return reply
        .status(500)
        .type('application/problem+json')
        .send({
          type: 'about:blank',
          title,
          status: 500,
          code: 'error.internal',
          detail: t('error.internal'),
          instance: req.url.split('?')[0],
        });
    }
    return renderErrorPage(req, reply, 500, title, t('error.internal'));
  });

  app.setNotFoundHandler(async (req, reply) => {
    const t = req.t ?? translators.de;
    if (req.url.startsWith('/api/')) {
      return reply
        .status(404)
        .type('application/problem+json')
        .send({
          type: 'https://allmende.example/problems/not_found',
          title: t('problem.not_found'),
          status: 404,
          code: 'error.not_found',
          detail: t('error.not_found'),
          instance: req.url.split('?')[0],
        });
    }
    return renderErrorPage(req, reply, 404, t('problem.not_found'), t('error.not_found'));
  });

  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) services.routes.push({ method, url: route.url });
  });
  await registerRoutes(app, registry);
  return app;
}

/** The headers helmet sets for these options, collected once from a stand-in response. */
function helmetHeaders(options: HelmetOptions): [string, string][] {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  helmet(options)({} as never, res as never, (err?: unknown) => {
    if (err) throw err;
  });
  return [...headers];
}
