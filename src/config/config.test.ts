import { describe, expect, it } from 'vitest';
import { MAX_AGE_MONTHS } from '../modules/metering/metering.events.js';
import { ConfigError, loadConfig, MIN_USAGE_RETENTION_MONTHS } from './config.js';

describe('config', () => {
  it('has working defaults: embedded database under ./data, port 3000', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toMatch(/data$/);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.cookieSecure).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('names every invalid setting', () => {
    try {
      loadConfig({
        PORT: 'abc',
        DATABASE_URL: 'mysql://x',
        ALLMENDE_DEMO: 'maybe',
        ALLMENDE_COOKIE_SECURE: 'perhaps',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'ALLMENDE_DEMO', 'ALLMENDE_COOKIE_SECURE'])
        expect(msg).toContain(name);
    }
  });
  it('runs jobs in the server by default; worker processes only on PostgreSQL', () => {
    expect(loadConfig({}).jobs).toEqual({
      mode: 'inline',
      pollMs: 2000,
      outboxRetryMs: 30000,
      webhookUrl: undefined,
    });
    const pg = loadConfig({ DATABASE_URL: 'postgres://db/allmende', ALLMENDE_JOBS: 'worker' });
    expect(pg.jobs.mode).toBe('worker');
    expect(() => loadConfig({ ALLMENDE_JOBS: 'worker' })).toThrow(/ALLMENDE_JOBS: worker needs PostgreSQL/);
    expect(() => loadConfig({ ALLMENDE_JOBS: 'cron' })).toThrow(/ALLMENDE_JOBS/);
    expect(() => loadConfig({ ALLMENDE_WEBHOOK_URL: 'ftp://x' })).toThrow(/ALLMENDE_WEBHOOK_URL/);
  });
  it('mail: SMTP URL and sender checked, log by default; metrics token long enough', () => {
    const d = loadConfig({ ALLMENDE_PUBLIC_URL: 'https://allmende.zweckverband.example' });
    expect(d.mail).toEqual({ smtpUrl: undefined, from: 'Allmende <noreply@allmende.zweckverband.example>' });
    expect(d.metricsToken).toBeUndefined();
    const c = loadConfig({
      ALLMENDE_SMTP_URL: 'smtps://u:p@mail.example:465',
      ALLMENDE_MAIL_FROM: 'Zweckverband <it@zv.example>',
      ALLMENDE_METRICS_TOKEN: 'x'.repeat(32),
    });
    expect(c.mail.smtpUrl).toBe('smtps://u:p@mail.example:465');
    expect(c.mail.from).toBe('Zweckverband <it@zv.example>');
    expect(c.metricsToken).toBe('x'.repeat(32));
    try {
      loadConfig({
        ALLMENDE_SMTP_URL: 'http://mail.example',
        ALLMENDE_MAIL_FROM: 'kein absender',
        ALLMENDE_METRICS_TOKEN: 'kurz',
      });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain('ALLMENDE_SMTP_URL');
      expect(problems).toContain('ALLMENDE_MAIL_FROM');
      expect(problems).toContain('ALLMENDE_METRICS_TOKEN');
    }
  });

  it('trusts proxies only by hop count or address, never blindly', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ ALLMENDE_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ALLMENDE_TRUST_PROXY: '10.0.0.5, 10.1.0.0/16' }).trustProxy).toBe(
      '10.0.0.5,10.1.0.0/16',
    );
    expect(() => loadConfig({ ALLMENDE_TRUST_PROXY: 'true' })).toThrow(/ALLMENDE_TRUST_PROXY/);
  });

  it('requires https for OIDC unless explicitly allowed for tests', () => {
    expect(() =>
      loadConfig({ ALLMENDE_OIDC_ISSUER: 'http://idp.local', ALLMENDE_OIDC_CLIENT_ID: 'x' }),
    ).toThrow(/ALLMENDE_OIDC_ISSUER/);
    expect(
      loadConfig({ ALLMENDE_OIDC_ISSUER: 'https://idp.example', ALLMENDE_OIDC_CLIENT_ID: 'x' }).oidc
        ?.clientId,
    ).toBe('x');
    expect(() => loadConfig({ ALLMENDE_OIDC_ISSUER: 'https://idp.example' })).toThrow(
      /ALLMENDE_OIDC_CLIENT_ID/,
    );
  });

  it('keeps raw usage 24 months by default; a shorter or odd retention is refused with the reason', () => {
    expect(loadConfig({}).usageRetentionMonths).toBe(24);
    expect(loadConfig({ ALLMENDE_USAGE_RETENTION_MONTHS: '36' }).usageRetentionMonths).toBe(36);
    for (const v of ['12', '23', '1201', '24.5', 'zwei Jahre', '-24']) {
      expect(() => loadConfig({ ALLMENDE_USAGE_RETENTION_MONTHS: v }), v).toThrow(
        new RegExp(`ALLMENDE_USAGE_RETENTION_MONTHS: expected whole months between 24 and 1200, got "${v}"`),
      );
    }
    expect(() => loadConfig({ ALLMENDE_USAGE_RETENTION_MONTHS: '12' })).toThrow(
      /the ingest accepts events up to 24 months old/,
    );
    // The lower bound is the age the ingest accepts.
    expect(MIN_USAGE_RETENTION_MONTHS).toBe(MAX_AGE_MONTHS);
  });
});
