/**
 * The `allmende` command line. Commands call services, never SQL.
 */
import fs from 'node:fs';
import { Command, Option } from 'commander';
import pino from 'pino';
import { ConfigError, loadConfig, SETTINGS } from '../config/config.js';
import { type InstanceState, prepareDatabase } from '../db/bootstrap.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open.js';
import type { Role } from '../db/schema.js';
import { runInTx } from '../db/tx.js';
import { printDemoAccounts, startServer } from '../http/server.js';
import { appJobs } from '../jobs/app-jobs.js';
import { createJobRunner } from '../jobs/runner.js';
import { verifyAuditTrail } from '../modules/audit/audit.service.js';
import { ROLES } from '../modules/auth/permissions.js';
import { SESSION_PURGE_JOB } from '../modules/auth/sessions.jobs.js';
import { seedDemo } from '../modules/demo/demo.seed.js';
import { MODULES } from '../modules/index.js';
import { findMemberByReference } from '../modules/members/members.service.js';
import {
  CSV_FIELDS,
  type CsvTable,
  DEFAULT_CSV_SOURCE,
  guessMapping,
  type UsageCsvMapping,
} from '../modules/metering/metering.csv.js';
import { importUsageCsv, lineIssueText, readCsvFile } from '../modules/metering/metering.import.service.js';
import { recordRejection } from '../modules/metering/metering.status.service.js';
import { createPerson, generatePassword } from '../modules/people/people.service.js';
import { createRegistry } from '../modules/registry.js';
import { sha256Hex } from '../shared/canonical-json.js';
import { ALL_MEMBERS_WRITE, systemCtx } from '../shared/context.js';
import { DomainError, LinesInvalidError, ValidationError } from '../shared/errors.js';
import { translator } from '../web/i18n/index.js';

function config() {
  return loadConfig(process.env);
}

/**
 * Opens the configured database, migrates and prepares it (unless `prepare` is false), runs fn and
 * closes the database again, also when fn fails.
 */
async function withDatabase(
  fn: (database: Database, state: InstanceState | undefined) => Promise<void>,
  prepare = true,
): Promise<void> {
  const database = await openDatabase(config());
  try {
    await fn(database, prepare ? await prepareDatabase(database) : undefined);
  } finally {
    await database.close();
  }
}

const settingsHelp = `\nSettings (environment variables):\n${SETTINGS.map((s) => `  ${s.name.padEnd(32)} ${s.description} [default: ${s.default}]`).join('\n')}\n`;

const program = new Command()
  .name('allmende')
  .description('Allmende — platform of a municipal IT association: members, people, audit trail, …')
  .showHelpAfterError()
  .addHelpText('after', settingsHelp);

program
  .command('serve')
  .description('start the web server (migrates; loads the demo into an empty embedded database)')
  .action(async () => {
    const server = await startServer(config());
    stopOnSignals(server.app.log, () => server.close());
  });

