/** API tokens of a member: create (the secret is shown once), list, revoke. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenScope } from '../../db/schema.js';
import { formatDateTime } from '../../shared/dates.js';
import { InvalidStateError, UnauthenticatedError, ValidationError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import {
  Badge,
  Button,
  CheckboxGroup,
  Csrf,
  DataTable,
  ErrorSummary,
  type FieldErrors,
  fieldErrors,
  SecretOnce,
  TextField,
} from '../../web/components.js';
import { csrfToken, sendPage } from '../../web/page.js';
import { getMemberSummary } from '../members/members.service.js';
import { createApiToken, listApiTokens, revokeApiToken, TOKEN_SCOPES } from './api-tokens.service.js';

export async function apiTokenPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  const page = async (
    req: FastifyRequest,
    reply: FastifyReply,
    memberId: string,
    opts: {
      secret?: string;
      errors?: FieldErrors;
      message?: string;
      status?: number;
      values?: { name?: string; scopes?: string[] };
    } = {},
  ) => {
    const t = req.t;
    const { member, tokens } = await tx(req, async (t2) => ({
      tokens: await listApiTokens(t2, memberId),
      member: await getMemberSummary(t2, memberId),
    }));
    const csrf = csrfToken(req, reply);
    const e = opts.errors ?? {};
    const base = `/mitglieder/${member.id}/api-tokens`;
    return sendPage(req, reply, {
      title: t('tokens.title', { name: member.name }),
      status: opts.status,
      nav: base,
      breadcrumbs: [
        ...(req.principal!.isAssociation ? [{ href: '/mitglieder', label: t('nav.members') }] : []),
        { href: `/mitglieder/${member.id}`, label: member.name },
      ],
      body: (
        <div class="kern-stack-lg">
          <h1 class="kern-heading-x-large">{t('tokens.title', { name: member.name })}</h1>
          <p class="kern-body">{t('tokens.intro')}</p>
          <SecretOnce
            title={t('tokens.created')}
            explanation={t('tokens.secret_once')}
            secret={opts.secret}
          />
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
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = typeof body.name === 'string' ? body.name : '';
    const scopes = (
      Array.isArray(body.scopes) ? body.scopes : typeof body.scopes === 'string' ? [body.scopes] : []
    ).filter((s): s is TokenScope => TOKEN_SCOPES.includes(s as TokenScope));
    const expiresOn =
      typeof body.expiresOn === 'string' && body.expiresOn !== '' ? body.expiresOn : undefined;
    try {
      const { token } = await tx(req, (t2) =>
        createApiToken(t2, req.params.memberId, { name, scopes, expiresOn }),
      );
      return page(req, reply, req.params.memberId, { secret: token, status: 201 });
    } catch (err) {
      if (err instanceof ValidationError) {
        return page(req, reply, req.params.memberId, {
          errors: fieldErrors(err.issues, req.t),
          values: { name, scopes },
          status: 422,
        });
      }
      throw err;
    }
  });

  app.post<{ Params: { memberId: string; tokenId: string } }>(
    '/mitglieder/:memberId/api-tokens/:tokenId/widerrufen',
    async (req, reply) => {
      if (!guard(req, req.params.memberId) || !isUuid(req.params.tokenId)) return reply.callNotFound();
      try {
        await tx(req, (t2) => revokeApiToken(t2, req.params.memberId, req.params.tokenId));
      } catch (err) {
        if (!(err instanceof InvalidStateError)) throw err;
      }
      return reply.redirect(`/mitglieder/${req.params.memberId}/api-tokens`, 303);
    },
  );
}
