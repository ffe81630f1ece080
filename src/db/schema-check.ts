/**
 * Does src/db/schema.ts (the Kysely table types, kept by hand) agree with the migrated database?
 * Part of `npm run check`: migrates a fresh in-memory PGlite, reads information_schema, and compares it
 * with the `DB` interface as the TypeScript compiler sees it (`Selectable<DB[table]>`, so aliases such
 * as Generated<…>, ColumnType<…> and union types resolve exactly as they do for Kysely).
 * It reports tables and columns missing on either side, nullability that differs, and type families that
 * differ (string / number / boolean / Date / json / bytes and arrays of them, as the drivers return them:
 * int8 → number, date and numeric → string; see type-parsers.ts).
 *
 * Development tool: it needs the `typescript` dev dependency and is imported by nothing in the app.
 *   npx tsx src/db/schema-check.ts [schema file]
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { createDatabase, type Database } from './database.js';
import { migrate } from './migrator.js';

export const SCHEMA_FILE = fileURLToPath(new URL('./schema.ts', import.meta.url));
/** Tables that Kysely never queries (the migrator's bookkeeping). */
const IGNORED_TABLES = new Set(['allmende_migrations']);

export interface ColumnShape {
  nullable: boolean;
  /** 'string' | 'number' | 'boolean' | 'Date' | 'json' | 'bytes' | '<family>[]', or 'mixed: …' / 'unknown: …'. */
  family: string;
  /** How the family was found: the database type, or the TypeScript type. */
  source: string;
}
/** table → column → shape */
export type SchemaShape = Map<string, Map<string, ColumnShape>>;

const PG_FAMILIES: Record<string, string> = {
  text: 'string',
  varchar: 'string',
  bpchar: 'string',
  citext: 'string',
  uuid: 'string',
  date: 'string',
  numeric: 'string',
  inet: 'string',
  cidr: 'string',
  time: 'string',
  timetz: 'string',
  interval: 'string',
  int2: 'number',
  int4: 'number',
  int8: 'number',
  float4: 'number',
  float8: 'number',
  oid: 'number',
  bool: 'boolean',
  timestamptz: 'Date',
  timestamp: 'Date',
  json: 'json',
  jsonb: 'json',
  bytea: 'bytes',
};

function pgFamily(udtName: string, dataType: string): string {
  if (dataType === 'USER-DEFINED') return 'string'; // enums
  if (udtName.startsWith('_')) return `${pgFamily(udtName.slice(1), '')}[]`;
  return PG_FAMILIES[udtName] ?? `unknown: ${udtName}`;
}

/** The public tables of a migrated database as the application sees them. */
export async function databaseShape(database: Database): Promise<SchemaShape> {
  const rows = await database.withOwnerSession((s) =>
    s.query<{
      table_name: string;
      column_name: string;
      is_nullable: string;
      data_type: string;
      udt_name: string;
    }>(
      `select c.table_name, c.column_name, c.is_nullable, c.data_type, c.udt_name
       from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
       where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
       order by c.table_name, c.ordinal_position`,
    ),
  );
  const shape: SchemaShape = new Map();
  for (const r of rows) {
    if (IGNORED_TABLES.has(r.table_name)) continue;
    const table = shape.get(r.table_name) ?? new Map<string, ColumnShape>();
    shape.set(r.table_name, table);
    table.set(r.column_name, {
      nullable: r.is_nullable === 'YES',
      family: pgFamily(r.udt_name, r.data_type),
      source: r.udt_name,
    });
  }
  return shape;
}

/**
 * The tables of the `DB` interface in a schema file. `source` replaces the file's text (tests feed a
 * deliberately wrong schema this way); imports still resolve from the file's folder.
 */
export function typeScriptShape(schemaFile: string, source?: string): SchemaShape {
  const file = path.resolve(schemaFile);
  const probe = path.join(path.dirname(file), '__schema_check_probe__.ts');
  const probeText = `import type { Selectable } from 'kysely';
import type { DB } from './${path.basename(file, '.ts')}.js';
export type SchemaCheckProbe = { [T in keyof DB]: Selectable<DB[T]> };
`;
  const virtual = new Map([[probe, probeText]]);
  if (source !== undefined) virtual.set(file, source);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  };
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) => {
    const text = virtual.get(path.resolve(name));
    return text === undefined
      ? getSourceFile(name, lang, ...rest)
      : ts.createSourceFile(name, text, lang, true);
  };
  host.fileExists = (name) => virtual.has(path.resolve(name)) || fileExists(name);
  host.readFile = (name) => virtual.get(path.resolve(name)) ?? readFile(name);
  const program = ts.createProgram([probe], options, host);
  const errors = [program.getSourceFile(probe), program.getSourceFile(file)]
    .flatMap((sf) => (sf ? ts.getPreEmitDiagnostics(program, sf) : []))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (errors.length > 0)
    throw new Error(`schema check: ${schemaFile} does not compile:\n${errors.join('\n')}`);

  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(probe)!;
  const alias = sf.statements.find(ts.isTypeAliasDeclaration)!;
  const dbType = checker.getTypeAtLocation(alias.name);
  const shape: SchemaShape = new Map();
  for (const tableSymbol of dbType.getProperties()) {
    const tableType = checker.getTypeOfSymbolAtLocation(tableSymbol, alias);
    const columns = new Map<string, ColumnShape>();
    for (const col of tableType.getProperties()) {
      const colType = checker.getTypeOfSymbolAtLocation(col, alias);
      columns.set(col.name, { ...tsFamily(checker, colType), source: checker.typeToString(colType) });
    }
    shape.set(tableSymbol.name, columns);
  }
  return shape;
}

