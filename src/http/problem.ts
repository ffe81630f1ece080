/**
 * The one place where errors become HTTP: typed domain errors and Fastify's own errors map to
 * problem+json (RFC 9457) for the API. Pages use the same mapping for status and message key.
 */
import type { FastifyError } from 'fastify';
import { assertUnreachable, type DomainError, type FieldIssue, type LineIssue } from '../shared/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  errors?: { field: string; code: string; message: string }[] | LineProblem[];
  retryAfter?: number;
}

/** One invalid line of a batch request: `reason` is the message for people, `code` its key. */
export interface LineProblem {
  line: number;
  field?: string;
  code: string;
  reason: string;
}

const TYPE_BASE = 'https://allmende.example/problems/';

export function domainStatus(err: DomainError): number {
  switch (err.kind) {
    case 'not_found':
      return 404;
    case 'validation':
      return 422;
    case 'conflict':
      return 409;
    case 'forbidden':
      return 403;
    case 'unauthenticated':
      return 401;
    case 'rate_limited':
      return 429;
    case 'invalid_state':
      return 409;
    default:
      return assertUnreachable(err.kind);
  }
}

/** The message key of an error, for i18n. */
export function errorCode(err: DomainError): string {
  switch (err.kind) {
    case 'not_found':
      return 'error.not_found';
    case 'validation':
      return 'error.validation';
    case 'conflict':
      return (err as unknown as { code: string }).code;
    case 'forbidden':
      return (err as unknown as { code?: string }).code ?? 'error.forbidden';
    case 'unauthenticated':
      return (err as unknown as { code: string }).code;
    case 'rate_limited':
      return 'error.rate_limited';
    case 'invalid_state':
      return (err as unknown as { code: string }).code;
    default:
      return assertUnreachable(err.kind);
  }
}

export type { T as Translate } from '../web/i18n/index.js';

import type { T as Translate } from '../web/i18n/index.js';

export function problemFromDomain(err: DomainError, t: Translate, instance?: string): Problem {
  const status = domainStatus(err);
  const code = errorCode(err);
  const p: Problem = {
    type: `${TYPE_BASE}${err.kind}`,
    title: t(`problem.${err.kind}`),
    status,
    code,
    detail: t.code(code),
  };
  if (instance) p.instance = instance;
  if ('issues' in err) {
    p.errors = (err.issues as FieldIssue[]).map((i) => ({
      field: i.field,
      code: i.code,
      message: t.code(i.code),
    }));
  }
  if ('lines' in err) {
    p.errors = (err.lines as LineIssue[]).map((l) => ({
      line: l.line,
      ...(l.field ? { field: l.field } : {}),
      code: l.code,
      reason: t.code(l.code),
    }));
  }
  if ('retryAfterSeconds' in err) p.retryAfter = err.retryAfterSeconds as number;
  return p;
}

/** Fastify's own client errors (bad JSON, wrong content type, body too large, schema validation). */
export function problemFromFastify(err: FastifyError, t: Translate, instance?: string): Problem | undefined {
  const status = err.statusCode ?? 500;
  if (status < 400 || status >= 500) return undefined;
  if (err.validation) {
    return {
      type: `${TYPE_BASE}validation`,
      title: t('problem.validation'),
      status: 400,
      code: 'error.schema',
      detail: t('error.schema'),
      ...(instance ? { instance } : {}),
      errors: err.validation.map((v) => {
        const field =
          (v.params as { additionalProperty?: string; missingProperty?: string })?.additionalProperty ??
          (v.params as { missingProperty?: string })?.missingProperty ??
          v.instancePath.replace(/^\//, '').replace(/\//g, '.');
        const code =
          v.keyword === 'additionalProperties'
            ? 'schema.unknown_field'
            : v.keyword === 'required'
              ? 'schema.required'
              : `schema.${v.keyword}`;
        return { field: field || (err.validationContext ?? 'body'), code, message: t.code(code) };
      }),
    };
  }
  const byCode: Record<string, string> = {
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'error.media_type',
    FST_ERR_CTP_BODY_TOO_LARGE: 'error.body_too_large',
    FST_ERR_CTP_INVALID_JSON_BODY: 'error.invalid_json',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'error.invalid_json',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'error.bad_request',
    FST_ERR_CTP_EMPTY_TYPE: 'error.media_type',
    FST_ERR_BAD_URL: 'error.bad_request',
    FST_CSRF_INVALID_TOKEN: 'error.csrf',
    FST_CSRF_MISSING_SECRET: 'error.csrf',
  };
  const code =
    byCode[err.code] ??
    (status === 404 ? 'error.not_found' : status === 429 ? 'error.rate_limited' : 'error.bad_request');
  return {
    type: `${TYPE_BASE}${code.replace('error.', '')}`,
    title:
      t.code(`problem.http_${status}`) === `problem.http_${status}`
        ? t('problem.bad_request')
        : t.code(`problem.http_${status}`),
    status,
    code,
    detail: t.code(code),
    ...(instance ? { instance } : {}),
  };
}

/**
 * The safety net for database errors that input can still provoke (a NUL byte, a year 0, a race on a
 * unique key): the client's fault gets a 4xx, never a 500. The transaction was rolled back already.
 */
export function problemFromDatabase(err: unknown, t: Translate, instance?: string): Problem | undefined {
  const e = err as { code?: unknown; severity?: unknown };
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code) || e.severity === undefined)
    return undefined;
  const base = { ...(instance ? { instance } : {}) };
  if (e.code.startsWith('22')) {
    return {
      type: `${TYPE_BASE}bad_request`,
      title: t('problem.bad_request'),
      status: 400,
      code: 'error.bad_request',
      detail: t('error.bad_request'),
      ...base,
    };
  }
  if (e.code === '23505') {
    return {
      type: `${TYPE_BASE}conflict`,
      title: t('problem.conflict'),
      status: 409,
      code: 'unique',
      detail: t('unique'),
      ...base,
    };
  }
  if (e.code === '42501') {
    // Row-level security refused the row: to the caller it does not exist.
    return {
      type: `${TYPE_BASE}not_found`,
      title: t('problem.not_found'),
      status: 404,
      code: 'error.not_found',
      detail: t('error.not_found'),
      ...base,
    };
  }
  return undefined;
}
