/**
 * `npm run check` enforces the module boundaries with Biome's restricted imports: shared/ imports
 * nothing from modules/, a module reaches another only through its services and contracts, and kysely
 * (the sql tag, the builders) is imported only by repositories and the platform's src/db/ and src/jobs/.
 * Shown here by linting fixture files with the project's own biome.json in a scratch copy of the layout.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-boundaries-'));
fs.copyFileSync(path.join(root, 'biome.json'), path.join(scratch, 'biome.json'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Lints one file placed at `file` (relative to the project root); returns Biome's diagnostics. */
function lint(file: string, source: string): { ok: boolean; output: string } {
  const full = path.join(scratch, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, source);
  const r = spawnSync(path.join(root, 'node_modules/.bin/biome'), ['lint', '--max-diagnostics=50', file], {
    cwd: scratch,
    encoding: 'utf8',
  });
  fs.rmSync(full);
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

describe('module boundaries', () => {
  it("refuses a module importing another module's repository, routes or pages", () => {
    for (const target of ['members.repository.js', 'members.routes.js', 'members.pages.js']) {
      const r = lint(
        'src/modules/people/breach.ts',
        `import { x } from '../members/${target}';\n\nexport const y = x;\n`,
      );
      expect(r.ok, target).toBe(false);
      expect(r.output).toContain('noRestrictedImports');
    }
  });

  it("allows another module's services and contracts, and the platform's own folders", () => {
    const r = lint(
      'src/modules/people/fine.ts',
      [
        "import { a } from '../members/members.service.js';",
        "import { b } from '../members/members.schema.js';",
        "import { c } from '../auth/permissions.js';",
        "import { d } from '../../db/tx.js';",
        "import { e } from './people.repository.js';",
        '',
        'export const y = [a, b, c, d, e];',
        '',
      ].join('\n'),
    );
    expect(r.output).not.toContain('noRestrictedImports');
  });

  it('refuses shared/ importing from modules/', () => {
    const r = lint(
      'src/shared/breach.ts',
      "import { x } from '../modules/members/members.service.js';\n\nexport const y = x;\n",
    );
    expect(r.ok).toBe(false);
    expect(r.output).toContain('noRestrictedImports');
  });
});

describe('SQL only in repositories', () => {
  const usesSql = "import { sql } from 'kysely';\n\nexport const q = sql`select 1`;\n";

  it('refuses importing sql from kysely in services, routes, pages and the platform outside src/db/', () => {
    for (const file of [
      'src/modules/people/people.service.ts',
      'src/modules/people/people.routes.ts',
      'src/modules/people/helpers.ts',
      'src/http/health.routes.ts',
      'src/web/layout.ts',
      'src/cli/main.ts',
      'src/shared/text.ts',
    ]) {
      const r = lint(file, usesSql);
      expect(r.ok, file).toBe(false);
      expect(r.output, file).toContain('SQL lives in repositories');
    }
  });

  it('refuses kysely in a service however it is imported', () => {
    for (const source of [
      "import * as k from 'kysely';\n\nexport const q = k.sql`select 1`;\n",
      "export { sql } from 'kysely';\n",
      "import type { Kysely } from 'kysely';\n\nexport type K = Kysely<never>;\n",
    ]) {
      const r = lint('src/modules/people/people.service.ts', source);
      expect(r.ok, source).toBe(false);
      expect(r.output).toContain('SQL lives in repositories');
    }
  });

  it('allows sql in repositories, src/db/, src/jobs/ and tests', () => {
    for (const file of [
      'src/modules/people/people.repository.ts',
      'src/db/ping.ts',
      'src/jobs/outbox.ts',
      'src/modules/people/people.test.ts',
    ]) {
      const r = lint(file, usesSql);
      expect(r.output, file).not.toContain('noRestrictedImports');
    }
  });

  it('keeps the module boundaries for services and repositories alike', () => {
    for (const file of ['src/modules/people/people.service.ts', 'src/modules/people/people.repository.ts']) {
      const r = lint(file, "import { x } from '../members/members.repository.js';\n\nexport const y = x;\n");
      expect(r.ok, file).toBe(false);
      expect(r.output, file).toContain('A module reaches another module only');
    }
    const r = lint('src/shared/breach.ts', "import { x } from '../web/jsx.js';\n\nexport const y = x;\n");
    expect(r.output).toContain('shared/ holds pure helpers');
  });
});
