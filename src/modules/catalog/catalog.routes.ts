import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, requireAuth } from '../../http/api.js';
import { NotFoundError } from '../../shared/errors.js';
import {
  agreementCostsForMonth,
  bookService,
  cancelAgreement,
  changeAgreementQuantity,
  listAgreements,
} from './agreements.service.js';
import {
  Agreement,
  AgreementCancelBody,
  AgreementCosts,
  AgreementCreateBody,
  AgreementList,
  AgreementParams,
  AgreementQuantityBody,
  CatalogDiff,
  CatalogVersionDetail,
  CatalogVersionList,
  DiffQuery,
  MemberParams,
  MonthQuery,
  PriceAtAnswer,
  PriceAtParams,
  PriceAtQuery,
  VersionNumberParams,
} from './catalog.schema.js';
import {
  diffCatalogVersions,
  getCatalogVersion,
  listCatalogVersions,
  loadPriceBook,
} from './catalog.service.js';
import { explainCharge } from './pricing.explain.js';
import { charge } from './pricing.js';

/**
 * The catalogue API. Adopted versions and prices are public (no credentials needed); drafts appear only
 * for the association. Agreements are member-scoped.
 */
export const catalogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tx } = app.allmende;
  const tags = ['catalog'];

  app.get(
    '/catalog/versions',
    {
      schema: {
        tags,
        summary: 'Catalogue versions with their state on a day (public; drafts for the association)',
        response: { 200: CatalogVersionList, ...errorResponses },
      },
    },
    async (req) =>
      tx(req, async (t) => {
        const day = t.ctx.clock.today();
        const versions = await listCatalogVersions(t);
        const book = await loadPriceBook(t);
        const current = book.versionOn(day);
        return {
          day,
          versions: versions.map((v) => {
            const period = book.periods.find((p) => p.version.id === v.id);
            const state =
              v.status === 'draft'
                ? ('draft' as const)
                : period && period === current
                  ? ('in_force' as const)
                  : period && period.validFrom > day
                    ? ('planned' as const)
                    : ('superseded' as const);
            return { ...v, inForceUntil: period?.validUntil ?? null, state };
          }),
        };
      }),
  );

  app.get(
    '/catalog/versions/:number',
    {
      schema: {
        tags,
        summary: 'One catalogue version with its services and prices',
        params: VersionNumberParams,
        response: { 200: CatalogVersionDetail, ...errorResponses },
      },
    },
    async (req) => tx(req, (t) => getCatalogVersion(t, { number: req.params.number })),
  );

  app.get(
    '/catalog/diff',
    {
      schema: {
        tags,
        summary: 'What changed between two versions: new, removed and changed services and prices',
        querystring: DiffQuery,
        response: { 200: CatalogDiff, ...errorResponses },
      },
    },
    async (req) =>
      tx(req, async (t) => {
        const a = await getCatalogVersion(t, { number: req.query.from });
        const b = await getCatalogVersion(t, { number: req.query.to });
        return diffCatalogVersions(t, a.version.id, b.version.id);
      }),
  );

  app.get(
    '/catalog/prices/:serviceCode',
    {
      schema: {
        tags,
        summary: 'The price of a service on a day (priceAt), optionally the charge for a quantity, explained',
        params: PriceAtParams,
        querystring: PriceAtQuery,
        response: { 200: PriceAtAnswer, ...errorResponses },
      },
    },
    async (req) =>
      tx(req, async (t) => {
        const date = req.query.date ?? t.ctx.clock.today();
        const found = (await loadPriceBook(t)).priceAt(req.params.serviceCode, date);
        if (!found) throw new NotFoundError('catalog_item');
        const { item, period } = found;
        const quantity = req.query.quantity;
        const needsPopulation = item.price.model === 'per_inhabitant';
        const c =
          quantity !== undefined || (needsPopulation && req.query.inhabitants !== undefined)
            ? charge(item.price, {
                quantity: quantity ?? '0',
                ...(req.query.inhabitants !== undefined
                  ? { population: { inhabitants: req.query.inhabitants, year: null } }
                  : {}),
              })
            : undefined;
        const unit = item.unitCode;
        return {
          serviceCode: item.serviceCode,
          date,
          version: {
            number: period.version.number,
            inForceFrom: period.validFrom,
            inForceUntil: period.validUntil,
          },
          item,
          ...(c
            ? {
                charge: {
                  quantity: quantity ?? '0',
                  amountCents: c.amountCents,
                  exactCents: c.exactCents,
                  steps: c.steps,
                  explanation: explainCharge(c, unit, req.t, req.lang),
                },
              }
            : {}),
        };
      }),
  );

  // ---- agreements (member-scoped) ----

  app.get(
    '/members/:memberId/agreements',
    {
      schema: {
        tags: ['agreements'],
        summary: "A member's service agreements with their terms",
        params: MemberParams,
        response: { 200: AgreementList, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, async (t) => ({ agreements: await listAgreements(t, req.params.memberId) }));
    },
  );

  app.post(
    '/members/:memberId/agreements',
    {
      schema: {
        tags: ['agreements'],
        summary: 'Book a service for a member',
        params: MemberParams,
        body: AgreementCreateBody,
        response: { 201: Agreement, ...errorResponses },
      },
    },
    async (req, reply) => {
      requireAuth(req);
      const a = await tx(req, (t) => bookService(t, req.params.memberId, req.body));
      return reply.status(201).header('location', `/api/v1/members/${a.memberId}/agreements/${a.id}`).send(a);
    },
  );

  app.post(
    '/members/:memberId/agreements/:agreementId/quantity',
    {
      schema: {
        tags: ['agreements'],
        summary: 'Change the booked quantity from a day on',
        params: AgreementParams,
        body: AgreementQuantityBody,
        response: { 200: Agreement, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) =>
        changeAgreementQuantity(t, req.params.memberId, req.params.agreementId, req.body),
      );
    },
  );

  app.post(
    '/members/:memberId/agreements/:agreementId/cancel',
    {
      schema: {
        tags: ['agreements'],
        summary: "Cancel today, ending on the given day or the earliest the service's notice period allows",
        params: AgreementParams,
        body: AgreementCancelBody,
        response: { 200: Agreement, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, (t) => cancelAgreement(t, req.params.memberId, req.params.agreementId, req.body));
    },
  );

  app.get(
    '/members/:memberId/agreements/costs',
    {
      schema: {
        tags: ['agreements'],
        summary: "What a member's agreements cost in a month (flat and per-inhabitant services), explained",
        params: MemberParams,
        querystring: MonthQuery,
        response: { 200: AgreementCosts, ...errorResponses },
      },
    },
    async (req) => {
      requireAuth(req);
      return tx(req, async (t) => {
        const month = req.query.month ?? t.ctx.clock.today().slice(0, 7);
        const costs = await agreementCostsForMonth(t, req.params.memberId, month);
        return {
          month: costs.month,
          totalCents: costs.totalCents,
          agreements: costs.agreements.map((a) => ({
            agreementId: a.agreement.id,
            serviceCode: a.agreement.serviceCode,
            amountCents: a.amountCents,
            lines: a.lines.map((l) => ({
              validFrom: l.validFrom,
              validUntil: l.validUntil,
              versionNumber: l.versionNumber,
              quantity: l.quantity,
              amountCents: l.charge.amountCents,
              explanation: explainCharge(l.charge, l.unitCode, req.t, req.lang),
            })),
          })),
        };
      });
    },
  );
};
