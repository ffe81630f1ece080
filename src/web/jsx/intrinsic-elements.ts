/// <reference types="@kitajs/html/jsx.d.ts" />
/**
 * Attribute types of the HTML elements for our escaping JSX runtime, so that `tsc` rejects an attribute
 * typo (`<input tpye="text">`, `aria-labeledby`) and an ARIA value the runtime would render wrongly.
 *
 * The per-element attribute lists are the element declarations of @kitajs/html (its `jsx.d.ts`, which
 * declares them in a global `JSX` namespace; only the types are used, never its runtime), adapted to what
 * our runtime renders:
 * - no `safe`, `attrs`, class arrays or style objects (kitajs features our runtime does not have);
 * - no inline event handlers (`on…`): our Content-Security-Policy forbids inline scripts anyway;
 * - no `Date` values (the runtime would print `Date#toString`): pass an ISO string;
 * - `null` is allowed wherever `undefined` is: the runtime leaves the attribute out for both;
 * - `children` are our escaped `Child`.
 * On top: the WAI-ARIA 1.2 states and properties with their value types, a closed list of ARIA roles,
 * and `data-*` attributes.
 *
 * One gap TypeScript leaves by design: a hyphenated JSX attribute that the element type does not declare
 * is never an error (not even against an index signature), so `aria-labeledby` passes `tsc`. Biome's
 * `a11y/useValidAriaProps` rejects it in the same `npm run check`; src/web/jsx/typecheck.test.ts
 * shows both.
 */
import type { Child } from './jsx-runtime.js';

/** The element declarations of @kitajs/html (the global namespace from its jsx.d.ts). */
type KitaElements = JSX.IntrinsicElements;

type Dropped = 'children' | 'safe' | 'attrs' | 'class' | 'className' | 'style' | 'key' | 'role';

type Adapted<T> = {
  [K in keyof T as K extends Dropped | `on${string}` ? never : K]?: Exclude<T[K], Date> | null;
};

type TrueFalse = 'true' | 'false';
type IdRefs = string;

/** WAI-ARIA 1.2 roles (https://www.w3.org/TR/wai-aria-1.2/#role_definitions), abstract roles excluded. */
export type AriaRole =
  | 'alert'
  | 'alertdialog'
  | 'application'
  | 'article'
  | 'banner'
  | 'blockquote'
  | 'button'
  | 'caption'
  | 'cell'
  | 'checkbox'
  | 'code'
  | 'columnheader'
  | 'combobox'
  | 'complementary'
  | 'contentinfo'
  | 'definition'
  | 'deletion'
  | 'dialog'
  | 'document'
  | 'emphasis'
  | 'feed'
  | 'figure'
  | 'form'
  | 'generic'
  | 'grid'
  | 'gridcell'
  | 'group'
  | 'heading'
  | 'img'
  | 'insertion'
  | 'link'
  | 'list'
  | 'listbox'
  | 'listitem'
  | 'log'
  | 'main'
  | 'marquee'
  | 'math'
  | 'menu'
  | 'menubar'
  | 'menuitem'
  | 'menuitemcheckbox'
  | 'menuitemradio'
  | 'meter'
  | 'navigation'
  | 'none'
  | 'note'
  | 'option'
  | 'paragraph'
  | 'presentation'
  | 'progressbar'
  | 'radio'
  | 'radiogroup'
  | 'region'
  | 'row'
  | 'rowgroup'
  | 'rowheader'
  | 'scrollbar'
  | 'search'
  | 'searchbox'
  | 'separator'
  | 'slider'
  | 'spinbutton'
  | 'status'
  | 'strong'
  | 'subscript'
  | 'superscript'
  | 'switch'
  | 'tab'
  | 'table'
  | 'tablist'
  | 'tabpanel'
  | 'term'
  | 'textbox'
  | 'time'
  | 'timer'
  | 'toolbar'
  | 'tooltip'
  | 'tree'
  | 'treegrid'
  | 'treeitem';

/**
 * WAI-ARIA 1.2 states and properties (https://www.w3.org/TR/wai-aria-1.2/#state_prop_def).
 * Booleans are the strings 'true' / 'false': our runtime renders `true` as a bare attribute, which ARIA
 * does not read as true.
 */
