/** API tokens of a member: create (the secret is shown once), list, revoke. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDateTime } from '../../shared/dates.js';
import { InvalidStateError, UnauthenticatedError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import {
  Badge,
  Button,
  CheckboxGroup,
  Csrf,
  DataTable,
  ErrorSummary,
  type FieldErrors,
  TextField,
} from '../../web/components.js';
import { formList, formProblem, formText, parseForm, submitOnce } from '../../web/form.js';
import { memberNav } from '../../web/layout.js';
import { csrfToken, sendPage } from '../../web/page.js';
import { getMemberSummary } from '../members/members.service.js';
import { ApiTokenCreateBody } from './api-tokens.schema.js';
import { createApiToken, listApiTokens, revokeApiToken, TOKEN_SCOPES } from './api-tokens.service.js';

export async function apiTokenPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  const page = async (
    req: FastifyRequest,
    reply: FastifyReply,
    memberId: string,
    opts: {
      errors?: FieldErrors;
      message?: string;
      status?: number;
      values?: { name?: string; scopes?: string[]; expiresOn?: string };
    } = {},
  ) => {
    const t = req.t;
    const { member, tokens, amt } = await tx(req, async (t2) => {
      const tokens = await listApiTokens(t2, memberId);
      const member = await getMemberSummary(t2, memberId);
      const amt = member.amtId ? await getMemberSummary(t2, member.amtId).catch(() => null) : null;
      return { tokens, member, amt };
    });
    const csrf = csrfToken(req, reply);
    const e = opts.errors ?? {};
    const base = `/mitglieder/${member.id}/api-tokens`;
    return sendPage(req, reply, {
      title: t('tokens.title', { name: member.name }),
      status: opts.status,
      nav: memberNav(req, member.id, base),
      breadcrumbs: [
        ...(req.principal!.isAssociation ? [{ href: '/mitglieder', label: t('nav.members') }] : []),
        ...(amt ? [{ href: `/mitglieder/${amt.id}`, label: amt.name }] : []),
        { href: `/mitglieder/${member.id}`, label: member.name },
      ],
      body: (
        <div class="kern-stack-lg">
          <h1 class="kern-heading-x-large">{t('tokens.title', { name: member.name })}</h1>
          <div class="kern-stack">
            <p class="kern-body">{t('tokens.intro', { name: member.name })}</p>
            <p class="kern-body">{t('tokens.intro_who')}</p>
          </div>
          <ErrorSummary errors={e} t={t} message={opts.message} />
          <DataTable
            id="tokens"
            caption={t('tokens.list')}
            variant="small"
            columns={[
              { label: t('tokens.name') },
              { label: t('tokens.prefix') },
              { label: t('tokens.scopes') },
              { label: t('tokens.last_used') },
              { label: t('people.status') },
              { label: t('tokens.actions'), hidden: true },
            ]}
          >
            {tokens.length === 0 ? (
              <tr class="kern-table__row">
                <td class="kern-table__cell" colspan="6">
                  {t('tokens.none')}
                </td>
              </tr>
            ) : null}
            {tokens.map((k) => (
              <tr class="kern-table__row">
                <th scope="row" class="kern-table__header">
                  {k.name}
                </th>
                <td class="kern-table__cell mono">{`${k.prefix}…`}</td>
                <td class="kern-table__cell">{k.scopes.map((s) => t(`scope.${s}`)).join(', ')}</td>
                <td class="kern-table__cell">
                  {k.lastUsedAt ? formatDateTime(new Date(k.lastUsedAt), req.lang) : '–'}
                </td>
                <td class="kern-table__cell">
                  {k.revokedAt ? (
                    <Badge variant="warning" label={t('tokens.revoked')} />
                  ) : (
                    <Badge variant="success" label={t('tokens.active')} />
                  )}
                </td>
                <td class="kern-table__cell">
                  {k.revokedAt ? null : (
                    <form method="post" action={`${base}/${k.id}/widerrufen`}>
                      <Csrf token={csrf} />
                      <button type="submit" class="kern-btn kern-btn--tertiary kern-btn--x-small">
                        <span class="kern-label">{t('tokens.revoke')}</span>
                        <span class="kern-sr-only">{`: ${k.name}`}</span>
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
          <section class="section kern-stack" aria-labelledby="new-token-h">
            <h2 class="kern-heading-medium" id="new-token-h">
              {t('tokens.new')}
            </h2>
            <form method="post" action={base} class="kern-stack" novalidate>
              <Csrf token={csrf} />
              <TextField
                name="name"
                label={t('tokens.name')}
                hint={t('tokens.name_hint')}
                value={opts.values?.name}
                error={e.name}
                maxlength={100}
                required
              />
              <CheckboxGroup
                name="scopes"
                legend={t('tokens.scopes')}
                options={TOKEN_SCOPES.map((s) => ({ value: s, label: t(`scope.${s}`) }))}
                values={opts.values?.scopes ?? ['usage.write']}
                error={e.scopes}
              />
              <TextField
                name="expiresOn"
                label={t('tokens.expires')}
                type="date"
                optionalLabel={t('common.optional')}
                value={opts.values?.expiresOn}
                error={e.expiresOn}
              />
              <div class="kern-btn-wrapper">
                <Button label={t('tokens.create')} />
              </div>
            </form>
          </section>
        </div>
      ),
    });
  };

  const guard = (req: FastifyRequest, memberId: string): boolean => {
    if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
    return isUuid(memberId);
  };

  app.get<{ Params: { memberId: string } }>('/mitglieder/:memberId/api-tokens', async (req, reply) => {
    if (!guard(req, req.params.memberId)) return reply.callNotFound();
    return page(req, reply, req.params.memberId);
  });

  app.post<{ Params: { memberId: string } }>('/mitglieder/:memberId/api-tokens', async (req, reply) => {
    if (!guard(req, req.params.memberId)) return reply.callNotFound();
    const memberId = req.params.memberId;
    const form = parseForm(req, ApiTokenCreateBody);
    const values = {
      name: formText(form.values, 'name'),
      scopes: formList(form.values, 'scopes'),
      expiresOn: formText(form.values, 'expiresOn'),
    };
    if (!form.ok) return page(req, reply, memberId, { errors: form.errors, values, status: 422 });
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        const { token } = await createApiToken(t2, memberId, form.data);
        // The secret is shown once, from the flash: never in a URL, gone on reload.
        return {
          to: `/mitglieder/${memberId}/api-tokens`,
          flash: { title: 'tokens.created', secret: { explanation: 'tokens.secret_once', value: token } },
        };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return page(req, reply, memberId, { ...problem, values });
      throw err;
    }
  });

  app.post<{ Params: { memberId: string; tokenId: string } }>(
    '/mitglieder/:memberId/api-tokens/:tokenId/widerrufen',
    async (req, reply) => {
      if (!guard(req, req.params.memberId) || !isUuid(req.params.tokenId)) return reply.callNotFound();
      const to = `/mitglieder/${req.params.memberId}/api-tokens`;
      try {
        return await submitOnce(req, reply, tx, async (t2) => {
          await revokeApiToken(t2, req.params.memberId, req.params.tokenId);
          return { to };
        });
      } catch (err) {
        // Revoked already (e.g. in another tab): the page shows it so.
        if (!(err instanceof InvalidStateError)) throw err;
      }
      return reply.redirect(to, 303);
    },
  );
}
