/**
 * The demo catalogue: versions 1.0 and 2.0 of the Leistungs- und Entgeltverzeichnis.
 *
 * Facts: version 2.0 was adopted by the assembly on 11 March 2021 with the categories and services
 * seed 004 lists (Potsdam, Ausschuss für Partizipation, Transparenz und Digitalisierung, 16.03.2021);
 * the association began operating in January 2021 (cottbus.de, 2021-02). The dates of version 1.0, the
 * in-force date of 2.0 (2022-01-01, when the new data centre went into operation) and EVERY PRICE are
 * examples (is_example): no price list of the association is published. The figures are informed by
 * published prices of other municipal IT providers: consulting at 105 EUR per hour (SAKD
 * Entgeltordnung from 2021-01-01, sakd.de); the others are plausible assumptions.
 */
import type { CatalogItem } from './price-book.js';

export const DEMO_CATEGORIES = [
  { code: 'it-strategie', position: 10, nameDe: 'IT-Strategie', nameEn: 'IT strategy' },
  { code: 'fachanwendungen', position: 20, nameDe: 'Fachanwendungen', nameEn: 'Specialist applications' },
  {
    code: 'rechenzentrum',
    position: 30,
    nameDe: 'Rechenzentrums- und Netzbetrieb',
    nameEn: 'Data centre and network operations',
  },
  { code: 'groupware', position: 40, nameDe: 'Groupware', nameEn: 'Groupware' },
  { code: 'druck', position: 50, nameDe: 'Druck & Kuvertierung', nameEn: 'Printing & enveloping' },
  { code: 'online-dienste', position: 60, nameDe: 'Online-Dienste', nameEn: 'Online services' },
] as const;

const NOT_TAXABLE =
  'Nicht steuerbar: Leistung zwischen juristischen Personen des öffentlichen Rechts (§ 2b UStG) – Beispiel';

type Spec = Omit<CatalogItem, 'isExample' | 'vat' | 'vatNote' | 'noticeDays'> &
  Partial<Pick<CatalogItem, 'vat' | 'vatNote' | 'noticeDays'>>;

function item(s: Spec): CatalogItem {
  const vat = s.vat ?? 'not_taxable';
  return {
    ...s,
    vat,
    vatNote: s.vatNote ?? (vat === 'not_taxable' ? NOT_TAXABLE : null),
    noticeDays: s.noticeDays ?? 90,
    isExample: true,
  };
}

const hourly = (serviceCode: string, number: string, nameDe: string, nameEn: string, cents: string) =>
  item({
    serviceCode,
    number,
    categoryCode: 'it-strategie',
    nameDe,
    nameEn,
    unitCode: 'stunde',
    meterKey: 'beratung-stunden',
    aggregation: 'sum',
    price: { model: 'unit', unitCents: cents },
    noticeDays: 0,
  });

