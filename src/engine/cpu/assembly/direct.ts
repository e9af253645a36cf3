// Direct convolution for few output channels (O ≤ 4), stride 1: the shapes where an im2col GEMM
// starves (a 9×9 conv to 3 RGB channels packs 81·C taps per pixel for 6 multiply-adds each).
// The input comes zero-padded (pt/pl on top/left, enough on the right and bottom for every tap and
// 16 pixels past the row's end), so the inner loops have no bounds checks. Vectors run along output
// pixels: O output channels × 4 vec4 accumulators (12 registers for O = 3).
//   forward  Y[o, oy, ox] = Σ_{c,ky,kx} W[o,c,ky,kx] · Xpad[c, oy+ky, ox+kx]
//   wgrad    dW[o,c,ky,kx] = Σ_{oy,ox} dY[o,oy,ox] · Xpad[c, oy+ky, ox+kx]   (accumulated over images)

import { madd } from './simd';

/** Padded-input geometry and the job's pointers, read in place from the descriptor. */
@unmanaged class Direct {
  C: i32; PH: i32; PW: i32; O: i32; kh: i32; kw: i32; OH: i32; OW: i32; N: i32;
  xpad: usize; w: usize; y: usize;
}

/** Forward: rows of output (n, oy) dealt out to threads in turn. */
export function directForward(d: usize, tid: i32, nt: i32): void {
  const g = changetype<Direct>(d);
  const kk = g.kh * g.kw, wo = <usize>(g.C * kk) << 2; // bytes between output channels' weights
  const plane = g.PH * g.PW;
  for (let row = tid; row < g.N * g.OH; row += nt) {
    const n = row / g.OH, oy = row % g.OH;
    const xn = g.xpad + (<usize>(n * g.C * plane) << 2);
    const yrow = g.y + (<usize>((n * g.O * g.OH + oy) * g.OW) << 2);
    const ystride = <usize>(g.OH * g.OW) << 2;
    for (let ox = 0; ox < g.OW; ox += 16) {
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0), a03 = f32x4.splat(0);
      let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0), a13 = f32x4.splat(0);
      let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a22 = f32x4.splat(0), a23 = f32x4.splat(0);
      let a30 = f32x4.splat(0), a31 = f32x4.splat(0), a32 = f32x4.splat(0), a33 = f32x4.splat(0);
      for (let c = 0; c < g.C; c++) {
        for (let ky = 0; ky < g.kh; ky++) {
          const src = xn + (<usize>(c * plane + (oy + ky) * g.PW + ox) << 2);
          let wp = g.w + (<usize>((c * g.kh + ky) * g.kw) << 2);
          for (let kx = 0; kx < g.kw; kx++) {
            const s = src + (<usize>kx << 2);
            const x0 = v128.load(s), x1 = v128.load(s, 16), x2 = v128.load(s, 32), x3 = v128.load(s, 48);
            let w = v128.load32_splat(wp);
            a00 = madd(w, x0, a00); a01 = madd(w, x1, a01);
            a02 = madd(w, x2, a02); a03 = madd(w, x3, a03);
            if (g.O > 1) {
              w = v128.load32_splat(wp + wo);
              a10 = madd(w, x0, a10); a11 = madd(w, x1, a11);
              a12 = madd(w, x2, a12); a13 = madd(w, x3, a13);
            }
            if (g.O > 2) {
              w = v128.load32_splat(wp + 2 * wo);
              a20 = madd(w, x0, a20); a21 = madd(w, x1, a21);
              a22 = madd(w, x2, a22); a23 = madd(w, x3, a23);
            }
            if (g.O > 3) {
              w = v128.load32_splat(wp + 3 * wo);
              a30 = madd(w, x0, a30); a31 = madd(w, x1, a31);
              a32 = madd(w, x2, a32); a33 = madd(w, x3, a33);
            }
            wp += 4;
          }
        }
      }
      const n16 = min(16, g.OW - ox);
      storeRow(yrow + (<usize>ox << 2), n16, a00, a01, a02, a03);
      if (g.O > 1) storeRow(yrow + ystride + (<usize>ox << 2), n16, a10, a11, a12, a13);
      if (g.O > 2) storeRow(yrow + 2 * ystride + (<usize>ox << 2), n16, a20, a21, a22, a23);
      if (g.O > 3) storeRow(yrow + 3 * ystride + (<usize>ox << 2), n16, a30, a31, a32, a33);
    }
  }
}

