/**
 * The real server for browser tests: startServer() in-process on a fresh embedded database in a temp
 * folder (demo data loaded), bound to 127.0.0.1 and browsed via http://localhost:<port>, plus a
 * headless Debian Chromium driven by playwright-core.
 */

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/config.js';
import { type RunningServer, startServer } from '../../src/http/server.js';
import { DEMO_PASSWORD } from '../../src/modules/demo/demo.seed.js';
import type { Clock } from '../../src/shared/clock.js';
import { DEMO } from '../helpers.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The demo accounts (one per role), shared with the integration tests. */
export const DEMO_USERS = DEMO;
export { DEMO_PASSWORD };

export interface E2eServer {
  /** http://localhost:<port>, the URL the browser uses (equal to ALLMENDE_PUBLIC_URL). */
  baseUrl: string;
  server: RunningServer;
  stop(): Promise<void>;
}

/** A port that is free right now on 127.0.0.1 (the server binds it a moment later). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startE2eServer(
  opts: { env?: Record<string, string>; clock?: Clock } = {},
): Promise<E2eServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-e2e-'));
  // The public URL must be known before start, so the port is picked first (PORT=0 would leave
  // ALLMENDE_PUBLIC_URL pointing at port 0).
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const config = loadConfig({
    ALLMENDE_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    ALLMENDE_PUBLIC_URL: baseUrl,
    ALLMENDE_DEMO: 'auto',
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  // startServer prints the demo accounts; keep the test output readable.
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  let server: RunningServer;
  try {
    server = await startServer(config, { clock: opts.clock });
  } finally {
    process.stdout.write = write;
  }
  const bound = new URL(server.url);
  if (Number(bound.port) !== port) throw new Error(`server bound ${server.url}, expected port ${port}`);
  return {
    baseUrl,
    server,
    async stop() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export async function newContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
}

/** Logs in through the real login form and waits for the start page of the role. */
export async function login(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/anmelden');
  await page.locator('main form input[name=email]').fill(email);
  await page.locator('main form input[name=password]').fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/anmelden')),
    page.locator('main form button[type=submit]').click(),
  ]);
}

export async function logout(page: Page): Promise<void> {
  await page.locator('header form[action="/abmelden"] button').click();
  await page.waitForURL(/\/anmelden\?abgemeldet/);
}

/** Looks up a member's id by name through the association admin's member list. */
export async function memberIdByName(page: Page, name: string): Promise<string> {
  await page.goto(`/mitglieder?q=${encodeURIComponent(name)}`);
  const href = await page.getByRole('link', { name, exact: true }).first().getAttribute('href');
  const id = href?.match(/^\/mitglieder\/([0-9a-f-]{36})$/)?.[1];
  if (!id) throw new Error(`member ${name} not found in the list`);
  return id;
}