/** Version 2.0: the services seed 004 names, plus online services for citizens. */
export const DEMO_VERSION_2_0: CatalogItem[] = [
  hourly('it-consulting', '1.1', 'IT-Consulting', 'IT consulting', '10500'),
  hourly('projektmanagement', '1.2', 'Projektmanagement', 'Project management', '10500'),
  hourly(
    'datenschutz-it-sicherheit',
    '1.3',
    'Datenschutz & IT-Sicherheit',
    'Data protection & IT security',
    '10500',
  ),
  hourly('ozg-beratung', '1.4', 'OZG-Beratung', 'Online Access Act (OZG) consulting', '10500'),
  item({
    serviceCode: 'schulungen',
    number: '1.5',
    categoryCode: 'it-strategie',
    nameDe: 'Schulungen/Konferenzen',
    nameEn: 'Training/conferences',
    unitCode: 'tag',
    meterKey: 'schulungstage',
    aggregation: 'sum',
    price: { model: 'unit', unitCents: '35000' },
    vat: 'standard',
    noticeDays: 0,
  }),
  item({
    serviceCode: 'loga',
    number: '2.1',
    categoryCode: 'fachanwendungen',
    nameDe: 'P&I LOGA (Personalabrechnung)',
    nameEn: 'P&I LOGA (payroll)',
    unitCode: 'fall',
    meterKey: 'loga-abrechnungen',
    aggregation: 'sum',
    price: {
      model: 'graduated',
      tiers: [
        { upTo: '100', unitCents: '950' },
        { upTo: '500', unitCents: '800' },
        { upTo: null, unitCents: '650' },
      ],
    },
  }),
  item({
    serviceCode: 'vois-meldewesen',
    number: '2.2',
    categoryCode: 'fachanwendungen',
    nameDe: 'Bürgerservice mit VOIS: Meldewesen',
    nameEn: 'Citizen services with VOIS: residents registration',
    unitCode: 'einwohner-jahr',
    meterKey: null,
    aggregation: null,
    price: { model: 'per_inhabitant', yearlyCentsPerInhabitant: '45' },
  }),
  item({
    serviceCode: 'vois-gewerbe',
    number: '2.3',
    categoryCode: 'fachanwendungen',
    nameDe: 'Bürgerservice mit VOIS: Gewerbe- und Erlaubniswesen',
    nameEn: 'Citizen services with VOIS: trade and permits',
    unitCode: 'einwohner-jahr',
    meterKey: null,
    aggregation: null,
    price: { model: 'per_inhabitant', yearlyCentsPerInhabitant: '12' },
  }),
  item({
    serviceCode: 'vois-gebuehrenkasse',
    number: '2.4',
    categoryCode: 'fachanwendungen',
    nameDe: 'Bürgerservice mit VOIS: Gebührenkasse',
    nameEn: 'Citizen services with VOIS: fee cash desk',
    unitCode: 'lizenz-monat',
    meterKey: null,
    aggregation: null,
    price: { model: 'flat', monthlyCents: 4500 },
  }),
  item({
    serviceCode: 'autista',
    number: '2.5',
    categoryCode: 'fachanwendungen',
    nameDe: 'Personenstandswesen und -register (AutiSta)',
    nameEn: 'Civil status and register (AutiSta)',
    unitCode: 'einwohner-jahr',
    meterKey: null,
    aggregation: null,
    price: { model: 'per_inhabitant', yearlyCentsPerInhabitant: '20', minimumCents: 2500 },
  }),
  item({
    serviceCode: 'vm-betrieb',
    number: '3.1',
    categoryCode: 'rechenzentrum',
    nameDe: 'Virtuelle Server (Betrieb)',
    nameEn: 'Virtual servers (operation)',
    unitCode: 'vm-stunde',
    meterKey: 'vm-stunden',
    aggregation: 'sum',
    price: {
      model: 'graduated',
      tiers: [
        { upTo: '5000', unitCents: '6' },
        { upTo: null, unitCents: '4.5' },
      ],
    },
  }),
  item({
    serviceCode: 'speicher',
    number: '3.2',
    categoryCode: 'rechenzentrum',
    nameDe: 'Speicher (Block- und Dateispeicher)',
    nameEn: 'Storage (block and file)',
    unitCode: 'gb-monat',
    meterKey: 'speicher-gb',
    aggregation: 'time_weighted_avg',
    price: { model: 'unit', unitCents: '12', minimumCents: 500 },
  }),
  item({
    serviceCode: 'datensicherung',
    number: '3.3',
    categoryCode: 'rechenzentrum',
    nameDe: 'Datensicherung (je angefangene 100 GB)',
    nameEn: 'Backup (per started 100 GB)',
    unitCode: 'gb-monat',
    meterKey: 'backup-gb',
    aggregation: 'max',
    price: { model: 'package', packageSize: '100', packageCents: 900 },
  }),
  item({
    serviceCode: 'netz-standort',
    number: '3.4',
    categoryCode: 'rechenzentrum',
    nameDe: 'Netzanschluss je Standort',
    nameEn: 'Network connection per site',
    unitCode: 'pauschal-monat',
    meterKey: null,
    aggregation: null,
    price: { model: 'flat', monthlyCents: 25000 },
    noticeDays: 180,
  }),
  item({
    serviceCode: 'postfach',
    number: '4.1',
    categoryCode: 'groupware',
    nameDe: 'E-Mail-Postfach',
    nameEn: 'E-mail mailbox',
    unitCode: 'postfach-monat',
    meterKey: 'postfaecher',
    aggregation: 'max',
    price: {
      model: 'volume',
      tiers: [
        { upTo: '50', unitCents: '450' },
        { upTo: '250', unitCents: '400' },
        { upTo: null, unitCents: '350' },
      ],
    },
  }),
  item({
    serviceCode: 'kollaboration',
    number: '4.2',
    categoryCode: 'groupware',
    nameDe: 'Dateiablage und Videokonferenz',
    nameEn: 'File sharing and video conferencing',
    unitCode: 'lizenz-monat',
    meterKey: null,
    aggregation: null,
    price: { model: 'flat', monthlyCents: 350 },
  }),
  item({
    serviceCode: 'druck-sw',
    number: '5.1',
    categoryCode: 'druck',
    nameDe: 'Zentraldruck schwarz-weiß',
    nameEn: 'Central printing, black and white',
    unitCode: 'seite',
    meterKey: 'druckseiten',
    aggregation: 'sum',
    price: { model: 'unit', unitCents: '3.5' },
    noticeDays: 30,
  }),
  item({
    serviceCode: 'kuvertierung',
    number: '5.2',
    categoryCode: 'druck',
    nameDe: 'Kuvertierung',
    nameEn: 'Enveloping',
    unitCode: 'kuvert',
    meterKey: 'kuverts',
    aggregation: 'sum',
    price: { model: 'unit', unitCents: '12' },
    noticeDays: 30,
  }),
  item({
    serviceCode: 'online-antrag',
    number: '6.1',
    categoryCode: 'online-dienste',
    nameDe: 'Online-Antrag (Bürgerportal)',
    nameEn: 'Online application (citizen portal)',
    unitCode: 'antrag',
    meterKey: 'online-antrag',
    aggregation: 'count',
    price: {
      model: 'graduated',
      tiers: [
        { upTo: '100', unitCents: '0' },
        { upTo: null, unitCents: '150' },
      ],
    },
    noticeDays: 0,
  }),
  item({
    serviceCode: 'buergerportal',
    number: '6.2',
    categoryCode: 'online-dienste',
    nameDe: 'Bürgerportal (Betrieb)',
    nameEn: 'Citizen portal (operation)',
    unitCode: 'einwohner-jahr',
    meterKey: null,
    aggregation: null,
    price: { model: 'per_inhabitant', yearlyCentsPerInhabitant: '5', minimumCents: 1000 },
  }),
];

