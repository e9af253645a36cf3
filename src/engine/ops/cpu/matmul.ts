/**
 * matmul on the CPU backend: one packed SIMD GEMM (cpu/jobs.ts) per matrix of the batch. The
 * transposes are strides (A element (m, k) at m·rs + k·cs, B element (k, n) at k·brs + n·bcs), so
 * no operand is ever copied apart from A's packing. A bias is written into C first and the GEMM
 * accumulates onto it, which fuses it as the WGSL epilogue does.
 */
import { Tensor } from '../../tensor.js';
import type { CpuEngine } from '../../cpu/cpu-engine.js';
import type { HeapBlock } from '../../cpu/heap.js';
import { gemmJob, packA } from '../../cpu/jobs.js';
import type { BiasMode } from '../../kernels/matmul.js';

/** What runMatmul decided: the product's sizes, and each operand's offset per batch matrix. */
export interface CpuMatmulPlan {
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  /** The broadcast batch (after folding), and each operand's element stride along it (0: broadcast). */
  batch: number[];
  strideA: number[];
  strideB: number[];
  outShape: number[];
}

/** Element offsets of operand matrices for batch index z (row-major over `batch`). */
function batchOffset(z: number, batch: number[], strides: number[]): number {
  let off = 0;
  for (let d = batch.length - 1; d >= 0; d--) {
    off += (z % batch[d]) * strides[d];
    z = Math.floor(z / batch[d]);
  }
  return off;
}

/** C's rows start as the bias (per column: bias[n]; per row: bias[m]) or zeros. */
function initialise(c: Float32Array, bias: Float32Array | null, mode: BiasMode, M: number, N: number): void {
  if (!bias || mode === 'none') {
    c.fill(0);
    return;
  }
  for (let z = 0; z < c.length; z += M * N)
    for (let m = 0; m < M; m++) {
      const row = z + m * N;
      if (mode === 'col') c.set(bias.subarray(0, N), row);
      else c.fill(bias[m], row, row + N);
    }
}

export function matmulCpu(eng: CpuEngine, a: Tensor, b: Tensor, p: CpuMatmulPlan, bias: Tensor | undefined, mode: BiasMode): Tensor {
  const { M, N, K } = p;
  const nBatch = p.batch.reduce((q, d) => q * d, 1);
  const flops = 2 * M * N * K * nBatch;
  return eng.kernel(
    'matmul',
    () => {
      const c = Tensor.empty(p.outShape);
      if (c.size === 0) return c;
      // Without a bias the GEMM could write C directly, but a zero C also covers K = 0 (no k step writes).
      const accumulate = (!!bias && mode !== 'none') || K === 0;
      if (accumulate) initialise(c.data, bias ? bias.data : null, mode, M, N);
      if (K === 0) return c;
      const [rs, cs] = p.transA ? [1, M] : [K, 1];
      const [brs, bcs] = p.transB ? [1, K] : [N, 1];
      const aBase = a.storage.block.offset,
        bBase = b.storage.block.offset,
        cBase = c.storage.block.offset;
      // A is packed again only when the batch moves to another A matrix (a broadcast A is packed once).
      let ap: HeapBlock | undefined;
      let packedAt = -1;
      try {
        for (let z = 0; z < nBatch; z++) {
          const at = aBase + 4 * batchOffset(z, p.batch, p.strideA);
          if (at !== packedAt) {
            if (ap) eng.heap.release(ap);
            ap = undefined;
            ap = packA(eng, at, rs, cs, M, K);
            packedAt = at;
          }
          gemmJob(eng, ap!, bBase + 4 * batchOffset(z, p.batch, p.strideB), brs, bcs, cBase + 4 * z * M * N, N, M, N, K, accumulate);
        }
      } finally {
        if (ap) eng.heap.release(ap);
      }
      return c;
    },
    flops,
    4 * (a.size + b.size + M * N * nBatch),
  );
}
