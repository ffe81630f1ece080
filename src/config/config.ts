/**
 * The only reader of process.env. Turns environment variables into a frozen, validated Config.
 * An invalid setting stops start-up with a message that names the variable.
 */
import path from 'node:path';
import { type PullSourceConfig, parsePullSources } from './pull-sources.js';

export type DemoMode = 'auto' | 'on' | 'off';
/** Where jobs run: in the server process, or only in `allmende worker` processes (PostgreSQL). */
export type JobsMode = 'inline' | 'worker';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly label: string;
  /** Only for tests and local development against an http:// provider. */
  readonly allowHttp: boolean;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  /** postgres://… when running against a PostgreSQL server; undefined for the embedded PGlite. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly demo: DemoMode;
  readonly publicUrl: string;
  readonly cookieSecure: boolean;
  readonly sessionIdleMinutes: number;
  readonly sessionAbsoluteHours: number;
  readonly bodyLimitBytes: number;
  /** false, a number of proxy hops, or the proxies' addresses/CIDRs (comma-separated). */
  readonly trustProxy: false | number | string;
  readonly logLevel: LogLevel;
  readonly loginMaxFailures: number;
  readonly loginWindowMinutes: number;
  readonly oidc: OidcConfig | undefined;
  readonly jobs: JobsConfig;
  /**
   * Key that signs the audit anchor (the exported list of chain heads): ALLMENDE_AUDIT_ANCHOR_KEY, or
   * undefined: then a key is generated into `<dataDir>/audit-anchor.key` on first use.
   */
  readonly auditAnchorKey: string | undefined;
  /** Folder the nightly job writes the signed audit anchor to (ALLMENDE_AUDIT_ANCHOR_DIR); unset: none. */
  readonly auditAnchorDir: string | undefined;
  readonly mail: MailConfig;
  /** Bearer token that /metrics requires; without it /metrics answers 404. */
  readonly metricsToken: string | undefined;
  /** Prometheus servers the metering module pulls hourly usage from (ALLMENDE_PULL_SOURCES). */
  readonly pullSources: readonly PullSourceConfig[];
  /**
   * Months raw usage events are kept before the monthly job drops their partitions
   * (ALLMENDE_USAGE_RETENTION_MONTHS); dedup keys and rollups stay.
   */
  readonly usageRetentionMonths: number;
}

export interface MailConfig {
  /** smtp://user:pass@host:587 or smtps://…:465; undefined: mails are written to the log instead. */
  readonly smtpUrl: string | undefined;
  /** Sender address ("From"), e.g. `Allmende <noreply@zweckverband.example>`. */
  readonly from: string;
}

