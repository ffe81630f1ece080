/**
 * The public catalogue at /leistungen: the version in force today (or an earlier one), searchable and
 * filtered by category, each price said in plain words with a worked example; the versions and their
 * dates. No login, no JavaScript; staff see it in their layout, visitors in the public one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDate } from '../../shared/dates.js';
import { formatDecimal, formatEuro } from '../../shared/money.js';
import type { Lang, T } from '../../web/i18n/index.js';
import type { RawHtml } from '../../web/jsx/jsx-runtime.js';
import { queryParams, sendPage } from '../../web/page.js';
import { sendPublicPage } from '../../web/public-layout.js';
import { hasPermission } from '../auth/permissions.js';
import { catalogLookups, loadPriceBook } from './catalog.service.js';
import type { CatalogItem } from './price-book.js';
import { explainCharge } from './pricing.explain.js';
import { charge, type Price } from './pricing.js';

function send(
  req: FastifyRequest,
  reply: FastifyReply,
  opts: { title: string; body: RawHtml; status?: number },
) {
  return req.principal ? sendPage(req, reply, opts) : sendPublicPage(req, reply, opts);
}

/** The price in one sentence, e.g. "0,06 € je VM-Stunde bis 5.000, darüber 0,045 €". */
export function priceInWords(price: Price, unit: string, t: T, lang: Lang): string {
  const eur = (c: number | string) => formatEuro(c, lang);
  const num = (d: string) => formatDecimal(d, lang);
  let text: string;
  switch (price.model) {
    case 'unit':
      text = t.code('price_words.unit', { price: eur(price.unitCents), unit });
      break;
    case 'graduated':
    case 'volume': {
      const tiers = price.tiers
        .map((tier, i) => {
          const from = i === 0 ? null : price.tiers[i - 1]?.upTo;
          const amount = eur(tier.unitCents);
          return tier.upTo === null
            ? t.code('price_words.tier_above', { from: num(from ?? '0'), price: amount })
            : t.code('price_words.tier_upto', { upTo: num(tier.upTo), price: amount });
        })
        .join('; ');
      text = t.code(price.model === 'graduated' ? 'price_words.graduated' : 'price_words.volume', {
        unit,
        tiers,
      });
      break;
    }
    case 'package':
      text = t.code('price_words.package', {
        price: eur(price.packageCents),
        size: num(price.packageSize),
        unit,
      });
      break;
    case 'flat':
      text = t.code('price_words.flat', { price: eur(price.monthlyCents) });
      break;
    case 'per_inhabitant':
      text = t.code('price_words.per_inhabitant', { price: eur(price.yearlyCentsPerInhabitant) });
      break;
  }
  if (price.minimumCents) text += t.code('price_words.minimum', { price: eur(price.minimumCents) });
  return text;
}

/** A quantity that shows how the price works: into the second tier, two and a half packages, … */
function exampleInput(price: Price): {
  quantity: string;
  population?: { inhabitants: number; year: number };
} {
  switch (price.model) {
    case 'graduated':
    case 'volume': {
      const first = price.tiers[0]?.upTo;
      return { quantity: first ? String(Math.ceil(Number(first) * 1.5)) : '10' };
    }
    case 'package':
      return { quantity: String(Number(price.packageSize) * 2.5) };
    case 'flat':
      return { quantity: '1' };
    case 'per_inhabitant':
      return { quantity: '0', population: { inhabitants: 10_000, year: 2022 } };
    default:
      return { quantity: '10' };
  }
}

function fold(s: string): string {
  return s
    .toLowerCase()
    .replaceAll('ß', 'ss')
    .replaceAll('ä', 'ae')
    .replaceAll('ö', 'oe')
    .replaceAll('ü', 'ue');
}

