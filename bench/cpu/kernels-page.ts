/**
 * bench/cpu/kernels.ts --browser: the kernel cases in headless Chromium. One thread runs on the
 * page's main thread; more run in a dedicated worker (this same script), where Atomics.wait is
 * allowed, so the backend's pool of Blob workers can share the page's (isolated) memory.
 */
import { initEngine } from '../../src/engine/index.js';
import type { SimdChoice } from '../../src/engine/index.js';
import { benchBuilds } from './kernel-cases.js';

const here = (runs: number, threads: number, builds: SimdChoice[]) =>
  benchBuilds(runs, threads, builds, (simd) => initEngine({ backend: 'cpu', threads, simd, log: () => {} }));

function benchKernels(runs: number, threads: number, builds: SimdChoice[]): Promise<string[]> {
  if (threads <= 1) return here(runs, threads, builds);
  const w = new Worker('/main.js', { type: 'module' });
  return new Promise((resolve, reject) => {
    w.onmessage = (e) => {
      w.terminate();
      resolve(e.data as string[]);
    };
    w.onerror = (e) => {
      w.terminate();
      reject(new Error(e.message));
    };
    w.postMessage([runs, threads, builds]);
  });
}

const g = globalThis as unknown as { benchKernels: typeof benchKernels; document?: unknown; onmessage: unknown; postMessage(m: unknown): void };
if (g.document === undefined) g.onmessage = async (e: MessageEvent<[number, number, SimdChoice[]]>) => g.postMessage(await here(...e.data));
else g.benchKernels = benchKernels;
