/**
 * Login (password and OIDC), logout, the person's own account, and the language switch.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDateTime } from '../../shared/dates.js';
import { DomainError, RateLimitedError, UnauthenticatedError } from '../../shared/errors.js';
import {
  Alert,
  Button,
  Csrf,
  DataTable,
  DescriptionList,
  ErrorSummary,
  type FieldErrors,
  TextField,
} from '../../web/components.js';
import { formProblem, formText, parseForm, submitOnce } from '../../web/form.js';
import { LANGS, type Lang } from '../../web/i18n/index.js';
import { navigationFor } from '../../web/layout.js';
import { csrfToken, queryParams, safeLocalPath, sendPage } from '../../web/page.js';
import { PasswordChangeBody } from '../people/people.schema.js';
import { changeOwnPassword, getOwnAccount } from '../people/people.service.js';
import { LoginBody } from './auth.schema.js';
import { loginWithPassword } from './login.service.js';
import { areasOf } from './permissions.js';
import { endAllSessions, endSession, listOwnSessions } from './sessions.service.js';

/** Where a person starts after login: the first page of their area. */
export function startPageFor(req: FastifyRequest): string {
  const nav = navigationFor(req);
  return nav[0]?.href ?? '/konto';
}

export async function authPages(app: FastifyInstance): Promise<void> {
  const services = app.allmende;
  const { deps } = services;
  const cookieOpts = services.cookieOptions;

  /**
   * A new login on a browser that is still logged in (the same person or another one) ends the
   * browser's old session: its cookie is replaced, and the row must not stay valid behind it.
   */
  const endPreviousSession = async (req: FastifyRequest) => {
    const old = req.principal?.sessionId;
    if (old) await services.ownAccountTx(req, (tx) => endSession(tx, old));
  };

  const loginPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    opts: { email?: string; errors?: FieldErrors; message?: string; notice?: string; status?: number },
  ) => {
    const t = req.t;
    const csrf = csrfToken(req, reply);
    const next = safeLocalPath(queryParams(req.query).weiter, '');
    return sendPage(req, reply, {
      title: t('login.title'),
      status: opts.status,
      body: (
        <div class="kern-row">
          <div class="kern-col-12 kern-col-lg-6 kern-stack">
            <h1 class="kern-heading-x-large">{t('login.title')}</h1>
            {opts.notice ? <Alert variant="info" title={opts.notice} role="status" /> : null}
            <ErrorSummary errors={opts.errors} t={t} message={opts.message} />
            <p class="kern-body">{t('login.intro')}</p>
            <form
              method="post"
              action={`/anmelden${next ? `?weiter=${encodeURIComponent(next)}` : ''}`}
              class="kern-stack"
              novalidate
            >
              <Csrf token={csrf} />
              <TextField
                name="email"
                label={t('login.email')}
                type="email"
                autocomplete="username"
                value={opts.email}
                error={opts.errors?.email}
                required
              />
              <TextField
                name="password"
                label={t('login.password')}
                type="password"
                autocomplete="current-password"
                error={opts.errors?.password}
                required
              />
              <div class="kern-btn-wrapper">
                <Button label={t('login.submit')} />
              </div>
            </form>
            <p class="kern-body">
              <a class="kern-link" href="/passwort-vergessen">
                {t('login.forgot')}
              </a>
            </p>
            {services.oidc ? (
              <div class="kern-stack-sm">
                <p class="kern-body kern-body--muted">{t('login.or')}</p>
                <a class="kern-btn kern-btn--secondary" href="/anmelden/oidc">
                  <span class="kern-label">{t('login.sso', { label: services.oidc.label })}</span>
                </a>
              </div>
            ) : null}
          </div>
          {services.demoLogins ? (
            <div class="kern-col-12 kern-col-lg-6 kern-stack">
              <h2 class="kern-heading-medium">{t('login.demo_title')}</h2>
              <p class="kern-body">{t('login.demo_intro', { password: services.demoLogins.password })}</p>
              <DataTable
                id="demo"
                caption={t('login.demo_title')}
                variant="small"
                columns={[
                  { label: t('login.demo_account') },
                  { label: t('login.demo_role') },
                  { label: t('login.demo_member') },
                ]}
              >
                {services.demoLogins.accounts.map((a) => (
                  <tr class="kern-table__row">
                    <td class="kern-table__cell">
                      <span class="nowrap">{`${a.email.split('@')[0]}@`}</span>
                      <wbr />
                      <span class="nowrap">{a.email.split('@')[1]}</span>
                    </td>
                    <td class="kern-table__cell">{t(`role.${a.role}`)}</td>
                    <td class="kern-table__cell">{a.member}</td>
                  </tr>
                ))}
              </DataTable>
            </div>
          ) : null}
        </div>
      ),
    });
  };

  app.get('/', async (req, reply) => {
    if (!req.principal) return reply.redirect('/anmelden', 303);
    return reply.redirect(startPageFor(req), 303);
  });

  app.get('/anmelden', async (req, reply) => {
    if (req.principal) return reply.redirect(startPageFor(req), 303);
    const q = queryParams(req.query);
    const notice =
      q.abgemeldet !== undefined ? req.t('login.logged_out') : q.weiter ? req.t('auth.required') : undefined;
    return loginPage(req, reply, { notice });
  });

  app.post(
    '/anmelden',
    { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const t = req.t;
      const form = parseForm(req, LoginBody, {
        // The login's own messages: no hint at which accounts exist, nothing about password rules.
        check: (v) => [
          ...(typeof v.email === 'string' && v.email.trim() !== ''
            ? []
            : [{ field: 'email', code: 'email.format' }]),
          ...(typeof v.password === 'string' ? [] : [{ field: 'password', code: 'password.required' }]),
        ],
      });
      const email = (formText(form.values, 'email') ?? '').trim();
      if (!form.ok) return loginPage(req, reply, { email, errors: form.errors, status: 422 });
      const password = form.data.password;
      try {
        const { token, passwordLink } = await loginWithPassword(
          deps.database,
          deps.config,
          deps.secret,
          { email, password, clientIp: req.ip },
          req.id,
        );
        services.metrics.logins.inc({ result: 'success' });
        await endPreviousSession(req);
        // A printed initial password: replace it first (the link's page logs in afterwards).
        if (passwordLink) return reply.redirect(`/passwort-setzen/${passwordLink}`, 303);
        reply.setCookie(services.sessionCookie, token, cookieOpts);
        // The pre-login CSRF secret is replaced so a token captured before login is worthless.
        reply.clearCookie(services.csrfCookie, cookieOpts);
        const next = safeLocalPath(queryParams(req.query).weiter, '/');
        return reply.redirect(next, 303);
      } catch (err) {
        if (err instanceof RateLimitedError) {
          services.metrics.logins.inc({ result: 'throttled' });
          reply.header('retry-after', String(err.retryAfterSeconds));
          return loginPage(req, reply, { email, message: t('error.rate_limited'), status: 429 });
        }
        if (err instanceof UnauthenticatedError) {
          services.metrics.logins.inc({ result: 'failure' });
          return loginPage(req, reply, { email, message: t.code(err.code), status: 401 });
        }
        throw err;
      }
    },
  );

  app.get('/anmelden/oidc', async (req, reply) => {
    if (!services.oidc) return reply.callNotFound();
    let started: Awaited<ReturnType<NonNullable<typeof services.oidc>['start']>>;
    try {
      started = await services.oidc.start();
    } catch (err) {
      // The identity provider is unreachable or misconfigured: say so on the login page, not with a 500.
      req.log.warn({ err }, 'OIDC discovery failed');
      return loginPage(req, reply, { message: req.t('auth.oidc_failed'), status: 503 });
    }
    const { url, pending } = started;
    reply.setCookie(services.oidcCookie, JSON.stringify(pending), {
      ...cookieOpts,
      signed: true,
      maxAge: 600,
    });
    return reply.redirect(url, 303);
  });

  app.get('/anmelden/oidc/callback', async (req, reply) => {
    if (!services.oidc) return reply.callNotFound();
    const raw = req.cookies[services.oidcCookie];
    // Deleted with the attributes it was set with: browsers ignore a __Host- cookie without Secure.
    reply.clearCookie(services.oidcCookie, cookieOpts);
    const unsigned = raw ? reply.unsignCookie(raw) : { valid: false, value: null };
    let pending: { state: string; nonce: string; codeVerifier: string } | undefined;
    try {
      pending = unsigned.valid && unsigned.value ? JSON.parse(unsigned.value) : undefined;
    } catch {
      pending = undefined;
    }
    if (!pending) return loginPage(req, reply, { message: req.t('auth.oidc_failed'), status: 400 });
    const callbackUrl = new URL(req.url, deps.config.publicUrl);
    try {
      const { token } = await services.oidc.finish(deps.database, deps.config, callbackUrl, pending, req.id);
      services.metrics.logins.inc({ result: 'success' });
      await endPreviousSession(req);
      reply.setCookie(services.sessionCookie, token, cookieOpts);
      reply.clearCookie(services.csrfCookie, cookieOpts);
      return reply.redirect('/', 303);
    } catch (err) {
      if (err instanceof UnauthenticatedError) {
        services.metrics.logins.inc({ result: 'failure' });
        return loginPage(req, reply, { message: req.t.code(err.code), status: 401 });
      }
      throw err;
    }
  });

  app.post('/abmelden', async (req, reply) => {
    if (req.principal?.sessionId) {
      await services.ownAccountTx(req, (tx) => endSession(tx, req.principal!.sessionId!));
    }
    reply.clearCookie(services.sessionCookie, cookieOpts);
    reply.clearCookie(services.csrfCookie, cookieOpts);
    return reply.redirect('/anmelden?abgemeldet', 303);
  });

  const accountPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    opts: { errors?: FieldErrors; message?: string; notice?: string; status?: number } = {},
  ) => {
    const t = req.t;
    if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
    const { me, sessions } = await services.tx(req, async (tx) => ({
      me: await getOwnAccount(tx),
      sessions: await listOwnSessions(tx),
    }));
    const csrf = csrfToken(req, reply);
    const areas = areasOf(req.ctx).map((a) => t(`area.${a}`));
    return sendPage(req, reply, {
      title: t('account.title'),
      status: opts.status,
      nav: '/konto',
      body: (
        <div class="kern-stack-lg">
          <h1 class="kern-heading-x-large">{t('account.title')}</h1>
          {opts.notice ? <Alert variant="success" title={opts.notice} role="status" /> : null}
          <ErrorSummary errors={opts.errors} t={t} message={opts.message} />
          <DescriptionList
            items={[
              [t('account.name'), me.displayName],
              [t('login.email'), me.email],
              [t('account.roles'), me.roles.map((r) => t(`role.${r}`)).join(', ')],
              [t('account.areas'), areas.join(', ')],
              [t('account.sso'), me.sso ? t('common.yes') : t('common.no')],
            ]}
          />
          <section class="section kern-stack" aria-labelledby="sessions-h">
            <h2 class="kern-heading-medium" id="sessions-h">
              {t('account.sessions')}
            </h2>
            <DataTable
              id="sessions"
              caption={t('account.sessions')}
              variant="small"
              columns={[
                { label: t('account.session_started') },
                { label: t('account.session_last_seen') },
                { label: t('account.session_method') },
              ]}
            >
              {sessions.map((s) => (
                <tr class="kern-table__row">
                  <td class="kern-table__cell">
                    {formatDateTime(s.createdAt, req.lang)}
                    {s.current ? ` (${t('account.session_current')})` : ''}
                  </td>
                  <td class="kern-table__cell">{formatDateTime(s.lastSeenAt, req.lang)}</td>
                  <td class="kern-table__cell">{t(`account.method_${s.method}`)}</td>
                </tr>
              ))}
            </DataTable>
            <form method="post" action="/konto/sitzungen-beenden">
              <Csrf token={csrf} />
              <Button label={t('account.end_all')} variant="secondary" />
            </form>
          </section>
          {me.hasPassword ? (
            <section class="section kern-stack" aria-labelledby="pw-h">
              <h2 class="kern-heading-medium" id="pw-h">
                {t('account.change_password')}
              </h2>
              <form method="post" action="/konto/passwort" class="kern-stack" novalidate>
                <Csrf token={csrf} />
                <TextField
                  name="currentPassword"
                  label={t('account.current_password')}
                  type="password"
                  autocomplete="current-password"
                  error={opts.errors?.currentPassword}
                />
                <TextField
                  name="newPassword"
                  label={t('account.new_password')}
                  hint={t('account.password_hint')}
                  type="password"
                  autocomplete="new-password"
                  error={opts.errors?.newPassword}
                />
                <div class="kern-btn-wrapper">
                  <Button label={t('account.change_password')} />
                </div>
              </form>
            </section>
          ) : null}
        </div>
      ),
    });
  };

  app.get('/konto', async (req, reply) => {
    const q = queryParams(req.query);
    return accountPage(req, reply, {
      notice: q.passwort !== undefined ? req.t('account.password_changed') : undefined,
    });
  });

  app.post('/konto/passwort', async (req, reply) => {
    if (!req.principal) throw new UnauthenticatedError();
    const form = parseForm(req, PasswordChangeBody);
    if (!form.ok) return accountPage(req, reply, { errors: form.errors, status: 422 });
    const { currentPassword, newPassword } = form.data;
    try {
      return await submitOnce(req, reply, services.ownAccountTx, async (tx) => {
        await changeOwnPassword(tx, currentPassword, newPassword);
        return { to: '/konto?passwort' };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return accountPage(req, reply, problem);
      throw err;
    }
  });

  app.post('/konto/sitzungen-beenden', async (req, reply) => {
    if (!req.principal) throw new UnauthenticatedError();
    await services.ownAccountTx(req, (tx) => endAllSessions(tx));
    reply.clearCookie(services.sessionCookie, cookieOpts);
    return reply.redirect('/anmelden?abgemeldet', 303);
  });

  app.get<{ Params: { lang: string }; Querystring: { zurueck?: string } }>(
    '/sprache/:lang',
    async (req, reply) => {
      const lang = req.params.lang as Lang;
      if (!LANGS.includes(lang)) return reply.callNotFound();
      reply.setCookie(services.langCookie, lang, {
        path: '/',
        sameSite: 'lax',
        httpOnly: true,
        secure: deps.config.cookieSecure,
        maxAge: 365 * 86400,
      });
      return reply.redirect(safeLocalPath(req.query.zurueck, '/'), 303);
    },
  );

  // Keep TypeScript aware that DomainError is the base of the errors handled above.
  void DomainError;
}
