/** Texts of the audit module, German and English side by side. */
import type { Messages } from '../module.js';

export const auditMessages = {
  'audit.title': { de: 'Prüfpfad', en: 'Audit trail' },
  'audit.intro': {
    de: 'Jede Änderung und jeder Abruf personenbezogener Daten ist hier verzeichnet. Die Einträge jeder Körperschaft bilden eine SHA-256-Hashkette: Jede nachträgliche Änderung, Löschung oder Einfügung wird bei der Verifikation erkannt.',
    en: 'Every change and every access to personal data is recorded here. The entries of each public body form a SHA-256 hash chain: any later modification, deletion or insertion is detected during verification.',
  },
  'audit.filter': { de: 'Prüfpfad filtern', en: 'Filter audit trail' },
  'audit.member': { de: 'Körperschaft', en: 'Public body' },
  'audit.action': { de: 'Ereignis', en: 'Event' },
  'audit.from': { de: 'Von', en: 'From' },
  'audit.to': { de: 'Bis', en: 'To' },
  'audit.time': { de: 'Zeitpunkt', en: 'Time' },
  'audit.seq': { de: 'Nr.', en: 'No.' },
  'audit.actor': { de: 'Handelnde/r', en: 'Actor' },
  'audit.object': { de: 'Objekt', en: 'Object' },
  'audit.hash': { de: 'Hash', en: 'Hash' },
  'audit.verify': { de: 'Prüfpfad verifizieren', en: 'Verify audit trail' },
  'audit.export_csv': { de: 'Export als CSV', en: 'Export as CSV' },
  'audit.export_json': { de: 'Export als JSON', en: 'Export as JSON' },
  'audit.verify_ok': {
    de: 'Der Prüfpfad ist unverändert: {events} Einträge in {chains} Ketten geprüft.',
    en: 'The audit trail is unchanged: {events} entries in {chains} chains checked.',
  },
  'audit.verify_broken': {
    de: 'Der Prüfpfad wurde verändert: {chains} Kette(n) sind gebrochen.',
    en: 'The audit trail has been tampered with: {chains} chain(s) are broken.',
  },
  'audit.chains': { de: 'Hashketten', en: 'Hash chains' },
  'audit.events': { de: 'Einträge', en: 'Entries' },
  'audit.head_hash': { de: 'Letzter Hash', en: 'Latest hash' },
  'audit.intact': { de: 'Unverändert', en: 'Unchanged' },
  'audit.broken': { de: 'Gebrochen', en: 'Broken' },
  'audit.problem.hash_mismatch': { de: 'Inhalt eines Eintrags verändert', en: 'Content of an entry changed' },
  'audit.problem.broken_link': { de: 'Verkettung unterbrochen', en: 'Chain link broken' },
  'audit.problem.sequence_gap': { de: 'Eintrag fehlt oder wurde eingefügt', en: 'Entry missing or inserted' },
  'audit.problem.head_mismatch': {
    de: 'Einträge am Ende entfernt oder hinzugefügt',
    en: 'Entries removed or added at the end',
  },
  'audit.problem.missing_chain': { de: 'Die ganze Kette fehlt', en: 'The whole chain is missing' },
  'audit.problem.missing_head': { de: 'Kettenkopf fehlt', en: 'Chain head missing' },
} as const satisfies Messages;
