import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { withChromiumPage } from '../../src/cli/headless-chromium.js';
import type { CheckResult } from '../helpers/check-op.js';
import { browserSuites } from './suites.js';

type Outcome = { adapter?: { description: string; runtime: string }; results: CheckResult[]; error?: string };

// One test (and one page) per suite: each gets its own time budget, and a failure names its suite.
describe('op suites in headless Chromium (real WebGPU adapter)', () => {
  for (const name of Object.keys(browserSuites)) {
    it(`${name}: every case matches its float64 reference and finite differences`, async () => {
      const entry = fileURLToPath(new URL('./suite-page.ts', import.meta.url));
      const out = await withChromiumPage(entry, 'runSuites', (page) =>
        page.evaluate((n) => (globalThis as unknown as { runSuites(n: string[]): Promise<Outcome> }).runSuites(n), [name]));
      // No adapter is a failure with the acquisition error, never a skip.
      expect(out.error).toBeUndefined();
      expect(out.adapter?.runtime).toBe('browser');
      expect(out.results.length).toBe(browserSuites[name].length);
      const failed = out.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`);
      expect(failed).toEqual([]);
    }, 900_000);
  }
});
