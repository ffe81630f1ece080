/**
 * The schema check of `npm run check`: src/db/schema.ts must agree with the migrated database. It passes
 * on the real file and names every deliberate mistake in a wrong one (the real file with eight edits).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { checkSchema, SCHEMA_FILE } from '../../src/db/schema-check.js';
import { testDatabase } from '../helpers.js';

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => database?.close());

/** Replaces exactly one occurrence (fails loudly when schema.ts no longer has the line). */
function edit(source: string, from: string, to: string): string {
  const at = source.indexOf(from);
  expect(at, `schema.ts should contain ${JSON.stringify(from)}`).toBeGreaterThanOrEqual(0);
  expect(source.indexOf(from, at + 1), `${JSON.stringify(from)} should be unique`).toBe(-1);
  return source.slice(0, at) + to + source.slice(at + from.length);
}

describe('schema check', () => {
  it('passes on the real schema.ts', async () => {
    expect(await checkSchema(database)).toEqual([]);
  });

  it('names each way a schema.ts can disagree with the migrations', async () => {
    let wrong = fs.readFileSync(SCHEMA_FILE, 'utf8');
    wrong = edit(wrong, '  login_throttle: LoginThrottleTable;\n', ''); // table missing
    wrong = edit(
      wrong,
      '  instance_settings: InstanceSettingsTable;\n',
      '  instance_settings: InstanceSettingsTable;\n  ghosts: { id: string };\n',
    ); // extra table
    wrong = edit(wrong, '  website: string | null;\n', ''); // column missing
    wrong = edit(
      wrong,
      '  is_association: Generated<boolean>;\n',
      '  is_association: Generated<boolean>;\n  nickname: string;\n',
    ); // extra column
    wrong = edit(wrong, '  city: string | null;\n', '  city: string;\n'); // nullable in the database
    wrong = edit(wrong, '  display_name: string;\n', '  display_name: string | null;\n'); // not null in the database
    wrong = edit(wrong, '  population: number | null;\n', '  population: string | null;\n'); // int4 is a number
    wrong = edit(wrong, '  last_login_at: Timestamp | null;\n', '  last_login_at: DateString | null;\n'); // a Date
    const problems = await checkSchema(database, SCHEMA_FILE, wrong);
    expect(problems).toEqual([
      'table ghosts: in schema.ts, not in the database',
      'table login_throttle: in the database, not in schema.ts',
      'members.city: nullable in the database, not nullable in schema.ts (string)',
      'members.nickname: in schema.ts, not in the database',
      'members.population: int4 in the database (number), string | null in schema.ts (string)',
      'members.website: in the database (text), not in schema.ts',
      'users.display_name: not null in the database, nullable in schema.ts (string | null)',
      'users.last_login_at: timestamptz in the database (Date), string | null in schema.ts (string)',
    ]);
  });

  it('refuses a schema file that does not compile', async () => {
    await expect(
      checkSchema(database, SCHEMA_FILE, 'export interface DB { members: Missing }'),
    ).rejects.toThrow(/does not compile[\s\S]*Missing/);
  });
});
