import type { Ctx, Principal } from '../shared/context.js';
import type { Lang, T } from '../web/i18n/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    ctx: Ctx;
    lang: Lang;
    t: T;
    /** How the principal authenticated: browser session (needs CSRF) or bearer token. */
    authVia: 'session' | 'token' | null;
  }
}
