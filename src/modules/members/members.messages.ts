/** Texts of the members module, German and English side by side. */
import type { Messages } from '../module.js';

export const membersMessages = {
  'kind.stadt': { de: 'Stadt', en: 'Town (Stadt)' },
  'kind.gemeinde': { de: 'Gemeinde', en: 'Municipality (Gemeinde)' },
  'kind.amt': { de: 'Amt', en: 'Amt' },
  'kind.landkreis': { de: 'Landkreis', en: 'District (Landkreis)' },
  'kind.verband': { de: 'Verband', en: 'Association (Verband)' },
  'kind.other': { de: 'Sonstige Körperschaft', en: 'Other public body' },
  'status.applied': { de: 'Aufnahme beantragt', en: 'Membership applied for' },
  'status.active': { de: 'Mitglied', en: 'Member' },
  'status.withdrawn': { de: 'Ausgeschieden', en: 'Withdrawn' },
  'status.active_from': { de: 'Mitglied ab {date}', en: 'Member from {date}' },
  'status.withdrawing': { de: 'scheidet aus zum {date}', en: 'Member until {date} (withdrawing)' },
  'kind.invalid': { de: 'Wählen Sie eine Art der Körperschaft.', en: 'Select a type of public body.' },
  'kind.association_fixed': {
    de: 'Die Art des Verbands selbst kann nicht geändert werden.',
    en: 'The type of the association itself cannot be changed.',
  },
  'ags.format': {
    de: 'Der Amtliche Gemeindeschlüssel besteht aus 8 Ziffern, zum Beispiel 12060181.',
    en: 'The AGS (Amtlicher Gemeindeschlüssel) consists of 8 digits, for example 12060181.',
  },
  'ags.required': {
    de: 'Für Städte und Gemeinden ist der Amtliche Gemeindeschlüssel Pflicht.',
    en: 'The AGS (Amtlicher Gemeindeschlüssel) is mandatory for towns and municipalities.',
  },
  'ags.taken': {
    de: 'Diesen Amtlichen Gemeindeschlüssel hat bereits ein anderes Mitglied.',
    en: 'Another member already has this AGS (Amtlicher Gemeindeschlüssel).',
  },
  'ars.format': {
    de: 'Der Regionalschlüssel besteht aus 12 Ziffern (Gemeindeverband: 9 Ziffern).',
    en: 'The regional key (ARS) consists of 12 digits (for an association of municipalities: 9 digits).',
  },
  'ars.mismatch': {
    de: 'Regionalschlüssel und Amtlicher Gemeindeschlüssel passen nicht zusammen.',
    en: 'The regional key (ARS) and the AGS (Amtlicher Gemeindeschlüssel) do not match.',
  },
  'leitweg.format': {
    de: 'Die Leitweg-ID ist ungültig (Format: Grobadressierung-Feinadressierung-Prüfziffer, zum Beispiel 991-33333TEST-33).',
    en: 'The Leitweg-ID is invalid (format: coarse address-fine address-check digits, for example 991-33333TEST-33).',
  },
  'postal_code.format': {
    de: 'Die Postleitzahl besteht aus 5 Ziffern.',
    en: 'The postcode consists of 5 digits.',
  },
  'population.invalid': {
    de: 'Geben Sie die Einwohnerzahl als ganze Zahl ein.',
    en: 'Enter the population as a whole number.',
  },
  'population_year.invalid': {
    de: 'Geben Sie ein Stichjahr zwischen 1900 und 2100 ein.',
    en: 'Enter a reference year between 1900 and 2100.',
  },
  'population.year_required': {
    de: 'Einwohnerzahl und Stichjahr gehören zusammen.',
    en: 'Population and reference year must be entered together.',
  },
  'phone.format': {
    de: 'Die Telefonnummer darf nur Ziffern, Leerzeichen und + ( ) / - enthalten.',
    en: 'The telephone number may only contain digits, spaces and + ( ) / -.',
  },
  'url.format': {
    de: 'Geben Sie eine Webadresse beginnend mit https:// ein.',
    en: 'Enter a web address starting with https://.',
  },
  'amt.invalid': {
    de: 'Wählen Sie ein Amt aus der Mitgliederliste.',
    en: 'Select an Amt from the list of members.',
  },
  'amt.only_municipalities': {
    de: 'Nur Städte und Gemeinden können einem Amt angehören.',
    en: 'Only towns and municipalities can belong to an Amt.',
  },
  'status.transition': {
    de: 'Dieser Statuswechsel ist nicht möglich.',
    en: 'This status change is not possible.',
  },
  'status.association_fixed': {
    de: 'Der Status des Verbands selbst kann nicht geändert werden.',
    en: 'The status of the association itself cannot be changed.',
  },
  'amt.has_municipalities': {
    de: 'Ein Amt mit amtsangehörigen Gemeinden kann seine Art nicht ändern.',
    en: 'An Amt with member municipalities cannot change its kind.',
  },
  'members.title': { de: 'Mitglieder', en: 'Members' },
  'members.new': { de: 'Mitglied aufnehmen', en: 'Admit member' },
  'members.search_label': { de: 'Mitglieder suchen und filtern', en: 'Search and filter members' },
  'members.search': { de: 'Suche', en: 'Search' },
  'members.search_hint': {
    de: 'Name oder Amtlicher Gemeindeschlüssel',
    en: 'Name or AGS (Amtlicher Gemeindeschlüssel)',
  },
  'members.name': { de: 'Name', en: 'Name' },
  'members.kind': { de: 'Art', en: 'Type' },
  'members.ags': { de: 'AGS', en: 'AGS' },
  'members.ags_long': { de: 'Amtlicher Gemeindeschlüssel (AGS)', en: 'AGS (Amtlicher Gemeindeschlüssel)' },
  'members.ags_hint': {
    de: '8 Ziffern, zum Beispiel 12060181. Leer lassen, wenn die Körperschaft keinen hat (z. B. ein Amt).',
    en: '8 digits, for example 12060181. Leave empty if the public body does not have one (e.g. an Amt).',
  },
  'members.ars': { de: 'Regionalschlüssel (ARS)', en: 'Regional key (ARS)' },
  'members.ars_hint': {
    de: '12 Ziffern; für Ämter der 9-stellige Gemeindeverbandsschlüssel',
    en: '12 digits; for an Amt, the 9-digit association-of-municipalities key',
  },
  'members.leitweg': { de: 'Leitweg-ID', en: 'Leitweg-ID' },
  'members.leitweg_hint': {
    de: 'Für E-Rechnungen (XRechnung, BT-10), zum Beispiel 991-33333TEST-33',
    en: 'For e-invoices (XRechnung, BT-10), for example 991-33333TEST-33',
  },
  'members.population': { de: 'Einwohnerzahl', en: 'Population' },
  'members.population_year': {
    de: 'Stichjahr der Einwohnerzahl',
    en: 'Reference year of the population figure',
  },
  'members.population_ref': { de: 'Stand {year}', en: 'As of {year}' },
  'members.status': { de: 'Status', en: 'Status' },
  'members.association': { de: 'Zweckverband', en: 'Association (Zweckverband)' },
  'members.in_amt': { de: 'amtsangehörig zu {amt}', en: 'belongs to {amt}' },
  'members.choose': { de: 'Bitte wählen', en: 'Please select' },
  'members.amt': { de: 'Amt', en: 'Amt' },
  'members.amt_hint': {
    de: 'Nur für amtsangehörige Städte und Gemeinden',
    en: 'Only for towns and municipalities that belong to an Amt',
  },
  'members.no_amt': { de: 'Keinem Amt angehörig', en: 'Does not belong to an Amt' },
  'members.section_master': { de: 'Stammdaten', en: 'Master data' },
  'members.section_address': { de: 'Anschrift', en: 'Address' },
  'members.section_contact': { de: 'Ansprechpartner', en: 'Contact' },
  'members.street': { de: 'Straße und Hausnummer', en: 'Street and house number' },
  'members.postal_code': { de: 'Postleitzahl', en: 'Postcode' },
  'members.city': { de: 'Ort', en: 'Town/city' },
  'members.website': { de: 'Website', en: 'Website' },
  'members.address': { de: 'Anschrift', en: 'Address' },
  'members.contact_name': { de: 'Ansprechpartner/in oder Stelle', en: 'Contact person or office' },
  'members.contact_email': { de: 'E-Mail-Adresse', en: 'Email address' },
  'members.contact_phone': { de: 'Telefon', en: 'Telephone' },
  'members.created': {
    de: 'Das Mitglied wurde mit dem Status „Aufnahme beantragt“ angelegt.',
    en: 'The member has been created with the status “Membership applied for”.',
  },
  'members.saved': { de: 'Die Änderungen wurden gespeichert.', en: 'The changes have been saved.' },
  'members.edit_title': { de: '{name} bearbeiten', en: 'Edit {name}' },
  'members.applied_on': { de: 'Aufnahme beantragt am', en: 'Membership applied for on' },
  'members.admitted_on': { de: 'Mitglied ab', en: 'Member from' },
  'members.withdrawn_on': { de: 'Ausscheiden zum', en: 'Last day of membership' },
  'members.municipalities': {
    de: 'Amtsangehörige Städte und Gemeinden',
    en: 'Towns and municipalities belonging to this Amt',
  },
  'members.municipalities_intro': {
    de: 'Die Beschäftigten des Amtes handeln für jede dieser Gemeinden.',
    en: 'The staff of the Amt act on behalf of each of these municipalities.',
  },
  'members.status_change': { de: 'Mitgliedschaft', en: 'Membership' },
  'members.status_date_hint': {
    de: 'Datum laut Beschluss der Verbandsversammlung',
    en: 'Date as resolved by the association assembly (Verbandsversammlung)',
  },
  'members.admit': { de: 'Aufnahme eintragen', en: 'Record admission' },
  'members.withdraw': { de: 'Ausscheiden eintragen', en: 'Record withdrawal' },
  'member.association_exists': {
    de: 'Der Verband selbst ist bereits eingerichtet.',
    en: 'The association itself is already set up.',
  },
} as const satisfies Messages;
