import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { withChromiumPage } from '../helpers/headless-chromium.js';
import { browserSuites } from './suites.js';
import type { SuiteOutcome, SuiteRun } from './suite-page.js';

const entry = fileURLToPath(new URL('./suite-page.ts', import.meta.url));

function inChromium(names: string[], runs: SuiteRun[]): Promise<SuiteOutcome[]> {
  return withChromiumPage(entry, 'runSuites', async (page) => {
    const out: SuiteOutcome[] = [];
    for (const run of runs)
      out.push(
        await page.evaluate(
          (n, r) => (globalThis as unknown as { runSuites(n: string[], r: SuiteRun): Promise<SuiteOutcome> }).runSuites(n, r),
          names,
          run,
        ),
      );
    return out;
  });
}

function expectAllPassed(out: SuiteOutcome, names: string[]): void {
  // No adapter (or no CPU backend) is a failure with the acquisition error, never a skip.
  expect(out.error).toBeUndefined();
  expect(out.adapter?.runtime).toBe('browser');
  expect(out.results.length).toBe(names.reduce((n, s) => n + browserSuites[s].length, 0));
  const failed = out.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`);
  expect(failed).toEqual([]);
}

// One test (and one page) per suite: each gets its own time budget, and a failure names its suite.
describe('op suites in headless Chromium (real WebGPU adapter)', () => {
  for (const name of Object.keys(browserSuites)) {
    it(`${name}: every case matches its float64 reference and finite differences`, async () => {
      const [out] = await inChromium([name], [{ backend: 'webgpu' }]);
      expectAllPassed(out, [name]);
    }, 900_000);
  }
});

// Chromium compiles WebAssembly with its own pipeline (not Node 20's V8), so both kernel builds
// run the whole suite there: on the page's main thread (one thread: it may not block) and in a
// dedicated worker on two threads, whose bits must equal one thread's within a build.
describe('op suites in headless Chromium on the CPU backend (both WebAssembly builds)', () => {
  const names = Object.keys(browserSuites);
  for (const simd of ['auto', 'portable'] as const) {
    const arch = simd === 'auto' ? 'wasm-relaxed-simd' : 'wasm-simd128';
    it(`simd: '${simd}' runs ${arch}; every case passes on 1 thread and on 2 (a worker), with the same bits`, async () => {
      const [main, worker] = await inChromium(names, [
        { backend: 'cpu', simd, digest: true },
        { backend: 'cpu', simd, digest: true, worker: true, threads: 2 },
      ]);
      // Chromium ships relaxed SIMD: 'auto' must pick it there.
      for (const out of [main, worker]) {
        expectAllPassed(out, names);
        expect(out.adapter?.architecture).toBe(arch);
      }
      expect([main.threads, worker.threads]).toEqual([1, 2]);
      expect(worker.digest).toBeDefined();
      expect(worker.digest).toBe(main.digest);
    }, 900_000);
  }
});