export interface AriaAttributes {
  'aria-activedescendant'?: IdRefs | undefined | null;
  'aria-atomic'?: TrueFalse | undefined | null;
  'aria-autocomplete'?: 'none' | 'inline' | 'list' | 'both' | undefined | null;
  'aria-busy'?: TrueFalse | undefined | null;
  'aria-checked'?: TrueFalse | 'mixed' | undefined | null;
  'aria-colcount'?: number | undefined | null;
  'aria-colindex'?: number | undefined | null;
  'aria-colindextext'?: string | undefined | null;
  'aria-colspan'?: number | undefined | null;
  'aria-controls'?: IdRefs | undefined | null;
  'aria-current'?: TrueFalse | 'page' | 'step' | 'location' | 'date' | 'time' | undefined | null;
  'aria-describedby'?: IdRefs | undefined | null;
  'aria-description'?: string | undefined | null;
  'aria-details'?: IdRefs | undefined | null;
  'aria-disabled'?: TrueFalse | undefined | null;
  'aria-errormessage'?: IdRefs | undefined | null;
  'aria-expanded'?: TrueFalse | undefined | null;
  'aria-flowto'?: IdRefs | undefined | null;
  'aria-haspopup'?: TrueFalse | 'menu' | 'listbox' | 'tree' | 'grid' | 'dialog' | undefined | null;
  'aria-hidden'?: TrueFalse | undefined | null;
  'aria-invalid'?: TrueFalse | 'grammar' | 'spelling' | undefined | null;
  'aria-keyshortcuts'?: string | undefined | null;
  'aria-label'?: string | undefined | null;
  'aria-labelledby'?: IdRefs | undefined | null;
  'aria-level'?: number | undefined | null;
  'aria-live'?: 'off' | 'assertive' | 'polite' | undefined | null;
  'aria-modal'?: TrueFalse | undefined | null;
  'aria-multiline'?: TrueFalse | undefined | null;
  'aria-multiselectable'?: TrueFalse | undefined | null;
  'aria-orientation'?: 'horizontal' | 'vertical' | undefined | null;
  'aria-owns'?: IdRefs | undefined | null;
  'aria-placeholder'?: string | undefined | null;
  'aria-posinset'?: number | undefined | null;
  'aria-pressed'?: TrueFalse | 'mixed' | undefined | null;
  'aria-readonly'?: TrueFalse | undefined | null;
  'aria-relevant'?: 'additions' | 'all' | 'removals' | 'text' | 'additions text' | undefined | null;
  'aria-required'?: TrueFalse | undefined | null;
  'aria-roledescription'?: string | undefined | null;
  'aria-rowcount'?: number | undefined | null;
  'aria-rowindex'?: number | undefined | null;
  'aria-rowindextext'?: string | undefined | null;
  'aria-rowspan'?: number | undefined | null;
  'aria-selected'?: TrueFalse | undefined | null;
  'aria-setsize'?: number | undefined | null;
  'aria-sort'?: 'none' | 'ascending' | 'descending' | 'other' | undefined | null;
  'aria-valuemax'?: number | undefined | null;
  'aria-valuemin'?: number | undefined | null;
  'aria-valuenow'?: number | undefined | null;
  'aria-valuetext'?: string | undefined | null;
}

type DataAttributes = { [name: `data-${string}`]: string | number | boolean | undefined | null };

/** What every element takes besides its own attributes. */
export interface CommonAttributes extends AriaAttributes {
  class?: string | undefined | null;
  role?: AriaRole | undefined | null;
  children?: Child;
}

type Element<T> = Adapted<T> & CommonAttributes & DataAttributes;

export type InputType =
  | 'button'
  | 'checkbox'
  | 'color'
  | 'date'
  | 'datetime-local'
  | 'email'
  | 'file'
  | 'hidden'
  | 'image'
  | 'month'
  | 'number'
  | 'password'
  | 'radio'
  | 'range'
  | 'reset'
  | 'search'
  | 'submit'
  | 'tel'
  | 'text'
  | 'time'
  | 'url'
  | 'week';

export type ButtonType = 'submit' | 'reset' | 'button';

/** Closer types than kitajs has for the attributes whose wrong value fails silently in a browser. */
interface Overrides {
  input: { type?: InputType | undefined | null; value?: string | number | undefined | null };
  button: { type?: ButtonType | undefined | null };
  form: { method?: 'get' | 'post' | 'dialog' | undefined | null };
  select: { multiple?: boolean | undefined | null };
  option: { value?: string | number | undefined | null };
  th: { scope?: 'row' | 'col' | 'rowgroup' | 'colgroup' | undefined | null };
}

export type IntrinsicElements = {
  [Tag in keyof KitaElements]: Tag extends keyof Overrides
    ? Element<Omit<KitaElements[Tag], keyof Overrides[Tag]>> & Overrides[Tag]
    : Element<KitaElements[Tag]>;
};
