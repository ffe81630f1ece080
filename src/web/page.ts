/** Rendering a page: the layout around a body, with the CSRF token and language of the request. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RawHtml } from './jsx/jsx-runtime.js';
import { Layout, type NavItem } from './layout.js';

const tokens = new WeakMap<FastifyRequest, string>();

/**
 * The CSRF token for forms on this response. Generated once per request: a second generation on a
 * first visit would set a second secret cookie that no longer matches the first token.
 */
export function csrfToken(req: FastifyRequest, reply: FastifyReply): string {
  let token = tokens.get(req);
  if (!token) {
    token = reply.generateCsrf({ userInfo: req.principal?.sessionId ?? 'anonymous' } as never);
    tokens.set(req, token);
  }
  return token;
}

export interface PageOptions {
  title: string;
  body: RawHtml;
  status?: number;
  breadcrumbs?: NavItem[];
  /** href of the navigation item to mark as current. */
  nav?: string;
}

export function sendPage(req: FastifyRequest, reply: FastifyReply, opts: PageOptions): FastifyReply {
  const html = Layout({
    req,
    csrf: csrfToken(req, reply),
    title: opts.title,
    breadcrumbs: opts.breadcrumbs ?? [],
    nav: opts.nav,
    children: opts.body,
  });
  return reply
    .status(opts.status ?? 200)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(`<!DOCTYPE html>${html.html}`);
}

/** Only local paths are allowed as redirect targets (no open redirects). */
export function safeLocalPath(p: unknown, fallback = '/'): string {
  if (typeof p !== 'string' || !p.startsWith('/') || p.startsWith('//') || p.startsWith('/\\'))
    return fallback;
  return p;
}
