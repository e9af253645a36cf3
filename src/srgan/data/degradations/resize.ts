/**
 * Resampling on the host, for the degradation pipeline: the engine's filters (src/engine/ops/resize.ts:
 * bicubic a = −0.5 and bilinear, half-pixel centres, PIL's border rule of dropping outside taps and
 * renormalising) plus 'area', the box filter (torch's `mode='area'` when downscaling). With
 * `antialias` the filter is stretched over the downscale factor, as makeLr does; without it a
 * downscale aliases, as the cheap resizers that made many web images do (Real-ESRGAN's random
 * resize is torch's F.interpolate, which does not antialias bilinear or bicubic).
 */
import type { Planes } from './planes.js';

export type ResizeKernel = 'bicubic' | 'bilinear' | 'area';

const filters: Record<ResizeKernel, { radius: number; at: (t: number) => number }> = {
  bicubic: {
    radius: 2, at: (t) => {
      const x = Math.abs(t);
      if (x < 1) return 1.5 * x ** 3 - 2.5 * x ** 2 + 1;
      if (x < 2) return -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2;
      return 0;
    },
  },
  bilinear: { radius: 1, at: (t) => Math.max(0, 1 - Math.abs(t)) },
  area: { radius: 0.5, at: (t) => (t > -0.5 && t <= 0.5 ? 1 : 0) },
};

/** For each output index, its first source index and normalised weights. */
interface AxisTaps { first: Int32Array; weights: Float32Array[] }

function axisTaps(inLen: number, outLen: number, kernel: ResizeKernel, antialias: boolean): AxisTaps {
  const f = filters[kernel], scale = inLen / outLen;
  // 'area' is a box over the source pixels an output pixel covers: always stretched when downscaling.
  const filterScale = (antialias || kernel === 'area') && scale > 1 ? scale : 1;
  const support = f.radius * filterScale;
  const first = new Int32Array(outLen), weights: Float32Array[] = [];
  for (let o = 0; o < outLen; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(Math.floor(centre - support - 0.5), 0), hi = Math.min(Math.ceil(centre + support - 0.5), inLen - 1);
    const w = new Float32Array(Math.max(0, hi - lo + 1));
    let total = 0;
    for (let k = lo; k <= hi; k++) total += (w[k - lo] = f.at((k + 0.5 - centre) / filterScale));
    if (total === 0) { w.fill(0); w[Math.min(Math.max(Math.floor(centre), lo), hi) - lo] = 1; total = 1; } // a box narrower than the pixel grid: nearest
    for (let i = 0; i < w.length; i++) w[i] /= total;
    first[o] = lo;
    weights.push(w);
  }
  return { first, weights };
}

/** Resize every plane to outW × outH: the width pass, then the height pass (as the engine does). */
export function resizePlanes(p: Planes, outW: number, outH: number, kernel: ResizeKernel, antialias = true): Planes {
  if (![outW, outH].every((d) => Number.isInteger(d) && d > 0)) throw new RangeError(`resizePlanes: output size ${outW}×${outH} must be positive integers`);
  const { width: w, height: h } = p;
  const tx = axisTaps(w, outW, kernel, antialias), ty = axisTaps(h, outH, kernel, antialias);
  const wide = new Float32Array(3 * h * outW);
  for (let r = 0; r < 3 * h; r++) {
    const src = r * w, dst = r * outW;
    for (let o = 0; o < outW; o++) {
      const ws = tx.weights[o], f = src + tx.first[o];
      let acc = 0;
      for (let k = 0; k < ws.length; k++) acc += ws[k] * p.data[f + k];
      wide[dst + o] = acc;
    }
  }
  const out = new Float32Array(3 * outH * outW);
  for (let c = 0; c < 3; c++)
    for (let o = 0; o < outH; o++) {
      const ws = ty.weights[o], dst = (c * outH + o) * outW;
      for (let k = 0; k < ws.length; k++) {
        const wk = ws[k], src = (c * h + ty.first[o] + k) * outW;
        for (let x = 0; x < outW; x++) out[dst + x] += wk * wide[src + x];
      }
    }
  return { width: outW, height: outH, data: out };
}
