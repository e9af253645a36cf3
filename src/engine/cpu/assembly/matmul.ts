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
  const blocks = (N + NC - 1) / NC;
  for (let blk = tid; blk < blocks; blk += nt) {
    const n0 = blk * NC, nc = min(NC, N - n0);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = min(KC, K - k0);
      packB(b + (<usize>(k0 * brs + n0 * bcs) << 2), brs, bcs, kc, nc, scratch);
      gemmPacked(ap + <usize>(k0 * MR * 4), MR * K * 4, scratch, M, nc, kc, c + (<usize>n0 << 2), ldc, acc || k0 > 0, edge);
    }
  }
}
