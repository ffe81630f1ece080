/**
 * OpenID Connect login end to end: the app (driven with fastify inject and the cookie-keeping
 * Client) against a real oidc-provider running in-process on an ephemeral port (driven with fetch
 * and a small cookie jar, with JSON interaction handlers instead of HTML forms).
 */
import { generateKeyPairSync } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
// @ts-expect-error oidc-provider ships no type declarations; the little used here is typed below.
import ProviderModule from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import authMessages from '../../src/modules/auth/auth.messages.json' with { type: 'json' };
import { translator } from '../../src/web/i18n/index.js';

const de = translator('de', new Map(Object.entries(authMessages)));

import { Client, DEMO, memberIdByName, readAll, type TestApp, testApp } from '../helpers.js';

// ------------------------------------------------------------------ the provider (OP)

interface OpInteraction {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}
interface OpGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}
interface OpProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<OpInteraction>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: unknown,
    opts: { mergeWithLastSubmission: boolean },
  ): Promise<void>;
  Grant: {
    new (init: { accountId: string; clientId: string }): OpGrant;
    find(id: string): Promise<OpGrant | undefined>;
  };
}
const Provider = ProviderModule as new (issuer: string, configuration: Record<string, unknown>) => OpProvider;

const CLIENT_ID = 'allmende-test';
const CLIENT_SECRET = 'allmende-test-secret-0123456789abcdef';
const PUBLIC_URL = 'http://localhost:3000';
const REDIRECT_URI = `${PUBLIC_URL}/anmelden/oidc/callback`;
const SSO_LABEL = 'Landes-IdP (Test)';

interface OpAccount {
  email: string;
  email_verified: boolean;
  name: string;
}
/** The provider's accounts, by subject. Mutable: a test may change what the provider reports. */
const ACCOUNTS: Record<string, OpAccount> = {
  'op-paul': { email: DEMO.panketalAdmin, email_verified: true, name: 'Paul Panke' },
  'op-stranger': { email: 'niemand@nirgendwo.example', email_verified: true, name: 'Nora Niemand' },
  'op-unverified': { email: DEMO.badBelzigClerk, email_verified: false, name: 'Bianca Belz' },
  'op-nils': { email: DEMO.niemegkClerk, email_verified: true, name: 'Nils Niemann' },
  // The security probe: "İ" (U+0130) where the clerk's address has "i" (PostgreSQL's lower() folded it).
  'op-dotted-i': {
    email: DEMO.badBelzigClerk.replace('belzig', 'belz\u0130g'),
    email_verified: true,
    name: 'Mallory',
  },
};

const readForm = (req: IncomingMessage) =>
  new Promise<URLSearchParams>((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });

