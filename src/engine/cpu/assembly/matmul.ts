// A general GEMM job for the engine's matmul and linear: A packed beforehand (one thread), B
// packed per block by each thread, column blocks dealt out to threads in turn.
import { MR, NR, gemmPacked, packB } from './gemm';

const KC: i32 = 256;
const NC: i32 = 256;
export const GEMM_SCRATCH_BYTES: i32 = KC * NC * 4 + MR * NR * 4 + 64;

/** d: ap, b, b row stride, b column stride (floats), c, ldc, M, N, K, accumulate, scratch, scratch stride. */
export function gemmJob(d: usize, tid: i32, nt: i32): void {
  const ap = load<usize>(d, 0), b = load<usize>(d, 4), brs = load<i32>(d, 8), bcs = load<i32>(d, 12);
  const c = load<usize>(d, 16), ldc = load<i32>(d, 20);
  const M = load<i32>(d, 24), N = load<i32>(d, 28), K = load<i32>(d, 32), acc = load<i32>(d, 36) != 0;
  const scratch = load<usize>(d, 40) + <usize>(tid * load<i32>(d, 44));
  const edge = scratch + <usize>(KC * NC * 4);
  // Column blocks are the unit of work; with fewer blocks than threads (a product with few
  // columns), rows are split too, in whole MR panels (each part packs the block's B again).
  const blocks = (N + NC - 1) / NC, panels = (M + MR - 1) / MR;
  const parts = blocks >= nt ? 1 : min(nt, panels);
  const rowsPer = (panels + parts - 1) / parts * MR;
  const aStride = MR * K * 4;
  for (let item = tid; item < blocks * parts; item += nt) {
    const n0 = item / parts * NC, nc = min(NC, N - n0);
    const m0 = item % parts * rowsPer, mc = min(rowsPer, M - m0);
    if (mc <= 0) continue;
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = min(KC, K - k0);
      packB(b + (<usize>(k0 * brs + n0 * bcs) << 2), brs, bcs, kc, nc, scratch);
      gemmPacked(ap + <usize>(m0 / MR * aStride + k0 * MR * 4), aStride, scratch, mc, nc, kc,
        c + (<usize>(m0 * ldc + n0) << 2), ldc, acc || k0 > 0, edge);
    }
  }
}
