/**
 * The `allmende` command as a user runs it: invalid settings stop start-up naming the setting; `serve`
 * answers health, readiness and metrics and stops gracefully on SIGTERM; `migrate`, `user add` work.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { databaseUrlOf, readAll, testDatabase, testDbKind } from '../helpers.js';

const run = promisify(execFile);
const dirs: string[] = [];
const dbs: Database[] = [];
afterAll(async () => {
  for (const d of dbs) await d.close().catch(() => undefined);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Environment for a child process on a fresh database (a folder for PGlite, a clone for PostgreSQL). */
async function childEnv(): Promise<{ env: NodeJS.ProcessEnv; database?: Database }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-cli-'));
  dirs.push(dir);
  const base = { ...process.env, LOG_LEVEL: 'silent', ALLMENDE_DATA_DIR: dir, HOST: '127.0.0.1' };
  if (testDbKind() === 'pglite') return { env: base };
  const database = await testDatabase();
  dbs.push(database);
  return { env: { ...base, DATABASE_URL: databaseUrlOf(database)! }, database };
}

function cli(args: string[], env: NodeJS.ProcessEnv, input?: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, ['bin/allmende.js', ...args], { env, cwd: process.cwd() });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

describe('allmende command', () => {
  it('prints help for every command', async () => {
    const { stdout } = await run(process.execPath, ['bin/allmende.js', '--help']);
    for (const c of ['serve', 'migrate', 'seed', 'user', 'audit']) expect(stdout).toContain(c);
    expect(stdout).toContain('DATABASE_URL');
    const sub = await run(process.execPath, ['bin/allmende.js', 'user', 'add', '--help']);
    expect(sub.stdout).toContain('--member');
  });

  it('refuses a second process on the same embedded database folder', async () => {
    if (testDbKind() !== 'pglite') return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-lock-'));
    dirs.push(dir);
    const first = await createDatabase({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
    try {
      const second = await cli(['migrate'], { ...process.env, ALLMENDE_DATA_DIR: dir, LOG_LEVEL: 'silent' });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`is in use by process ${process.pid}`);
    } finally {
      await first.close();
    }
    const after = await cli(['migrate'], { ...process.env, ALLMENDE_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(after.code, after.stderr).toBe(0);
  });

  it('refuses an invalid setting and names it', async () => {
    const r = await cli(['migrate'], { ...process.env, PORT: 'achtzig', ALLMENDE_SESSION_IDLE_MINUTES: '0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PORT');
    expect(r.stderr).toContain('ALLMENDE_SESSION_IDLE_MINUTES');
  });

  it('serves, answers health, readiness and metrics, and stops gracefully on SIGTERM', async () => {
    const METRICS = 'metrics-token-0123456789abcdefghijklmnop';
    const { env } = await childEnv();
    const port = 40000 + Math.floor(Math.random() * 20000);
    const p = spawn(process.execPath, ['bin/allmende.js', 'serve'], {
      env: { ...env, PORT: String(port), ALLMENDE_METRICS_TOKEN: METRICS },
      cwd: process.cwd(),
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => p.on('close', resolve));
    const deadline = Date.now() + 90_000;
    while (!out.includes('Allmende läuft auf') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(out).toContain('Allmende läuft auf');
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    // /metrics only with the configured bearer token.
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const metrics = await (
      await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } })
    ).text();
    expect(metrics).toContain('allmende_http_request_duration_seconds');
    const openapi = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toContain('/api/v1/members/{memberId}');
    const login = await fetch(`${base}/anmelden`);
    expect(login.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(login.headers.get('x-content-type-options')).toBe('nosniff');
    expect(login.headers.get('x-frame-options')).toBeTruthy();
    expect(login.headers.get('x-request-id')).toBeTruthy();
    if (testDbKind() === 'pglite') {
      expect(out).toContain('verband.admin@dikom.example'); // demo accounts on the console
      expect(await login.text()).toContain('Demo-Zugänge');
    }
    p.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('migrate is idempotent; user add creates a person with a generated password', async () => {
    const { env, database } = await childEnv();
    const first = await cli(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    const again = await cli(['migrate'], env);
    expect(again.stdout).toContain('up to date');
    if (!database) {
      const seed = await cli(['seed', 'demo'], env);
      expect(seed.code, seed.stderr).toBe(0);
      expect(seed.stdout).toMatch(/Demo loaded: \d+ members/);
    }
    const add = await cli(
      [
        'user',
        'add',
        '--member',
        '12060181',
        '--email',
        'neu@panketal.example',
        '--name',
        'Nora Neu',
        '--role',
        'member_clerk',
      ],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Initial password \(shown once\): \S{20,}/);
    expect(add.stdout).toContain('The password must be changed at the first login.');
    const bad = await cli(
      ['user', 'add', '--member', '12060181', '--email', 'kaputt', '--name', 'X', '--role', 'member_clerk'],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('email');
    if (database) {
      const u = await readAll(database, (tx) =>
        tx.db
          .selectFrom('users')
          .select(['email', 'roles'])
          .where('email', '=', 'neu@panketal.example')
          .executeTakeFirst(),
      );
      expect(u).toEqual({ email: 'neu@panketal.example', roles: ['member_clerk'] });
    }
  });
});
