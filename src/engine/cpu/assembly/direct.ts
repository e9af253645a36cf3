// Direct convolution for few output channels (O ≤ 4), stride 1: the shapes where an im2col GEMM
// starves (a 9×9 conv to 3 RGB channels packs 81·C taps per pixel for 6 multiply-adds each).
// The input comes zero-padded (pt/pl on top/left, enough on the right and bottom for every tap and
// a whole 12-pixel step past the row's end), so the inner loops have no bounds checks.
//   forward  Y[o, oy, ox] = Σ_t W[o, t] · Xpad[oy + ky, ox + kx],  t = (c, ky, kx)
//   wgrad    dW[o, t] = Σ_{n,oy,ox} dY[o, oy, ox] · Xpad[c, oy + ky, ox + kx]   (over every image)
// Both walk the taps through a table of byte offsets into the padded image (built per thread in
// its scratch), so each hot loop is a single loop in a function of its own: V8 unrolls an inner
// loop more the deeper it is nested, and the unrolled bodies spilled their accumulators (measured:
// 6.7 → 40+ GFLOPS for the forward on one core with FMA). Output channels go in groups of three
// (O = 4 is a group of 3 and a group of 1), whose accumulators fit V8's 15 xmm registers.
import { madd } from './simd';

/** Padded-input geometry and the job's pointers, read in place from the descriptor. */
@unmanaged class Direct {
  C: i32; PH: i32; PW: i32; O: i32; kh: i32; kw: i32; OH: i32; OW: i32; N: i32;
  xpad: usize; w: usize; y: usize; scratch: usize; scratchStride: i32;
}

/** Output pixels per forward step (three vec4 per channel). */
const PX: i32 = 12;
/** Channels per group. */
const G: i32 = 3;

/** Scratch bytes per thread for T = C·kh·kw taps: offsets, 4 weights per tap (+ slack), a 3 × 12 tile, pair sums. */
export function directScratchBytes(T: i32): i32 {
  return T * 4 + T * 16 + 16 + G * PX * 4 + 2 * G * 16 + 64;
}

/**
 * Per tap t = (c, ky, kx): its byte offset in a padded image, and (forward only) its four output
 * channels' weights side by side (zero past O), so a channel group reads its weights at one stride.
 */
function buildTaps(g: Direct, table: usize, wq: usize, weights: bool): i32 {
  const kk = g.kh * g.kw, T = g.C * kk, plane = g.PH * g.PW;
  let t = 0;
  for (let c = 0; c < g.C; c++)
    for (let ky = 0; ky < g.kh; ky++)
      for (let kx = 0; kx < g.kw; kx++) {
        store<i32>(table + (<usize>t << 2), (c * plane + ky * g.PW + kx) << 2);
        if (weights)
          for (let o = 0; o < 4; o++)
            store<f32>(wq + (<usize>(t * 4 + o) << 2), o < g.O ? load<f32>(g.w + (<usize>(o * T + t) << 2)) : 0);
        t++;
      }
  if (weights) v128.store(wq + (<usize>(T * 4) << 2), f32x4.splat(0)); // the slack a last group's spare lanes read
  return T;
}

/**
 * Three channels × 12 pixels of output at `src` (the padded image at the step's first pixel),
 * summed over T taps; stored to three rows of `y`, ys bytes apart. wq: the group's first weight.
 */
export function forwardStep(src: usize, table: usize, wq: usize, T: i32, y: usize, ys: usize): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0);
  let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a22 = f32x4.splat(0);
  for (let t = 0; t < T; t++) {
    const s = src + <usize>load<i32>(table);
    const x0 = v128.load(s), x1 = v128.load(s, 16), x2 = v128.load(s, 32);
    let w = v128.load32_splat(wq);
    a00 = madd(w, x0, a00); a01 = madd(w, x1, a01); a02 = madd(w, x2, a02);
    w = v128.load32_splat(wq, 4);
    a10 = madd(w, x0, a10); a11 = madd(w, x1, a11); a12 = madd(w, x2, a12);
    w = v128.load32_splat(wq, 8);
    a20 = madd(w, x0, a20); a21 = madd(w, x1, a21); a22 = madd(w, x2, a22);
    table += 4; wq += 16;
  }
  v128.store(y, a00); v128.store(y, a01, 16); v128.store(y, a02, 32); y += ys;
  v128.store(y, a10); v128.store(y, a11, 16); v128.store(y, a12, 32); y += ys;
  v128.store(y, a20); v128.store(y, a21, 16); v128.store(y, a22, 32);
}

/** Forward: rows of output (n, oy) dealt out to threads in turn. */
export function directForward(d: usize, tid: i32, nt: i32): void {
  const g = changetype<Direct>(d);
  const scratch = g.scratch + <usize>(tid * g.scratchStride);
  const table = scratch;
  const T = g.C * g.kh * g.kw;
  const wq = table + (<usize>T << 2);
  const tile = wq + (<usize>(T * 16 + 16));
  buildTaps(g, table, wq, true);
  const plane = g.PH * g.PW;
  const ystride = <usize>(g.OH * g.OW) << 2;
  for (let row = tid; row < g.N * g.OH; row += nt) {
    const n = row / g.OH, oy = row % g.OH;
    const xrow = g.xpad + (<usize>(n * g.C * plane + oy * g.PW) << 2);
    const yrow = g.y + (<usize>((n * g.O * g.OH + oy) * g.OW) << 2);
    for (let ox = 0; ox < g.OW; ox += PX) {
      const px = min(PX, g.OW - ox);
      for (let o0 = 0; o0 < g.O; o0 += G) {
        const oc = min(G, g.O - o0);
        const y = yrow + <usize>o0 * ystride + (<usize>ox << 2);
        if (px == PX && oc == G) {
          forwardStep(xrow + (<usize>ox << 2), table, wq + (<usize>o0 << 2), T, y, ystride);
        } else {
          forwardStep(xrow + (<usize>ox << 2), table, wq + (<usize>o0 << 2), T, tile, PX * 4);
          for (let o = 0; o < oc; o++)
            memory.copy(y + <usize>o * ystride, tile + (<usize>(o * PX) << 2), <usize>px << 2);
        }
      }
    }
  }
}

