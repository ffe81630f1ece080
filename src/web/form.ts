/**
 * Forms: one contract for API and pages. A page reads its urlencoded form with the SAME TypeBox schema
 * the API validates its JSON with:
 *
 *   parseForm(req, MemberCreateBody, opts) → { ok: true, data: Static<schema>, values }
 *                                          | { ok: false, errors, values }
 *
 * Form fields are text; the schema decides how each becomes a value (numbers, booleans, arrays of
 * checkboxes, empty → null or absent). Every problem comes back at once as field errors in the
 * request's language — the schema's (ajv, allErrors) merged with the domain's (an optional pure
 * `check`, e.g. AGS rules), the domain's more specific message winning per field — together with what
 * was typed, for one shared component (ErrorSummary + the fields' `error`). Errors a service throws
 * inside the transaction take the same path (formProblem).
 *
 * Every state change of a page then goes through submitOnce: POST → 303 → GET, the success message in
 * a server-side flash, and a repeat of the same rendered form (double click, back + resubmit) answered
 * with the first submit's redirect without changing anything again.
 */
import { randomBytes } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static, TObject, TSchema } from 'typebox';
import type { Tx } from '../db/tx.js';
import { isEmail, normalizeEmail } from '../shared/email.js';
import {
  ConflictError,
  DomainError,
  type FieldIssue,
  ForbiddenError,
  InvalidStateError,
  ValidationError,
} from '../shared/errors.js';
import type { FieldErrors } from './components.js';
import { type Flash, writeFlash } from './flash.js';
import { claimFormKey, storeFormResult } from './form.repository.js';
import type { T } from './i18n/index.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

// The same options as the API's body validator (src/http/app.ts): strict types, every error.
const ajv = addFormats(
  new Ajv({
    allErrors: true,
    removeAdditional: false,
    strict: false,
    useDefaults: false,
    coerceTypes: false,
  }),
).addFormat('email', isEmail);
const compiled = new WeakMap<TSchema, ValidateFunction>();
function validatorFor(schema: TSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema as object);
    compiled.set(schema, v);
  }
  return v;
}

/** What the person typed, by field name, to fill the form again. */
export type FormValues = Record<string, string | string[]>;

export type FormResult<D> =
  | { ok: true; data: D; values: FormValues }
  | { ok: false; errors: FieldErrors; values: FormValues };

export interface ParseOptions {
  /** Read only these fields (others the person may not change are ignored, as if not sent). */
  only?: readonly string[];
  /** Fields the form requires although the schema makes them optional (e.g. a PATCH's name). */
  required?: readonly string[];
  /** Visible labels, so a schema message names its field ("Name: …"). */
  labels?: Readonly<Record<string, string>>;
  /**
   * The domain's own checks (pure, no database), run on the converted values even when the schema
   * failed, so every problem is reported at once. Its messages win over the schema's per field.
   */
  check?: (values: Record<string, unknown>) => readonly FieldIssue[];
}

interface Shape {
  nullable: boolean;
  array: boolean;
  integer: boolean;
  number: boolean;
  boolean: boolean;
}

function shapeOf(schema: TSchema): Shape {
  const s = schema as { anyOf?: TSchema[]; type?: string };
  const variants = (s.anyOf ?? [schema]) as { type?: string }[];
  const has = (type: string) => variants.some((v) => v.type === type);
  return {
    nullable: has('null'),
    array: has('array'),
    integer: has('integer'),
    number: has('number'),
    boolean: has('boolean'),
  };
}

function convert(text: string, shape: Shape): unknown {
  if (shape.integer) {
    // German thousands separators are fine in a number field ("12.345", "12 345"), "1.5" is not.
    const compact = text.trim().replace(/\s/g, '');
    if (/^-?(\d{1,15}|\d{1,3}(\.\d{3}){1,4})$/.test(compact)) return Number(compact.replaceAll('.', ''));
  }
  if (shape.number) {
    const n = text.trim().replace(/\s/g, '').replace(',', '.');
    if (/^-?\d+(\.\d+)?$/.test(n)) return Number(n);
  }
  if (shape.boolean) {
    if (['on', 'true', '1', 'ja'].includes(text)) return true;
    if (['off', 'false', '0', 'nein'].includes(text)) return false;
  }
  // Not convertible: the text goes to the schema, which names the problem.
  return text;
}

const ERROR_ORDER = [
  'required',
  'type',
  'format',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'uniqueItems',
  'const',
  'enum',
  'anyOf',
];