function tsFamily(checker: ts.TypeChecker, type: ts.Type): { nullable: boolean; family: string } {
  const parts = type.isUnion() ? type.types : [type];
  const nullable = parts.some((p) => p.flags & ts.TypeFlags.Null);
  const families = [
    ...new Set(
      parts
        .filter((p) => !(p.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)))
        .map((p) => family(checker, p)),
    ),
  ];
  return { nullable, family: families.length === 1 ? families[0]! : `mixed: ${families.join(' | ')}` };
}

function family(checker: ts.TypeChecker, t: ts.Type): string {
  const f = t.flags;
  if (f & ts.TypeFlags.StringLike) return 'string';
  if (f & ts.TypeFlags.NumberLike) return 'number';
  if (f & ts.TypeFlags.BigIntLike) return 'bigint';
  if (f & ts.TypeFlags.BooleanLike) return 'boolean';
  if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return 'json';
  if (checker.isArrayType(t)) {
    const [element] = checker.getTypeArguments(t as ts.TypeReference);
    return `${element ? tsFamily(checker, element).family : 'unknown'}[]`;
  }
  const name = t.getSymbol()?.getName();
  if (name === 'Date') return 'Date';
  if (name === 'Buffer' || name === 'Uint8Array') return 'bytes';
  if (f & ts.TypeFlags.Object) return 'json';
  return `unknown: ${checker.typeToString(t)}`;
}

/** Every way the schema file and the database disagree; empty when they match. */
export function compareShapes(database: SchemaShape, typescript: SchemaShape): string[] {
  const problems: string[] = [];
  const tables = [...new Set([...database.keys(), ...typescript.keys()])].sort();
  for (const table of tables) {
    const db = database.get(table);
    const code = typescript.get(table);
    if (!db) {
      problems.push(`table ${table}: in schema.ts, not in the database`);
      continue;
    }
    if (!code) {
      problems.push(`table ${table}: in the database, not in schema.ts`);
      continue;
    }
    for (const column of [...new Set([...db.keys(), ...code.keys()])].sort()) {
      const d = db.get(column);
      const c = code.get(column);
      const where = `${table}.${column}`;
      if (!d) problems.push(`${where}: in schema.ts, not in the database`);
      else if (!c) problems.push(`${where}: in the database (${d.source}), not in schema.ts`);
      else {
        if (d.nullable !== c.nullable) {
          problems.push(
            `${where}: ${d.nullable ? 'nullable' : 'not null'} in the database, ` +
              `${c.nullable ? 'nullable' : 'not nullable'} in schema.ts (${c.source})`,
          );
        }
        if (d.family !== c.family) {
          problems.push(
            `${where}: ${d.source} in the database (${d.family}), ${c.source} in schema.ts (${c.family})`,
          );
        }
      }
    }
  }
  return problems;
}

/** Compares a schema file with a migrated database. */
export async function checkSchema(
  database: Database,
  schemaFile = SCHEMA_FILE,
  source?: string,
): Promise<string[]> {
  return compareShapes(await databaseShape(database), typeScriptShape(schemaFile, source));
}

async function main(): Promise<void> {
  const schemaFile = process.argv[2] ? path.resolve(process.argv[2]) : SCHEMA_FILE;
  const database = await createDatabase({ kind: 'pglite' });
  try {
    await migrate(database);
    const problems = await checkSchema(database, schemaFile);
    const rel = path.relative(process.cwd(), schemaFile);
    if (problems.length > 0) {
      console.error(`schema check: ${rel} disagrees with the migrated database:`);
      for (const p of problems) console.error(`  ${p}`);
      process.exitCode = 1;
    } else {
      console.log(`schema check: ${rel} matches the migrated database`);
    }
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
