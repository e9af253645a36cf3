/** The browser bench page: our engine and TF.js's WebGPU backend on the page's adapter (two devices). */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { initEngine } from '../src/engine/index.js';
import { runBench } from './run-cases.js';
import { families } from './cases/index.js';
import type { BenchOptions, BenchResult } from './harness.js';

export type PageOutcome = { ok: true; result: BenchResult } | { ok: false; error: string };

async function run(opts: BenchOptions): Promise<PageOutcome> {
  try {
    if (!navigator.gpu) return { ok: false, error: 'this browser exposes no navigator.gpu (WebGPU disabled?)' };
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { ok: false, error: 'navigator.gpu.requestAdapter() returned null: no WebGPU adapter' };
    await initEngine({ backend: 'webgpu', log: (m) => console.warn(m) }); // the same adapter as TF.js's WebGPU backend
    if (!(await tf.setBackend('webgpu'))) return { ok: false, error: "TF.js could not initialise its 'webgpu' backend" };
    await tf.ready();
    return { ok: true, result: await runBench(tf, families, opts, (line) => console.log(line)) };
  } catch (e) {
    return { ok: false, error: (e as Error).stack ?? String(e) };
  }
}

(globalThis as unknown as { runBench: typeof run }).runBench = run;
