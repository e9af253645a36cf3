// Convolution as implicit-im2col GEMM: the B panels of the GEMM are gathered straight from the
// image (no col buffer), so memory stays at one NC × KC panel block per thread.
//   forward  Y[n,o,p] = Σ_k Wpacked[o,k] · X(n, k, p),  k = (c, ky, kx), p = (oy, ox)
//   dgrad    the same kernel on dY with flipped, transposed weights, stride 1, and the input
//            "dilated" by the forward stride (a dilated coordinate not divisible by it reads 0)
//   wgrad    dW[o, k] = Σ_{n,p} dY[n,o,p] · X(n, k, p): A = dY rows, B gathered by column k
import { MR, NR, gemmPacked, packA } from './gemm';

/** Geometry of one convolution, read in place from a job descriptor (see cpu/jobs.ts). */
@unmanaged class Geo {
  C: i32; H: i32; W: i32; O: i32; kh: i32; kw: i32; stride: i32; pt: i32; pl: i32; OH: i32; OW: i32; dil: i32;
}

/**
 * Tap table for taps k0 .. k0+n (k = (c, ky, kx)): per tap its row and column offset in the kernel
 * and the offset of its input channel plane, so that packing does no division per element.
 */
function tapTable(g: Geo, k0: i32, n: i32, table: usize): void {
  const kk = g.kh * g.kw;
  for (let i = 0; i < n; i++) {
    const k = k0 + i, c = k / kk, r = k % kk;
    const t = table + (<usize>i * 12);
    store<i32>(t, r / g.kw);
    store<i32>(t, r % g.kw, 4);
    store<i32>(t, c * g.H * g.W, 8);
  }
}

/** X at dilated input coordinates (iy, ix) of channel plane `plane`; 0 outside or off the dilation grid. */
@inline function tapAt(x: usize, g: Geo, plane: i32, iy: i32, ix: i32): f32 {
  if (g.dil > 1) {
    if (iy < 0 || ix < 0 || iy % g.dil != 0 || ix % g.dil != 0) return 0;
    iy /= g.dil; ix /= g.dil;
  }
  if (<u32>iy >= <u32>g.H || <u32>ix >= <u32>g.W) return 0;
  return load<f32>(x + (<usize>(plane + iy * g.W + ix) << 2));
}

/**
 * Pack B for pixels p0 .. p0+np of image x, depth k0 .. k0+kc, into NR-pixel panels (k-major).
 * The common case (stride 1, no dilation, the panel's 8 pixels on one row and inside the image
 * horizontally) is two unaligned vec4 loads per k.
 */
function packConvB(x: usize, g: Geo, k0: i32, kc: i32, p0: i32, np: i32, dst: usize, table: usize): void {
  tapTable(g, k0, kc, table);
  for (let p = 0; p < np; p += NR) {
    const q = p0 + p;
    const oy = q / g.OW, ox = q % g.OW;
    const whole = g.stride == 1 && g.dil == 1 && np - p >= NR && ox + NR <= g.OW;
    for (let i = 0; i < kc; i++) {
      const t = table + (<usize>i * 12);
      const ky = load<i32>(t), kx = load<i32>(t, 4), plane = load<i32>(t, 8);
      const iy = oy * g.stride + ky - g.pt, ix = ox * g.stride + kx - g.pl;
      if (whole && <u32>iy < <u32>g.H && ix >= 0 && ix + NR <= g.W) {
        const src = x + (<usize>(plane + iy * g.W + ix) << 2);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      } else {
        let jy = oy, jx = ox;
        for (let j = 0; j < NR; j++) {
          const v: f32 = p + j < np ? tapAt(x, g, plane, jy * g.stride + ky - g.pt, jx * g.stride + kx - g.pl) : 0;
          store<f32>(dst + (<usize>j << 2), v);
          if (++jx == g.OW) { jx = 0; jy++; }
        }
      }
      dst += NR * 4;
    }
  }
}

// Blocking: KC deep × NC pixels of B per pack (NC·KC·4 = 256 KiB with these, in L2).
const KC: i32 = 256;
const NC: i32 = 256;
// The forward splits K into near-equal blocks of at most KCF: a 3×3 conv from 32 channels
// (K = 288) is one block (two of 256 + 32 reloaded and stored its C tiles once more), from 64
// channels two of 288.
const KCF: i32 = 320;
const TABLE_BYTES: i32 = 12 * KCF;
export const CONV_SCRATCH_BYTES: i32 = KCF * NC * 4 + MR * NR * 4 + TABLE_BYTES + 64;

/**
 * Y[n] = Wpacked · im2col(X[n]) (+ bias, then the activation) for every image, the pixel blocks
 * dealt out to threads in turn. d: geometry (12 i32), then N, x, ap (weights packed in MR panels
 * over K = C·kh·kw), y, bias (0: none), act (0 none, 1 relu, 2 leaky relu), alpha (f32), scratch,
 * scratch stride per thread. The bias is the tile's starting value and the activation runs on
 * the block while it is in cache, so no pass over Y follows.
 */
