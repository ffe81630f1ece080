/**
 * The pages of one-time links: "Passwort vergessen" (ask for a link by mail) and the page a link opens
 * to set the password (`/passwort-setzen/<token>`: invitation, reset, first login). Both are public.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { mailDelivery } from '../../mail/mail.js';
import { RateLimitedError, ValidationError } from '../../shared/errors.js';
import { Alert, Button, Csrf, type FieldErrors, FormHeading, TextField } from '../../web/components.js';
import { formProblem, formText, parseForm } from '../../web/form.js';
import { csrfToken, queryParams, sendPage } from '../../web/page.js';
import {
  InvalidLinkError,
  type OpenLink,
  openLink,
  requestPasswordReset,
  setPasswordWithLink,
} from './accounts.service.js';

const ForgotBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) });
const SetPasswordBody = Type.Object({
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  passwordRepeat: Type.String({ minLength: 1, maxLength: 1024 }),
});

export async function accountPages(app: FastifyInstance): Promise<void> {
  const services = app.allmende;
  const { deps } = services;

  const forgotPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    opts: { email?: string; errors?: FieldErrors; sent?: boolean; status?: number; message?: string },
  ) => {
    const t = req.t;
    const csrf = csrfToken(req, reply);
    return sendPage(req, reply, {
      title: t('forgot.title'),
      status: opts.status,
      body: (
        <div class="kern-row">
          <div class="kern-col-12 kern-col-lg-6 kern-stack">
            <FormHeading title={t('forgot.title')} errors={opts.errors} t={t} message={opts.message} />
            {opts.sent ? (
              <Alert variant="info" title={t('forgot.sent')} role="status">
                {mailDelivery(deps.config) === 'log' ? (
                  <p class="kern-body">{t('mail.not_configured')}</p>
                ) : null}
              </Alert>
            ) : null}
            <p class="kern-body">{t('forgot.intro')}</p>
            <form method="post" action="/passwort-vergessen" class="kern-stack" novalidate>
              <Csrf token={csrf} />
              <TextField
                name="email"
                label={t('login.email')}
                type="email"
                autocomplete="username"
                value={opts.email}
                error={opts.errors?.email}
                required
                maxlength={254}
              />
              <div class="kern-btn-wrapper">
                <Button label={t('forgot.submit')} />
              </div>
            </form>
            <p class="kern-body">
              <a class="kern-link" href="/anmelden">
                {t('forgot.back')}
              </a>
            </p>
          </div>
        </div>
      ),
    });
  };

  app.get('/passwort-vergessen', async (req, reply) =>
    forgotPage(req, reply, { sent: queryParams(req.query).gesendet !== undefined }),
  );

  app.post(
    '/passwort-vergessen',
    { config: { rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const form = parseForm(req, ForgotBody, {
        check: (v) =>
          typeof v.email === 'string' && /^[^@\s]+@[^@\s]+$/.test(v.email.trim())
            ? []
            : [{ field: 'email', code: 'email.format' }],
      });
      const email = (formText(form.values, 'email') ?? '').trim();
      if (!form.ok) return forgotPage(req, reply, { email, errors: form.errors, status: 422 });
      // The same answer whether or not the address has an account, and whether or not it was throttled.
      await requestPasswordReset(
        deps.database,
        deps.secret,
        { email, lang: req.lang },
        req.ctx.clock,
        req.id,
      );
      return reply.redirect('/passwort-vergessen?gesendet', 303);
    },
  );

  const invalidLink = (req: FastifyRequest, reply: FastifyReply) =>
    sendPage(req, reply, {
      title: req.t('set_password.invalid_title'),
      status: 410,
      body: (
        <div class="kern-stack">
          <h1 class="kern-heading-x-large">{req.t('set_password.invalid_title')}</h1>
          <p class="kern-body">{req.t('set_password.invalid')}</p>
          <p class="kern-body">
            <a class="kern-link" href="/passwort-vergessen">
              {req.t('forgot.title')}
            </a>
          </p>
        </div>
      ),
    });

  const setPasswordPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    link: OpenLink,
    opts: { errors?: FieldErrors; message?: string; status?: number } = {},
  ) => {
    const t = req.t;
    const csrf = csrfToken(req, reply);
    const title = t(`set_password.title_${link.purpose}`);
    return sendPage(req, reply, {
      title,
      status: opts.status,
      body: (
        <div class="kern-row">
          <div class="kern-col-12 kern-col-lg-6 kern-stack">
            <FormHeading title={title} errors={opts.errors} t={t} message={opts.message} />
            <p class="kern-body">
              {t(link.purpose === 'first_login' ? 'set_password.intro_first_login' : 'set_password.intro', {
                email: link.email,
              })}
            </p>
            <form method="post" action={`/passwort-setzen/${token}`} class="kern-stack" novalidate>
              <Csrf token={csrf} />
              {/* For password managers: the account the new password belongs to. */}
              <input type="hidden" name="username" value={link.email} autocomplete="username" />
              <TextField
                name="password"
                label={t('set_password.password')}
                hint={t('set_password.hint')}
                type="password"
                autocomplete="new-password"
                error={opts.errors?.password}
                required
              />
              <TextField
                name="passwordRepeat"
                label={t('set_password.repeat')}
                type="password"
                autocomplete="new-password"
                error={opts.errors?.passwordRepeat}
                required
              />
              <div class="kern-btn-wrapper">
                <Button label={t('set_password.submit')} />
              </div>
            </form>
          </div>
        </div>
      ),
    });
  };

  app.get<{ Params: { token: string } }>('/passwort-setzen/:token', async (req, reply) => {
    const link = await openLink(deps.database, req.params.token, req.ctx.clock, req.id);
    if (!link) return invalidLink(req, reply);
    return setPasswordPage(req, reply, req.params.token, link);
  });

  app.post<{ Params: { token: string } }>(
    '/passwort-setzen/:token',
    { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const { token } = req.params;
      const link = await openLink(deps.database, token, req.ctx.clock, req.id);
      if (!link) return invalidLink(req, reply);
      const form = parseForm(req, SetPasswordBody);
      if (!form.ok) return setPasswordPage(req, reply, token, link, { errors: form.errors, status: 422 });
      try {
        const session = await setPasswordWithLink(
          deps.database,
          deps.config,
          { token, password: form.data.password, repeat: form.data.passwordRepeat },
          req.ctx.clock,
          req.id,
        );
        // Logged in as the person: a session of someone else in this browser ends with the new cookie.
        reply.setCookie(services.sessionCookie, session, services.cookieOptions);
        reply.clearCookie(services.csrfCookie, services.cookieOptions);
        return reply.redirect('/', 303);
      } catch (err) {
        if (err instanceof InvalidLinkError) return invalidLink(req, reply);
        const problem = err instanceof ValidationError ? formProblem(err, req.t) : undefined;
        if (problem) return setPasswordPage(req, reply, token, link, problem);
        if (err instanceof RateLimitedError) throw err;
        throw err;
      }
    },
  );
}
