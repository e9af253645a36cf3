/** `srgan bench`: the benchmark (ours vs TF.js WebGPU on the same adapter), in Chromium or Node. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from './command.js';

const HELP = `srgan bench: time the engine against TF.js 4.22 WebGPU, case by case, in one session

usage: srgan bench [--node] [--cases LIST] [--runs N] [--warmup N] [--json FILE] [--trace FILE]

  --node         run in Node on Dawn (default: headless Chromium, both libraries on one page)
  --cases LIST   comma-separated case names or families (e.g. srgan, reductions, conv3x3)
  --runs N       timed runs per case (median reported), --warmup N untimed runs first
  --json FILE    also write the JSON result line to FILE
  --trace FILE   write a Chrome trace of our kernels (open in Perfetto or chrome://tracing)

Prints a table (ms, GFLOPS, speed-up = TF.js ms / ours) and, as the last line, the JSON result.`;

async function run(argv: string[]): Promise<number> {
  const node = argv.includes('--node');
  const script = fileURLToPath(new URL(`../../bench/${node ? 'run-node' : 'run-browser'}.ts`, import.meta.url));
  const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
  const child = spawn(process.execPath, [tsx, script, ...argv.filter((a) => a !== '--node')], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

export const benchCommand: Command = { name: 'bench', summary: 'benchmark the engine against TF.js WebGPU', help: HELP, run };
