/**
 * What the staff layout and the public layout share: the document head, the skip link with the KERN
 * Kopfzeile, the language switch and the footer's list of links.
 */
import type { T } from './i18n/index.js';
import { type Child, type RawHtml, raw } from './jsx/jsx-runtime.js';

const FLAG = raw(
  '<svg xmlns="http://www.w3.org/2000/svg" fill="none" viewBox="0 0 24 16" aria-hidden="true" focusable="false"><path fill="#000" d="M0 .5h24v5.333H0z"/><path fill="red" d="M0 5.833h24v5.333H0z"/><path fill="#FACA2C" d="M0 11.167h24V16.5H0z"/></svg>',
);

/** `<head>`: title, viewport, the favicon (ICO for old browsers, SVG for the others), the KERN styles and ours. */
export function DocumentHead(props: { title: string }): RawHtml {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{props.title}</title>
      <link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48" />
      <link rel="icon" href="/static/app/favicon.svg" type="image/svg+xml" />
      <link rel="stylesheet" href="/static/kern/fonts/fira-sans.css" />
      <link rel="stylesheet" href="/static/kern/kern.min.css" />
      <link rel="stylesheet" href="/static/app/app.css" />
    </head>
  );
}

/** The KERN Kopfzeile ("Offizielle Website – …") at the top of the header. */
export function Kopfzeile(props: { label: string }): RawHtml {
  return (
    <div class="kern-kopfzeile">
      <div class="kern-container">
        <div class="kern-kopfzeile__content">
          <span class="kern-kopfzeile__flagge">{FLAG}</span>
          <span class="kern-kopfzeile__label">{props.label}</span>
        </div>
      </div>
    </div>
  );
}

/** The link to the same page in the other language. */
export function LanguageSwitch(props: { t: T; lang: 'de' | 'en'; here: string }): RawHtml {
  const other = props.lang === 'de' ? 'en' : 'de';
  return (
    <a
      class="kern-link kern-link--no-visited-state"
      href={`/sprache/${other}?zurueck=${encodeURIComponent(props.here)}`}
      hreflang={other}
      lang={other}
      aria-label={props.t('lang.switch_label')}
    >
      {props.t('lang.switch')}
    </a>
  );
}

/** The site footer: a horizontal list of small links (imprint, privacy, accessibility …), then notes. */
export function SiteFooter(props: {
  t: T;
  links: readonly { href: string; label: string }[];
  children?: Child;
}): RawHtml {
  return (
    <footer class="site-footer kern-layer kern-level-1">
      <div class="kern-container kern-py-lg kern-stack-sm">
        <nav aria-label={props.t('footer.nav')}>
          <ul class="kern-list kern-list--horizontal kern-list--small">{linkItems(props.links)}</ul>
        </nav>
        {props.children}
      </div>
    </footer>
  );
}

/** Small links as list items (breadcrumbs, footer). */
export function linkItems(links: readonly { href: string; label: string }[]): RawHtml[] {
  return links.map((l) => (
    <li>
      <a class="kern-link kern-link--small" href={l.href}>
        {l.label}
      </a>
    </li>
  ));
}
