/**
 * Test factories: a fresh database per test file (PGlite or PostgreSQL, chosen by ALLMENDE_TEST_DB),
 * the app built on it, and a cookie-keeping client that logs in like a browser.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../src/config/config.js';
import { prepareDatabase } from '../src/db/bootstrap.js';
import { createDatabase, type Database, type OwnerSession } from '../src/db/database.js';
import { runInTx, type Tx } from '../src/db/tx.js';
import { TYPE_PARSERS } from '../src/db/type-parsers.js';
import { buildApp } from '../src/http/app.js';
import { DEMO_PASSWORD } from '../src/modules/demo/demo.seed.js';
import type { AnyModule } from '../src/modules/module.js';
import type { Clock } from '../src/shared/clock.js';
import { ALL_MEMBERS_READ, ALL_MEMBERS_WRITE, systemCtx } from '../src/shared/context.js';

export const testDbKind = () => inject('testDb');

/** A fresh database with migrations and the demo loaded. */
export async function testDatabase(opts: { pgliteDataDir?: string } = {}): Promise<Database> {
  if (inject('testDb') === 'pglite') {
    const blob = new Blob([fs.readFileSync(inject('pgliteTemplate'))]);
    return createDatabase({
      kind: 'pglite',
      loadDataDir: blob,
      ...(opts.pgliteDataDir ? { dataDir: opts.pgliteDataDir } : {}),
    });
  }
  const name = `${inject('pgTemplateDb')}_c_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(
          `create database ${name} template ${inject('pgTemplateDb')} owner ${inject('pgOwner')}`,
        );
        break;
      } catch (err) {
        // Two files cloning the template at the same instant: try again shortly.
        if (attempt > 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  const superuserUrl = url.toString();
  url.username = inject('pgOwner');
  url.password = '';
  const database = await createDatabase({ kind: 'postgres', url: url.toString(), poolSize: 5 });
  urls.set(database, url.toString());
  superuserUrls.set(database, superuserUrl);
  return database;
}

const superuserUrls = new WeakMap<Database, string>();

/**
 * Runs statements as a database superuser (PGlite always is one; on PostgreSQL the app's owner is not,
 * so this opens a separate superuser connection to the same database). For tampering tests only.
 */
export async function asSuperuser<T>(database: Database, fn: (s: OwnerSession) => Promise<T>): Promise<T> {
  const url = superuserUrls.get(database);
  if (!url) return database.withOwnerSession(fn);
  const client = new pg.Client({
    connectionString: url,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        TYPE_PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  await client.connect();
  try {
    return await fn({
      async script(q) {
        await client.query(q);
      },
      async query<R>(q: string, params: unknown[] = []) {
        return (await client.query(q, params)).rows as R[];
      },
    });
  } finally {
    await client.end();
  }
}

const urls = new WeakMap<Database, string>();
/** The connection URL of a PostgreSQL test database (for child processes such as the CLI). */
export function databaseUrlOf(database: Database): string | undefined {
  return urls.get(database);
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', ALLMENDE_DATA_DIR: '/nonexistent', ...overrides });
}

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  config: Config;
  close(): Promise<void>;
}

export async function testApp(
  opts: {
    database?: Database;
    env?: Record<string, string>;
    modules?: readonly AnyModule[];
    clock?: Clock;
  } = {},
): Promise<TestApp> {
  const database = opts.database ?? (await testDatabase());
  const state = await prepareDatabase(database);
  const config = testConfig(opts.env);
  const app = await buildApp({
    config,
    database,
    secret: state.secret,
    demo: true,
    logger: false,
    ...(opts.modules ? { modules: opts.modules } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  await app.ready();
  return {
    app,
    database,
    config,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** Reads something as the system with read access to every member (for assertions). */
export function readAll<T>(database: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return runInTx(database, systemCtx('test', ALL_MEMBERS_READ), fn);
}

/** Work as the association's system context, writing (services called directly, not over HTTP). */
export function writeAll<T>(database: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return runInTx(database, systemCtx('test', ALL_MEMBERS_WRITE), fn);
}

export async function memberIdByName(database: Database, name: string): Promise<string> {
  const row = await readAll(database, (tx) =>
    tx.db.selectFrom('members').select('id').where('name', '=', name).executeTakeFirstOrThrow(),
  );
  return row.id;
}

type InjectOpts = {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
  form?: Record<string, string | string[]>;
  remoteAddress?: string;
};

/** A client that keeps cookies like a browser and knows the CSRF token of the last page. */
export class Client {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  remoteAddress = '127.0.0.1';
  constructor(readonly app: FastifyInstance) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(o: InjectOpts): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    let payload: string | undefined;
    if (o.form) {
      const sp = new URLSearchParams();
      for (const [k, v] of Object.entries(o.form)) for (const x of [v].flat()) sp.append(k, x);
      payload = sp.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (o.payload !== undefined) {
      payload = typeof o.payload === 'string' ? o.payload : JSON.stringify(o.payload);
      headers['content-type'] ??= 'application/json';
    }
    const res = await this.app.inject({
      method: o.method ?? 'GET',
      url: o.url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
      remoteAddress: o.remoteAddress ?? this.remoteAddress,
    });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.value === '' || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0;
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1];
    return res;
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request({ url, ...(headers ? { headers } : {}) });
  }

  /** Submits a form like a browser, with the CSRF token of the last page. */
  postForm(url: string, form: Record<string, string | string[]>) {
    return this.request({ method: 'POST', url, form: { _csrf: this.csrf ?? '', ...form } });
  }

  /** JSON API call with the session's CSRF token header. */
  async api(
    method: InjectOpts['method'],
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) {
    if (method !== 'GET' && !this.apiCsrf) {
      const me = await this.get('/api/v1/me');
      this.apiCsrf = me.json().csrfToken ?? undefined;
    }
    return this.request({
      method,
      url,
      payload,
      headers: { ...(method !== 'GET' && this.apiCsrf ? { 'x-csrf-token': this.apiCsrf } : {}), ...headers },
    });
  }
  apiCsrf: string | undefined;

  async login(email: string, password = DEMO_PASSWORD): Promise<LightMyRequestResponse> {
    await this.get('/anmelden');
    const res = await this.postForm('/anmelden', { email, password });
    this.apiCsrf = undefined;
    return res;
  }
}

export async function loggedIn(app: FastifyInstance, email: string): Promise<Client> {
  const c = new Client(app);
  const res = await c.login(email);
  if (res.statusCode !== 303)
    throw new Error(`login of ${email} failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return c;
}

export const DEMO = {
  associationAdmin: 'verband.admin@dikom.example',
  associationFinance: 'verband.finanzen@dikom.example',
  auditor: 'pruefung@dikom.example',
  panketalAdmin: 'admin@panketal.example',
  badBelzigClerk: 'sachbearbeitung@bad-belzig.example',
  niemegkClerk: 'sachbearbeitung@amt-niemegk.example',
} as const;
