/**
 * The API reference at /api/docs: the OpenAPI document (`app.swagger()`, also served as
 * /api/openapi.json) rendered as an ordinary page in the KERN layout — no script, no inline style, so it
 * keeps the Content-Security-Policy and is accessible like every other page. Operations are grouped by
 * tag, with an in-page table of contents; each shows method, path, summary, parameters, request body and
 * responses as schema tables. The texts around the document are German or English; the document's own
 * texts (summaries, descriptions) are English and marked as such.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Badge, DataTable } from './components.js';
import type { MessageKey, T } from './i18n/index.js';
import { type Child, type RawHtml, raw } from './jsx/jsx-runtime.js';
import { sendPage } from './page.js';

// ---------------------------------------------------------------------------------------------
// The part of OpenAPI 3.1 the page reads.

export interface JsonSchema {
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  $ref?: string;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface Content {
  [mediaType: string]: { schema?: JsonSchema };
}

export interface Operation {
  summary?: string;
  description?: string;
  operationId?: string;
  tags?: string[];
  deprecated?: boolean;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content?: Content };
  responses?: Record<string, { description?: string; content?: Content }>;
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: {
    schemas?: Record<string, JsonSchema>;
    securitySchemes?: Record<
      string,
      { type: string; scheme?: string; in?: string; name?: string; description?: string }
    >;
  };
  tags?: { name: string; description?: string }[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

export interface ApiOperation {
  method: string;
  path: string;
  op: Operation;
  /** The anchor of the operation on the page (stable: method and path). */
  anchor: string;
}

/** Every operation of the document, in the document's order. */
export function operationsOf(doc: OpenApiDocument): ApiOperation[] {
  const out: ApiOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) out.push({ method: method.toUpperCase(), path, op, anchor: anchorOf(method, path) });
    }
  }
  return out;
}