/** Store up to 16 floats of four vectors. */
@inline function storeRow(p: usize, n: i32, v0: v128, v1: v128, v2: v128, v3: v128): void {
  if (n == 16) {
    v128.store(p, v0); v128.store(p, v1, 16); v128.store(p, v2, 32); v128.store(p, v3, 48);
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = i < 4 ? v0 : i < 8 ? v1 : i < 12 ? v2 : v3;
    let f: f32;
    const lane = i & 3;
    if (lane == 0) f = f32x4.extract_lane(v, 0);
    else if (lane == 1) f = f32x4.extract_lane(v, 1);
    else if (lane == 2) f = f32x4.extract_lane(v, 2);
    else f = f32x4.extract_lane(v, 3);
    store<f32>(p + (<usize>i << 2), f);
  }
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * Weight gradient: (c, ky) pairs dealt out to threads in turn; for each, taps kx in fours, with
 * O × 4 vec4 accumulators over every output pixel of every image. dY rows are read in whole vec4s
 * up to OW rounded down; the ragged end of each row is added in scalars. Here `y` is dY and `w` is dW.
 */
export function directWgrad(d: usize, tid: i32, nt: i32): void {
  const g = changetype<Direct>(d);
  const kk = g.kh * g.kw, plane = g.PH * g.PW;
  const whole = g.OW & ~3;
  for (let item = tid; item < g.C * g.kh; item += nt) {
    const c = item / g.kh, ky = item % g.kh;
    for (let kx0 = 0; kx0 < g.kw; kx0 += 4) {
      const taps = min(4, g.kw - kx0);
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0), a03 = f32x4.splat(0);
      let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0), a13 = f32x4.splat(0);
      let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a22 = f32x4.splat(0), a23 = f32x4.splat(0);
      let a30 = f32x4.splat(0), a31 = f32x4.splat(0), a32 = f32x4.splat(0), a33 = f32x4.splat(0);
      const ragged = g.OW - whole;
      for (let n = 0; n < g.N; n++) {
        const xc = g.xpad + (<usize>((n * g.C + c) * plane) << 2);
        const dyn = g.y + (<usize>(n * g.O * g.OH * g.OW) << 2);
        const dys = <usize>(g.OH * g.OW) << 2;
        for (let oy = 0; oy < g.OH; oy++) {
          const xrow = xc + (<usize>((oy + ky) * g.PW + kx0) << 2);
          const drow = dyn + (<usize>(oy * g.OW) << 2);
          for (let ox = 0; ox < whole; ox += 4) {
            const s = xrow + (<usize>ox << 2);
            const x0 = v128.load(s), x1 = v128.load(s, 4), x2 = v128.load(s, 8), x3 = v128.load(s, 12);
            const dp = drow + (<usize>ox << 2);
            let dv = v128.load(dp);
            a00 = madd(dv, x0, a00); a01 = madd(dv, x1, a01);
            a02 = madd(dv, x2, a02); a03 = madd(dv, x3, a03);
            if (g.O > 1) {
              dv = v128.load(dp + dys);
              a10 = madd(dv, x0, a10); a11 = madd(dv, x1, a11);
              a12 = madd(dv, x2, a12); a13 = madd(dv, x3, a13);
            }
            if (g.O > 2) {
              dv = v128.load(dp + 2 * dys);
              a20 = madd(dv, x0, a20); a21 = madd(dv, x1, a21);
              a22 = madd(dv, x2, a22); a23 = madd(dv, x3, a23);
            }
            if (g.O > 3) {
              dv = v128.load(dp + 3 * dys);
              a30 = madd(dv, x0, a30); a31 = madd(dv, x1, a31);
              a32 = madd(dv, x2, a32); a33 = madd(dv, x3, a33);
            }
          }
          if (ragged) {
            for (let ox = whole; ox < g.OW; ox++) {
              const xs = xrow + (<usize>ox << 2);
              for (let o = 0; o < g.O; o++) {
                const dv = <f64>load<f32>(drow + (<usize>ox << 2) + <usize>o * dys);
                const t = g.w + (<usize>(((o * g.C + c) * g.kh + ky) * g.kw + kx0) << 2);
                // Ragged pixels go straight into dW (it starts at zero; see directWgradJob).
                for (let j = 0; j < taps; j++) store<f32>(t + (<usize>j << 2), load<f32>(t + (<usize>j << 2)) + <f32>(dv * <f64>load<f32>(xs + (<usize>j << 2))));
              }
            }
          }
        }
      }
      addTaps(g, 0, c, ky, kx0, taps, a00, a01, a02, a03);
      if (g.O > 1) addTaps(g, 1, c, ky, kx0, taps, a10, a11, a12, a13);
      if (g.O > 2) addTaps(g, 2, c, ky, kx0, taps, a20, a21, a22, a23);
      if (g.O > 3) addTaps(g, 3, c, ky, kx0, taps, a30, a31, a32, a33);
    }
  }
}

@inline function addTaps(g: Direct, o: i32, c: i32, ky: i32, kx0: i32, taps: i32, t0: v128, t1: v128, t2: v128, t3: v128): void {
  const p = g.w + (<usize>(((o * g.C + c) * g.kh + ky) * g.kw + kx0) << 2);
  store<f32>(p, load<f32>(p) + hsum(t0));
  if (taps > 1) store<f32>(p, load<f32>(p, 4) + hsum(t1), 4);
  if (taps > 2) store<f32>(p, load<f32>(p, 8) + hsum(t2), 8);
  if (taps > 3) store<f32>(p, load<f32>(p, 12) + hsum(t3), 12);
}