/** One readable message for the schema errors of one field. */
function schemaMessage(errors: ErrorObject[], t: T): string {
  // A union with null reports the branch "must be null" too; it says nothing about the value.
  const useful = errors.filter(
    (e) => !(e.keyword === 'type' && (e.params as { type?: string }).type === 'null'),
  );
  const list = useful.length ? useful : errors;
  const rank = (e: ErrorObject) => {
    const i = ERROR_ORDER.indexOf(e.keyword);
    return i < 0 ? ERROR_ORDER.length : i;
  };
  const e = [...list].sort((a, b) => rank(a) - rank(b))[0]!;
  const p = e.params as { limit?: number; type?: string; format?: string };
  switch (e.keyword) {
    case 'required':
      return t('form.required');
    case 'type':
      return p.type === 'integer'
        ? t('form.integer')
        : p.type === 'number'
          ? t('form.number')
          : t('form.invalid');
    case 'format': {
      const key = `form.format_${p.format}`;
      return t.code(key) === key ? t('form.format') : t.code(key);
    }
    case 'minLength':
      return p.limit === 1 ? t('form.required') : t('form.min_length', { limit: p.limit ?? 0 });
    case 'maxLength':
      return t('form.max_length', { limit: p.limit ?? 0 });
    case 'pattern':
      return t('form.format');
    case 'minimum':
    case 'exclusiveMinimum':
      return t('form.minimum', { limit: p.limit ?? 0 });
    case 'maximum':
    case 'exclusiveMaximum':
      return t('form.maximum', { limit: p.limit ?? 0 });
    case 'minItems':
      return p.limit === 1 ? t('form.choose_one') : t('form.min_items', { limit: p.limit ?? 0 });
    case 'maxItems':
      return t('form.max_items', { limit: p.limit ?? 0 });
    case 'const':
    case 'enum':
    case 'anyOf':
      return t('form.choose');
    default:
      return t('form.invalid');
  }
}

function fieldOf(e: ErrorObject): string {
  if (e.keyword === 'required') return (e.params as { missingProperty: string }).missingProperty;
  return e.instancePath.split('/')[1] ?? '';
}

/**
 * Reads a urlencoded form with the API's TypeBox schema. Fields not in the schema (the CSRF token,
 * the form key) are ignored; nothing but the schema decides what a value is.
 */
export function parseForm<S extends TObject>(
  req: FastifyRequest,
  schema: S,
  opts: ParseOptions = {},
): FormResult<Static<S>> {
  const t = req.t;
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  const properties = schema.properties as Record<string, TSchema>;
  const requiredBySchema = new Set((schema as { required?: string[] }).required ?? []);
  const formRequired = new Set(opts.required ?? []);
  const only = opts.only ? new Set(opts.only) : undefined;

  const values: FormValues = {};
  const data: Record<string, unknown> = {};
  const empty = new Set<string>();
  for (const [key, prop] of Object.entries(properties)) {
    if (only && !only.has(key)) continue;
    const raw = body[key];
    const texts = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
      (x): x is string => typeof x === 'string',
    );
    const shape = shapeOf(prop);
    if (shape.array) {
      // Checkboxes: none ticked sends nothing, which means an empty list.
      const items = texts.filter((x) => x !== '');
      values[key] = items;
      data[key] = items;
      continue;
    }
    if (raw === undefined) continue; // not in the form: absent
    const text = texts[0] ?? '';
    values[key] = text;
    if (text.trim() === '') {
      if (shape.nullable) data[key] = null;
      else if (requiredBySchema.has(key) || formRequired.has(key)) empty.add(key);
      // else: an optional field left empty is simply not given (e.g. "generate a password").
      continue;
    }
    data[key] = convert(text, shape);
  }

  const errors: FieldErrors = {};
  const label = (field: string, message: string) =>
    opts.labels?.[field] ? t('form.field_message', { label: opts.labels[field], message }) : message;

  const validate = validatorFor(schema);
  if (!validate(data)) {
    const byField = new Map<string, ErrorObject[]>();
    for (const e of validate.errors ?? []) {
      const f = fieldOf(e);
      if (!byField.has(f)) byField.set(f, []);
      byField.get(f)!.push(e);
    }
    for (const [field, list] of byField) {
      // An e-mail address says why it is refused (format, or invisible/confusable characters).
      const v = data[field];
      const email =
        typeof v === 'string' && list.some((e) => e.keyword === 'format' && e.params.format === 'email')
          ? normalizeEmail(v)
          : undefined;
      const message = email && !email.ok ? t.code(email.code) : schemaMessage(list, t);
      errors[field] = label(field, empty.has(field) ? t('form.required') : message);
    }
  }
  for (const field of empty) errors[field] ??= label(field, t('form.required'));
  // The domain's checks see the same values; their messages are the specific ones.
  const domain: FieldErrors = {};
  for (const i of opts.check?.(data) ?? []) domain[i.field] ??= t.code(i.code);
  Object.assign(errors, domain);

  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  // Checked by ajv against the schema just above.
  return { ok: true, data: data as Static<S>, values };
}

