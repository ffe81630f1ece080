/**
 * The public layout: pages for citizens and anyone not logged in (legal pages now, the citizen portal
 * later), in a municipality's branding — its name, coat of arms, imprint, privacy and accessibility
 * statements — falling back to the association's. KERN UX, no JavaScript, German and English.
 * The staff layout (layout.tsx) is for people at work: navigation by role, account, logout.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Lang, T } from './i18n/index.js';
import { type Child, type RawHtml, raw } from './jsx/jsx-runtime.js';

export interface Branding {
  /** Who offers the pages, e.g. "Gemeinde Panketal". */
  readonly name: string;
  /** The line under the name. */
  readonly tagline?: string | undefined;
  /** The line of the KERN Kopfzeile ("Offizielle Website – …"). */
  readonly officialLine?: string | undefined;
  /**
   * Coat of arms or logo. Must be served by this site: the Content-Security-Policy allows images from
   * 'self' (and data: URLs) only. Shown beside the name, which names it, so its alt text is empty.
   */
  readonly logoUrl?: string | undefined;
  /** Where the name links to (the portal's start page). */
  readonly homeUrl?: string | undefined;
  readonly imprintUrl?: string | undefined;
  readonly privacyUrl?: string | undefined;
  readonly accessibilityUrl?: string | undefined;
}

/** The association's branding: every field a municipality leaves open falls back to it. */
export function associationBranding(t: T): Required<Omit<Branding, 'logoUrl'>> & Pick<Branding, 'logoUrl'> {
  return {
    name: t('app.name'),
    tagline: t('app.tagline'),
    officialLine: t('kopfzeile'),
    logoUrl: undefined,
    homeUrl: '/',
    imprintUrl: '/impressum',
    privacyUrl: '/datenschutz',
    accessibilityUrl: '/barrierefreiheit',
  };
}

/** A municipality's branding completed from the association's, field by field. */
export function resolveBranding(t: T, own: Branding | undefined): ReturnType<typeof associationBranding> {
  const base = associationBranding(t);
  if (!own) return base;
  return {
    name: own.name,
    tagline: own.tagline ?? t('public.tagline'),
    officialLine: own.officialLine ?? t('public.official_line', { name: own.name }),
    logoUrl: own.logoUrl,
    homeUrl: own.homeUrl ?? base.homeUrl,
    imprintUrl: own.imprintUrl ?? base.imprintUrl,
    privacyUrl: own.privacyUrl ?? base.privacyUrl,
    accessibilityUrl: own.accessibilityUrl ?? base.accessibilityUrl,
  };
}

const FLAG = raw(
  '<svg xmlns="http://www.w3.org/2000/svg" fill="none" viewBox="0 0 24 16" aria-hidden="true" focusable="false"><path fill="#000" d="M0 .5h24v5.333H0z"/><path fill="red" d="M0 5.833h24v5.333H0z"/><path fill="#FACA2C" d="M0 11.167h24V16.5H0z"/></svg>',
);

export interface PublicLayoutProps {
  lang: Lang;
  t: T;
  title: string;
  /** The path of this page (for the language switch to return to). */
  here: string;
  /** A municipality's branding; without it the association's. */
  branding?: Branding | undefined;
  children: Child;
}

export function PublicLayout(props: PublicLayoutProps): RawHtml {
  const { lang, t } = props;
  const b = resolveBranding(t, props.branding);
  const otherLang = lang === 'de' ? 'en' : 'de';
  return (
    <html lang={lang} data-kern-theme="light">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} – ${b.name}`}</title>
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
                <span class="kern-kopfzeile__label">{b.officialLine}</span>
              </div>
            </div>
          </div>
          <div class="kern-container site-header__bar">
            <a class="site-brand public-brand" href={b.homeUrl}>
              {b.logoUrl ? <img class="public-brand__logo" src={b.logoUrl} alt="" height="56" /> : null}
              <span class="public-brand__text">
                <span class="site-brand__name">{b.name}</span>
                <span class="site-brand__tagline">{b.tagline}</span>
              </span>
            </a>
            <div class="site-header__tools">
              <a
                class="kern-link kern-link--no-visited-state"
                href={`/sprache/${otherLang}?zurueck=${encodeURIComponent(props.here)}`}
                hreflang={otherLang}
                lang={otherLang}
                aria-label={t('lang.switch_label')}
              >
                {t('lang.switch')}
              </a>
            </div>
          </div>
        </header>
        <main id="main" tabindex="-1" class="kern-container kern-py-lg">
          {props.children}
        </main>
        <footer class="site-footer kern-layer kern-level-1">
          <div class="kern-container kern-py-lg kern-stack-sm">
            <nav aria-label={t('footer.nav')}>
              <ul class="kern-list kern-list--horizontal kern-list--small">
                <li>
                  <a class="kern-link kern-link--small" href={b.imprintUrl}>
                    {t('footer.imprint')}
                  </a>
                </li>
                <li>
                  <a class="kern-link kern-link--small" href={b.privacyUrl}>
                    {t('footer.privacy')}
                  </a>
                </li>
                <li>
                  <a class="kern-link kern-link--small" href={b.accessibilityUrl}>
                    {t('footer.accessibility')}
                  </a>
                </li>
              </ul>
            </nav>
            {props.branding ? (
              <p class="kern-body kern-body--small">{t('public.operated_by', { name: t('app.name') })}</p>
            ) : null}
          </div>
        </footer>
      </body>
    </html>
  );
}

/** Sends a page in the public layout (no CSRF token: the public pages have no forms yet). */
export function sendPublicPage(
  req: FastifyRequest,
  reply: FastifyReply,
  opts: { title: string; body: RawHtml; status?: number; branding?: Branding },
): FastifyReply {
  const html = PublicLayout({
    lang: req.lang,
    t: req.t,
    title: opts.title,
    here: req.url.split('#')[0] ?? '/',
    branding: opts.branding,
    children: opts.body,
  });
  return reply
    .status(opts.status ?? 200)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(`<!DOCTYPE html>${html.html}`);
}
