/**
 * `npm run bench`: the browser bench (ours vs TF.js on WebGPU, bench/run-browser.ts), then the CPU
 * bench (bench/run-cpu.ts: both backends, onnxruntime-node, PyTorch CPU), as issue 25 asks of one
 * command.
 *   npm run bench                                  both, with their defaults
 *   npm run bench -- --cases matmul --runs 9       the browser bench alone, as before (quick, filtered)
 *   npm run bench -- [BROWSER OPTIONS] --cpu [CPU OPTIONS]   both, each with its own options
 * Each prints its table as it goes; when both ran, the last line is {"browser": …, "cpu": …}, each
 * the JSON line the bench prints alone.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Run one bench, passing its stdout through except its last line (its JSON), which is returned. */
function run(script: string, args: string[]): Promise<{ code: number; json?: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let held: string | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (held !== undefined) process.stdout.write(held + '\n');
    held = line;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, json: held })));
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const split = argv.indexOf('--cpu');
  const browserArgs = split < 0 ? argv : argv.slice(0, split);
  const cpuArgs = split < 0 ? [] : argv.slice(split + 1);
  const both = split >= 0 || argv.length === 0;
  const browser = await run('bench/run-browser.ts', browserArgs);
  if (!both || browser.code) {
    if (browser.json !== undefined) process.stdout.write(browser.json + '\n');
    return browser.code;
  }
  const cpu = await run('bench/run-cpu.ts', cpuArgs);
  const parse = (s?: string) => {
    try {
      return s ? JSON.parse(s) : null;
    } catch {
      process.stdout.write(s + '\n');
      return null;
    }
  };
  process.stdout.write(JSON.stringify({ browser: parse(browser.json), cpu: parse(cpu.json) }) + '\n');
  return cpu.code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
