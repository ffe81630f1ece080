/**
 * What the benchmarks share: database URLs derived from the admin URL, and child processes (the server,
 * a baseline) started until they print a marker and stopped with SIGTERM, then SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The URL of database `name` on the admin URL's server, as `user` (no password: trust auth) if given. */
export function dbUrl(adminUrl: string, name: string, user?: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  if (user) {
    u.username = user;
    u.password = '';
  }
  return u.toString();
}

/**
 * Starts a child process in the project root and waits (at most a minute) until it prints `marker`.
 * With `echoStderr`, what it writes to stderr goes to the benchmark's stderr as well.
 */
export function start(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  marker: string,
  options: { echoStderr?: boolean } = {},
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(marker)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        if (!options.echoStderr) child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
      if (options.echoStderr) process.stderr.write(d);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

/** Stops a child process: SIGTERM, and SIGKILL after `graceMs`. */
export function stop(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  });
}

/** The cookies a browser would keep across requests. */
export interface CookieJar {
  keep(res: Response): void;
  header(): string;
}

export function cookieJar(): CookieJar {
  const jar = new Map<string, string>();
  return {
    keep(res) {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const i = pair!.indexOf('=');
        jar.set(pair!.slice(0, i), pair!.slice(i + 1));
      }
    },
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
  };
}

/** Logs in like a browser: the login page's CSRF token and cookie, then the form. */
export async function loginAs(base: string, email: string, password: string): Promise<CookieJar> {
  const jar = cookieJar();
  const page = await fetch(`${base}/anmelden`);
  jar.keep(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the login page');
  const res = await fetch(`${base}/anmelden`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
  jar.keep(res);
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  return jar;
}