export function anchorOf(method: string, path: string): string {
  return `op-${method.toLowerCase()}-${path
    .replace(/[{}]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

// ---------------------------------------------------------------------------------------------
// Schemas as rows of a table: one row per field, nested fields as `parent.child` and `list[].child`.

interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  notes: string[];
  description: string | undefined;
}

function resolve(doc: OpenApiDocument, s: JsonSchema, seen: Set<string>): JsonSchema {
  let schema = s;
  while (schema.$ref?.startsWith('#/components/schemas/') && !seen.has(schema.$ref)) {
    seen.add(schema.$ref);
    const target: JsonSchema | undefined = doc.components?.schemas?.[schema.$ref.slice(21)];
    if (!target) break;
    schema = { ...target, ...(schema.description ? { description: schema.description } : {}) };
  }
  return schema;
}

/** The variants of a union, without `null` (which makes the field nullable). */
function variants(s: JsonSchema): { list: JsonSchema[]; nullable: boolean } {
  const union = s.anyOf ?? s.oneOf;
  if (!union) {
    const types = Array.isArray(s.type) ? s.type : undefined;
    if (types?.includes('null'))
      return { list: [{ ...s, type: types.filter((x) => x !== 'null') }], nullable: true };
    return { list: [s], nullable: false };
  }
  const list = union.filter((v) => v.type !== 'null');
  return { list, nullable: list.length < union.length };
}

function literal(v: unknown): string {
  return JSON.stringify(v);
}

/** A union of single values (TypeBox's Union of Literals) as one list of allowed values. */
function enumValues(list: JsonSchema[]): unknown[] | undefined {
  const values: unknown[] = [];
  for (const v of list) {
    if (v.const !== undefined) values.push(v.const);
    else if (v.enum) values.push(...v.enum);
    else return undefined;
  }
  return values;
}

function typeName(s: JsonSchema, t: T): string {
  const type = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? (s.properties ? 'object' : 'any'));
  if (type === 'array') {
    const items = s.items ? variants(s.items) : { list: [], nullable: false };
    const inner = items.list.length === 1 ? typeName(items.list[0]!, t) : 'any';
    return `array<${inner}>`;
  }
  return s.format ? `${type} (${s.format})` : type;
}

function constraints(s: JsonSchema, t: T): string[] {
  const notes: string[] = [];
  const range = (min: number | undefined, max: number | undefined, unit: 'chars' | 'value' | 'items') => {
    if (min === undefined && max === undefined) return;
    const key: MessageKey =
      min !== undefined && max !== undefined
        ? `api_docs.${unit}_range`
        : min !== undefined
          ? `api_docs.${unit}_min`
          : `api_docs.${unit}_max`;
    notes.push(t(key, { min: min ?? '', max: max ?? '' }));
  };
  range(s.minLength, s.maxLength, 'chars');
  range(s.minimum, s.maximum, 'value');
  range(s.minItems, s.maxItems, 'items');
  if (s.pattern) notes.push(t('api_docs.pattern', { pattern: s.pattern }));
  if (s.default !== undefined) notes.push(t('api_docs.default', { value: literal(s.default) }));
  return notes;
}

const MAX_DEPTH = 6;

function fieldRows(
  doc: OpenApiDocument,
  schema: JsonSchema,
  t: T,
  prefix = '',
  rows: FieldRow[] = [],
  depth = 0,
  seen: Set<string> = new Set(),
): FieldRow[] {
  const s = resolve(doc, schema, new Set(seen));
  const required = new Set(s.required ?? []);
  for (const [name, raw0] of Object.entries(s.properties ?? {})) {
    const prop = resolve(doc, raw0, new Set(seen));
    const { list, nullable } = variants(prop);
    const values = enumValues(list) ?? (prop.enum && list.length === 1 ? prop.enum : undefined);
    const single = list.length === 1 ? list[0]! : undefined;
    let type: string;
    const notes: string[] = [];
    if (values) {
      type = typeName({ type: typeof values[0] === 'number' ? 'number' : 'string' }, t);
      notes.push(t('api_docs.one_of', { values: values.map(literal).join(', ') }));
    } else if (single) {
      type = typeName(single, t);
      notes.push(...constraints(single, t));
    } else {
      type = list.map((v) => typeName(v, t)).join(' | ');
    }
    if (nullable) type = `${type} | null`;
    const path = `${prefix}${name}`;
    rows.push({
      path,
      type,
      required: required.has(name),
      notes,
      description: prop.description ?? single?.description,
    });
    if (!single || depth >= MAX_DEPTH) continue;
    const object = resolve(doc, single, new Set(seen));
    if (object.properties) fieldRows(doc, object, t, `${path}.`, rows, depth + 1, seen);
    else if (object.items) {
      const item = variants(resolve(doc, object.items, new Set(seen))).list;
      if (item.length === 1 && item[0]!.properties)
        fieldRows(doc, item[0]!, t, `${path}[].`, rows, depth + 1, seen);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Rendering.

/**
 * The document's own texts are English; on a German page they say so (WCAG 3.1.2). Of their Markdown,
 * only `code` is shown as such; the rest stays text (escaped like every text).
 */
function English(props: { lang: 'de' | 'en'; text: string }): RawHtml {
  const parts = props.text.split('`');
  return (
    <span lang={props.lang === 'en' ? undefined : 'en'}>
      {parts.length % 2 === 1
        ? parts.map((part, i) => (i % 2 === 1 ? <code class="mono">{part}</code> : part))
        : props.text}
    </span>
  );
}

