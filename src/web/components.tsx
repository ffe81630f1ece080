/** KERN UX building blocks used by every page. Field errors follow the KERN pattern plus ARIA wiring. */
import { FORM_KEY_FIELD, newFormKey } from './form.js';
import type { T } from './i18n/index.js';
import type { ButtonType, InputType } from './jsx/intrinsic-elements.js';
import { type Child, type RawHtml, raw } from './jsx/jsx-runtime.js';

export type FieldErrors = Record<string, string>;

/** A form page's heading and, below it, the summary of what is wrong (nothing when all is well). */
export function FormHeading(props: {
  title: string;
  errors: FieldErrors | undefined;
  t: T;
  message?: string | undefined;
}): RawHtml {
  return (
    <>
      <h1 class="kern-heading-x-large">{props.title}</h1>
      <ErrorSummary errors={props.errors} t={props.t} message={props.message} />
    </>
  );
}

/** The id of the error summary; a page showing it is titled "Fehler: …" (page.ts sendPage). */
export const ERROR_SUMMARY_ID = 'error-summary';

/**
 * The error summary at the top of a form; renders nothing when there is nothing to report. Every form
 * shows its errors through it, so the page title says "Fehler: …" exactly when a form has errors.
 */
export function ErrorSummary(props: {
  errors: FieldErrors | undefined;
  t: T;
  message?: string | undefined;
}): RawHtml {
  const entries = Object.entries(props.errors ?? {});
  if (entries.length === 0 && !props.message) return raw('');
  return (
    <div class="kern-alert kern-alert--danger kern-mb-lg" role="alert" tabindex="-1" id={ERROR_SUMMARY_ID}>
      <div class="kern-alert__header">
        <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
        <h2 class="kern-title">{props.t('error.summary')}</h2>
      </div>
      <div class="kern-alert__body">
        {props.message ? <p class="kern-body">{props.message}</p> : null}
        {entries.length > 0 ? (
          <ul class="kern-list">
            {entries.map(([field, msg]) => (
              <li>
                <a class="kern-link" href={`#f-${field}`}>
                  {msg}
                </a>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}

export function Alert(props: {
  variant: 'info' | 'success' | 'warning' | 'danger';
  title: string;
  children?: Child;
  role?: 'status' | 'alert';
}): RawHtml {
  return (
    <div class={`kern-alert kern-alert--${props.variant} kern-mb-lg`} role={props.role}>
      <div class="kern-alert__header">
        <span class={`kern-icon kern-icon--${props.variant}`} aria-hidden="true"></span>
        <span class="kern-title">{props.title}</span>
      </div>
      {props.children ? <div class="kern-alert__body">{props.children}</div> : null}
    </div>
  );
}

function widthClass(width: number | undefined): string {
  if (!width) return '';
  return width === 2 || width === 4 ? ` kern-form-input__input--width-${width}` : ` input-width-${width}`;
}

export function TextField(props: {
  name: string;
  label: string;
  value?: string | number | null | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  type?: InputType;
  required?: boolean;
  /** Shown after the label of a required field, e.g. "(Pflichtfeld)". */
  requiredLabel?: string | undefined;
  optionalLabel?: string | undefined;
  autocomplete?: string;
  inputmode?: string;
  maxlength?: number;
  /** Visible width in characters: 2 and 4 are KERN's widths, 5, 8 and 12 come from app.css. */
  width?: 2 | 4 | 5 | 8 | 12;
}): RawHtml {
  const id = `f-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={`kern-form-input${props.error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={id}>
        {props.label}
        {props.requiredLabel ? <span class="kern-label__required"> {props.requiredLabel}</span> : null}
        {props.optionalLabel ? <span class="kern-label__optional"> {props.optionalLabel}</span> : null}
      </label>
      {props.hint ? (
        <div class="kern-hint" id={`${id}-hint`}>
          {props.hint}
        </div>
      ) : null}
      <input
        class={`kern-form-input__input${props.error ? ' kern-form-input__input--error' : ''}${widthClass(props.width)}`}
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        required={props.required}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        maxlength={props.maxlength}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.error ? (
        <p class="kern-error" id={`${id}-error`}>
          <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
          <span class="kern-body">{props.error}</span>
        </p>
      ) : null}
    </div>
  );
}

/** A multi-line text field in the KERN pattern, with the same label, hint and error parts as TextField. */
export function TextAreaField(props: {
  name: string;
  label: string;
  value?: string | null | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  requiredLabel?: string | undefined;
  optionalLabel?: string | undefined;
  maxlength?: number;
  rows?: number;
}): RawHtml {
  const id = `f-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={`kern-form-input${props.error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={id}>
        {props.label}
        {props.requiredLabel ? <span class="kern-label__required"> {props.requiredLabel}</span> : null}
        {props.optionalLabel ? <span class="kern-label__optional"> {props.optionalLabel}</span> : null}
      </label>
      {props.hint ? (
        <div class="kern-hint" id={`${id}-hint`}>
          {props.hint}
        </div>
      ) : null}
      <textarea
        class={`kern-form-input__input${props.error ? ' kern-form-input__input--error' : ''}`}
        id={id}
        name={props.name}
        rows={String(props.rows ?? 3)}
        maxlength={props.maxlength}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      >
        {props.value ?? ''}
      </textarea>
      {props.error ? (
        <p class="kern-error" id={`${id}-error`}>
          <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
          <span class="kern-body">{props.error}</span>
        </p>
      ) : null}
    </div>
  );
}

export function SelectField(props: {
  name: string;
  label: string;
  options: readonly { value: string; label: string }[];
  value?: string | null | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean;
  /** Shown after the label of a required field, e.g. "(Pflichtfeld)". */
  requiredLabel?: string | undefined;
}): RawHtml {
  const id = `f-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={`kern-form-input${props.error ? ' kern-form-input--error' : ''}`}>
      <label class="kern-label" for={id}>
        {props.label}
        {props.requiredLabel ? <span class="kern-label__required"> {props.requiredLabel}</span> : null}
      </label>
      {props.hint ? (
        <div class="kern-hint" id={`${id}-hint`}>
          {props.hint}
        </div>
      ) : null}
      <div class="kern-form-input__select-wrapper">
        <select
          class={`kern-form-input__select${props.error ? ' kern-form-input__select--error' : ''}`}
          id={id}
          name={props.name}
          required={props.required}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={describedBy || undefined}
        >
          {props.options.map((o) => (
            <option value={o.value} selected={o.value === (props.value ?? '')}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      {props.error ? (
        <p class="kern-error" id={`${id}-error`}>
          <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
          <span class="kern-body">{props.error}</span>
        </p>
      ) : null}
    </div>
  );
}

export function CheckboxGroup(props: {
  name: string;
  legend: string;
  options: readonly { value: string; label: string }[];
  values: readonly string[];
  error?: string | undefined;
}): RawHtml {
  const id = `f-${props.name}`;
  return (
    <fieldset
      class={`kern-fieldset${props.error ? ' kern-fieldset--error' : ''}`}
      id={id}
      aria-describedby={props.error ? `${id}-error` : undefined}
    >
      <legend class="kern-label">{props.legend}</legend>
      <div class="kern-fieldset__body">
        {props.options.map((o) => (
          <div class="kern-form-check">
            <input
              class={`kern-form-check__checkbox${props.error ? ' kern-form-check__checkbox--error' : ''}`}
              id={`${id}-${o.value}`}
              name={props.name}
              type="checkbox"
              value={o.value}
              checked={props.values.includes(o.value)}
            />
            <label class="kern-label" for={`${id}-${o.value}`}>
              {o.label}
            </label>
          </div>
        ))}
      </div>
      {props.error ? (
        <p class="kern-error" id={`${id}-error`}>
          <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
          <span class="kern-body">{props.error}</span>
        </p>
      ) : null}
    </fieldset>
  );
}

/** One choice of several, as radio buttons in a fieldset (KERN), with its error below. */
export function RadioGroup(props: {
  name: string;
  legend: string;
  options: readonly { value: string; label: string }[];
  value: string;
  error?: string | undefined;
}): RawHtml {
  const id = `f-${props.name}`;
  return (
    <fieldset
      class={`kern-fieldset${props.error ? ' kern-fieldset--error' : ''}`}
      id={id}
      aria-describedby={props.error ? `${id}-error` : undefined}
    >
      <legend class="kern-label">{props.legend}</legend>
      <div class="kern-fieldset__body">
        {props.options.map((o) => (
          <div class="kern-form-check">
            <input
              class={`kern-form-check__radio${props.error ? ' kern-form-check__radio--error' : ''}`}
              id={`${id}-${o.value}`}
              name={props.name}
              type="radio"
              value={o.value}
              checked={props.value === o.value}
            />
            <label class="kern-label" for={`${id}-${o.value}`}>
              {o.label}
            </label>
          </div>
        ))}
      </div>
      {props.error ? (
        <p class="kern-error" id={`${id}-error`}>
          <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>
          <span class="kern-body">{props.error}</span>
        </p>
      ) : null}
    </fieldset>
  );
}

export function Badge(props: { variant: 'info' | 'success' | 'warning' | 'danger'; label: string }): RawHtml {
  return (
    <span class={`kern-badge kern-badge--${props.variant}`}>
      <span class="kern-label">{props.label}</span>
    </span>
  );
}

export function Button(props: {
  label: string;
  variant?: 'primary' | 'secondary' | 'tertiary';
  type?: ButtonType;
}): RawHtml {
  return (
    <button type={props.type ?? 'submit'} class={`kern-btn kern-btn--${props.variant ?? 'primary'}`}>
      <span class="kern-label">{props.label}</span>
    </button>
  );
}

export function LinkButton(props: {
  href: string;
  label: string;
  variant?: 'primary' | 'secondary' | 'tertiary';
}): RawHtml {
  return (
    <a href={props.href} class={`kern-btn kern-btn--${props.variant ?? 'secondary'}`}>
      <span class="kern-label">{props.label}</span>
    </a>
  );
}

/**
 * The hidden fields of every form that changes something: the CSRF token and a fresh one-time form key
 * (a repeated submit of this rendered form is answered idempotently, see web/form.ts submitOnce).
 */
export function Csrf(props: { token: string }): RawHtml {
  return (
    <>
      <input type="hidden" name="_csrf" value={props.token} />
      <input type="hidden" name={FORM_KEY_FIELD} value={newFormKey()} />
    </>
  );
}

export function DescriptionList(props: { items: readonly [string, Child][] }): RawHtml {
  return (
    <dl class="kern-description-list">
      {props.items.map(([k, v]) => (
        <div class="kern-description-list-item">
          <dt class="kern-description-list-item__key">{k}</dt>
          <dd class="kern-description-list-item__value">
            {v === null || v === undefined || v === '' ? '–' : v}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function Pagination(props: {
  t: T;
  page: number;
  pageSize: number;
  total: number;
  hrefFor: (page: number) => string;
}): RawHtml {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  if (pages <= 1) return raw('');
  return (
    <nav class="pagination" aria-label={props.t('common.pagination')}>
      {props.page > 1 ? (
        <a class="kern-link" href={props.hrefFor(props.page - 1)} rel="prev">
          {props.t('common.prev_page')}
        </a>
      ) : null}
      <span class="kern-body">{props.t('common.page_of', { page: props.page, pages })}</span>
      {props.page < pages ? (
        <a class="kern-link" href={props.hrefFor(props.page + 1)} rel="next">
          {props.t('common.next_page')}
        </a>
      ) : null}
    </nav>
  );
}

export interface Column {
  label: string;
  numeric?: boolean;
  /** Visually hidden header (e.g. for a column of action buttons). */
  hidden?: boolean;
}

/**
 * A KERN table in a keyboard-scrollable region named like its (visually hidden) caption. Rows are the
 * children; every table of the product goes through here so its accessibility and its behaviour on
 * phones are fixed in one place: a table wider than the screen scrolls inside its region (never the
 * page), with its first column kept in view (app.css, `.table-region`).
 */
export function DataTable(props: {
  id: string;
  caption: string;
  columns: readonly Column[];
  variant?: 'striped' | 'small' | 'small-striped';
  children: Child;
}): RawHtml {
  const variant =
    props.variant === 'striped'
      ? ' kern-table--striped'
      : props.variant === 'small-striped'
        ? ' kern-table--small kern-table--striped'
        : ' kern-table--small';
  return (
    <section class="kern-table-responsive table-region" aria-label={props.caption} tabindex="0">
      <table class={`kern-table${variant}`}>
        <caption class="kern-title kern-sr-only" id={`${props.id}-caption`}>
          {props.caption}
        </caption>
        <thead>
          <tr class="kern-table__row">
            {props.columns.map((c) => (
              <th scope="col" class={`kern-table__header${c.numeric ? ' kern-table__header--numeric' : ''}`}>
                {c.hidden ? <span class="kern-sr-only">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody class="kern-table__body">{props.children}</tbody>
      </table>
    </section>
  );
}

/** A secret (initial password, API token) shown exactly once, right after it was made. */
export function SecretOnce(props: {
  title: string;
  explanation: string;
  secret: string | undefined;
}): RawHtml {
  if (!props.secret) return raw('');
  return (
    <Alert variant="success" title={props.title} role="status">
      <p class="kern-body">{props.explanation}</p>
      <p class="token-secret">{props.secret}</p>
    </Alert>
  );
}