/** On SIGTERM or SIGINT: close gracefully, then exit (1 if closing failed). */
function stopOnSignals(log: { info(obj: object, msg: string): void }, close: () => Promise<void>): void {
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

program
  .command('worker')
  .description('run background jobs and the outbox in this process (PostgreSQL; stops gracefully on SIGTERM)')
  .action(async () => {
    const cfg = config();
    if (!cfg.databaseUrl) {
      console.error(
        'allmende worker needs PostgreSQL (DATABASE_URL). On the embedded database `allmende serve` runs the jobs itself.',
      );
      process.exit(2);
    }
    const log = pino({ level: cfg.logLevel, name: 'allmende-worker' });
    const database = await openDatabase(cfg);
    await prepareDatabase(database);
    const jobs = appJobs();
    const runner = createJobRunner({ database, config: cfg, jobs, log });
    await runner.start();
    await runner.send(SESSION_PURGE_JOB, {}, { key: `start:${new Date().toISOString().slice(0, 13)}` });
    log.info({ database: database.location, jobs: jobs.map((j) => j.name) }, 'worker started');
    process.stdout.write(`Allmende worker läuft (Datenbank: ${database.location})\n`);
    stopOnSignals(log, async () => {
      await runner.stop();
      await database.close();
    });
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    await withDatabase(async (_database, state) => {
      console.log(
        state?.migrationsApplied.length
          ? `Applied: ${state.migrationsApplied.join(', ')}`
          : 'Database is up to date.',
      );
    });
  });

const seed = program.command('seed').description('load data');
seed
  .command('demo')
  .description(
    'load the demo association, its members and one demo account per role (into an empty database)',
  )
  .action(async () => {
    await withDatabase(async (database) => {
      const res = await seedDemo(database);
      console.log(
        res.seeded ? `Demo loaded: ${res.members} members.` : 'Demo data already present: nothing changed.',
      );
      printDemoAccounts();
    });
  });

const user = program.command('user').description('manage people');
user
  .command('add')
  .description(
    'add a person (e.g. the first administrator) with an initial password that must be changed at the first login; prints a generated one unless --password-stdin',
  )
  .requiredOption('--member <member>', 'the member: "association", an AGS or a member id')
  .requiredOption('--email <email>', 'e-mail address (login name)')
  .requiredOption('--name <name>', 'display name')
  .addOption(
    new Option('--role <role...>', 'one or more roles').choices(ROLES as string[]).makeOptionMandatory(),
  )
  .option('--password-stdin', 'read the initial password from standard input')
  .action(
    async (opts: { member: string; email: string; name: string; role: Role[]; passwordStdin?: boolean }) => {
      let password: string | undefined;
      const initial = generatePassword();
      if (opts.passwordStdin) {
        const chunks: Buffer[] = [];
        for await (const c of process.stdin) chunks.push(c as Buffer);
        password = Buffer.concat(chunks)
          .toString('utf8')
          .replace(/\r?\n$/, '');
      }
      await withDatabase(async (database) => {
        const res = await runInTx(database, systemCtx('cli-user-add', ALL_MEMBERS_WRITE), async (tx) => {
          const m = await findMemberByReference(tx, opts.member);
          if (!m) throw new Error(`member not found: ${opts.member}`);
          // The operator's way in (the first administrator of a fresh install): a printed initial
          // password that must be changed at the first login. Everyone else is invited by mail.
          const res = await createPerson(
            tx,
            m.id,
            { email: opts.email, displayName: opts.name, roles: opts.role },
            { initialPassword: password ?? initial },
          );
          return res;
        });
        console.log(`Added ${res.person.email} (${res.person.roles.join(', ')}), id ${res.person.id}`);
        if (!password) console.log(`Initial password (shown once): ${initial}`);
        console.log('The password must be changed at the first login.');
      });
    },
  );

const audit = program.command('audit').description('the audit trail');
audit
  .command('verify')
  .description('verify every hash chain; names the first broken event; exit code 1 if any chain is broken')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) => {
    // Verifying reads only: the database is opened as it is, not migrated.
    await withDatabase(async (database) => {
      const result = await verifyAuditTrail(database);
      if (opts.json) {
        console.log(JSON.stringify(result, null, 2));
      } else {
        for (const c of result.chains) {
          if (!c.problem) {
            console.log(`OK      ${c.memberId}  ${String(c.events).padStart(6)} events  head ${c.headHash}`);
          } else if ('event' in c.problem) {
            console.log(
              `BROKEN  ${c.memberId}  first broken event: seq ${c.problem.event.seqText}, id ${c.problem.event.id} (${c.problem.kind}${'reason' in c.problem ? `: cannot be verified: ${c.problem.reason}` : ''})`,
            );
          } else if (c.problem.kind === 'head_mismatch') {
            console.log(
              `BROKEN  ${c.memberId}  head_mismatch (head seq ${c.problem.headSeq}, chain ends at ${c.problem.lastSeq})`,
            );
          } else {
            console.log(`BROKEN  ${c.memberId}  ${c.problem.kind}`);
          }
        }
        console.log(
          result.ok
            ? `Audit trail intact: ${result.eventsChecked} events in ${result.chains.length} chains.`
            : 'AUDIT TRAIL BROKEN',
        );
      }
      process.exitCode = result.ok ? 0 : 1;
    }, false);
  });

