/**
 * `srgan bench`: the benchmark (ours vs TF.js WebGPU on the same adapter), in Chromium or Node.
 *
 * A developer's tool that runs from a clone of the repository: it compares against TF.js (about
 * 70 MB) and bundles its browser page from the TypeScript sources at run time, so the npm package
 * ships neither the bench nor TF.js, and says so in one line when asked to bench.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { intOption, parseOptions, type Command, type OptionTable } from './command.js';

const OPTIONS = {
  node: { type: 'boolean', help: 'run in Node on Dawn (default: headless Chromium, both libraries on one page)' },
  cases: { type: 'string', arg: 'LIST', help: 'comma-separated case names or families (e.g. srgan, reductions, conv3x3)' },
  runs: { type: 'string', arg: 'N', help: 'timed runs per case (median reported; default 7)' },
  warmup: { type: 'string', arg: 'N', help: 'untimed runs first (default 2)' },
  json: { type: 'string', arg: 'FILE', help: 'also write the JSON result line to FILE' },
  trace: { type: 'string', arg: 'FILE', help: 'write a Chrome trace of our kernels (open in Perfetto or chrome://tracing)' },
} as const satisfies OptionTable;

const NOTES = `Prints a table (ms, GFLOPS, speed-up = TF.js ms / ours) and, as the last line, the JSON result.
Runs from a clone of the repository after npm ci (it needs the bench sources, TF.js and tsx, which
the npm package leaves out).`;

/** tsx's loader, to run the TypeScript bench scripts; undefined outside a clone with dev dependencies. */
function tsxLoader(): string | undefined {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    return undefined;
  }
}

async function run(argv: string[]): Promise<number> {
  const v = parseOptions('bench', argv, OPTIONS);
  intOption('bench', 'runs', v.runs);
  intOption('bench', 'warmup', v.warmup);
  const script = fileURLToPath(new URL(`../../bench/${v.node ? 'run-node' : 'run-browser'}.ts`, import.meta.url));
  const loader = tsxLoader();
  if (!existsSync(script) || !loader)
    throw new Error('bench runs from a clone of the repository after npm ci (the npm package leaves out the bench, TF.js and tsx)');
  const child = spawn(process.execPath, ['--import', loader, script, ...argv.filter((a) => a !== '--node')], { stdio: 'inherit' });
  // Stopping `srgan bench` stops the bench too (it holds a GPU device and, in Chromium mode, a browser).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

export const benchCommand: Command = {
  name: 'bench',
  usage: '[--node] [--cases LIST] [--runs N] [--warmup N] [--json FILE] [--trace FILE]',
  options: OPTIONS,
  notes: NOTES,
  run,
};
