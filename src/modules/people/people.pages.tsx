/** People and roles of a member: list, add, change roles, disable. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../db/schema.js';
import { mailDelivery } from '../../mail/mail.js';
import { formatDateTime } from '../../shared/dates.js';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import {
  Badge,
  Button,
  CheckboxGroup,
  Csrf,
  DataTable,
  type FieldErrors,
  FormHeading,
  LinkButton,
  SelectField,
  TextField,
} from '../../web/components.js';
import { formList, formProblem, formText, parseForm, submitOnce } from '../../web/form.js';
import { memberNav } from '../../web/layout.js';
import { csrfToken, sendPage } from '../../web/page.js';
import { ASSOCIATION_ROLES, hasPermission, MEMBER_ROLES } from '../auth/permissions.js';
import { getMemberSummary } from '../members/members.service.js';
import { PersonCreateBody, type PersonDto, PersonPatchBody } from './people.schema.js';
import { createPerson, getPerson, listPeople, mayGrantAuditor, updatePerson } from './people.service.js';

export async function peoplePages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  /** Logged-in staff only; ids that are not uuids are simply not found. */
  const guard = (req: FastifyRequest, memberId: string, reply: FastifyReply, ...more: string[]): boolean => {
    if (req.principal?.kind !== 'user') throw new UnauthenticatedError();
    if (![memberId, ...more].every(isUuid)) {
      reply.callNotFound();
      return false;
    }
    return true;
  };

  /** Member list (the association's), the Amt of a municipality, the member: "Amt Niemegk › Niemegk". */
  const crumbs = (
    req: FastifyRequest,
    member: { id: string; name: string },
    amt?: { id: string; name: string } | null,
  ) => [
    ...(req.principal!.isAssociation ? [{ href: '/mitglieder', label: req.t('nav.members') }] : []),
    ...(amt ? [{ href: `/mitglieder/${amt.id}`, label: amt.name }] : []),
    { href: `/mitglieder/${member.id}`, label: member.name },
  ];

  app.get<{ Params: { memberId: string } }>('/mitglieder/:memberId/personen', async (req, reply) => {
    if (!guard(req, req.params.memberId, reply)) return;
    const t = req.t;
    const { member, people, amt } = await tx(req, async (t2) => {
      const people = await listPeople(t2, req.params.memberId);
      const member = await getMemberSummary(t2, req.params.memberId);
      // The Amt a municipality belongs to, if the person may see it (the Amt's staff act for it).
      const amt = member.amtId ? await getMemberSummary(t2, member.amtId).catch(() => null) : null;
      return { people, member, amt };
    });
    const canManage = hasPermission(req.ctx, 'people.manage');
    const amtPeople = amt ? (
      <p class="kern-body">
        {t(member.kind === 'stadt' ? 'people.amt_acts_town' : 'people.amt_acts', {
          amt: amt.name.replace(/^Amt\s+/, ''),
        })}{' '}
        <a class="kern-link" href={`/mitglieder/${amt.id}/personen`}>
          {t('people.title', { name: amt.name })}
        </a>
      </p>
    ) : null;
    return sendPage(req, reply, {
      title: t('people.title', { name: member.name }),
      nav: memberNav(req, member.id, `/mitglieder/${member.id}/personen`),
      breadcrumbs: crumbs(req, member, amt),
      body: (
        <div class="kern-stack">
          <div class="page-header">
            <h1 class="kern-heading-x-large">{t('people.title', { name: member.name })}</h1>
            {canManage ? (
              <LinkButton
                href={`/mitglieder/${member.id}/personen/neu`}
                label={t('people.new')}
                variant="primary"
              />
            ) : null}
          </div>
          {/* An Amt's municipality usually has no staff of its own: the Amt's staff act for it. */}
          {amtPeople ?? (people.length === 0 ? <p class="kern-body">{t('people.none')}</p> : null)}
          {people.length === 0 ? null : (
            <DataTable
              id="people"
              caption={t('people.title', { name: member.name })}
              variant="striped"
              columns={[
                { label: t('people.name') },
                { label: t('login.email') },
                { label: t('people.roles') },
                { label: t('people.status') },
                { label: t('people.last_login') },
              ]}
            >
              {people.map((p) => (
                <tr class="kern-table__row">
                  <th scope="row" class="kern-table__header">
                    {canManage ? (
                      <a class="kern-link" href={`/mitglieder/${member.id}/personen/${p.id}`}>
                        {p.displayName}
                      </a>
                    ) : (
                      p.displayName
                    )}
                  </th>
                  <td class="kern-table__cell">{p.email}</td>
                  <td class="kern-table__cell">{p.roles.map((r) => t(`role.${r}`)).join(', ')}</td>
                  <td class="kern-table__cell">
                    <Badge
                      variant={p.status === 'active' ? 'success' : 'warning'}
                      label={t(`person_status.${p.status}`)}
                    />
                  </td>
                  <td class="kern-table__cell">
                    {p.lastLoginAt ? formatDateTime(new Date(p.lastLoginAt), req.lang) : '–'}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </div>
      ),
    });
  });

  const personForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    opts: {
      member: { id: string; name: string; isAssociation: boolean };
      person?: PersonDto;
      values: { email?: string; displayName?: string; roles: string[]; status?: string };
      errors?: FieldErrors;
      message?: string;
      status?: number;
    },
  ) => {
    const t = req.t;
    const csrf = csrfToken(req, reply);
    const e = opts.errors ?? {};
    // The auditor role only where the association grants it (or the person holds it already).
    const roles: readonly Role[] = (opts.member.isAssociation ? ASSOCIATION_ROLES : MEMBER_ROLES).filter(
      (r) => r !== 'auditor' || mayGrantAuditor(req.ctx) || opts.person?.roles.includes('auditor'),
    );
    const title = opts.person ? opts.person.displayName : t('people.new');
    const base = `/mitglieder/${opts.member.id}/personen`;
    return sendPage(req, reply, {
      title,
      status: opts.status,
      nav: memberNav(req, opts.member.id, base),
      breadcrumbs: [
        ...crumbs(req, opts.member),
        {
          href: base,
          // "Personen" alone is the menu's target (the own member's people); another member's are named.
          label:
            req.principal!.memberId === opts.member.id
              ? t('nav.people')
              : t('people.title', { name: opts.member.name }),
        },
      ],
      body: (
        <div class="kern-stack">
          <FormHeading title={title} errors={e} t={t} message={opts.message} />
          <form
            method="post"
            action={opts.person ? `${base}/${opts.person.id}` : base}
            class="kern-stack"
            novalidate
          >
            <Csrf token={csrf} />
            {opts.person ? (
              <>
                <input type="hidden" name="version" value={String(opts.person.version)} />
                <p class="kern-body">
                  {t('login.email')}: <strong>{opts.person.email}</strong>
                </p>
              </>
            ) : (
              <TextField
                name="email"
                label={t('login.email')}
                type="email"
                value={opts.values.email}
                error={e.email}
                required
                autocomplete="off"
                maxlength={254}
              />
            )}
            <TextField
              name="displayName"
              label={t('people.name')}
              value={opts.values.displayName}
              error={e.displayName}
              required
              maxlength={200}
            />
            <CheckboxGroup
              name="roles"
              legend={t('people.roles')}
              options={roles.map((r) => ({ value: r, label: t(`role.${r}`) }))}
              values={opts.values.roles}
              error={e.roles}
            />
            {opts.person ? (
              <SelectField
                name="status"
                label={t('people.status')}
                value={opts.values.status}
                error={e.status}
                options={[
                  { value: 'active', label: t('person_status.active') },
                  { value: 'disabled', label: t('person_status.disabled') },
                ]}
              />
            ) : (
              <p class="kern-body">{t('people.invitation_hint')}</p>
            )}
            <div class="kern-btn-wrapper">
              <Button label={t('common.save')} />
              <LinkButton href={base} label={t('common.cancel')} variant="tertiary" />
            </div>
          </form>
        </div>
      ),
    });
  };

  app.get<{ Params: { memberId: string } }>('/mitglieder/:memberId/personen/neu', async (req, reply) => {
    if (!guard(req, req.params.memberId, reply)) return;
    const member = await tx(req, (t2) => getMemberSummary(t2, req.params.memberId));
    if (!hasPermission(req.ctx, 'people.manage')) throw new ForbiddenError('people.manage');
    return personForm(req, reply, { member, values: { roles: [] } });
  });

  app.post<{ Params: { memberId: string } }>('/mitglieder/:memberId/personen', async (req, reply) => {
    if (!guard(req, req.params.memberId, reply)) return;
    const member = await tx(req, (t2) => getMemberSummary(t2, req.params.memberId));
    const form = parseForm(req, PersonCreateBody);
    const values = {
      email: formText(form.values, 'email'),
      displayName: formText(form.values, 'displayName'),
      roles: formList(form.values, 'roles'),
    };
    if (!form.ok) return personForm(req, reply, { member, values, errors: form.errors, status: 422 });
    const base = `/mitglieder/${member.id}/personen`;
    try {
      return await submitOnce(req, reply, tx, async (t2) => {
        // No password to pass on: the person gets an invitation mail with a one-time link.
        await createPerson(t2, member.id, form.data);
        const logged = mailDelivery(app.allmende.deps.config) === 'log';
        return { to: base, flash: { title: logged ? 'people.invited_logged' : 'people.invited' } };
      });
    } catch (err) {
      const problem = formProblem(err, req.t);
      if (problem) return personForm(req, reply, { member, values, ...problem });
      throw err;
    }
  });

  /** The member and the person whose edit form this is (404 for another member's ids, 403 without people.manage). */
  const personToEdit = (req: FastifyRequest, memberId: string, personId: string) =>
    tx(req, async (t2) => {
      const member = await getMemberSummary(t2, memberId);
      // The edit form is for people managers; check before reading (and auditing) the person.
      if (!hasPermission(t2.ctx, 'people.manage')) throw new ForbiddenError('people.manage');
      return { member, person: await getPerson(t2, memberId, personId) };
    });

  app.get<{ Params: { memberId: string; personId: string } }>(
    '/mitglieder/:memberId/personen/:personId',
    async (req, reply) => {
      if (!guard(req, req.params.memberId, reply, req.params.personId)) return;
      const { member, person } = await personToEdit(req, req.params.memberId, req.params.personId);
      return personForm(req, reply, {
        member,
        person,
        values: { displayName: person.displayName, roles: person.roles, status: person.status },
      });
    },
  );

  app.post<{ Params: { memberId: string; personId: string } }>(
    '/mitglieder/:memberId/personen/:personId',
    async (req, reply) => {
      if (!guard(req, req.params.memberId, reply, req.params.personId)) return;
      const { member, person } = await personToEdit(req, req.params.memberId, req.params.personId);
      const form = parseForm(req, PersonPatchBody, { required: ['displayName'] });
      const values = {
        displayName: formText(form.values, 'displayName'),
        roles: formList(form.values, 'roles'),
        status: formText(form.values, 'status'),
      };
      if (!form.ok)
        return personForm(req, reply, { member, person, values, errors: form.errors, status: 422 });
      try {
        return await submitOnce(req, reply, tx, async (t2) => {
          await updatePerson(t2, member.id, person.id, form.data);
          return { to: `/mitglieder/${member.id}/personen`, flash: { title: 'people.saved' } };
        });
      } catch (err) {
        const problem = formProblem(err, req.t);
        if (problem) return personForm(req, reply, { member, person, values, ...problem });
        throw err;
      }
    },
  );
}
