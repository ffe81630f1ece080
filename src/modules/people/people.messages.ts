/** Texts of the people module, German and English side by side. */
import type { Messages } from '../module.js';

export const peopleMessages = {
  'role.association_admin': {
    de: 'Verbandsverwaltung (Administration)',
    en: 'Association office (administration)',
  },
  'role.association_finance': { de: 'Verbandsverwaltung (Finanzen)', en: 'Association office (finance)' },
  'role.member_admin': { de: 'Kommune (Administration)', en: 'Municipality (administration)' },
  'role.member_clerk': { de: 'Kommune (Sachbearbeitung)', en: 'Municipality (case officer)' },
  'role.auditor': { de: 'Rechnungsprüfung (nur lesen)', en: 'Audit (read only)' },
  'person_status.active': { de: 'Aktiv', en: 'Active' },
  'person_status.disabled': { de: 'Gesperrt', en: 'Disabled' },
  'roles.required': { de: 'Wählen Sie mindestens eine Rolle.', en: 'Select at least one role.' },
  'roles.not_allowed': {
    de: 'Diese Rolle kann hier nicht vergeben werden.',
    en: 'This role cannot be assigned here.',
  },
  'roles.auditor_exclusive': {
    de: 'Die Rolle Rechnungsprüfung kann nicht zusammen mit einer Administrationsrolle vergeben werden.',
    en: 'The auditor role cannot be combined with an administrator role.',
  },
  'person.cannot_grant_self': {
    de: 'Sie können sich nicht selbst weitere Rollen geben.',
    en: 'You cannot give yourself further roles.',
  },
  'person.last_admin': {
    de: 'Die Körperschaft braucht mindestens eine aktive Person mit Administrationsrolle.',
    en: 'The public body needs at least one active person with an administrator role.',
  },
  'person.cannot_disable_self': {
    de: 'Sie können Ihr eigenes Konto nicht sperren.',
    en: 'You cannot disable your own account.',
  },
  'person.cannot_drop_own_admin': {
    de: 'Sie können sich nicht selbst die Administrationsrolle entziehen.',
    en: 'You cannot remove the administration role from yourself.',
  },
  'people.title': { de: 'Personen: {name}', en: 'People: {name}' },
  'people.new': { de: 'Person hinzufügen', en: 'Add person' },
  'people.name': { de: 'Name', en: 'Name' },
  'people.roles': { de: 'Rollen', en: 'Roles' },
  'people.status': { de: 'Status', en: 'Status' },
  'people.last_login': { de: 'Letzte Anmeldung', en: 'Last sign-in' },
  'people.password': { de: 'Anfangspasswort', en: 'Initial password' },
  'people.password_hint': {
    de: 'Mindestens 12 Zeichen. Leer lassen, um ein sicheres Passwort erzeugen zu lassen.',
    en: 'At least 12 characters. Leave empty to have a secure password generated.',
  },
  'people.created': { de: 'Die Person wurde angelegt.', en: 'The person has been created.' },
  'people.initial_password': {
    de: 'Geben Sie der Person dieses Anfangspasswort auf sicherem Weg weiter. Es wird nur jetzt angezeigt.',
    en: 'Pass this initial password on to the person securely. It is only shown now.',
  },
  'people.saved': { de: 'Die Änderungen wurden gespeichert.', en: 'The changes have been saved.' },
} as const satisfies Messages;
