// Packed, register-blocked GEMM in WebAssembly SIMD: C[M,N] (+)= A[M,K] · B[K,N].
// A is packed once into MR-row panels (k-major, MR values per k); B is packed per column chunk
// into NR-column panels (k-major, NR values per k). The micro-kernel keeps an MR × NR tile in
// 12 vec4 registers and, per k, loads two vec4 of B and splats six values of A: 12 multiply-adds
// per 8 loads. All pointers are byte offsets into the (shared) linear memory.

import { madd } from './simd';

// Six rows need 12 accumulators, 2 B vectors and an A splat: 15 xmm registers with fused
// multiply-adds. Without FMA each multiply needs a temporary and the 6-row tile spilled (26
// GFLOPS on one core in L1); the portable build keeps 5 rows (10 accumulators), ~38 GFLOPS.
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
export const NR: i32 = 8;

/** Pack rows m0..m0+M of A (element (m,k) at a + 4·(m·rs + k·cs)), depth k0..k0+K, into panels. */
export function packA(a: usize, rs: i32, cs: i32, M: i32, K: i32, dst: usize): void {
  for (let p = 0; p < M; p += MR) {
    const rows = min(MR, M - p);
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < MR; r++) {
        const v: f32 = r < rows ? load<f32>(a + (<usize>((p + r) * rs + k * cs) << 2)) : 0;
        store<f32>(dst, v);
        dst += 4;
      }
    }
  }
}

/** Pack N columns of B (element (k,n) at b + 4·(k·rs + n·cs)), depth K, into NR-column panels. */
export function packB(b: usize, rs: i32, cs: i32, K: i32, N: i32, dst: usize): void {
  for (let p = 0; p < N; p += NR) {
    const cols = min(NR, N - p);
    if (cols == NR && cs == 1) {
      for (let k = 0; k < K; k++) {
        const src = b + (<usize>(k * rs + p) << 2);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += 32;
      }
    } else {
      for (let k = 0; k < K; k++) {
        for (let c = 0; c < NR; c++) {
          const v: f32 = c < cols ? load<f32>(b + (<usize>(k * rs + (p + c) * cs) << 2)) : 0;
          store<f32>(dst, v);
          dst += 4;
        }
      }
    }
  }
}

/**
 * One MR × NR tile of C (at c, row stride ldc floats) (+)= an A panel · a B panel over depth K.
 * Its shape is what V8 compiles well, each point measured (a 6 × 8 tile in L1 went 25 → 57
 * GFLOPS on one Zen 4 core with FMA):
 * - a function of its own: V8 unrolls an innermost loop more the deeper it is nested (TurboFan:
 *   up to (depth + 1) · 50 nodes), and the unrolled body spills accumulators every k. At depth 1
 *   this loop is too large to unroll.
 * - when accumulating, the tile starts from C's values and is stored after, never C loaded and
 *   added after the loop: with loads after the loop V8 hoisted all six splats of A to the top of
 *   the body, which no longer fit the 15 xmm registers it allocates (12 accumulators, 2 B, 1 A).
 */
export function microKernel(pa: usize, pb: usize, K: i32, c: usize, ldc: i32, accumulate: bool): void {
  const row = <usize>ldc << 2;
  const z = f32x4.splat(0);
  let c00 = accumulate ? v128.load(c) : z, c01 = accumulate ? v128.load(c, 16) : z;
  let c10 = accumulate ? v128.load(c + row) : z, c11 = accumulate ? v128.load(c + row, 16) : z;
  let c20 = accumulate ? v128.load(c + 2 * row) : z, c21 = accumulate ? v128.load(c + 2 * row, 16) : z;
  let c30 = accumulate ? v128.load(c + 3 * row) : z, c31 = accumulate ? v128.load(c + 3 * row, 16) : z;
  let c40 = accumulate ? v128.load(c + 4 * row) : z, c41 = accumulate ? v128.load(c + 4 * row, 16) : z;
  let c50 = accumulate ? v128.load(c + 5 * row) : z, c51 = accumulate ? v128.load(c + 5 * row, 16) : z;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    a = v128.load32_splat(pa, 20);
    c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    pa += 24; pb += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += row;
  v128.store(c, c10); v128.store(c, c11, 16); c += row;
  v128.store(c, c20); v128.store(c, c21, 16); c += row;
  v128.store(c, c30); v128.store(c, c31, 16); c += row;
  v128.store(c, c40); v128.store(c, c41, 16); c += row;
  v128.store(c, c50); v128.store(c, c51, 16);
}

/**
 * The same over 4 rows of an A panel (still MR values per k): 8 accumulators. The bottom rows
 * of an M that is not a multiple of MR (M = 32: five full panels and two rows) go here and to
 * microKernel2 straight into C, where a whole 6-row tile into scratch, copied out element by
 * element, cost as much as a full tile.
 */
