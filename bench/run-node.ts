/**
 * The bench in Node: our engine on Dawn (npm `webgpu`) and TF.js's WebGPU backend on a second Dawn
 * device in the same process. Same cases, same table, same JSON last line as `npm run bench`.
 *   npx tsx bench/run-node.ts [--cases matmul] [--runs N] [--warmup N] [--json FILE]
 * Also bundled into the device kit (bench/make-device-kit.sh) for machines without Node or npm.
 */
import { writeFileSync } from 'node:fs';
import { describeAdapter, destroyEngine, initEngine, NoAdapterError } from '../src/engine/node.js';
import { formatTable, parseArgs } from './harness.js';
import { disposeTfjs, loadTfjsWebGPU } from './node-tfjs.js';
import { runBench } from './run-cases.js';
import { families } from './cases/index.js';

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  // Our engine first: its device acquisition picks the hardware or SwiftShader and sets Vulkan's ICD.
  const eng = await initEngine({ backend: 'webgpu', log: (m) => process.stderr.write(`[engine] ${m}\n`) });
  const tf = await loadTfjsWebGPU();
  const a = eng.adapter;
  process.stderr.write(`bench-node: ${describeAdapter(a)}, runs=${opts.runs} warmup=${opts.warmup}\n`);
  const result = await runBench(tf, families, opts, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`adapter: ${describeAdapter(a)} in ${a.runtime}\n`);
  process.stdout.write(formatTable(result) + '\n');
  if (opts.traceFile && result.trace) {
    writeFileSync(opts.traceFile, result.trace);
    process.stderr.write(`bench: Chrome trace of one profiled step per case: ${opts.traceFile} (open in Perfetto)\n`);
  }
  delete result.trace;
  const line = JSON.stringify(result);
  if (opts.json) writeFileSync(opts.json, line + '\n');
  process.stdout.write(line + '\n');
  disposeTfjs(tf);
  destroyEngine();
  return 0;
}

// Dawn devices keep the process alive: exit explicitly either way.
main().then(
  (code) => process.exit(code),
  (e) => {
    const err = e as Error;
    process.stderr.write(err instanceof NoAdapterError ? `bench-node: no WebGPU adapter: ${err.message}\n` : `bench-node: ${err.stack ?? err}\n`);
    process.exit(1);
  },
);
