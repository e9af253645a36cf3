/**
 * Kernel parameters per adapter class. A CPU adapter (SwiftShader) runs each invocation as a SIMD
 * lane on a core: big register tiles per invocation win and workgroup memory only adds copies. A
 * real GPU wants workgroup-shared tiles and more parallelism. Values here were measured by
 * `npm run bench`; never tuned to make a test pass.
 */
import type { AdapterSummary } from './device.js';

/**
 * How reductions are split (see src/engine/kernels/chunked-reduce.ts): registers = one invocation per
 * (output, chunk) walking its chunk; workgroup = one workgroup per (output, chunk) with a
 * shared-memory tree.
 */
export interface ReduceTuning {
  variant: 'registers' | 'workgroup';
  /** registers: workgroup size, invocations to aim for in total, shortest chunk worth an invocation. */
  wg: number;
  invocations: number;
  minChunk: number;
  /** workgroup: threads per workgroup, workgroups to aim for, fewest elements per thread. */
  groupWG: number;
  workgroups: number;
  minPerThread: number;
}

export interface Tuning {
  /** matmul: rows per invocation, vec4 columns per invocation, workgroup size (x, y). */
  matmul: { rows: number; vec4Cols: number; wgX: number; wgY: number };
  /** Elementwise workgroup size. */
  elementwiseWG: number;
  reduce: ReduceTuning;
}

export function tuningFor(adapter: AdapterSummary): Tuning {
  // Reductions on SwiftShader: a few hundred invocations keep both cores busy; longer chunks
  // only lengthen the tail. On a GPU: enough workgroups to fill the SMs, ≥ 4 loads per thread.
  if (adapter.isSoftware) {
    return {
      matmul: { rows: 8, vec4Cols: 2, wgX: 8, wgY: 8 },
      elementwiseWG: 64,
      reduce: { variant: 'registers', wg: 64, invocations: 512, minChunk: 64, groupWG: 64, workgroups: 64, minPerThread: 4 },
    };
  }
  return {
    matmul: { rows: 4, vec4Cols: 1, wgX: 16, wgY: 16 },
    elementwiseWG: 256,
    reduce: { variant: 'workgroup', wg: 256, invocations: 65536, minChunk: 16, groupWG: 256, workgroups: 1024, minPerThread: 4 },
  };
}