/**
 * Two taps (x0 at x + off0, x1 at x + off1) × three channels of dY (d0..d2), over `rows` rows of
 * n4 vec4 each; adds into the six vector sums at `acc`. xs, ds: bytes between rows.
 */
export function wgradPair(x: usize, off0: i32, off1: i32, d0: usize, d1: usize, d2: usize, rows: i32, n4: i32, xs: usize, ds: usize, acc: usize): void {
  let a00 = v128.load(acc), a01 = v128.load(acc, 16), a10 = v128.load(acc, 32);
  let a11 = v128.load(acc, 48), a20 = v128.load(acc, 64), a21 = v128.load(acc, 80);
  let p0 = x + <usize>off0, p1 = x + <usize>off1;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n4; i++) {
      const o = <usize>i << 4;
      const x0 = v128.load(p0 + o), x1 = v128.load(p1 + o);
      let dv = v128.load(d0 + o);
      a00 = madd(dv, x0, a00); a01 = madd(dv, x1, a01);
      dv = v128.load(d1 + o);
      a10 = madd(dv, x0, a10); a11 = madd(dv, x1, a11);
      dv = v128.load(d2 + o);
      a20 = madd(dv, x0, a20); a21 = madd(dv, x1, a21);
    }
    p0 += xs; p1 += xs; d0 += ds; d1 += ds; d2 += ds;
  }
  v128.store(acc, a00); v128.store(acc, a01, 16); v128.store(acc, a10, 32);
  v128.store(acc, a11, 48); v128.store(acc, a20, 64); v128.store(acc, a21, 80);
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * Weight gradient: pairs of taps dealt out to threads in turn (each tap's sums belong to one
 * thread, in one order, so thread counts agree bit for bit). dY rows are read in whole vec4s up to
 * OW rounded down; the ragged end of each row is added in scalars. Here `y` is dY and `w` is dW,
 * which starts at zero (see directWgradJob).
 */
export function directWgrad(d: usize, tid: i32, nt: i32): void {
  const g = changetype<Direct>(d);
  const scratch = g.scratch + <usize>(tid * g.scratchStride);
  const table = scratch;
  const T = buildTaps(g, table, 0, false);
  const acc = table + (<usize>T << 2);
  const plane = g.PH * g.PW, P = g.OH * g.OW;
  const whole = g.OW & ~3;
  const dys = <usize>P << 2;
  for (let pair = tid; pair * 2 < T; pair += nt) {
    const t0 = pair * 2, t1 = min(t0 + 1, T - 1);
    const off0 = load<i32>(table + (<usize>t0 << 2)), off1 = load<i32>(table + (<usize>t1 << 2));
    for (let o0 = 0; o0 < g.O; o0 += G) {
      const oc = min(G, g.O - o0);
      memory.fill(acc, 0, 6 * 16);
      for (let n = 0; n < g.N; n++) {
        const xn = g.xpad + (<usize>(n * g.C * plane) << 2);
        const d0 = g.y + (<usize>((n * g.O + o0) * P) << 2);
        // Spare channels of a short group read channel o0 again; their sums are dropped.
        const d1 = oc > 1 ? d0 + dys : d0, d2 = oc > 2 ? d0 + 2 * dys : d0;
        if (whole > 0) wgradPair(xn, off0, off1, d0, d1, d2, g.OH, whole >> 2, <usize>g.PW << 2, <usize>g.OW << 2, acc);
        if (whole < g.OW) {
          // Ragged pixels go straight into dW (float64 products, as the reference's order does not matter here).
          const taps = t1 > t0 ? 2 : 1;
          for (let o = 0; o < oc; o++) {
            const dyo = d0 + <usize>o * dys;
            for (let j = 0; j < taps; j++) {
              const off = j == 0 ? off0 : off1;
              let s: f64 = 0;
              for (let oy = 0; oy < g.OH; oy++)
                for (let ox = whole; ox < g.OW; ox++)
                  s += <f64>load<f32>(dyo + (<usize>(oy * g.OW + ox) << 2)) * <f64>load<f32>(xn + <usize>off + (<usize>(oy * g.PW + ox) << 2));
              const dw = g.w + (<usize>((o0 + o) * T + t0 + j) << 2);
              store<f32>(dw, load<f32>(dw) + <f32>s);
            }
          }
        }
      }
      for (let o = 0; o < oc; o++) {
        const dw = g.w + (<usize>((o0 + o) * T + t0) << 2);
        store<f32>(dw, load<f32>(dw) + hsum(v128.load(acc + (<usize>o << 5))));
        if (t1 > t0) store<f32>(dw, load<f32>(dw, 4) + hsum(v128.load(acc + (<usize>o << 5), 16)), 4);
      }
    }
  }
}
