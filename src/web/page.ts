/** Rendering a page: the layout around a body, with the CSRF token and language of the request. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasControlCharacters } from '../shared/text.js';
import { Alert, ERROR_SUMMARY_ID, SecretOnce } from './components.js';
import { flashesOf } from './flash.js';
import { type RawHtml, raw } from './jsx/jsx-runtime.js';
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

/** The flashes of this request (success messages, a one-time secret) above the page's content. */
function flashHtml(req: FastifyRequest): string {
  return flashesOf(req)
    .map((f) =>
      f.secret
        ? SecretOnce({
            title: req.t.code(f.title, f.params),
            explanation: req.t.code(f.secret.explanation),
            secret: f.secret.value,
          }).html
        : Alert({ variant: 'success', title: req.t.code(f.title, f.params), role: 'status' }).html,
    )
    .join('');
}

const ERROR_SUMMARY = `id="${ERROR_SUMMARY_ID}"`;

/**
 * The document title: "Fehler: …" when the page shows a form's errors (every form shows them in the
 * one ErrorSummary), so a screen reader hears it first thing after the submit (WCAG 3.3.1).
 */
export function pageTitle(req: FastifyRequest, title: string, body: RawHtml): string {
  return body.html.includes(ERROR_SUMMARY) ? req.t('error.page_title', { title }) : title;
}

export function sendPage(req: FastifyRequest, reply: FastifyReply, opts: PageOptions): FastifyReply {
  const flashes = flashHtml(req);
  const html = Layout({
    req,
    csrf: csrfToken(req, reply),
    title: pageTitle(req, opts.title, opts.body),
    breadcrumbs: opts.breadcrumbs ?? [],
    nav: opts.nav,
    children: flashes ? raw(`${flashes}${opts.body.html}`) : opts.body,
  });
  return reply
    .status(opts.status ?? 200)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(`<!DOCTYPE html>${html.html}`);
}

/**
 * Only paths of this site are allowed as redirect targets (no open redirects): no scheme, no host, no
 * control characters or whitespace, and after normalisation — URL-decoding (repeatedly, so "%2e" and
 * "%252e" count as ".") and resolving dot segments as a browser does — never "//" or "/\\" at the start
 * (a browser takes both for another host: "/.//evil.example" resolves to "//evil.example"). The one
 * function behind every `weiter`/`zurueck` parameter; anything doubtful becomes the fallback.
 */
export function safeLocalPath(p: unknown, fallback = '/'): string {
  if (typeof p !== 'string' || p.length > 2000 || !p.startsWith('/')) return fallback;
  const base = 'http://allmende.invalid';
  const unsafe = (x: string) =>
    hasControlCharacters(x) || x.includes('\\') || /\s/u.test(x) || x.startsWith('//');
  if (unsafe(p)) return fallback;
  // Every decoding of the path (the query may hold encoded spaces), down to the fully decoded one.
  const forms = [p.replace(/[?#][\s\S]*$/, '')];
  try {
    for (let i = 0; i < 4; i++) {
      const prev = forms[forms.length - 1]!;
      const next = decodeURIComponent(prev);
      if (next === prev) break;
      forms.push(next);
    }
  } catch {
    return fallback;
  }
  try {
    for (const form of forms) {
      if (unsafe(form)) return fallback;
      const u = new URL(form.replaceAll('?', '%3F').replaceAll('#', '%23'), base);
      if (u.origin !== base || unsafe(u.pathname)) return fallback;
    }
    const u = new URL(p, base);
    const out = `${u.pathname}${u.search}`;
    return out.startsWith('/') && !unsafe(out) ? out : fallback;
  } catch {
    return fallback;
  }
}

/** Query parameters as single strings: a repeated parameter counts with its first value. */
export function queryParams(query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v;
    out[k] = typeof first === 'string' ? first : undefined;
  }
  return out;
}