export function microKernel4(pa: usize, pb: usize, K: i32, c: usize, ldc: i32, accumulate: bool): void {
  const row = <usize>ldc << 2;
  const z = f32x4.splat(0);
  let c00 = accumulate ? v128.load(c) : z, c01 = accumulate ? v128.load(c, 16) : z;
  let c10 = accumulate ? v128.load(c + row) : z, c11 = accumulate ? v128.load(c + row, 16) : z;
  let c20 = accumulate ? v128.load(c + 2 * row) : z, c21 = accumulate ? v128.load(c + 2 * row, 16) : z;
  let c30 = accumulate ? v128.load(c + 3 * row) : z, c31 = accumulate ? v128.load(c + 3 * row, 16) : z;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += MR * 4; pb += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += row;
  v128.store(c, c10); v128.store(c, c11, 16); c += row;
  v128.store(c, c20); v128.store(c, c21, 16); c += row;
  v128.store(c, c30); v128.store(c, c31, 16);
}

/** The portable build's full tile: 5 rows of an A panel (10 accumulators). */
export function microKernel5(pa: usize, pb: usize, K: i32, c: usize, ldc: i32, accumulate: bool): void {
  const row = <usize>ldc << 2;
  const z = f32x4.splat(0);
  let c00 = accumulate ? v128.load(c) : z, c01 = accumulate ? v128.load(c, 16) : z;
  let c10 = accumulate ? v128.load(c + row) : z, c11 = accumulate ? v128.load(c + row, 16) : z;
  let c20 = accumulate ? v128.load(c + 2 * row) : z, c21 = accumulate ? v128.load(c + 2 * row, 16) : z;
  let c30 = accumulate ? v128.load(c + 3 * row) : z, c31 = accumulate ? v128.load(c + 3 * row, 16) : z;
  let c40 = accumulate ? v128.load(c + 4 * row) : z, c41 = accumulate ? v128.load(c + 4 * row, 16) : z;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    pa += MR * 4; pb += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += row;
  v128.store(c, c10); v128.store(c, c11, 16); c += row;
  v128.store(c, c20); v128.store(c, c21, 16); c += row;
  v128.store(c, c30); v128.store(c, c31, 16); c += row;
  v128.store(c, c40); v128.store(c, c41, 16);
}

/** A full MR × NR tile: the build's own micro-kernel (MR is a constant, so this folds away). */
@inline function fullTile(pa: usize, pb: usize, K: i32, c: usize, ldc: i32, accumulate: bool): void {
  if (MR == 6) microKernel(pa, pb, K, c, ldc, accumulate);
  else microKernel5(pa, pb, K, c, ldc, accumulate);
}

/** The same over 2 rows of an A panel. */
export function microKernel2(pa: usize, pb: usize, K: i32, c: usize, ldc: i32, accumulate: bool): void {
  const row = <usize>ldc << 2;
  const z = f32x4.splat(0);
  let c00 = accumulate ? v128.load(c) : z, c01 = accumulate ? v128.load(c, 16) : z;
  let c10 = accumulate ? v128.load(c + row) : z, c11 = accumulate ? v128.load(c + row, 16) : z;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    pa += MR * 4; pb += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += row;
  v128.store(c, c10); v128.store(c, c11, 16);
}

/** The valid rows × cols of the NR-wide scratch tile into C (row stride ldc), added or written. */
function copyEdge(edge: usize, c: usize, ldc: i32, rows: i32, cols: i32, accumulate: bool): void {
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const pc = c + (<usize>(r * ldc + q) << 2);
      const v = load<f32>(edge + (<usize>(r * NR + q) << 2));
      store<f32>(pc, accumulate ? load<f32>(pc) + v : v);
    }
  }
}

/**
 * C tile rows 0..M, columns 0..N (C at c, row stride ldc floats) (+)= packed A · packed B over
 * depth K. aStride: bytes between A panels (MR·Kfull·4, since A may be packed deeper than K).
 */
export function gemmPacked(ap: usize, aStride: i32, bp: usize, M: i32, N: i32, K: i32, c: usize, ldc: i32, accumulate: bool, edge: usize): void {
  for (let j = 0; j < N; j += NR) {
    const cols = min(NR, N - j);
    const bpanel = bp + (<usize>(j * K) << 2);
    for (let i = 0; i < M; i += MR) {
      const rows = min(MR, M - i);
      const pa = ap + <usize>((i / MR) * aStride);
      const ct = c + (<usize>(i * ldc + j) << 2);
      if (rows == MR && cols == NR) {
        fullTile(pa, bpanel, K, ct, ldc, accumulate);
      } else if (cols == NR) {
        // Bottom rows: 4 and 2 rows straight into C, a last odd row through the scratch tile.
        let r = 0;
        if (rows >= 4) { microKernel4(pa, bpanel, K, ct, ldc, accumulate); r = 4; }
        if (rows - r >= 2) { microKernel2(pa + (<usize>r << 2), bpanel, K, ct + (<usize>(r * ldc) << 2), ldc, accumulate); r += 2; }
        if (r < rows) {
          microKernel2(pa + (<usize>r << 2), bpanel, K, edge, NR, false);
          copyEdge(edge, ct + (<usize>(r * ldc) << 2), ldc, rows - r, NR, accumulate);
        }
      } else {
        // Edge tile: into a scratch tile, then the valid part into C.
        fullTile(pa, bpanel, K, edge, NR, false);
        copyEdge(edge, ct, ldc, rows, cols, accumulate);
      }
    }
  }
}
