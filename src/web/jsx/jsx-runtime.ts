/**
 * A tiny server-side JSX runtime that renders to strings and ESCAPES BY DEFAULT.
 * Text children and attribute values are always HTML-escaped; only values wrapped in
 * `raw()` (trusted markup produced by our own code) pass through unescaped.
 * Chosen over @kitajs/html, whose children are unescaped unless marked `safe`: here the
 * safe behaviour is the default, so a forgotten attribute cannot open an XSS hole.
 */

import type { IntrinsicElements as HtmlElements } from './intrinsic-elements.js';

const RAW = Symbol.for('allmende.rawHtml');

export interface RawHtml {
  readonly [RAW]: true;
  readonly html: string;
  toString(): string;
}

// A class, not an object literal with a closure: rendering makes one per element, and a closure per
// element (renamed by the TypeScript loader on every call) was a measurable share of a page's time.
class Raw implements RawHtml {
  readonly [RAW] = true as const;
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export function raw(html: string): RawHtml {
  return new Raw(html);
}

export function isRaw(v: unknown): v is RawHtml {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[RAW] === true;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!);
}

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);

export type Child = RawHtml | string | number | boolean | null | undefined | Child[];

function renderChildren(children: Child): string {
  if (children === null || children === undefined || children === false || children === true) return '';
  if (Array.isArray(children)) return children.map(renderChildren).join('');
  if (isRaw(children)) return children.html;
  return escapeHtml(String(children));
}

const ATTR_ALIASES: Record<string, string> = { className: 'class', htmlFor: 'for' };
const NAME_RE = /^[a-zA-Z][a-zA-Z0-9:_.-]*$/;

function renderAttrs(props: Record<string, unknown>): string {
  let out = '';
  for (const [key, value] of Object.entries(props)) {
    if (key === 'children' || value === undefined || value === null || value === false) continue;
    const name = ATTR_ALIASES[key] ?? key;
    if (!NAME_RE.test(name)) throw new Error(`invalid attribute name: ${name}`);
    if (value === true) out += ` ${name}`;
    else out += ` ${name}="${escapeHtml(String(value))}"`;
  }
  return out;
}

type Component = (props: Record<string, unknown>) => RawHtml;

export function jsx(tag: string | Component, props: Record<string, unknown>): RawHtml {
  if (typeof tag === 'function') return tag(props);
  if (!NAME_RE.test(tag)) throw new Error(`invalid tag name: ${tag}`);
  const attrs = renderAttrs(props);
  if (VOID.has(tag)) return raw(`<${tag}${attrs}>`);
  return raw(`<${tag}${attrs}>${renderChildren(props.children as Child)}</${tag}>`);
}

export const jsxs = jsx;
export const jsxDEV = jsx;

export function Fragment(props: { children?: Child }): RawHtml {
  return raw(renderChildren(props.children));
}

export namespace JSX {
  export type Element = RawHtml;
  export interface ElementChildrenAttribute {
    children: unknown;
  }
  /** Per-element attribute types (see intrinsic-elements.ts): an attribute typo fails `tsc`. */
  export interface IntrinsicElements extends HtmlElements {}
}
