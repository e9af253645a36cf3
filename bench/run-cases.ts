/**
 * Runs the registered cases on our engine and on TF.js's WebGPU backend, interleaved per case.
 * Shared by the browser page and the Node runner; both must have initialised our engine and made
 * 'webgpu' the active TF.js backend before calling.
 */
import { engine, chromeTraceJson } from '../src/engine/index.js';
import type { BenchFamily, Tf } from './cases/types.js';
import { selected, summarise, timeInterleaved, type BenchOptions, type BenchResult, type Runner, type Side } from './harness.js';

export const PEER = 'tfjs-webgpu';

/** The parts of TF.js's WebGPUBackend (4.22) that say when its work is done; not in its typings. */
interface TfWebGPUBackend {
  device: GPUDevice;
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
  adapterInfo?: { vendor?: string; architecture?: string };
}

export function oursSide(): Side {
  return { name: 'ours', settle: () => engine().sync() };
}

/** Same completion rule as ours: submit what is batched, then wait for onSubmittedWorkDone (no read-back). */
export function tfjsSide(tf: Tf): Side {
  const backend = tf.backend() as unknown as TfWebGPUBackend;
  if (tf.getBackend() !== 'webgpu' || !backend.device) throw new Error(`TF.js backend is '${tf.getBackend()}', not 'webgpu'`);
  return {
    name: PEER,
    async settle() {
      if (backend.commandEncoder) {
        backend.endComputePassEncoder();
        backend.submitQueue();
      }
      await backend.device.queue.onSubmittedWorkDone();
    },
  };
}

export function adapterSummary(): Record<string, unknown> {
  const a = engine().adapter;
  return {
    vendor: a.vendor,
    architecture: a.architecture,
    device: a.device,
    description: a.description,
    isSoftware: a.isSoftware,
    runtime: a.runtime,
    features: a.features,
  };
}

export async function runBench(
  tf: Tf,
  families: readonly BenchFamily[],
  opts: BenchOptions,
  log: (line: string) => void = () => {},
): Promise<BenchResult> {
  const ours = oursSide();
  const peer = tfjsSide(tf);
  const result: BenchResult = { adapter: adapterSummary(), cases: {}, peer: { [PEER]: { cases: {} } } };
  const profiler = engine().profiler;
  profiler.reset();
  const chosen = families.flatMap((f) => f.cases.filter((c) => selected(f.name, c.key, opts.cases, f.optIn)));
  if (!chosen.length) throw new Error(`no case matches --cases ${opts.cases.join(',')} (families: ${families.map((f) => f.name).join(', ')})`);
  for (const c of chosen) {
    const mine = c.ours();
    const theirs = c.tfjs(tf);
    try {
      const [a, b] = await timeInterleaved(
        [
          { side: ours, runner: mine },
          { side: peer, runner: theirs },
        ],
        opts,
      );
      result.cases[c.key] = summarise(a, c.flops, mine.peakBytes?.());
      result.peer[PEER].cases[c.key] = summarise(b, c.flops, theirs.peakBytes?.());
      log(`${c.key}: ours ${result.cases[c.key].ms} ms, ${PEER} ${result.peer[PEER].cases[c.key].ms} ms`);
      // One more step of ours with timestamps, after the timed runs (profiling splits passes, so it
      // must not run while timing).
      if (opts.trace) await profiledStep(mine, ours);
    } finally {
      mine.dispose();
      theirs.dispose();
      await ours.settle();
      await peer.settle();
    }
  }
  if (opts.trace) result.trace = chromeTraceJson(await profiler.events(), engine().adapter);
  return result;
}

async function profiledStep(runner: Runner, side: Side): Promise<void> {
  const profiler = engine().profiler;
  runner.prepare?.();
  profiler.enable();
  try {
    runner.step();
    await side.settle();
  } finally {
    profiler.enable(false);
    runner.after?.();
  }
}