export function convForward(d: usize, tid: i32, nt: i32): void {
  const g = changetype<Geo>(d);
  const N = load<i32>(d, 48);
  const x = load<usize>(d, 52), ap = load<usize>(d, 56), y = load<usize>(d, 60);
  const bias = load<usize>(d, 64), act = load<i32>(d, 68), alpha = load<f32>(d, 72);
  const scratch = load<usize>(d, 76) + <usize>(tid * load<i32>(d, 80));
  const edge = scratch + <usize>(KCF * NC * 4), table = edge + <usize>(MR * NR * 4);
  const K = g.C * g.kh * g.kw, P = g.OH * g.OW;
  const blocks = (P + NC - 1) / NC;
  const aStride = MR * K * 4;
  const kBlocks = (K + KCF - 1) / KCF, kcEven = (K + kBlocks - 1) / kBlocks;
  for (let item = tid; item < N * blocks; item += nt) {
    const n = item / blocks, p0 = (item % blocks) * NC;
    const np = min(NC, P - p0);
    const xn = x + (<usize>(n * g.C * g.H * g.W) << 2);
    const yn = y + (<usize>(n * g.O * P + p0) << 2);
    if (bias) fillRows(yn, P, bias, g.O, np);
    for (let k0 = 0; k0 < K; k0 += kcEven) {
      const kc = min(kcEven, K - k0);
      packConvB(xn, g, k0, kc, p0, np, scratch, table);
      gemmPacked(ap + <usize>(k0 * MR * 4), aStride, scratch, g.O, np, kc, yn, P, k0 > 0 || bias != 0, edge);
    }
    if (act) activateRows(yn, P, g.O, np, act, alpha);
  }
}

/** Rows 0..M of C (row stride ldc floats), columns 0..n, set to bias[row]. */
function fillRows(c: usize, ldc: i32, bias: usize, M: i32, n: i32): void {
  for (let m = 0; m < M; m++) {
    const b = load<f32>(bias + (<usize>m << 2)), bv = f32x4.splat(b);
    const row = c + (<usize>(m * ldc) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) v128.store(row + (<usize>j << 2), bv);
    for (; j < n; j++) store<f32>(row + (<usize>j << 2), b);
  }
}

/** relu (act 1) or leaky relu with slope alpha (act 2) over rows 0..M, columns 0..n, in place. */
function activateRows(c: usize, ldc: i32, M: i32, n: i32, act: i32, alpha: f32): void {
  const zero = f32x4.splat(0), slope = f32x4.splat(act == 1 ? 0 : alpha), s: f32 = act == 1 ? 0 : alpha;
  for (let m = 0; m < M; m++) {
    const row = c + (<usize>(m * ldc) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const p = row + (<usize>j << 2), v = v128.load(p);
      v128.store(p, v128.bitselect(v, f32x4.mul(slope, v), f32x4.gt(v, zero)));
    }
    for (; j < n; j++) {
      const p = row + (<usize>j << 2), v = load<f32>(p);
      store<f32>(p, v > 0 ? v : s * v);
    }
  }
}

/**
 * Pack B for the weight gradient: rows are pixels p0 .. p0+kc of image x, columns are taps
 * col0 .. col0+ncols (k = (c, ky, kx)), in NR-column panels; `table` holds those taps (tapTable).
 */
function packWgradB(x: usize, g: Geo, p0: i32, kc: i32, col0: i32, ncols: i32, dst: usize, table: usize): void {
  tapTable(g, col0, ncols, table);
  // A padded input at stride 1 has every tap of every pixel in bounds: whole panels go by runs.
  const runs = g.stride == 1 && g.dil == 1 && g.pt == 0 && g.pl == 0;
  for (let j0 = 0; j0 < ncols; j0 += NR) {
    const cols = min(NR, ncols - j0);
    const panel = table + (<usize>j0 * 12);
    if (runs && cols == NR) {
      packWgradPanel(x, g, p0, kc, dst, panel);
      dst += <usize>(kc * NR * 4);
      continue;
    }
    let oy = p0 / g.OW, ox = p0 % g.OW;
    for (let p = 0; p < kc; p++) {
      const by = oy * g.stride - g.pt, bx = ox * g.stride - g.pl;
      for (let j = 0; j < NR; j++) {
        let v: f32 = 0;
        if (j < cols) {
          const t = panel + (<usize>j * 12);
          v = tapAt(x, g, load<i32>(t, 8), by + load<i32>(t), bx + load<i32>(t, 4));
        }
        store<f32>(dst, v);
        dst += 4;
      }
      if (++ox == g.OW) { ox = 0; oy++; }
    }
  }
}

/** Lanes (a0 b0 c0 d0), (a1 b1 c1 d1), … of four vectors a, b, c, d, stored 32 bytes apart. */
@inline function storeTransposed(dst: usize, a: v128, b: v128, c: v128, d: v128): void {
  const ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const cd0 = v128.shuffle<f32>(c, d, 0, 4, 1, 5), cd1 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(ab0, cd0, 0, 1, 4, 5));
  v128.store(dst, v128.shuffle<f32>(ab0, cd0, 2, 3, 6, 7), 32);
  v128.store(dst, v128.shuffle<f32>(ab1, cd1, 0, 1, 4, 5), 64);
  v128.store(dst, v128.shuffle<f32>(ab1, cd1, 2, 3, 6, 7), 96);
}

