/**
 * The CPU backend's heavy kernels at the shapes of the `paper` SRResNet, timed per kernel with the
 * profiler, each build of the kernels (relaxed SIMD with FMA, portable SIMD) taking turns in one
 * process so that a busy machine slows both alike. Medians; GFLOPS from the kernels' flop counts.
 *   npx tsx bench/cpu/kernels.ts [--runs 7] [--threads 2] [--builds relaxed,portable] [--browser]
 * --browser runs the same cases in headless Chromium (kernels-page.ts): on the page's main thread
 * (one thread) or, with --threads above 1, in a dedicated worker where the pool may block.
 */
import { fileURLToPath } from 'node:url';
import '../../src/engine/node.js';
import type { SimdChoice } from '../../src/engine/index.js';
import { benchBuilds } from './kernel-cases.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '7')),
    threads = Number(arg('threads', '2'));
  const builds = arg('builds', 'relaxed,portable').split(',') as SimdChoice[];
  if (process.argv.includes('--browser')) {
    const { withChromiumPage } = await import('../../tests/helpers/headless-chromium.js');
    const entry = fileURLToPath(new URL('./kernels-page.ts', import.meta.url));
    const lines = await withChromiumPage(entry, 'benchKernels', (page) =>
      page.evaluate(
        (a, b, c) => (globalThis as unknown as { benchKernels(r: number, t: number, b: string[]): Promise<string[]> }).benchKernels(a, b, c),
        runs,
        threads,
        builds,
      ),
    );
    console.log(`headless Chromium (${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'})`);
    for (const l of lines) console.log(l);
    return;
  }
  for (const l of await benchBuilds(runs, threads, builds)) console.log(l);
}

await main();
process.exit(0);