export interface JobsConfig {
  readonly mode: JobsMode;
  /** How often a runner looks for due jobs, schedules and outbox messages. */
  readonly pollMs: number;
  /** First retry delay of an undelivered outbox message; it doubles per attempt, up to one hour. */
  readonly outboxRetryMs: number;
  /** Default receiver of outbox messages of kind "webhook" (HTTP POST, JSON). */
  readonly webhookUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Bounds of ALLMENDE_USAGE_RETENTION_MONTHS. At least 24: the ingest accepts events up to 24 months old
 * (metering.events.ts, MAX_AGE_MONTHS), and a shorter retention would drop months that still receive
 * late events. At most 1200 (a hundred years), to catch a typo.
 */
export const MIN_USAGE_RETENTION_MONTHS = 24;
export const MAX_USAGE_RETENTION_MONTHS = 1200;

/** Documented settings: name, default, meaning. Used by `allmende --help` and the README table. */
export const SETTINGS: ReadonlyArray<{ name: string; default: string; description: string }> = [
  { name: 'PORT', default: '3000', description: 'HTTP port' },
  { name: 'HOST', default: 'localhost', description: 'Interface to bind (0.0.0.0 for all)' },
  {
    name: 'DATABASE_URL',
    default: '(unset)',
    description: 'postgres://… to use PostgreSQL ≥ 15; unset = embedded PGlite',
  },
  { name: 'ALLMENDE_DATA_DIR', default: './data', description: 'Folder of the embedded database' },
  {
    name: 'ALLMENDE_DEMO',
    default: 'auto',
    description: 'auto: load demo data into an empty embedded database; on: also on PostgreSQL; off: never',
  },
  { name: 'ALLMENDE_PUBLIC_URL', default: 'http://localhost:$PORT', description: 'External base URL' },
  {
    name: 'ALLMENDE_COOKIE_SECURE',
    default: 'true',
    description: 'Secure __Host- cookies; false only for plain-http access from another host',
  },
  { name: 'ALLMENDE_SESSION_IDLE_MINUTES', default: '30', description: 'Session idle timeout' },
  { name: 'ALLMENDE_SESSION_ABSOLUTE_HOURS', default: '12', description: 'Session absolute timeout' },
  { name: 'ALLMENDE_BODY_LIMIT_BYTES', default: '262144', description: 'Maximum request body size' },
  {
    name: 'ALLMENDE_TRUST_PROXY',
    default: 'false',
    description: 'Reverse proxies whose X-Forwarded-For to trust: a hop count (1) or their addresses/CIDRs',
  },
  {
    name: 'ALLMENDE_LOGIN_MAX_FAILURES',
    default: '5',
    description: 'Failed logins per account and client before throttling',
  },
  { name: 'ALLMENDE_LOGIN_WINDOW_MINUTES', default: '15', description: 'Window of the login throttle' },
  {
    name: 'ALLMENDE_OIDC_ISSUER',
    default: '(unset)',
    description: 'OpenID Connect issuer URL; enables SSO login',
  },
  {
    name: 'ALLMENDE_OIDC_CLIENT_ID',
    default: '(unset)',
    description: 'OIDC client id (required with issuer)',
  },
  {
    name: 'ALLMENDE_OIDC_CLIENT_SECRET',
    default: '(unset)',
    description: 'OIDC client secret (omit for a public client)',
  },
  { name: 'ALLMENDE_OIDC_LABEL', default: 'Single Sign-on', description: 'Label of the SSO button' },
  { name: 'ALLMENDE_OIDC_ALLOW_HTTP', default: 'false', description: 'Allow an http:// issuer (tests only)' },
  {
    name: 'ALLMENDE_JOBS',
    default: 'inline',
    description:
      'inline: `serve` also runs background jobs; worker: only `allmende worker` processes do (PostgreSQL only)',
  },
  { name: 'ALLMENDE_JOBS_POLL_MS', default: '2000', description: 'How often job runners look for due work' },
  {
    name: 'ALLMENDE_OUTBOX_RETRY_MS',
    default: '30000',
    description: 'First retry delay of an undelivered outbox message (doubles per attempt, at most 1 h)',
  },
  {
    name: 'ALLMENDE_WEBHOOK_URL',
    default: '(unset)',
    description: 'Receiver of outbox webhooks (POST, JSON)',
  },
  {
    name: 'ALLMENDE_SMTP_URL',
    default: '(unset)',
    description:
      'Mail server for invitations and password resets: smtp://user:pass@host:587 (STARTTLS) or smtps://…:465; unset = mails go to the log',
  },
  {
    name: 'ALLMENDE_MAIL_FROM',
    default: 'Allmende <noreply@host of ALLMENDE_PUBLIC_URL>',
    description: 'Sender address of the mails: an address, or "Name <address>"',
  },
  {
    name: 'ALLMENDE_METRICS_TOKEN',
    default: '(unset)',
    description:
      'Bearer token (at least 32 characters) that GET /metrics requires; unset = /metrics answers 404',
  },
  {
    name: 'ALLMENDE_AUDIT_ANCHOR_KEY',
    default: '(generated into $ALLMENDE_DATA_DIR/audit-anchor.key)',
    description:
      'Secret (at least 32 characters) that signs the audit anchor, the exported chain heads; keep it outside the database',
  },
  {
    name: 'ALLMENDE_AUDIT_ANCHOR_DIR',
    default: '(unset)',
    description:
      'Folder (best write-once) the nightly job writes the signed audit anchor to; unset: no export',
  },
  {
    name: 'ALLMENDE_PULL_SOURCES',
    default: '(unset)',
    description:
      'Prometheus servers to pull hourly usage from: JSON (or the path of a JSON file) listing name, url and per meter a PromQL query, the member label (default ags); see ARCHITECTURE.md, Metering',
  },
  {
    name: 'ALLMENDE_USAGE_RETENTION_MONTHS',
    default: '24',
    description: `Months raw usage events are kept (${MIN_USAGE_RETENTION_MONTHS}–${MAX_USAGE_RETENTION_MONTHS}); older months are dropped, dedup keys and rollups stay`,
  },
  { name: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent' },
];

/**
 * Which proxies to believe about the client address (it keys the login throttle). "true" would trust
 * every hop, letting any client pick its own address, so it is refused: name the hops or the proxies.
 */
function trustProxy(v: string | undefined, problems: string[]): false | number | string {
  if (v === undefined || v.toLowerCase() === 'false' || v === '0') return false;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  const parts = v.split(',').map((p) => p.trim());
  if (parts.every((p) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(p))) return parts.join(',');
  problems.push(
    `ALLMENDE_TRUST_PROXY: expected false, a hop count (e.g. 1) or proxy addresses/CIDRs (e.g. 10.0.0.5,10.1.0.0/16), got "${v}"`,
  );
  return false;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const v = str(name);
    if (v === undefined) return def;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`${name}: expected an integer between ${min} and ${max}, got "${v}"`);
      return def;
    }
    return Number(v);
  };
  const bool = (name: string, def: boolean): boolean => {
    const v = str(name)?.toLowerCase();
    if (v === undefined) return def;
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    problems.push(`${name}: expected true or false, got "${v}"`);
    return def;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const v = str(name);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) {
        problems.push(`${name}: expected a ${protocols.join(' or ')} URL, got protocol "${u.protocol}"`);
      }
      return v;
    } catch {
      problems.push(`${name}: not a valid URL`);
      return undefined;
    }
  };

  const port = int('PORT', 3000, 0, 65535);
  const demo = (str('ALLMENDE_DEMO') ?? 'auto') as DemoMode;
  if (!['auto', 'on', 'off'].includes(demo))
    problems.push(`ALLMENDE_DEMO: expected auto, on or off, got "${demo}"`);
  const logLevel = (str('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}`);

  const issuer = url('ALLMENDE_OIDC_ISSUER', ['https:', 'http:']);
  const allowHttp = bool('ALLMENDE_OIDC_ALLOW_HTTP', false);
  const clientId = str('ALLMENDE_OIDC_CLIENT_ID');
  let oidc: OidcConfig | undefined;
  if (issuer) {
    if (!clientId) problems.push('ALLMENDE_OIDC_CLIENT_ID: required when ALLMENDE_OIDC_ISSUER is set');
    if (issuer.startsWith('http:') && !allowHttp) {
      problems.push('ALLMENDE_OIDC_ISSUER: must be https (set ALLMENDE_OIDC_ALLOW_HTTP=true for tests only)');
    }
    oidc = Object.freeze({
      issuer,
      clientId: clientId ?? '',
      clientSecret: str('ALLMENDE_OIDC_CLIENT_SECRET'),
      label: str('ALLMENDE_OIDC_LABEL') ?? 'Single Sign-on',
      allowHttp,
    });
  } else if (clientId) {
    problems.push('ALLMENDE_OIDC_ISSUER: required when ALLMENDE_OIDC_CLIENT_ID is set');
  }

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const jobsMode = (str('ALLMENDE_JOBS') ?? 'inline') as JobsMode;
  if (!['inline', 'worker'].includes(jobsMode)) {
    problems.push(`ALLMENDE_JOBS: expected inline or worker, got "${jobsMode}"`);
  } else if (jobsMode === 'worker' && !databaseUrl) {
    problems.push(
      'ALLMENDE_JOBS: worker needs PostgreSQL (DATABASE_URL); the embedded database runs jobs in the server',
    );
  }
  const jobs: JobsConfig = Object.freeze({
    mode: jobsMode,
    pollMs: int('ALLMENDE_JOBS_POLL_MS', 2000, 50, 60_000),
    outboxRetryMs: int('ALLMENDE_OUTBOX_RETRY_MS', 30_000, 10, 3_600_000),
    webhookUrl: url('ALLMENDE_WEBHOOK_URL', ['http:', 'https:']),
  });

  const publicUrl = (url('ALLMENDE_PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(
    /\/$/,
    '',
  );
  const mailFrom = str('ALLMENDE_MAIL_FROM') ?? `Allmende <noreply@${new URL(publicUrl).hostname}>`;
  if (!/^([^<>\r\n]*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$/.test(mailFrom)) {
    problems.push(`ALLMENDE_MAIL_FROM: expected an address or "Name <address>", got "${mailFrom}"`);
  }
  const mail: MailConfig = Object.freeze({
    smtpUrl: url('ALLMENDE_SMTP_URL', ['smtp:', 'smtps:']),
    from: mailFrom,
  });
  let usageRetentionMonths = 24;
  const retention = str('ALLMENDE_USAGE_RETENTION_MONTHS');
  if (retention !== undefined) {
    const n = Number(retention);
    if (!/^\d+$/.test(retention) || n < MIN_USAGE_RETENTION_MONTHS || n > MAX_USAGE_RETENTION_MONTHS) {
      problems.push(
        `ALLMENDE_USAGE_RETENTION_MONTHS: expected whole months between ${MIN_USAGE_RETENTION_MONTHS} and ${MAX_USAGE_RETENTION_MONTHS}, got "${retention}" (the ingest accepts events up to ${MIN_USAGE_RETENTION_MONTHS} months old, so raw events are kept at least that long)`,
      );
    } else usageRetentionMonths = n;
  }
  const metricsToken = str('ALLMENDE_METRICS_TOKEN');
  if (metricsToken !== undefined && (metricsToken.length < 32 || /\s/.test(metricsToken))) {
    problems.push('ALLMENDE_METRICS_TOKEN: expected at least 32 characters without spaces');
  }

  const config: Config = {
    port,
    host: str('HOST') ?? 'localhost',
    databaseUrl,
    dataDir: path.resolve(str('ALLMENDE_DATA_DIR') ?? './data'),
    demo,
    publicUrl,
    cookieSecure: bool('ALLMENDE_COOKIE_SECURE', true),
    sessionIdleMinutes: int('ALLMENDE_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionAbsoluteHours: int('ALLMENDE_SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30),
    bodyLimitBytes: int('ALLMENDE_BODY_LIMIT_BYTES', 262144, 1024, 100 * 1024 * 1024),
    trustProxy: trustProxy(str('ALLMENDE_TRUST_PROXY'), problems),
    logLevel,
    loginMaxFailures: int('ALLMENDE_LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginWindowMinutes: int('ALLMENDE_LOGIN_WINDOW_MINUTES', 15, 1, 24 * 60),
    oidc,
    jobs,
    mail,
    metricsToken,
    pullSources: Object.freeze(parsePullSources(str('ALLMENDE_PULL_SOURCES'), problems)),
    usageRetentionMonths,
    auditAnchorKey: str('ALLMENDE_AUDIT_ANCHOR_KEY'),
    auditAnchorDir: str('ALLMENDE_AUDIT_ANCHOR_DIR')
      ? path.resolve(str('ALLMENDE_AUDIT_ANCHOR_DIR')!)
      : undefined,
  };
  if (config.auditAnchorKey !== undefined && config.auditAnchorKey.length < 32)
    problems.push('ALLMENDE_AUDIT_ANCHOR_KEY: must be at least 32 characters long');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
