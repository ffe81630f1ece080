/** axe-core in the browser tests: WCAG 2.1 AA, every violation listed with its nodes. */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe on the page as it is now; the assertion message lists every violation with its nodes. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  const found = result.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} [${v.helpUrl}]\n    ${v.nodes.map((n) => `${n.target.join(' ')}  ${n.failureSummary?.replace(/\n/g, ' ') ?? ''}`).join('\n    ')}`,
  );
  expect(found, `axe violations on ${label} (${page.url()}):\n  ${found.join('\n  ')}`).toEqual([]);
  // Sanity: axe really looked at a full page.
  expect(result.passes.length, label).toBeGreaterThan(10);
}