/** What a page shows for an error a service threw, or undefined if it is not the form's to show. */
export function formProblem(
  err: unknown,
  t: T,
): { errors: FieldErrors; message?: string; status: number } | undefined {
  if (!(err instanceof DomainError)) return undefined;
  if (err instanceof ValidationError) {
    const errors: FieldErrors = {};
    for (const i of err.issues) errors[i.field] ??= t.code(i.code);
    return { errors, status: 422 };
  }
  if (err instanceof ConflictError) {
    return {
      errors: err.field ? { [err.field]: t.code(err.code) } : {},
      message: t.code(err.code),
      status: 409,
    };
  }
  if (err instanceof InvalidStateError) return { errors: {}, message: t.code(err.code), status: 409 };
  // A refusal with its own message (e.g. a role only the association may grant) is shown on the form.
  if (err instanceof ForbiddenError && err.code) {
    return {
      errors: err.field ? { [err.field]: t.code(err.code) } : {},
      message: t.code(err.code),
      status: 403,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// One-time form keys and POST → redirect → GET.

/** Name of the hidden field that carries a rendered form's one-time key. */
export const FORM_KEY_FIELD = '_form';
const FORM_KEY_RE = /^[A-Za-z0-9_-]{22,64}$/;

/** A fresh key for one rendered form (128 random bits). */
export function newFormKey(): string {
  return randomBytes(16).toString('base64url');
}

function formKeyOf(req: FastifyRequest): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const k = body?.[FORM_KEY_FIELD];
  return typeof k === 'string' && FORM_KEY_RE.test(k) ? k : undefined;
}

export interface Submitted {
  /** Where the browser goes next (a path of this site). */
  to: string;
  /** The message for that page; may carry a one-time secret. */
  flash?: Flash;
}

/**
 * Runs a page's change once and answers 303 to the result. `run` is the transaction runner
 * (app.allmende.tx, or ownAccountTx for the own account): the form key is claimed, the change made, its
 * redirect stored and the flash written in that ONE transaction. A repeat of the same form key in the
 * same session answers the stored redirect and changes nothing; a racing repeat waits for the first
 * (primary key) and does the same. Errors of `work` roll everything back (the key too) and are
 * rethrown for the page to show.
 */
export async function submitOnce(
  req: FastifyRequest,
  reply: FastifyReply,
  run: <R>(req: FastifyRequest, fn: (tx: Tx) => Promise<R>) => Promise<R>,
  work: (tx: Tx) => Promise<Submitted>,
): Promise<FastifyReply> {
  const sessionId = req.principal?.sessionId;
  const memberId = req.principal?.memberId;
  const key = sessionId ? formKeyOf(req) : undefined;
  const services = req.server.allmende;
  const result = await run(req, async (tx) => {
    if (key && sessionId && memberId) {
      const earlier = await claimFormKey(tx, memberId, sessionId, key);
      if (earlier !== undefined) return { to: earlier, replay: true, flashed: false };
    }
    const done = await work(tx);
    if (key && sessionId && memberId) await storeFormResult(tx, memberId, sessionId, key, done.to);
    if (done.flash && sessionId && memberId) {
      await writeFlash(tx, services.deps.secret, memberId, sessionId, done.flash);
    }
    return { to: done.to, replay: false, flashed: Boolean(done.flash && sessionId) };
  });
  if (result.flashed) reply.setCookie(services.flashCookie, '1', { ...services.cookieOptions, maxAge: 600 });
  return reply.redirect(result.to, 303);
}

/** One typed value of a form (for filling a field again). */
export function formText(values: FormValues, key: string): string | undefined {
  const v = values[key];
  return Array.isArray(v) ? v[0] : v;
}

/** The ticked values of a checkbox group. */
export function formList(values: FormValues, key: string): string[] {
  const v = values[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
