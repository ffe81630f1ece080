/**
 * The public layout: pages for citizens and anyone not logged in (legal pages now, the citizen portal
 * later), in a municipality's branding — its name, coat of arms, imprint, privacy and accessibility
 * statements — falling back to the association's. KERN UX, no JavaScript, German and English.
 * The staff layout (layout.tsx) is for people at work: navigation by role, account, logout.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Lang, T } from './i18n/index.js';
import type { Child, RawHtml } from './jsx/jsx-runtime.js';
import { DocumentHead, Kopfzeile, LanguageSwitch, SiteFooter } from './layout-parts.js';
import { pageTitle } from './page.js';

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
  return (
    <html lang={lang} data-kern-theme="light">
      <DocumentHead title={`${props.title} – ${b.name}`} />
      <body>
        <a class="skip-link kern-link" href="#main">
          {t('skip')}
        </a>
        <header class="site-header">
          <Kopfzeile label={b.officialLine} />
          <div class="kern-container site-header__bar">
            <a class="site-brand public-brand" href={b.homeUrl}>
              {b.logoUrl ? <img class="public-brand__logo" src={b.logoUrl} alt="" height="56" /> : null}
              <span class="public-brand__text">
                <span class="site-brand__name">{b.name}</span>
                <span class="site-brand__tagline">{b.tagline}</span>
              </span>
            </a>
            <div class="site-header__tools">
              <LanguageSwitch t={t} lang={lang} here={props.here} />
            </div>
          </div>
        </header>
        <main id="main" tabindex="-1" class="kern-container kern-py-lg">
          {props.children}
        </main>
        <SiteFooter
          t={t}
          links={[
            { href: b.imprintUrl, label: t('footer.imprint') },
            { href: b.privacyUrl, label: t('footer.privacy') },
            { href: b.accessibilityUrl, label: t('footer.accessibility') },
            { href: '/sitzungen', label: t('footer.meetings') },
          ]}
        >
          {props.branding ? (
            <p class="kern-body kern-body--small">{t('public.operated_by', { name: t('app.name') })}</p>
          ) : null}
        </SiteFooter>
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
    title: pageTitle(req, opts.title, opts.body),
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
