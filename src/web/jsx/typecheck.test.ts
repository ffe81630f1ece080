/**
 * `npm run check` rejects JSX attribute typos: the TypeScript compiler (with the project's options) and
 * Biome (with the project's lint rules) run on test/fixtures/rejected/jsx-attribute-typo.tsx, a file excluded from
 * both, and must report exactly the lines it marks.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/rejected/jsx-attribute-typo.tsx');

/** 1-based numbers of the lines after each `{/* <tool>: … *\/}` marker. */
function markedLines(tool: 'tsc' | 'biome'): number[] {
  const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n');
  return lines.flatMap((l, i) => (l.trim().startsWith(`{/* ${tool}:`) ? [i + 2] : []));
}

describe('typed JSX attributes', () => {
  it('tsc rejects a misspelt attribute, an unknown role, an ARIA boolean and a wrong input type', () => {
    const configFile = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
    const program = ts.createProgram([FIXTURE], { ...parsed.options, types: [] });
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === FIXTURE)
      .map((d) => ({
        line: d.file!.getLineAndCharacterOfPosition(d.start!).line + 1,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      }));
    expect(errors.map((e) => e.line).sort((a, b) => a - b)).toEqual(markedLines('tsc'));
    expect(errors.map((e) => e.message).join('\n')).toMatch(/tpye/);
    // Nothing outside the fixture breaks: the program (runtime, element types, kitajs) is sound.
    expect(ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName !== FIXTURE)).toEqual([]);
  });

  it('biome rejects a misspelt ARIA attribute, which TypeScript lets through', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allmende-jsx-'));
    try {
      // The project's lint rules, without the file list that excludes the fixture.
      const { files: _files, ...config } = JSON.parse(fs.readFileSync(path.join(ROOT, 'biome.json'), 'utf8'));
      fs.writeFileSync(path.join(dir, 'biome.json'), JSON.stringify(config));
      const file = path.join(dir, 'fixture.tsx');
      fs.copyFileSync(FIXTURE, file);
      const biome = path.join(ROOT, 'node_modules/.bin/biome');
      const out = await promisify(execFile)(
        biome,
        ['lint', `--config-path=${dir}`, '--reporter=json', file],
        { cwd: dir },
      ).catch((err: { stdout: string }) => err);
      const report = JSON.parse(out.stdout) as {
        diagnostics: { category: string; location: { start: { line: number } } }[];
      };
      const aria = report.diagnostics.filter((d) => d.category === 'lint/a11y/useValidAriaProps');
      expect(aria.map((d) => d.location.start.line)).toEqual(markedLines('biome'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
