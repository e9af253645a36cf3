/**
 * Kernel parameters per adapter class. A CPU adapter (SwiftShader) runs each invocation as a SIMD
 * lane on a core: big register tiles per invocation win and workgroup memory only adds copies. A
 * real GPU wants workgroup-shared tiles and more parallelism. Values here were measured by
 * `npm run bench`; never tuned to make a test pass.
 */
import type { AdapterSummary } from './device.js';

export interface Tuning {
  /** matmul: rows per invocation, vec4 columns per invocation, workgroup size (x, y). */
  matmul: { rows: number; vec4Cols: number; wgX: number; wgY: number };
  /** Elementwise workgroup size. */
  elementwiseWG: number;
}

export function tuningFor(adapter: AdapterSummary): Tuning {
  if (adapter.isSoftware) {
    return { matmul: { rows: 8, vec4Cols: 2, wgX: 8, wgY: 8 }, elementwiseWG: 64 };
  }
  return { matmul: { rows: 4, vec4Cols: 1, wgX: 16, wgY: 16 }, elementwiseWG: 256 };
}
