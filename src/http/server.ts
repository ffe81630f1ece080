/**
 * `allmende serve`: opens and migrates the database, loads the demo into an empty embedded database,
 * listens, runs background jobs (unless ALLMENDE_JOBS=worker), and shuts down gracefully on
 * SIGTERM/SIGINT (stop accepting, finish requests and running jobs, close the DB).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';
import { isEmpty, prepareDatabase } from '../db/bootstrap.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open.js';
import { appJobs } from '../jobs/app-jobs.js';
import type { JobRunner } from '../jobs/jobs.js';
import { createJobRunner } from '../jobs/runner.js';
import { SESSION_PURGE_JOB } from '../modules/auth/sessions.jobs.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from '../modules/demo/demo.seed.js';
import type { Clock } from '../shared/clock.js';
import { buildApp } from './app.js';

export function printDemoAccounts(write: (s: string) => void = (s) => process.stdout.write(s)): void {
  write(`\nDemo-Zugänge (Passwort für alle: ${DEMO_PASSWORD}):\n`);
  for (const a of DEMO_ACCOUNTS) write(`  ${a.email.padEnd(38)} ${a.role.padEnd(20)} ${a.member}\n`);
  write('\n');
}

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  /** The in-process job runner; undefined with ALLMENDE_JOBS=worker (PostgreSQL). */
  jobs: JobRunner | undefined;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts Allmende. `opts.clock` decides what "today" is for the app (browser tests move it to check
 * what is in force on a later day); the system clock otherwise.
 */
export async function startServer(config: Config, opts: { clock?: Clock } = {}): Promise<RunningServer> {
  const database = await openDatabase(config);
  const state = await prepareDatabase(database);
  let demo = state.demoSeeded;
  const mayLoadDemo = config.demo === 'on' || (config.demo === 'auto' && database.kind === 'pglite');
  if (mayLoadDemo && (await isEmpty(database))) {
    const res = await seedDemo(database);
    demo = res.seeded || demo;
  }
  demo = demo && config.demo !== 'off';
  const app = await buildApp({ config, database, secret: state.secret, demo, clock: opts.clock });
  const url = await app.listen({ port: config.port, host: config.host });
  // Background jobs: in this process on the embedded database (and on PostgreSQL unless
  // ALLMENDE_JOBS=worker hands them to `allmende worker` processes).
  let jobs: JobRunner | undefined;
  if (config.jobs.mode === 'inline') {
    jobs = createJobRunner({ database, config, jobs: appJobs(app.allmende.registry.modules), log: app.log });
    await jobs.start();
    await jobs.send(SESSION_PURGE_JOB, {}, { key: `start:${new Date().toISOString().slice(0, 13)}` });
  } else {
    app.log.info('jobs run in `allmende worker` processes (ALLMENDE_JOBS=worker)');
  }

  app.log.info(
    { database: database.location, demo, migrations: state.migrationsApplied.length },
    'Allmende started',
  );
  if (demo) printDemoAccounts();
  process.stdout.write(`Allmende läuft auf ${config.publicUrl} (Datenbank: ${database.location})\n`);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await app.close(); // stops accepting, lets in-flight requests finish
      await jobs?.stop(); // lets running jobs finish
      await database.close();
    })();
    return closing;
  };
  return { app, database, jobs, url, close };
}