const priceOf = (code: string, price: CatalogItem['price']) => {
  const i = DEMO_VERSION_2_0.find((x) => x.serviceCode === code);
  if (!i) throw new Error(`demo catalogue: no ${code}`);
  return { ...i, price };
};

/** Version 1.0: fewer services, the first prices (examples). */
export const DEMO_VERSION_1_0: CatalogItem[] = [
  priceOf('it-consulting', { model: 'unit', unitCents: '9500' }),
  priceOf('projektmanagement', { model: 'unit', unitCents: '9500' }),
  priceOf('loga', { model: 'unit', unitCents: '950' }),
  priceOf('vois-meldewesen', { model: 'per_inhabitant', yearlyCentsPerInhabitant: '40' }),
  priceOf('vm-betrieb', { model: 'unit', unitCents: '7' }),
  priceOf('speicher', { model: 'unit', unitCents: '15' }),
  priceOf('postfach', { model: 'unit', unitCents: '500' }),
  priceOf('druck-sw', { model: 'unit', unitCents: '4' }),
];

/** The versions the catalogue seeds itself (adopted with an example reference; no demo meeting holds it). */
export const DEMO_VERSIONS = [
  {
    number: '1.0',
    title: 'Leistungs- und Entgeltverzeichnis 1.0',
    adoptedOn: '2020-12-10',
    inForceFrom: '2021-01-01',
    resolutionRef: 'Beispiel: Beschluss der Verbandsversammlung vom 10.12.2020',
    items: DEMO_VERSION_1_0,
  },
] as const;

/**
 * Version 2.0 is seeded as a draft and adopted by the demo assembly of 11 March 2021 (resolution 3/2021,
 * governance.demo.ts): the adoption is the resolution's effect, applied by applyResolution.
 */
export const DEMO_VERSION_2_0_DRAFT = {
  number: '2.0',
  title: 'Leistungs- und Entgeltverzeichnis 2.0',
  inForceFrom: '2022-01-01',
  items: DEMO_VERSION_2_0,
} as const;

/** Example agreements of the pilot members (seed 001 names Amt Niemegk, Bad Belzig and Panketal). */
export const DEMO_AGREEMENTS: readonly {
  member: string;
  serviceCode: string;
  startsOn: string;
  quantity?: string;
}[] = [
  { member: 'Bad Belzig', serviceCode: 'kollaboration', startsOn: '2022-01-01', quantity: '25' },
  { member: 'Bad Belzig', serviceCode: 'vois-meldewesen', startsOn: '2022-01-01' },
  { member: 'Bad Belzig', serviceCode: 'netz-standort', startsOn: '2022-01-01', quantity: '2' },
  { member: 'Panketal', serviceCode: 'kollaboration', startsOn: '2022-04-01', quantity: '40' },
  { member: 'Panketal', serviceCode: 'vois-meldewesen', startsOn: '2022-01-01' },
  { member: 'Panketal', serviceCode: 'autista', startsOn: '2022-01-01' },
  { member: 'Amt Niemegk', serviceCode: 'kollaboration', startsOn: '2022-01-01', quantity: '12' },
  { member: 'Amt Niemegk', serviceCode: 'vois-gebuehrenkasse', startsOn: '2022-01-01', quantity: '2' },
  { member: 'Amt Niemegk', serviceCode: 'netz-standort', startsOn: '2022-01-01', quantity: '1' },
];
