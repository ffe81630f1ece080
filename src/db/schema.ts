/**
 * Kysely table types. Kept by hand next to the SQL migrations; the database is the source of truth.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** date columns are returned as 'YYYY-MM-DD' strings (see type-parsers.ts). */
type DateString = ColumnType<string, string, string>;

export type MemberKind = 'stadt' | 'gemeinde' | 'amt' | 'landkreis' | 'verband' | 'other';
export type MemberStatus = 'applied' | 'active' | 'withdrawn';
export type Role = 'association_admin' | 'association_finance' | 'member_admin' | 'member_clerk' | 'auditor';

export interface MembersTable {
  id: Generated<string>;
  is_association: Generated<boolean>;
  name: string;
  kind: MemberKind;
  ags: string | null;
  ars: string | null;
  leitweg_id: string | null;
  street: string | null;
  postal_code: string | null;
  city: string | null;
  population: number | null;
  population_year: number | null;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  website: string | null;
  status: MemberStatus;
  applied_on: DateString | null;
  admitted_on: DateString | null;
  withdrawn_on: DateString | null;
  amt_id: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  member_id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  roles: Role[];
  status: Generated<'active' | 'disabled'>;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  last_login_at: Timestamp | null;
  password_changed_at: Timestamp | null;
  /** Set for a printed initial password (`allmende user add`): the first login must replace it. */
  must_change_password: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  member_id: string;
  user_id: string;
  auth_method: 'password' | 'oidc';
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export type TokenScope = 'members.read' | 'usage.write';

export interface ApiTokensTable {
  id: Generated<string>;
  member_id: string;
  name: string;
  token_hash: string;
  token_prefix: string;
  scopes: TokenScope[];
  created_by: string | null;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
}

/** One-time links to set a password (only the token's SHA-256 is stored). */
export interface AccountLinksTable {
  id: Generated<string>;
  member_id: string;
  user_id: string;
  purpose: 'invitation' | 'reset' | 'first_login';
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface PasswordResetRequestsTable {
  key: string;
  requested_at: Timestamp;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: Timestamp;
  blocked_until: Timestamp | null;
}

/** Actor kinds of the audit trail (lookup table actor_kinds). */
export type ActorKind = 'user' | 'token' | 'system' | 'anonymous' | 'citizen' | 'job';

export interface AuditEventsTable {
  id: Generated<string>;
  member_id: string;
  seq: number;
  occurred_at: Timestamp;
  actor_type: ActorKind;
  actor_id: string;
  action: string;
  object_type: string;
  object_id: string | null;
  data_digest: string | null;
  details: ColumnType<Record<string, unknown>, string, string>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
  /** 1: hash over the millisecond timestamp, without the id; 2: microseconds and the id. */
  hash_version: Generated<number>;
}

export interface AuditChainHeadsTable {
  member_id: string;
  last_seq: number;
  last_hash: string;
  updated_at: Timestamp;
}

export interface InstanceSettingsTable {
  key: string;
  value: string;
  updated_at: Timestamp;
}

/** The outbox (see src/jobs/outbox.ts): written in the business transaction, delivered after commit. */
export interface OutboxMessagesTable {
  id: Generated<string>;
  member_id: string;
  kind: string;
  topic: string;
  payload: ColumnType<unknown, string, string>;
  target: string | null;
  idempotency_key: string;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: Timestamp | null;
  delivered_at: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
}

export type JobState = 'queued' | 'active' | 'completed' | 'failed';

/** The embedded runner's queue (PGlite); PostgreSQL uses pg-boss's own schema. */
export interface JobQueueTable {
  id: Generated<string>;
  name: string;
  payload: ColumnType<unknown, string, string>;
  state: Generated<JobState>;
  attempts: Generated<number>;
  retry_limit: Generated<number>;
  retry_delay_seconds: Generated<number>;
  retry_backoff: Generated<boolean>;
  run_after: Timestamp;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface JobSchedulesTable {
  name: string;
  last_slot: Timestamp;
}

/** Lookup tables (roles, token_scopes, actor_kinds): a later module adds a code with one INSERT. */
export interface LookupTable {
  code: string;
  description: string;
}

/** A message (sealed payload) for the next page of a session; read once. */
export interface FlashMessagesTable {
  id: Generated<string>;
  member_id: string;
  session_id: string;
  payload: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

/** One-time form keys: a repeated submit answers the stored redirect. */
export interface FormSubmissionsTable {
  member_id: string;
  session_id: string;
  form_key: string;
  result: Generated<string>;
  created_at: Generated<Date>;
}

/** Catalogue lookup tables (catalog_units, catalog_aggregations). */
export interface CatalogNamedCodeTable {
  code: string;
  name_de: string;
  name_en: string;
}
export interface CatalogUnitsTable extends CatalogNamedCodeTable {
  position: number;
}

export interface CatalogCategoriesTable {
  code: string;
  position: number;
  name_de: string;
  name_en: string;
}

export type CatalogVersionStatus = 'draft' | 'adopted';

export interface CatalogVersionsTable {
  id: Generated<string>;
  number: string;
  title: string;
  status: CatalogVersionStatus;
  based_on: string | null;
  in_force_from: DateString | null;
  adopted_on: DateString | null;
  resolution_id: string | null;
  resolution_ref: string | null;
  notes: string | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type CatalogAggregation = 'sum' | 'count' | 'max' | 'unique_count' | 'latest' | 'time_weighted_avg';
export type CatalogVat = 'not_taxable' | 'standard' | 'reduced';

export interface CatalogItemsTable {
  version_id: string;
  service_code: string;
  number: string;
  category_code: string;
  name_de: string;
  name_en: string;
  description_de: Generated<string>;
  description_en: Generated<string>;
  unit_code: string;
  meter_key: string | null;
  aggregation: CatalogAggregation | null;
  /** A pricing.ts Price; written as JSON text. */
  price: ColumnType<unknown, string, string>;
  vat: CatalogVat;
  vat_note: string | null;
  notice_days: Generated<number>;
  is_example: Generated<boolean>;
}

export interface ServiceAgreementsTable {
  member_id: string;
  id: Generated<string>;
  service_code: string;
  starts_on: DateString;
  ends_on: DateString | null;
  notice_given_on: DateString | null;
  note: string | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ServiceAgreementTermsTable {
  member_id: string;
  agreement_id: string;
  valid_from: DateString;
  valid_until: DateString | null;
  /** numeric: an exact decimal string. */
  quantity: string | null;
  created_at: Generated<Date>;
}

export interface VotingRulesTable {
  valid_from: DateString;
  rules: ColumnType<unknown, string, string>;
  source: string;
  created_at: Generated<Date>;
}

export interface SteeringGroupMembersTable {
  member_id: string;
  valid_from: DateString;
  valid_until: DateString | null;
}

export type RepresentativeRole = 'representative' | 'deputy';

export interface AssemblyRepresentativesTable {
  id: Generated<string>;
  member_id: string;
  name: string;
  function: string | null;
  role: RepresentativeRole;
  valid_from: DateString;
  valid_until: DateString | null;
  is_example: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type MeetingStatus = 'planned' | 'invited' | 'held' | 'cancelled';

export interface MeetingsTable {
  id: Generated<string>;
  title: string;
  starts_at: Timestamp;
  ends_at: Timestamp | null;
  place: string | null;
  status: Generated<MeetingStatus>;
  invited_on: DateString | null;
  present_member_ids: Generated<string[]>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AgendaItemsTable {
  id: Generated<string>;
  meeting_id: string;
  position: number;
  number: string;
  title: string;
  description: string | null;
  public: Generated<boolean>;
  prepared_by_steering_group: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type MeetingDocumentKind = 'invitation' | 'report' | 'draft_resolution' | 'minutes' | 'other';

export interface MeetingDocumentsTable {
  id: Generated<string>;
  meeting_id: string;
  agenda_item_id: string | null;
  kind: MeetingDocumentKind;
  name: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  content: Uint8Array;
  public: Generated<boolean>;
  created_at: Generated<Date>;
}

export type ResolutionKind =
  | 'adopt_catalog_version'
  | 'admit_members'
  | 'release_member'
  | 'award_contract'
  | 'amend_statute'
  | 'other';

export interface ResolutionsTable {
  id: Generated<string>;
  meeting_id: string;
  agenda_item_id: string;
  number: string;
  kind: ResolutionKind;
  title: string;
  text: Generated<string>;
  majority: 'simple' | 'qualified';
  payload: ColumnType<unknown, string | undefined, string>;
  status: Generated<'draft' | 'voted'>;
  carried: boolean | null;
  tally: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  voted_at: Timestamp | null;
  effective_on: DateString | null;
  applied_at: Timestamp | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ResolutionVotesTable {
  resolution_id: string;
  member_id: string;
  votes: number;
  ballot: 'yes' | 'no' | 'abstain' | 'absent';
}

export type AdmissionStep = 'council_decision' | 'amending_statute' | 'approval' | 'publication';

export interface AdmissionStepsTable {
  member_id: string;
  step: AdmissionStep;
  done_on: DateString;
  reference: string | null;
  resolution_id: string | null;
  created_at: Generated<Date>;
}

/** Dedup keys of accepted usage events (not partitioned; they outlive raw-event purging). */
export interface UsageEventKeysTable {
  member_id: string;
  source: string;
  event_id: string;
  payload_hash: string;
  time: Timestamp;
  received_at: Generated<Date>;
}

/** Raw usage events, partitioned by month of `time`. */
export interface UsageEventsTable {
  member_id: string;
  time: Timestamp;
  source: string;
  event_id: string;
  meter_key: string;
  /** numeric: an exact decimal string. */
  quantity: string;
  attributes: ColumnType<Record<string, string> | null, string | null, string | null>;
  received_at: Generated<Date>;
}

/** Hourly rollups per member, meter and hour. */
export interface UsageHourlyTable {
  member_id: string;
  meter_key: string;
  hour: Timestamp;
  quantity_sum: string;
  event_count: number;
  quantity_max: string;
  latest_time: Timestamp;
  latest_source: string;
  latest_event_id: string;
  latest_quantity: string;
}

/** Distinct attribute values per member, meter and month (unique counts). */
export interface UsageDistinctValuesTable {
  member_id: string;
  meter_key: string;
  month: DateString;
  value_key: string;
  first_time: Timestamp;
}

/** Per Prometheus pull source and meter: the end of the last hour pulled, and unknown labels seen. */
export interface UsagePullWatermarksTable {
  source: string;
  meter_key: string;
  pulled_until: Timestamp;
  unknown_samples: Generated<number>;
  last_unknown_labels: Generated<string[]>;
  updated_at: Generated<Date>;
}

/** Closed billing months (closed in order; association data). */
export interface UsageBillingMonthsTable {
  month: DateString;
  closed_at: Generated<Date>;
  closed_by: string | null;
}

/** What a closed month's bill carries per member, meter and aggregation kind (append-only). */
export interface UsagePeriodTotalsTable {
  member_id: string;
  month: DateString;
  meter_key: string;
  aggregation: string;
  quantity: string;
  events: number;
}

/** Corrections of closed months carried by a later month's bill (append-only). */
export interface UsageCorrectionsTable {
  member_id: string;
  billed_month: DateString;
  month: DateString;
  meter_key: string;
  aggregation: string;
  quantity_before: string;
  quantity_after: string;
  events_before: number;
  events_after: number;
  created_at: Generated<Date>;
}

/** Members' meters and closed months changed since the last close. */
export interface UsageStaleTable {
  member_id: string;
  meter_key: string;
  month: DateString;
  since: Generated<Date>;
}

/** Voided usage events (append-only; the raw event stays). */
export interface UsageVoidsTable {
  member_id: string;
  source: string;
  event_id: string;
  time: Timestamp;
  meter_key: string;
  quantity: string;
  reason: string;
  voided_by: string;
  voided_at: Generated<Date>;
}

/** Per member and source: what the ingest accepted ever (the status page's summary). */
export interface UsageSourceTotalsTable {
  member_id: string;
  source: string;
  first_received_at: Timestamp;
  last_received_at: Timestamp;
  latest_time: Timestamp | null;
  accepted: number;
  duplicates: number;
}

/** Per member, source and Berlin day of receipt: what the ingest accepted that day. */
export interface UsageSourceDaysTable {
  member_id: string;
  source: string;
  day: DateString;
  accepted: number;
  duplicates: number;
  last_received_at: Timestamp;
  latest_time: Timestamp | null;
}

export type UsageRejectionChannel = 'api' | 'pull' | 'csv';

/** A refused delivery of usage (422, failed pull, refused CSV import), kept 90 days. */
export interface UsageRejectionsTable {
  member_id: string;
  id: Generated<string>;
  rejected_at: Timestamp;
  channel: UsageRejectionChannel;
  actor_type: ActorKind;
  actor_id: string;
  sources: Generated<string[]>;
  lines: number;
  error_count: number;
  /** JSON list of { line, field?, code }. */
  errors: ColumnType<unknown, string | undefined, string>;
  message: string | null;
}

/** A CSV file of usage between upload and confirm (content dropped on confirm; expires after a day). */
export interface UsageImportsTable {
  member_id: string;
  id: Generated<string>;
  created_by: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  file_name: string;
  size_bytes: number;
  sha256: string;
  content: Uint8Array | null;
  mapping: ColumnType<unknown, string, string>;
  state: Generated<'uploaded' | 'imported'>;
  imported_at: Timestamp | null;
  rows_total: number | null;
  accepted: number | null;
  duplicates: number | null;
}

export interface DB {
  members: MembersTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_throttle: LoginThrottleTable;
  account_links: AccountLinksTable;
  password_reset_requests: PasswordResetRequestsTable;
  audit_events: AuditEventsTable;
  audit_chain_heads: AuditChainHeadsTable;
  instance_settings: InstanceSettingsTable;
  outbox_messages: OutboxMessagesTable;
  job_queue: JobQueueTable;
  job_schedules: JobSchedulesTable;
  roles: LookupTable;
  token_scopes: LookupTable;
  actor_kinds: LookupTable;
  flash_messages: FlashMessagesTable;
  form_submissions: FormSubmissionsTable;
  catalog_units: CatalogUnitsTable;
  catalog_aggregations: CatalogNamedCodeTable;
  catalog_categories: CatalogCategoriesTable;
  catalog_versions: CatalogVersionsTable;
  catalog_items: CatalogItemsTable;
  service_agreements: ServiceAgreementsTable;
  service_agreement_terms: ServiceAgreementTermsTable;
  voting_rules: VotingRulesTable;
  steering_group_members: SteeringGroupMembersTable;
  assembly_representatives: AssemblyRepresentativesTable;
  meetings: MeetingsTable;
  agenda_items: AgendaItemsTable;
  meeting_documents: MeetingDocumentsTable;
  resolutions: ResolutionsTable;
  resolution_votes: ResolutionVotesTable;
  admission_steps: AdmissionStepsTable;
  usage_event_keys: UsageEventKeysTable;
  usage_events: UsageEventsTable;
  usage_hourly: UsageHourlyTable;
  usage_distinct_values: UsageDistinctValuesTable;
  usage_pull_watermarks: UsagePullWatermarksTable;
  usage_billing_months: UsageBillingMonthsTable;
  usage_period_totals: UsagePeriodTotalsTable;
  usage_corrections: UsageCorrectionsTable;
  usage_stale: UsageStaleTable;
  usage_voids: UsageVoidsTable;
  usage_source_totals: UsageSourceTotalsTable;
  usage_source_days: UsageSourceDaysTable;
  usage_rejections: UsageRejectionsTable;
  usage_imports: UsageImportsTable;
}

export type MemberRow = Selectable<MembersTable>;
export type NewMemberRow = Insertable<MembersTable>;
export type MemberUpdate = Updateable<MembersTable>;
export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