/**
 * One whole panel of NR taps over pixels p0 .. p0+kc of a padded input at stride 1: a tap reads
 * a run of pixels along an output row, so four pixels of eight taps are eight vec4 loads and two
 * 4 × 4 transposes (the B panel wants the eight taps of one pixel side by side).
 */
function packWgradPanel(x: usize, g: Geo, p0: i32, kc: i32, dst: usize, panel: usize): void {
  // Byte offset of each tap from the pixel's own position (oy·W + ox) in the padded plane.
  const o0 = tapOffset(g, panel, 0), o1 = tapOffset(g, panel, 1), o2 = tapOffset(g, panel, 2), o3 = tapOffset(g, panel, 3);
  const o4 = tapOffset(g, panel, 4), o5 = tapOffset(g, panel, 5), o6 = tapOffset(g, panel, 6), o7 = tapOffset(g, panel, 7);
  let oy = p0 / g.OW, ox = p0 % g.OW;
  let p = 0;
  while (p < kc) {
    const at = x + (<usize>(oy * g.W + ox) << 2);
    if (ox + 4 <= g.OW && p + 4 <= kc) {
      storeTransposed(dst, v128.load(at + o0), v128.load(at + o1), v128.load(at + o2), v128.load(at + o3));
      storeTransposed(dst + 16, v128.load(at + o4), v128.load(at + o5), v128.load(at + o6), v128.load(at + o7));
      dst += 4 * NR * 4; p += 4; ox += 4;
    } else {
      store<f32>(dst, load<f32>(at + o0)); store<f32>(dst, load<f32>(at + o1), 4);
      store<f32>(dst, load<f32>(at + o2), 8); store<f32>(dst, load<f32>(at + o3), 12);
      store<f32>(dst, load<f32>(at + o4), 16); store<f32>(dst, load<f32>(at + o5), 20);
      store<f32>(dst, load<f32>(at + o6), 24); store<f32>(dst, load<f32>(at + o7), 28);
      dst += NR * 4; p++; ox++;
    }
    if (ox == g.OW) { ox = 0; oy++; }
  }
}

@inline function tapOffset(g: Geo, panel: usize, j: i32): usize {
  const t = panel + (<usize>j * 12);
  return <usize>(load<i32>(t, 8) + load<i32>(t) * g.W + load<i32>(t, 4)) << 2;
}

/**
 * dW[O, K] = Σ_n dY[n] · im2col(X[n])ᵀ. Threads take contiguous ranges of NR-column panels, so
 * each owns its columns of dW and no reduction is needed. d: geometry (of the forward), then N,
 * x, dy, dw, scratch, scratch stride per thread.
 */
export function convWgrad(d: usize, tid: i32, nt: i32): void {
  const g = changetype<Geo>(d);
  const N = load<i32>(d, 48);
  const x = load<usize>(d, 52), dy = load<usize>(d, 56), dw = load<usize>(d, 60);
  const scratch = load<usize>(d, 64) + <usize>(tid * load<i32>(d, 68));
  const K = g.C * g.kh * g.kw, P = g.OH * g.OW;
  const panels = (K + NR - 1) / NR;
  const first = panels * tid / nt, last = panels * (tid + 1) / nt;
  if (first >= last) return;
  const col0 = first * NR, col1 = min(last * NR, K);
  // Scratch: packed A (O rows × KC pixels, in MR panels), one packed B block (KC × NC), the edge tile.
  const rowsA = (g.O + MR - 1) / MR * MR;
  const apk = scratch, bpk = apk + <usize>(rowsA * KC * 4);
  const edge = bpk + <usize>(KC * NC * 4), table = edge + <usize>(MR * NR * 4);
  for (let n = 0; n < N; n++) {
    const xn = x + (<usize>(n * g.C * g.H * g.W) << 2);
    const dyn = dy + (<usize>(n * g.O * P) << 2);
    for (let p0 = 0; p0 < P; p0 += KC) {
      const kc = min(KC, P - p0);
      packA(dyn + (<usize>p0 << 2), P, 1, g.O, kc, apk);
      for (let c0 = col0; c0 < col1; c0 += NC) {
        const nc = min(NC, col1 - c0);
        packWgradB(xn, g, p0, kc, c0, nc, bpk, table);
        gemmPacked(apk, MR * kc * 4, bpk, g.O, nc, kc, dw + (<usize>c0 << 2), K, n > 0 || p0 > 0, edge);
      }
    }
  }
}

/** Scratch bytes per thread that convWgrad needs for O output channels. */
export function wgradScratchBytes(O: i32): i32 {
  return (O + MR - 1) / MR * MR * KC * 4 + KC * NC * 4 + MR * NR * 4 + TABLE_BYTES + 64;
}
