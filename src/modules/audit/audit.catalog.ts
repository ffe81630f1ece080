/**
 * The typed catalogue of audit events, in the past tense. Adding an action here is the only way to
 * record it. Details must never contain personal data in clear: only ids, field names, codes, counts.
 */
export const AUDIT_ACTIONS = {
  'member.created': 'Mitglied angelegt',
  'member.updated': 'Mitglied geändert',
  'member.status_changed': 'Mitgliedsstatus geändert',
  'member.viewed': 'Mitglied mit Kontaktdaten angesehen',
  'user.created': 'Person angelegt',
  'user.updated': 'Person geändert',
  'user.viewed': 'Personendaten angesehen',
  'user.listed': 'Personenliste angesehen',
  'user.password_changed': 'Passwort geändert',
  'user.sso_linked': 'Mit Single Sign-on verknüpft',
  'auth.logged_in': 'Angemeldet',
  'auth.login_failed': 'Anmeldung fehlgeschlagen',
  'auth.logged_out': 'Abgemeldet',
  'auth.sessions_ended': 'Alle Sitzungen beendet',
  'token.created': 'API-Token erstellt',
  'token.revoked': 'API-Token widerrufen',
  'audit.viewed': 'Prüfpfad angesehen',
  'audit.exported': 'Prüfpfad exportiert',
  'audit.verified': 'Prüfpfad verifiziert',
  'demo.seeded': 'Demodaten geladen',
} as const;

export const AUDIT_ACTIONS_EN: Record<AuditAction, string> = {
  'member.created': 'Member created',
  'member.updated': 'Member updated',
  'member.status_changed': 'Member status changed',
  'member.viewed': 'Member with contact data viewed',
  'user.created': 'Person created',
  'user.updated': 'Person updated',
  'user.viewed': 'Personal data viewed',
  'user.listed': 'People list viewed',
  'user.password_changed': 'Password changed',
  'user.sso_linked': 'Linked to single sign-on',
  'auth.logged_in': 'Logged in',
  'auth.login_failed': 'Login failed',
  'auth.logged_out': 'Logged out',
  'auth.sessions_ended': 'All sessions ended',
  'token.created': 'API token created',
  'token.revoked': 'API token revoked',
  'audit.viewed': 'Audit trail viewed',
  'audit.exported': 'Audit trail exported',
  'audit.verified': 'Audit trail verified',
  'demo.seeded': 'Demo data loaded',
};

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export type AuditDetailValue = string | number | boolean | null | readonly string[];

export interface AuditInput {
  readonly action: AuditAction;
  /** Whose chain the event goes into: the member the object belongs to. */
  readonly memberId: string;
  readonly objectType: 'member' | 'user' | 'session' | 'api_token' | 'audit_trail' | 'instance';
  readonly objectId?: string | null;
  /** The changed or read data; only its SHA-256 over canonical JSON is stored. */
  readonly data?: unknown;
  /**
   * Who acted, when not the context's principal: a log-in runs before a principal exists, yet the
   * person logging in is the actor.
   */
  readonly actor?: { readonly type: 'user'; readonly id: string };
  /** Non-personal facts: changed field names, status codes, role names, counts. */
  readonly details?: Readonly<Record<string, AuditDetailValue>>;
}