/** A schema: a table of its fields, or one line for what has none (a list, a single value). */
function SchemaView(props: {
  doc: OpenApiDocument;
  schema: JsonSchema;
  id: string;
  caption: string;
  t: T;
  lang: 'de' | 'en';
}): RawHtml {
  const { t } = props;
  const top = resolve(props.doc, props.schema, new Set());
  const { list, nullable } = variants(top);
  const single = list.length === 1 ? list[0]! : undefined;
  // A list of objects: the table shows the fields of one element.
  const item =
    single?.type === 'array' && single.items
      ? variants(resolve(props.doc, single.items, new Set()))
      : undefined;
  const fieldsOf = single?.properties
    ? single
    : item?.list.length === 1 && item.list[0]!.properties
      ? item.list[0]
      : undefined;
  const summary = single
    ? typeName(single, t) + (nullable ? ' | null' : '')
    : list.map((v) => typeName(v, t)).join(' | ');
  if (!fieldsOf) {
    return (
      <p class="kern-body">
        {t('api_docs.schema_type')} <code class="mono">{summary}</code>
        {single ? constraints(single, t).map((n) => `; ${n}`) : null}
      </p>
    );
  }
  const rows = fieldRows(props.doc, fieldsOf, t);
  return (
    <>
      {item ? (
        <p class="kern-body">
          {t('api_docs.schema_type')} <code class="mono">{summary}</code>
        </p>
      ) : null}
      {rows.length === 0 ? (
        <p class="kern-body">{t('api_docs.no_fields')}</p>
      ) : (
        <DataTable
          id={props.id}
          caption={props.caption}
          columns={[
            { label: t('api_docs.field') },
            { label: t('api_docs.type') },
            { label: t('api_docs.required') },
            { label: t('api_docs.notes') },
          ]}
        >
          {rows.map((r) => (
            <tr class="kern-table__row">
              <th scope="row" class="kern-table__cell">
                <code class="mono">{r.path}</code>
              </th>
              <td class="kern-table__cell">
                <code class="mono">{r.type}</code>
              </td>
              <td class="kern-table__cell">{r.required ? t('api_docs.yes') : t('api_docs.no')}</td>
              <td class="kern-table__cell">
                {r.description ? <English lang={props.lang} text={r.description} /> : null}
                {r.description && r.notes.length ? <br /> : null}
                {r.notes.join('; ')}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

function mediaTypes(content: Content | undefined): [string, JsonSchema | undefined][] {
  return Object.entries(content ?? {}).map(([type, c]) => [type, c.schema]);
}

const METHOD_BADGE: Record<string, 'info' | 'success' | 'warning' | 'danger'> = {
  GET: 'info',
  HEAD: 'info',
  OPTIONS: 'info',
  POST: 'success',
  PUT: 'warning',
  PATCH: 'warning',
  DELETE: 'danger',
};

function statusText(t: T, status: string): string {
  const key = `api_docs.status_${status}`;
  const text = t.code(key);
  return text === key ? status : `${status} ${text}`;
}

/** Stable JSON for comparing schemas (the shared problem+json answer). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function OperationView(props: {
  doc: OpenApiDocument;
  o: ApiOperation;
  problem: unknown;
  t: T;
  lang: 'de' | 'en';
}): RawHtml {
  const { doc, o, t, lang } = props;
  const { op } = o;
  const params = op.parameters ?? [];
  const responses = Object.entries(op.responses ?? {});
  const isProblem = (r: { content?: Content }) =>
    props.problem !== undefined && mediaTypes(r.content).every(([, s]) => same(s, props.problem));
  const errors = responses.filter(([code, r]) => Number(code) >= 400 && isProblem(r)).map(([code]) => code);
  const shown = responses.filter(([code]) => !errors.includes(code));
  return (
    <section class="api-operation" aria-labelledby={o.anchor}>
      <h3 class="kern-heading-medium api-operation__title" id={o.anchor}>
        <Badge variant={METHOD_BADGE[o.method] ?? 'info'} label={o.method} />{' '}
        <code class="mono mono--wrap">{o.path}</code>
      </h3>
      {op.summary ? (
        <p class="kern-body">
          <English lang={lang} text={op.summary} />
        </p>
      ) : null}
      {op.description ? (
        <p class="kern-body">
          <English lang={lang} text={op.description} />
        </p>
      ) : null}
      {op.deprecated ? <p class="kern-body">{t('api_docs.deprecated')}</p> : null}

      <h4 class="kern-heading-small">{t('api_docs.parameters')}</h4>
      {params.length === 0 ? (
        <p class="kern-body">{t('api_docs.no_parameters')}</p>
      ) : (
        <DataTable
          id={`${o.anchor}-params`}
          caption={t('api_docs.parameters_of', { op: `${o.method} ${o.path}` })}
          columns={[
            { label: t('api_docs.name') },
            { label: t('api_docs.in') },
            { label: t('api_docs.type') },
            { label: t('api_docs.required') },
            { label: t('api_docs.notes') },
          ]}
        >
          {params.map((p) => {
            const s = p.schema ? resolve(doc, p.schema, new Set()) : {};
            const { list, nullable } = variants(s);
            const values = enumValues(list);
            const single = list.length === 1 ? list[0] : undefined;
            const type = values
              ? 'string'
              : (single ? typeName(single, t) : list.map((v) => typeName(v, t)).join(' | ')) +
                (nullable ? ' | null' : '');
            const notes = values
              ? [t('api_docs.one_of', { values: values.map(literal).join(', ') })]
              : single
                ? constraints(single, t)
                : [];
            const description = p.description ?? single?.description;
            return (
              <tr class="kern-table__row">
                <th scope="row" class="kern-table__cell">
                  <code class="mono">{p.name}</code>
                </th>
                <td class="kern-table__cell">{t.code(`api_docs.in_${p.in}`)}</td>
                <td class="kern-table__cell">
                  <code class="mono">{type}</code>
                </td>
                <td class="kern-table__cell">
                  {p.required || p.in === 'path' ? t('api_docs.yes') : t('api_docs.no')}
                </td>
                <td class="kern-table__cell">
                  {description ? <English lang={lang} text={description} /> : null}
                  {description && notes.length ? <br /> : null}
                  {notes.join('; ')}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}

      <h4 class="kern-heading-small">{t('api_docs.request_body')}</h4>
      {op.requestBody ? (
        mediaTypes(op.requestBody.content).map(([type, schema], i) => (
          <>
            <p class="kern-body">
              {t('api_docs.media_type')} <code class="mono">{type}</code>
              {op.requestBody?.required ? ` (${t('api_docs.body_required')})` : ''}
            </p>
            {schema ? (
              <SchemaView
                doc={doc}
                schema={schema}
                id={`${o.anchor}-body-${i}`}
                caption={t('api_docs.body_of', { op: `${o.method} ${o.path}` })}
                t={t}
                lang={lang}
              />
            ) : null}
          </>
        ))
      ) : (
        <p class="kern-body">{t('api_docs.no_body')}</p>
      )}

      <h4 class="kern-heading-small">{t('api_docs.responses')}</h4>
      {shown.map(([code, r]) => (
        <div class="api-response">
          <h5 class="kern-heading-x-small api-response__title">{statusText(t, code)}</h5>
          {r.description && r.description !== 'Default Response' ? (
            <p class="kern-body">
              <English lang={lang} text={r.description} />
            </p>
          ) : null}
          {mediaTypes(r.content).length === 0 ? <p class="kern-body">{t('api_docs.no_content')}</p> : null}
          {mediaTypes(r.content).map(([type, schema], i) => (
            <>
              <p class="kern-body">
                {t('api_docs.media_type')} <code class="mono">{type}</code>
              </p>
              {schema ? (
                <SchemaView
                  doc={doc}
                  schema={schema}
                  id={`${o.anchor}-r${code}-${i}`}
                  caption={t('api_docs.response_of', { status: code, op: `${o.method} ${o.path}` })}
                  t={t}
                  lang={lang}
                />
              ) : null}
            </>
          ))}
        </div>
      ))}
      {errors.length > 0 ? (
        <p class="kern-body">
          {t('api_docs.error_responses', { codes: errors.join(', ') })}{' '}
          <a class="kern-link" href="#fehlerantworten">
            {t('api_docs.problem_link')}
          </a>
        </p>
      ) : null}
    </section>
  );
}

/** The problem+json schema most error answers share (described once, in its own section). */
function sharedProblemSchema(ops: ApiOperation[]): JsonSchema | undefined {
  const counts = new Map<string, { schema: JsonSchema; n: number }>();
  for (const { op } of ops) {
    for (const [code, r] of Object.entries(op.responses ?? {})) {
      if (Number(code) < 400) continue;
      for (const [, schema] of mediaTypes(r.content)) {
        if (!schema) continue;
        const key = JSON.stringify(schema);
        const c = counts.get(key) ?? { schema, n: 0 };
        c.n++;
        counts.set(key, c);
      }
    }
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
  return best && best.n > 1 ? best.schema : undefined;
}

function tagLabel(t: T, tag: string): string {
  const key = `api_docs.tag_${tag}`;
  const text = t.code(key);
  return text === key ? tag : text;
}

export function ApiReference(props: { doc: OpenApiDocument; t: T; lang: 'de' | 'en' }): RawHtml {
  const { doc, t, lang } = props;
  const ops = operationsOf(doc);
  const problem = sharedProblemSchema(ops);
  const groups = new Map<string, ApiOperation[]>();
  for (const tag of doc.tags ?? []) groups.set(tag.name, []);
  for (const o of ops) {
    const tag = o.op.tags?.[0] ?? t('api_docs.untagged');
    if (!groups.has(tag)) groups.set(tag, []);
    groups.get(tag)!.push(o);
  }
  const tagAnchor = (tag: string) => `tag-${tag.replace(/[^A-Za-z0-9]+/g, '-')}`;
  const schemes = Object.entries(doc.components?.securitySchemes ?? {});
  const codes = [...new Set(ops.flatMap((o) => Object.keys(o.op.responses ?? {})))]
    .filter((c) => Number(c) >= 400)
    .sort();
  const toc: Child = (
    <nav class="api-toc" aria-labelledby="api-toc-h">
      <h2 class="kern-heading-medium" id="api-toc-h">
        {t('api_docs.contents')}
      </h2>
      <ul class="kern-list">
        <li>
          <a class="kern-link" href="#authentifizierung">
            {t('api_docs.authentication')}
          </a>
        </li>
        {[...groups].map(([tag, list]) =>
          list.length === 0 ? null : (
            <li>
              <a class="kern-link" href={`#${tagAnchor(tag)}`}>
                {tagLabel(t, tag)}
              </a>
              <ul class="kern-list api-toc__ops">
                {list.map((o) => (
                  <li>
                    <a class="kern-link" href={`#${o.anchor}`}>
                      <span class="api-toc__method">{o.method}</span>{' '}
                      <code class="mono mono--wrap">{o.path}</code>
                    </a>
                  </li>
                ))}
              </ul>
            </li>
          ),
        )}
        {problem ? (
          <li>
            <a class="kern-link" href="#fehlerantworten">
              {t('api_docs.errors')}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
  return (
    <div class="api-reference">
      <h1 class="kern-heading-x-large">{t('nav.api_docs')}</h1>
      <p class="kern-body">
        {t('api_docs.intro', { title: doc.info.title, version: doc.info.version, openapi: doc.openapi })}{' '}
        <a class="kern-link" href="/api/openapi.json" type="application/json">
          {t('api_docs.openapi_link')}
        </a>
      </p>
      {doc.info.description ? (
        <p class="kern-body">
          <English lang={lang} text={doc.info.description} />
        </p>
      ) : null}
      {toc}

      <section class="section" aria-labelledby="authentifizierung">
        <h2 class="kern-heading-large" id="authentifizierung">
          {t('api_docs.authentication')}
        </h2>
        <dl class="kern-description-list">
          {schemes.map(([name, s]) => (
            <div class="kern-description-list-item">
              <dt class="kern-description-list-item__key">
                <code class="mono">{name}</code>
              </dt>
              <dd class="kern-description-list-item__value">
                {s.type === 'http' && s.scheme === 'bearer'
                  ? t('api_docs.auth_bearer')
                  : s.type === 'apiKey'
                    ? t('api_docs.auth_api_key', { in: t.code(`api_docs.in_${s.in}`), name: s.name ?? '' })
                    : s.type}
                {s.description ? (
                  <>
                    {' – '}
                    <English lang={lang} text={s.description} />
                  </>
                ) : null}
              </dd>
            </div>
          ))}
        </dl>
      </section>

      {[...groups].map(([tag, list]) =>
        list.length === 0 ? null : (
          <section class="section" aria-labelledby={tagAnchor(tag)}>
            <h2 class="kern-heading-large" id={tagAnchor(tag)}>
              {tagLabel(t, tag)}
            </h2>
            {list.map((o) => (
              <OperationView doc={doc} o={o} problem={problem} t={t} lang={lang} />
            ))}
          </section>
        ),
      )}

      {problem ? (
        <section class="section" aria-labelledby="fehlerantworten">
          <h2 class="kern-heading-large" id="fehlerantworten">
            {t('api_docs.errors')}
          </h2>
          <p class="kern-body">{t('api_docs.errors_intro')}</p>
          <ul class="kern-list">
            {codes.map((c) => (
              <li>{statusText(t, c)}</li>
            ))}
          </ul>
          <SchemaView
            doc={doc}
            schema={problem}
            id="problem"
            caption={t('api_docs.errors')}
            t={t}
            lang={lang}
          />
        </section>
      ) : null}
    </div>
  );
}

function render(req: FastifyRequest, doc: OpenApiDocument): RawHtml {
  return ApiReference({ doc, t: req.t, lang: req.lang });
}

/** GET /api/docs: public, like the OpenAPI document itself. */
export async function apiReferencePages(app: FastifyInstance): Promise<void> {
  // The document does not change while the server runs; its page only per language.
  const cache = new Map<string, string>();
  app.get('/api/docs', async (req, reply) => {
    let html = cache.get(req.lang);
    if (html === undefined) {
      html = render(req, app.swagger() as unknown as OpenApiDocument).html;
      cache.set(req.lang, html);
    }
    return sendPage(req, reply, { title: req.t('nav.api_docs'), body: raw(html) });
  });
}
