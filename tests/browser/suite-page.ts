/**
 * Runs in headless Chromium: the op case suites through checkOp on the browser's adapter, or on
 * the CPU backend (either kernel build). A page's main thread may not block, so the CPU backend
 * runs there on one thread; `worker: true` runs the suites in a dedicated worker (this same
 * script), where Atomics.wait is allowed and the backend splits its kernels over Blob workers
 * on the page's shared memory (the page is cross-origin isolated).
 */
import * as E from '../../src/engine/index.js';
import { initEngine, engine, destroyEngine } from '../../src/engine/index.js';
import { checkOp, type CheckResult } from '../helpers/check-op.js';
import { browserSuites } from './suites.js';

export interface SuiteRun {
  backend: 'webgpu' | 'cpu';
  /** The CPU backend's kernel build ('auto' takes relaxed SIMD where Chromium validates it). */
  simd?: 'auto' | 'relaxed' | 'portable';
  /** Run in a dedicated worker, where the CPU backend may use threads. */
  worker?: boolean;
  threads?: number;
  /** Also compute threadDigest (thread counts must not change the bits within one build). */
  digest?: boolean;
}

/**
 * FNV-1a over the bits of a conv forward and both gradients, on the GEMM path (stride 2) and a
 * direct kernel (3 outputs), each large enough for the backend to split it across threads.
 */
function threadDigest(): string {
  const rand = (shape: number[], seed: number) => E.randUniform(shape, -1, 1, seed);
  const x = E.variable(rand([2, 8, 21, 19], 1)),
    w = E.variable(rand([16, 8, 3, 3], 2));
  const u = E.variable(rand([2, 4, 40, 37], 8)),
    v = E.variable(rand([3, 4, 5, 5], 9));
  const y = E.conv2d(x, w, null, { padding: 'same', stride: 2 });
  const z = E.conv2d(u, v, null, { padding: 'same' });
  E.backward(E.add(E.sum(E.mul(y, rand([...y.shape], 3))), E.sum(E.mul(z, rand([...z.shape], 10)))));
  let h = 0x811c9dc5;
  for (const t of [y, x.grad!, w.grad!, z, u.grad!, v.grad!]) {
    for (const b of new Uint8Array(t.data.slice().buffer)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

export interface SuiteOutcome {
  adapter?: { description: string; runtime: string; architecture: string };
  threads?: number;
  /** A digest of a fixed conv computation's outputs (threadDigest), when asked for. */
  digest?: string;
  results: CheckResult[];
  error?: string;
}

async function runHere(names: string[], run: SuiteRun): Promise<SuiteOutcome> {
  try {
    const eng = await initEngine({ backend: run.backend, simd: run.simd, threads: run.threads, log: (m) => console.warn(m) });
    const results: CheckResult[] = [];
    for (const name of names) for (const c of browserSuites[name] ?? []) results.push({ ...(await checkOp(c)), name: `${name}: ${c.name}` });
    const threads = eng.kind === 'cpu' ? eng.threadCount : undefined;
    return { adapter: engine().adapter, threads, results, digest: run.digest ? threadDigest() : undefined };
  } catch (e) {
    return { results: [], error: (e as Error).stack ?? String(e) };
  } finally {
    destroyEngine();
  }
}

function inWorker(names: string[], run: SuiteRun): Promise<SuiteOutcome> {
  // The bundle is served as /main.js; as a worker it answers one message (below).
  const w = new Worker('/main.js', { type: 'module' });
  return new Promise((resolve) => {
    w.onmessage = (e) => {
      w.terminate();
      resolve(e.data as SuiteOutcome);
    };
    w.onerror = (e) => {
      w.terminate();
      resolve({ results: [], error: `worker: ${e.message}` });
    };
    w.postMessage({ names, run });
  });
}

async function runSuites(names: string[], run: SuiteRun = { backend: 'webgpu' }): Promise<SuiteOutcome> {
  return run.worker ? inWorker(names, run) : runHere(names, run);
}

const g = globalThis as unknown as { runSuites: typeof runSuites; document?: unknown; onmessage: unknown; postMessage(m: unknown): void };
if (g.document === undefined) {
  g.onmessage = async (e: MessageEvent<{ names: string[]; run: SuiteRun }>) =>
    g.postMessage(await runHere(e.data.names, { ...e.data.run, worker: false }));
} else {
  g.runSuites = runSuites;
}
