import type { FastifyRequest } from 'fastify';
import { areasOf } from '../modules/auth/permissions.js';
import { type Child, type RawHtml, raw } from './jsx/jsx-runtime.js';

export interface NavItem {
  href: string;
  label: string;
}

const FLAG = raw(
  '<svg xmlns="http://www.w3.org/2000/svg" fill="none" viewBox="0 0 24 16" aria-hidden="true" focusable="false"><path fill="#000" d="M0 .5h24v5.333H0z"/><path fill="red" d="M0 5.833h24v5.333H0z"/><path fill="#FACA2C" d="M0 11.167h24V16.5H0z"/></svg>',
);

/** The main navigation: the entries the registered modules declare for the person's areas. */
export function navigationFor(req: FastifyRequest): NavItem[] {
  const p = req.principal;
  if (p?.kind !== 'user') return [];
  return req.server.allmende.registry
    .navigation(areasOf(req.ctx), p)
    .map((n) => ({ href: n.href, label: req.t.code(n.label) }));
}

export function Layout(props: {
  req: FastifyRequest;
  csrf: string;
  title: string;
  breadcrumbs: NavItem[];
  nav: string | undefined;
  children: Child;
}): RawHtml {
  const { req, csrf } = props;
  const t = req.t;
  const lang = req.lang;
  const nav = navigationFor(req);
  const otherLang = lang === 'de' ? 'en' : 'de';
  const here = req.url.split('#')[0] ?? '/';
  const demo = req.server.allmende.deps.demo;
  return (
    <html lang={lang} data-kern-theme="light">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} – ${t('app.name')}`}</title>
        <link rel="stylesheet" href="/static/kern/fonts/fira-sans.css" />
        <link rel="stylesheet" href="/static/kern/kern.min.css" />
        <link rel="stylesheet" href="/static/app/app.css" />
      </head>
      <body>
        <a class="skip-link kern-link" href="#main">
          {t('skip')}
        </a>
        <header class="site-header">
          <div class="kern-kopfzeile">
            <div class="kern-container">
              <div class="kern-kopfzeile__content">
                <span class="kern-kopfzeile__flagge">{FLAG}</span>
                <span class="kern-kopfzeile__label">{t('kopfzeile')}</span>
              </div>
            </div>
          </div>
          <div class="kern-container site-header__bar">
            <a class="site-brand" href="/">
              <span class="site-brand__name">{t('app.name')}</span>
              <span class="site-brand__tagline">{t('app.tagline')}</span>
            </a>
            <div class="site-header__tools">
              <a
                class="kern-link kern-link--no-visited-state"
                href={`/sprache/${otherLang}?zurueck=${encodeURIComponent(here)}`}
                hreflang={otherLang}
                lang={otherLang}
                aria-label={t('lang.switch_label')}
              >
                {t('lang.switch')}
              </a>
              {req.principal?.kind === 'user' ? (
                <>
                  <a class="kern-link kern-link--no-visited-state" href="/konto">
                    {t('nav.account')}
                  </a>
                  <form method="post" action="/abmelden" class="inline-form">
                    <input type="hidden" name="_csrf" value={csrf} />
                    <button type="submit" class="kern-link kern-link--no-visited-state link-button">
                      {t('nav.logout')}
                    </button>
                  </form>
                </>
              ) : null}
            </div>
          </div>
          {nav.length > 0 ? (
            <nav aria-label={t('nav.main')} class="site-nav">
              <ul class="kern-container site-nav__list">
                {nav.map((n) => (
                  <li>
                    <a
                      class="site-nav__link"
                      href={n.href}
                      aria-current={props.nav === n.href ? 'page' : undefined}
                    >
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
        </header>
        <main id="main" tabindex="-1" class="kern-container kern-py-lg">
          {props.breadcrumbs.length > 0 ? (
            <nav aria-label={t('nav.breadcrumb')} class="breadcrumbs">
              <ol>
                {props.breadcrumbs.map((b) => (
                  <li>
                    <a class="kern-link kern-link--small" href={b.href}>
                      {b.label}
                    </a>
                  </li>
                ))}
              </ol>
            </nav>
          ) : null}
          {props.children}
        </main>
        <footer class="site-footer kern-layer kern-level-1">
          <div class="kern-container kern-py-lg kern-stack-sm">
            <nav aria-label={t('footer.nav')}>
              <ul class="kern-list kern-list--horizontal kern-list--small">
                <li>
                  <a class="kern-link kern-link--small" href="/impressum">
                    {t('footer.imprint')}
                  </a>
                </li>
                <li>
                  <a class="kern-link kern-link--small" href="/datenschutz">
                    {t('footer.privacy')}
                  </a>
                </li>
                <li>
                  <a class="kern-link kern-link--small" href="/barrierefreiheit">
                    {t('footer.accessibility')}
                  </a>
                </li>
                <li>
                  <a class="kern-link kern-link--small" href="/api/docs">
                    {t('nav.api_docs')}
                  </a>
                </li>
              </ul>
            </nav>
            {demo ? <p class="kern-body kern-body--small">{t('footer.demo')}</p> : null}
          </div>
        </footer>
      </body>
    </html>
  );
}
