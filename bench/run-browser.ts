/**
 * `npm run bench`: bundle bench/page.ts with esbuild, serve it from 127.0.0.1 (a secure context,
 * which WebGPU requires), run it in headless Chromium on the machine's adapter, print the table and,
 * as the last stdout line, the JSON result. Progress goes to stderr.
 *   npm run bench -- --cases matmul --runs 9
 */
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { CHROMIUM, withChromiumPage } from '../tests/helpers/headless-chromium.js';
import { formatTable, parseArgs, type BenchOptions } from './harness.js';
import type { PageOutcome } from './page.js';
import { describeAdapter, type AdapterSummary } from '../src/engine/index.js';

function runInBrowser(opts: BenchOptions): Promise<PageOutcome> {
  const entry = fileURLToPath(new URL('./page.ts', import.meta.url));
  return withChromiumPage(entry, 'runBench', (page) =>
    page.evaluate((o) => (globalThis as unknown as { runBench(o: BenchOptions): Promise<PageOutcome> }).runBench(o), opts),
  );
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  process.stderr.write(`bench: Chromium ${CHROMIUM}, runs=${opts.runs} warmup=${opts.warmup}\n`);
  const outcome = await runInBrowser(opts);
  if (!outcome.ok) {
    process.stderr.write(`bench: FAILED in the browser: ${outcome.error}\n`);
    return 1;
  }
  const r = outcome.result;
  const a = r.adapter;
  // The page sent run-cases' adapterSummary(): the engine's AdapterSummary without its limits.
  process.stdout.write(`adapter: ${describeAdapter(a as unknown as AdapterSummary)} in ${a.runtime}\n`);
  process.stdout.write(formatTable(r) + '\n');
  if (opts.traceFile && r.trace) {
    writeFileSync(opts.traceFile, r.trace);
    process.stderr.write(`bench: Chrome trace of one profiled step per case: ${opts.traceFile} (open in Perfetto)\n`);
  }
  delete r.trace;
  const line = JSON.stringify(r);
  if (opts.json) writeFileSync(opts.json, line + '\n');
  process.stdout.write(line + '\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