export async function catalogPages(app: FastifyInstance): Promise<void> {
  const { tx } = app.allmende;

  app.get('/leistungen', async (req, reply) => {
    const t = req.t;
    const lang = req.lang;
    const q = queryParams(req.query);
    const search = (q.q ?? '').trim().slice(0, 100);
    const category = q.kategorie ?? '';
    // Everything public is in the price book (adopted versions with their items): one read.
    const { book, day, lookups } = await tx(req, async (t2) => ({
      book: await loadPriceBook(t2),
      day: t2.ctx.clock.today(),
      lookups: await catalogLookups(t2),
    }));
    const current = book.versionOn(day);
    const period = q.version ? book.periods.find((p) => p.version.number === q.version) : current;
    const shown = period ? { version: period.version, items: book.itemsOf(period.version.id) } : null;
    const name = (c: { nameDe: string; nameEn: string }) => (lang === 'de' ? c.nameDe : c.nameEn);
    const unitName = (code: string) => lookups.units.get(code)?.[lang] ?? code;
    const items = (shown?.items ?? []).filter(
      (i) =>
        (category === '' || i.categoryCode === category) &&
        (search === '' || fold(`${i.number} ${name(i)} ${i.serviceCode}`).includes(fold(search))),
    );
    const byCategory = lookups.categories
      .map((c) => ({ category: c, items: items.filter((i) => i.categoryCode === c.code) }))
      .filter((g) => g.items.length > 0);
    const title = t.code('catalog_page.title');
    const vat = (i: CatalogItem) =>
      i.vat === 'not_taxable'
        ? t.code('catalog_page.vat_not_taxable', { note: i.vatNote ?? '' })
        : t.code(i.vat === 'standard' ? 'catalog_page.vat_standard' : 'catalog_page.vat_reduced');
    return send(req, reply, {
      title,
      body: (
        <div class="kern-stack">
          <h1 class="kern-heading-x-large">{title}</h1>
          {shown && period ? (
            <p class="kern-body">
              {t.code(period === current ? 'catalog_page.in_force' : 'catalog_page.earlier', {
                title: shown.version.title,
                from: formatDate(period.validFrom, lang),
                adopted: shown.version.adoptedOn ? formatDate(shown.version.adoptedOn, lang) : '–',
              })}
              {period.validUntil
                ? `, ${t.code('catalog_page.until', { until: formatDate(period.validUntil, lang) })}`
                : ''}
              .
            </p>
          ) : (
            <p class="kern-body">{t.code('catalog_page.none')}</p>
          )}
          {shown?.items.some((i) => i.isExample) ? (
            <div class="kern-alert kern-alert--info" role="note">
              <div class="kern-alert__body">
                <p class="kern-body">{t.code('catalog_page.examples')}</p>
              </div>
            </div>
          ) : null}
          <form method="get" action="/leistungen" class="kern-stack">
            {q.version ? <input type="hidden" name="version" value={q.version} /> : null}
            <div class="form-grid">
              <div class="kern-form-input">
                <label class="kern-label" for="f-q">
                  {t.code('catalog_page.search')}
                </label>
                <input
                  class="kern-form-input__input"
                  id="f-q"
                  name="q"
                  type="search"
                  value={search}
                  maxlength={100}
                />
              </div>
              <div class="kern-form-input">
                <label class="kern-label" for="f-kategorie">
                  {t.code('catalog_page.category')}
                </label>
                <div class="kern-form-input__select-wrapper">
                  <select class="kern-form-input__select" id="f-kategorie" name="kategorie">
                    <option value="">{t.code('catalog_page.all_categories')}</option>
                    {lookups.categories.map((c) => (
                      <option value={c.code} selected={c.code === category}>
                        {name(c)}
                      </option>
                    ))}
                  </select>
                </div>
              </div>
            </div>
            <div class="kern-btn-wrapper">
              <button class="kern-btn kern-btn--secondary" type="submit">
                <span class="kern-label">{t.code('catalog_page.filter')}</span>
              </button>
            </div>
          </form>
          {byCategory.length === 0 && shown ? (
            <p class="kern-body">{t.code('catalog_page.nothing_found')}</p>
          ) : null}
          {byCategory.map(({ category: c, items: list }) => (
            <section class="kern-stack" aria-labelledby={`cat-${c.code}`}>
              <h2 class="kern-heading-large" id={`cat-${c.code}`}>
                {name(c)}
              </h2>
              {list.map((i) => {
                const unit = unitName(i.unitCode);
                const example = charge(i.price, exampleInput(i.price));
                return (
                  <article class="kern-stack catalog-item" aria-labelledby={`svc-${i.serviceCode}`}>
                    <h3 class="kern-heading-small" id={`svc-${i.serviceCode}`}>
                      {i.number} {name(i)}
                    </h3>
                    <p class="kern-body">
                      <strong>{t.code('catalog_page.price')}</strong> {priceInWords(i.price, unit, t, lang)}
                      {i.isExample ? ` (${t.code('catalog_page.example')})` : ''}
                    </p>
                    <p class="kern-body kern-body--small">
                      {vat(i)}
                      {i.noticeDays > 0 ? ` · ${t.code('catalog_page.notice', { days: i.noticeDays })}` : ''}
                      {i.meterKey ? ` · ${t.code('catalog_page.metered')}` : ''}
                    </p>
                    <details>
                      <summary class="kern-body">{t.code('catalog_page.worked_example')}</summary>
                      <ul class="kern-list">
                        {explainCharge(example, unit, t, lang).map((line) => (
                          <li>{line}</li>
                        ))}
                      </ul>
                    </details>
                  </article>
                );
              })}
            </section>
          ))}
          <h2 class="kern-heading-large">{t.code('catalog_page.versions')}</h2>
          <p class="kern-body">
            <a class="kern-link" href="/leistungen/vergleich">
              {t.code('catalog_staff.compare_link')}
            </a>
            {req.principal && hasPermission(req.ctx, 'catalog.edit') ? (
              <>
                {' · '}
                <a class="kern-link" href="/leistungen/versionen">
                  {t.code('catalog_staff.versions_title')}
                </a>
              </>
            ) : null}
          </p>
          <ul class="kern-list">
            {book.periods.map((p) => {
              const v = p.version;
              return (
                <li>
                  <a class="kern-link" href={`/leistungen?version=${encodeURIComponent(v.number)}`}>
                    {v.title}
                  </a>
                  {' – '}
                  {t.code('catalog_page.version_dates', {
                    adopted: v.adoptedOn ? formatDate(v.adoptedOn, lang) : '–',
                    from: formatDate(p.validFrom, lang),
                  })}
                  {p.validUntil
                    ? `, ${t.code('catalog_page.until', { until: formatDate(p.validUntil, lang) })}`
                    : ''}
                  {p === current ? ` (${t.code('catalog_page.current')})` : ''}
                </li>
              );
            })}
          </ul>
        </div>
      ),
    });
  });
}
