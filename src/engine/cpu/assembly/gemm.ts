// Packed, register-blocked GEMM in WebAssembly SIMD: C[M,N] (+)= A[M,K] · B[K,N].
// A is packed once into MR-row panels (k-major, MR values per k); B is packed per column chunk
// into NR-column panels (k-major, NR values per k). The micro-kernel keeps an MR × NR tile in
// 12 vec4 registers and, per k, loads two vec4 of B and splats six values of A: 12 multiply-adds
// per 8 loads. All pointers are byte offsets into the (shared) linear memory.

export const MR: i32 = 6;
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

@inline function st(c: usize, v: v128, acc: bool): void {
  v128.store(c, acc ? f32x4.add(v128.load(c), v) : v);
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
      let pa = ap + <usize>((i / MR) * aStride);
      let pb = bpanel;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb), b1 = v128.load(pb, 16);
        let a = v128.load32_splat(pa);
        c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
        a = v128.load32_splat(pa, 4);
        c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
        a = v128.load32_splat(pa, 8);
        c20 = f32x4.add(c20, f32x4.mul(a, b0)); c21 = f32x4.add(c21, f32x4.mul(a, b1));
        a = v128.load32_splat(pa, 12);
        c30 = f32x4.add(c30, f32x4.mul(a, b0)); c31 = f32x4.add(c31, f32x4.mul(a, b1));
        a = v128.load32_splat(pa, 16);
        c40 = f32x4.add(c40, f32x4.mul(a, b0)); c41 = f32x4.add(c41, f32x4.mul(a, b1));
        a = v128.load32_splat(pa, 20);
        c50 = f32x4.add(c50, f32x4.mul(a, b0)); c51 = f32x4.add(c51, f32x4.mul(a, b1));
        pa += 24; pb += 32;
      }
      if (rows == MR && cols == NR) {
        const row = <usize>ldc << 2;
        let pc = c + (<usize>(i * ldc + j) << 2);
        st(pc, c00, accumulate); st(pc + 16, c01, accumulate); pc += row;
        st(pc, c10, accumulate); st(pc + 16, c11, accumulate); pc += row;
        st(pc, c20, accumulate); st(pc + 16, c21, accumulate); pc += row;
        st(pc, c30, accumulate); st(pc + 16, c31, accumulate); pc += row;
        st(pc, c40, accumulate); st(pc + 16, c41, accumulate); pc += row;
        st(pc, c50, accumulate); st(pc + 16, c51, accumulate);
      } else {
        // Edge tile: spill to a scratch tile, then copy the valid part.
        v128.store(edge, c00); v128.store(edge, c01, 16); v128.store(edge, c10, 32); v128.store(edge, c11, 48);
        v128.store(edge, c20, 64); v128.store(edge, c21, 80); v128.store(edge, c30, 96); v128.store(edge, c31, 112);
        v128.store(edge, c40, 128); v128.store(edge, c41, 144); v128.store(edge, c50, 160); v128.store(edge, c51, 176);
        for (let r = 0; r < rows; r++) {
          for (let q = 0; q < cols; q++) {
            const pc = c + (<usize>((i + r) * ldc + j + q) << 2);
            const v = load<f32>(edge + (<usize>(r * NR + q) << 2));
            store<f32>(pc, accumulate ? load<f32>(pc) + v : v);
          }
        }
      }
    }
  }
}
