import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { withChromiumPage } from '../helpers/headless-chromium.js';
import { errorScenarios } from './error-scenarios.js';

type Outcome = { adapter?: { runtime: string }; results: { name: string; ok: boolean; message: string }[]; error?: string };

describe('engine faults in headless Chromium (real WebGPU adapter)', () => {
  it('every fault scenario gives its typed error and loses no unrelated work', async () => {
    const entry = fileURLToPath(new URL('./errors-page.ts', import.meta.url));
    const out = await withChromiumPage(entry, 'runErrorScenarios', (page) =>
      page.evaluate(() => (globalThis as unknown as { runErrorScenarios(): Promise<Outcome> }).runErrorScenarios()),
    );
    // No adapter is a failure with the acquisition error, never a skip.
    expect(out.error).toBeUndefined();
    expect(out.adapter?.runtime).toBe('browser');
    expect(out.results.map((r) => r.name)).toEqual(Object.keys(errorScenarios));
    expect(out.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`)).toEqual([]);
  }, 180_000);
});