async function startProvider(): Promise<{ issuer: string; close(): Promise<void> }> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['oidc-test-cookie-key'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    ttl: {
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, sub: string) {
      if (!ACCOUNTS[sub]) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...ACCOUNTS[sub] }) };
    },
  });
  const opCallback = provider.callback();

  // GET /interaction/:uid → JSON; POST /interaction/:uid/login (login=<sub>); POST /interaction/:uid/consent.
  server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/interaction\/([^/?]+)(?:\/(login|consent))?/.exec(req.url ?? '');
    if (!m) return opCallback(req, res);
    try {
      const { uid, prompt, params, session, grantId } = await provider.interactionDetails(req, res);
      if (uid !== m[1]) throw new Error('interaction uid mismatch');
      if (req.method === 'GET' && !m[2]) {
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'no-store');
        return res.end(JSON.stringify({ uid, prompt: prompt.name }));
      }
      if (req.method === 'POST' && m[2] === 'login' && prompt.name === 'login') {
        const accountId = (await readForm(req)).get('login') ?? '';
        if (!ACCOUNTS[accountId]) throw new Error(`unknown provider account ${accountId}`);
        return await provider.interactionFinished(
          req,
          res,
          { login: { accountId } },
          { mergeWithLastSubmission: false },
        );
      }
      if (req.method === 'POST' && m[2] === 'consent' && prompt.name === 'consent') {
        await readForm(req);
        const grant =
          (grantId ? await provider.Grant.find(grantId) : undefined) ??
          new provider.Grant({ accountId: session!.accountId!, clientId: String(params.client_id) });
        const d = prompt.details as {
          missingOIDCScope?: string[];
          missingOIDCClaims?: string[];
          missingResourceScopes?: Record<string, string[]>;
        };
        if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
        if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
        for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {}))
          grant.addResourceScope(indicator, scopes.join(' '));
        return await provider.interactionFinished(
          req,
          res,
          { consent: { grantId: await grant.save() } },
          { mergeWithLastSubmission: true },
        );
      }
      res.statusCode = 405;
      res.end();
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });

  return {
    issuer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A browser at the provider: fetch without following redirects, with a cookie jar (paths ignored). */
class ProviderBrowser {
  readonly jar = new Map<string, string>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size) headers.set('cookie', [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = sc.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expires = attrs.find((a) => /^expires=/i.test(a));
      const maxAge = attrs.find((a) => /^max-age=/i.test(a));
      const expired =
        value === '' ||
        (expires && new Date(expires.slice(8)) <= new Date()) ||
        (maxAge && Number(maxAge.slice(8)) <= 0);
      if (expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects until the app's callback URL (returned, not fetched) or an interaction page. */
  async follow(
    start: string,
  ): Promise<{ kind: 'callback'; url: URL } | { kind: 'interaction'; uid: string; prompt: string }> {
    let url = start;
    for (let i = 0; i < 10; i++) {
      if (url.startsWith(REDIRECT_URI)) return { kind: 'callback', url: new URL(url) };
      const res = await this.fetch(url);
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url).href;
        continue;
      }
      if (res.status === 200 && new URL(url).pathname.startsWith('/interaction/')) {
        const data = (await res.json()) as { uid: string; prompt: string };
        return { kind: 'interaction', ...data };
      }
      throw new Error(`provider answered ${res.status} at ${url}: ${(await res.text()).slice(0, 300)}`);
    }
    throw new Error('too many redirects at the provider');
  }

  /** Logs in as the given provider account, consents, and returns the callback URL the provider sends back to the app. */
  async authorize(authorizationUrl: string, accountId: string): Promise<URL> {
    let step = await this.follow(authorizationUrl);
    const prompts: string[] = [];
    for (let i = 0; step.kind === 'interaction' && i < 4; i++) {
      prompts.push(step.prompt);
      const postUrl = new URL(`/interaction/${step.uid}/${step.prompt}`, authorizationUrl).href;
      const body = new URLSearchParams(step.prompt === 'login' ? { login: accountId } : {});
      const res = await this.fetch(postUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      if (res.status < 300 || res.status >= 400)
        throw new Error(`interaction ${step.prompt} answered ${res.status}: ${await res.text()}`);
      step = await this.follow(new URL(res.headers.get('location')!, postUrl).href);
    }
    if (step.kind !== 'callback')
      throw new Error(`provider did not redirect back (prompts: ${prompts.join(', ')})`);
    expect(prompts).toEqual(['login', 'consent']);
    return step.url;
  }
}

// ------------------------------------------------------------------ the app (RP)

let op: Awaited<ReturnType<typeof startProvider>>;
let t: TestApp;

beforeAll(async () => {
  op = await startProvider();
  t = await testApp({
    env: {
      ALLMENDE_OIDC_ISSUER: op.issuer,
      ALLMENDE_OIDC_CLIENT_ID: CLIENT_ID,
      ALLMENDE_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      ALLMENDE_OIDC_ALLOW_HTTP: 'true',
      ALLMENDE_OIDC_LABEL: SSO_LABEL,
      ALLMENDE_PUBLIC_URL: PUBLIC_URL,
    },
  });
});
afterAll(async () => {
  await t?.close();
  await op?.close();
});

/**
 * Browsers ignore a Set-Cookie for a __Host- cookie without Secure, with a Domain or a path other
 * than / — including one that is meant to delete the cookie. The Client does not, so check here.
 */
function expectHostCookieRules(res: LightMyRequestResponse) {
  expect(t.app.allmende.oidcCookie.startsWith('__Host-')).toBe(true);
  for (const cookie of res.cookies as { name: string; secure?: boolean; path?: string; domain?: string }[]) {
    if (!cookie.name.startsWith('__Host-')) continue;
    expect({ name: cookie.name, secure: cookie.secure, path: cookie.path, domain: cookie.domain }).toEqual({
      name: cookie.name,
      secure: true,
      path: '/',
      domain: undefined,
    });
  }
}

/** Starts the login at the app and checks the authorization request it sends the browser to. */
async function startLogin(c: Client): Promise<string> {
  const res = await c.get('/anmelden/oidc');
  expect(res.statusCode).toBe(303);
  const location = new URL(res.headers.location as string);
  expect(location.origin).toBe(op.issuer);
  const q = location.searchParams;
  expect(q.get('client_id')).toBe(CLIENT_ID);
  expect(q.get('redirect_uri')).toBe(REDIRECT_URI);
  expect(q.get('response_type')).toBe('code');
  expect(q.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));
  expect(q.get('code_challenge_method')).toBe('S256');
  expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  // The values to check at the callback (state, nonce, PKCE verifier) wait in a signed cookie.
  expect(c.cookies.get(t.app.allmende.oidcCookie)).toBeTruthy();
  expectHostCookieRules(res);
  return location.href;
}

/** Runs the whole flow for a provider account; returns the app's answer to the callback. */
async function oidcLogin(accountId: string, tamper?: (callback: URL) => void, c = new Client(t.app)) {
  const authorizationUrl = await startLogin(c);
  const callback = await new ProviderBrowser().authorize(authorizationUrl, accountId);
  expect(callback.searchParams.get('error')).toBeNull();
  expect(callback.searchParams.get('code')).toBeTruthy();
  expect(callback.searchParams.get('state')).toBe(new URL(authorizationUrl).searchParams.get('state'));
  const sent = new URL(callback);
  tamper?.(sent);
  const res = await c.get(sent.pathname + sent.search);
  // The pending-login cookie is single-use, whatever the outcome; a browser must accept the deletion too.
  expect(c.cookies.has(t.app.allmende.oidcCookie)).toBe(false);
  expectHostCookieRules(res);
  return { c, res, callback };
}

const userByEmail = (email: string) =>
  readAll(t.database, (tx) =>
    tx.db
      .selectFrom('users')
      .select(['id', 'member_id', 'email', 'oidc_issuer', 'oidc_subject'])
      .where(({ fn, eb }) => eb(fn('lower', ['email']), '=', email.toLowerCase()))
      .executeTakeFirstOrThrow(),
  );

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function expectRefused(res: { statusCode: number; body: string }, c: Client, messageKey: string) {
  expect(res.statusCode).toBe(401);
  expect(res.body).toContain(escapeHtml(de.code(messageKey)));
  expect(c.cookies.has(t.app.allmende.sessionCookie)).toBe(false);
}

async function expectLoggedInAs(
  c: Client,
  res: { statusCode: number; headers: Record<string, unknown> },
  email: string,
  memberName: string,
) {
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/');
  expect(c.cookies.has(t.app.allmende.sessionCookie)).toBe(true);
  const me = await c.get('/api/v1/me');
  expect(me.statusCode).toBe(200);
  const user = await userByEmail(email);
  expect(me.json()).toMatchObject({
    kind: 'user',
    id: user.id,
    memberId: await memberIdByName(t.database, memberName),
  });
  const sessions = await readAll(t.database, (tx) =>
    tx.db.selectFrom('sessions').select('auth_method').where('user_id', '=', user.id).execute(),
  );
  expect(sessions.map((s) => s.auth_method)).toContain('oidc');
}

describe('OpenID Connect login', () => {
  it('links a verified e-mail to an existing person on first login', async () => {
    expect(await userByEmail(DEMO.panketalAdmin)).toMatchObject({ oidc_issuer: null, oidc_subject: null });
    const { c, res } = await oidcLogin('op-paul');
    await expectLoggedInAs(c, res, DEMO.panketalAdmin, 'Panketal');
    const linked = await userByEmail(DEMO.panketalAdmin);
    expect(linked).toMatchObject({ oidc_issuer: op.issuer, oidc_subject: 'op-paul' });
    // The link is a change of how the person logs in: audited, without the subject in clear.
    const events = await readAll(t.database, (tx) =>
      tx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('object_id', '=', linked!.id)
        .where('action', '=', 'user.sso_linked')
        .execute(),
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_type: 'user', actor_id: linked!.id });
    expect(JSON.stringify(events[0])).not.toContain('op-paul');
  });

  it('logs the same subject in again by subject, whatever e-mail the provider reports now', async () => {
    const paul = ACCOUNTS['op-paul']!;
    try {
      // A new address nobody has.
      paul.email = 'paul.panke@neu.example';
      const first = await oidcLogin('op-paul');
      await expectLoggedInAs(first.c, first.res, DEMO.panketalAdmin, 'Panketal');

      // Even another person's (verified) address: the subject wins, the other person stays unlinked.
      paul.email = DEMO.associationAdmin;
      const second = await oidcLogin('op-paul');
      await expectLoggedInAs(second.c, second.res, DEMO.panketalAdmin, 'Panketal');
      expect(await userByEmail(DEMO.associationAdmin)).toMatchObject({ oidc_subject: null });
      expect(await userByEmail(DEMO.panketalAdmin)).toMatchObject({
        email: DEMO.panketalAdmin,
        oidc_subject: 'op-paul',
      });
    } finally {
      paul.email = DEMO.panketalAdmin;
    }
  });

  it('refuses a provider account whose e-mail no person has', async () => {
    const { c, res } = await oidcLogin('op-stranger');
    expectRefused(res, c, 'auth.oidc_unknown_user');
    const linked = await readAll(t.database, (tx) =>
      tx.db.selectFrom('users').select('id').where('oidc_subject', '=', 'op-stranger').execute(),
    );
    expect(linked).toEqual([]);
  });

  it('refuses a callback whose state was tampered with', async () => {
    const { c, res, callback } = await oidcLogin('op-nils', (cb) =>
      cb.searchParams.set('state', 'x'.repeat(43)),
    );
    expectRefused(res, c, 'auth.oidc_failed');
    expect(await userByEmail(DEMO.niemegkClerk)).toMatchObject({ oidc_subject: null });
    // Replaying the genuine callback afterwards fails too: the pending login is gone.
    const replay = await c.get(callback.pathname + callback.search);
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain(escapeHtml(de('auth.oidc_failed')));
    expect(c.cookies.has(t.app.allmende.sessionCookie)).toBe(false);
  });

  it('does not link by an e-mail address the provider has not verified', async () => {
    const { c, res } = await oidcLogin('op-unverified');
    expectRefused(res, c, 'auth.oidc_unknown_user');
    expect(await userByEmail(DEMO.badBelzigClerk)).toMatchObject({ oidc_subject: null });
  });

  it('does not link by an address that only the database case folding makes equal (İ → i)', async () => {
    const { c, res } = await oidcLogin('op-dotted-i');
    expectRefused(res, c, 'auth.oidc_unknown_user');
    expect(await userByEmail(DEMO.badBelzigClerk)).toMatchObject({ oidc_subject: null });
  });

  it('ends the previous session of the browser when it logs in again', async () => {
    const c = new Client(t.app);
    expect((await c.login(DEMO.panketalAdmin)).statusCode).toBe(303);
    const before = c.cookieHeader();
    const { res } = await oidcLogin('op-paul', undefined, c);
    await expectLoggedInAs(c, res, DEMO.panketalAdmin, 'Panketal');
    const old = await t.app.inject({ url: '/api/v1/me', headers: { cookie: before } });
    expect(old.statusCode).toBe(401);
  });

  it('shows the SSO button only when OIDC is configured', async () => {
    const withOidc = await new Client(t.app).get('/anmelden');
    expect(withOidc.statusCode).toBe(200);
    expect(withOidc.body).toContain('href="/anmelden/oidc"');
    expect(withOidc.body).toContain(escapeHtml(de('login.sso', { label: SSO_LABEL })));

    const plain = await testApp();
    try {
      const c = new Client(plain.app);
      const page = await c.get('/anmelden');
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('/anmelden/oidc');
      expect(page.body).not.toContain(escapeHtml(de('login.sso', { label: 'Single Sign-on' })));
      expect((await c.get('/anmelden/oidc')).statusCode).toBe(404);
      expect((await c.get('/anmelden/oidc/callback?code=x&state=y')).statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