const usage = program.command('usage').description('usage metering');
usage
  .command('import')
  .description(
    'import usage events from a CSV file (UTF-8; ";" with decimal comma or ","; a header line), all or nothing: ' +
      'every bad line is reported with its line number and nothing is stored',
  )
  .argument('<file>', 'the CSV file')
  .option(
    '--source <name>',
    `the source of every row, when the file has no source column (default ${DEFAULT_CSV_SOURCE})`,
  )
  .option(
    '--map <field=column...>',
    `which column feeds a field: ${CSV_FIELDS.join(', ')} or attr.<key> (an attribute); eventId= (empty) derives ids from the row. Default: guessed from the header`,
  )
  .option('--dry-run', 'check the whole file against the database and store nothing')
  .addOption(new Option('--lang <lang>', 'language of the messages').choices(['de', 'en']).default('de'))
  .action(
    async (file: string, opts: { source?: string; map?: string[]; dryRun?: boolean; lang: 'de' | 'en' }) => {
      // The modules' messages too (the import's texts are the upload page's).
      const t = translator(opts.lang, createRegistry(MODULES).messages);
      let content: Buffer;
      try {
        content = fs.readFileSync(file);
      } catch (err) {
        console.error(`${file}: ${(err as Error).message}`);
        process.exitCode = 2;
        return;
      }
      let table: CsvTable;
      let mapping: UsageCsvMapping;
      try {
        table = readCsvFile(content);
        mapping = cliMapping(table.header, opts.source, opts.map ?? []);
      } catch (err) {
        if (!printImportError(err, t, file)) throw err;
        return;
      }
      console.log(
        `${file}: ${table.records.length} rows, delimiter "${table.delimiter}"; ${describeMapping(mapping)}`,
      );
      await withDatabase(async (database) => {
        try {
          const r = await runInTx(database, systemCtx('cli-usage-import', ALL_MEMBERS_WRITE), (tx) =>
            importUsageCsv(tx, table, mapping, { dryRun: opts.dryRun === true, sha256: sha256Hex(content) }),
          );
          const params = { rows: r.rows, accepted: r.accepted, duplicates: r.duplicates };
          console.log(t.code(opts.dryRun ? 'usage_import.cli_checked' : 'usage_import.cli_imported', params));
        } catch (err) {
          // A refused import (not a dry run) is a refused delivery: recorded for /verbrauch.
          if (err instanceof LinesInvalidError && !opts.dryRun) {
            await runInTx(database, systemCtx('cli-usage-import', ALL_MEMBERS_WRITE), (tx) =>
              recordRejection(tx, {
                channel: 'csv',
                sources: 'value' in mapping.source ? [mapping.source.value] : [],
                lines: table.records.length,
                issues: err.lines,
                message: file,
              }),
            ).catch(() => undefined);
          }
          if (!printImportError(err, t, file)) throw err;
        }
      });
    },
  );

/** The mapping guessed from the header, changed by --source and --map field=column. */
function cliMapping(
  header: readonly string[],
  source: string | undefined,
  maps: readonly string[],
): UsageCsvMapping {
  const guessed = guessMapping(header, source ?? DEFAULT_CSV_SOURCE);
  const m = {
    ...guessed,
    source: source !== undefined ? { value: source } : guessed.source,
    attributes: [...guessed.attributes],
  } as { -readonly [K in keyof UsageCsvMapping]: UsageCsvMapping[K] } & {
    attributes: { key: string; column: string }[];
  };
  for (const entry of maps) {
    const eq = entry.indexOf('=');
    const field = eq < 0 ? entry : entry.slice(0, eq);
    const column = eq < 0 ? '' : entry.slice(eq + 1);
    if (field.startsWith('attr.')) m.attributes.push({ key: field.slice(5), column });
    else if (field === 'source') {
      if (source !== undefined)
        throw new ValidationError([{ field: '--source', code: 'usage_import.cli_source_twice' }]);
      m.source = { column };
    } else if (field === 'eventId') m.eventId = column || null;
    else if (field === 'member' || field === 'meter' || field === 'quantity' || field === 'time')
      m[field] = column || null;
    else throw new ValidationError([{ field: `--map ${entry}`, code: 'usage_import.cli_field_unknown' }]);
  }
  return m;
}

function describeMapping(m: UsageCsvMapping): string {
  const col = (c: string | null) => (c === null ? '(none)' : `"${c}"`);
  return [
    `member=${col(m.member)}`,
    `meter=${col(m.meter)}`,
    `quantity=${col(m.quantity)}`,
    `time=${col(m.time)}`,
    `source=${'column' in m.source ? col(m.source.column) : `${m.source.value} (fixed)`}`,
    `eventId=${m.eventId === null ? '(derived)' : col(m.eventId)}`,
    ...m.attributes.map((a) => `attr.${a.key}=${col(a.column)}`),
  ].join(' ');
}

/** Prints a refused import (line by line, or the mapping's problems); false if err is something else. */
function printImportError(err: unknown, t: ReturnType<typeof translator>, file: string): boolean {
  if (err instanceof LinesInvalidError) {
    for (const issue of err.lines) console.error(lineIssueText(t, issue));
    console.error(t.code('usage_import.cli_refused', { count: err.lines.length, file }));
    process.exitCode = 1;
    return true;
  }
  if (err instanceof ValidationError) {
    for (const i of err.issues)
      console.error(t.code('usage_import.cli_mapping', { field: i.field, reason: t.code(i.code) }));
    console.error(t.code('usage_import.cli_refused', { count: err.issues.length, file }));
    process.exitCode = 2;
    return true;
  }
  return false;
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  if (err instanceof ValidationError) {
    const t = translator('en');
    console.error(`Invalid input:\n${err.issues.map((i) => `  - ${i.field}: ${t.code(i.code)}`).join('\n')}`);
    process.exit(2);
  }
  if (err instanceof DomainError) {
    console.error(`Error: ${err.message}`);
    process.exit(2);
  }
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
