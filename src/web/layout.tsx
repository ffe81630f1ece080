import type { FastifyRequest } from 'fastify';
import { areasOf } from '../modules/auth/permissions.js';
import type { Child, RawHtml } from './jsx/jsx-runtime.js';
import { DocumentHead, Kopfzeile, LanguageSwitch, linkItems, SiteFooter } from './layout-parts.js';

export interface NavItem {
  href: string;
  label: string;
}

/** The main navigation: the entries the registered modules declare for the person's areas. */
export function navigationFor(req: FastifyRequest): NavItem[] {
  const p = req.principal;
  if (p?.kind !== 'user') return [];
  return req.server.allmende.registry
    .navigation(areasOf(req.ctx), p)
    .map((n) => ({ href: n.href, label: req.t.code(n.label) }));
}

/**
 * The navigation item to highlight on a page of a member: `ownHref` on the person's own member; on
 * another member's pages the entry that leads there — the member list for the association, the own
 * member (an Amt) for an Amt's staff on one of its municipalities.
 */
export function memberNav(req: FastifyRequest, memberId: string, ownHref: string): string {
  const p = req.principal;
  if (p?.kind !== 'user' || p.memberId === memberId) return ownHref;
  return p.isAssociation ? '/mitglieder' : `/mitglieder/${p.memberId}`;
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
  const here = req.url.split('#')[0] ?? '/';
  const demo = req.server.allmende.deps.demo;
  return (
    <html lang={lang} data-kern-theme="light">
      <DocumentHead title={`${props.title} – ${t('app.name')}`} />
      <body>
        <a class="skip-link kern-link" href="#main">
          {t('skip')}
        </a>
        <header class="site-header">
          <Kopfzeile label={t('kopfzeile')} />
          <div class="kern-container site-header__bar">
            <a class="site-brand" href="/">
              <span class="site-brand__name">{t('app.name')}</span>
              <span class="site-brand__tagline">{t('app.tagline')}</span>
            </a>
            <div class="site-header__tools">
              <LanguageSwitch t={t} lang={lang} here={here} />
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
              <ol>{linkItems(props.breadcrumbs)}</ol>
            </nav>
          ) : null}
          {props.children}
        </main>
        <SiteFooter
          t={t}
          links={[
            { href: '/impressum', label: t('footer.imprint') },
            { href: '/datenschutz', label: t('footer.privacy') },
            { href: '/barrierefreiheit', label: t('footer.accessibility') },
            { href: '/api/docs', label: t('nav.api_docs') },
          ]}
        >
          {demo ? <p class="kern-body kern-body--small">{t('footer.demo')}</p> : null}
        </SiteFooter>
      </body>
    </html>
  );
}
